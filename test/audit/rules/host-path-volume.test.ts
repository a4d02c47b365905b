import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

describe('host-path-volume', () => {
  it('fires at the path of any hostPath volume not reported by docker-sock or sensitive-host-mounts', () => {
    const doc = deployment(
      '- name: app\n  image: x:1\n  volumeMounts: [{ name: etc, mountPath: /e }]',
      y`
      volumes:
        - { name: data, hostPath: { path: /srv/data } }
        - { name: etc, hostPath: { path: /etc } }
      `,
    );
    expect(run('host-path-volume', doc)).toEqual([where(doc, '/srv/data')]);
  });

  it('does not fire without hostPath volumes', () => {
    const doc = deployment('- name: app\n  image: x:1', 'volumes: [{ name: tmp, emptyDir: {} }]');
    expect(run('host-path-volume', doc)).toEqual([]);
  });
});
