import { describe, expect, it } from 'vitest';
import { deployment, run, where } from '../_audit.ts';

describe('host-port', () => {
  it('fires at a non-zero hostPort', () => {
    const doc = deployment(
      '- name: a\n  image: x:1\n  ports:\n    - containerPort: 80\n      hostPort: 8080',
    );
    expect(run('host-port', doc)).toEqual([where(doc, '8080')]);
  });

  it('does not fire without hostPort or with 0', () => {
    expect(
      run(
        'host-port',
        deployment(
          '- name: a\n  image: x:1\n  ports: [{ containerPort: 80, hostPort: 0 }, { containerPort: 81 }]',
        ),
      ),
    ).toEqual([]);
  });
});
