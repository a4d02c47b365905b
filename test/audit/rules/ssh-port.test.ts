import { describe, expect, it } from 'vitest';
import { deployment, run, where } from '../_audit.ts';

describe('ssh-port', () => {
  it('fires at containerPort 22 over TCP', () => {
    const doc = deployment('- name: a\n  image: x:1\n  ports:\n    - containerPort: 22');
    expect(run('ssh-port', doc)).toEqual([where(doc, '22')]);
  });

  it('does not fire on UDP 22 or other ports', () => {
    expect(
      run(
        'ssh-port',
        deployment(
          '- name: a\n  image: x:1\n  ports: [{ containerPort: 22, protocol: UDP }, { containerPort: 2222 }]',
        ),
      ),
    ).toEqual([]);
  });
});
