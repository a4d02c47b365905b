import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

describe('sensitive-host-mounts', () => {
  it('fires at the path of a mounted /etc', () => {
    const doc = deployment(
      '- name: app\n  image: x:1\n  volumeMounts: [{ name: etc, mountPath: /host/etc }]',
      y`
      volumes:
        - name: etc
          hostPath: { path: /etc/ }
      `,
    );
    expect(run('sensitive-host-mounts', doc)).toEqual([where(doc, '/etc/ }')]);
  });

  it('does not fire for a subfolder or an unlisted path (matched exactly, as kube-linter)', () => {
    const doc = deployment(
      '- name: app\n  image: x:1\n  volumeMounts: [{ name: a, mountPath: /a }, { name: b, mountPath: /b }]',
      y`
      volumes:
        - { name: a, hostPath: { path: /etc/ssl } }
        - { name: b, hostPath: { path: /data } }
      `,
    );
    expect(run('sensitive-host-mounts', doc)).toEqual([]);
  });
});
