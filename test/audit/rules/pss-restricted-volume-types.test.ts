import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

describe('pss-restricted-volume-types', () => {
  it('fires at the type key of a restricted volume (not hostPath, reported elsewhere)', () => {
    const doc = deployment(
      '- name: a\n  image: x:1',
      y`
      volumes:
        - name: share
          nfs: { server: nas, path: /export }
        - name: host
          hostPath: { path: /srv }
        - name: repo
          gitRepo: { repository: "https://example.com/r.git" }
      `,
    );
    expect(run('pss-restricted-volume-types', doc)).toEqual([where(doc, 'nfs'), where(doc, 'gitRepo')]);
  });

  it('does not fire on allowed volume types', () => {
    const doc = deployment(
      '- name: a\n  image: x:1',
      'volumes: [{ name: a, emptyDir: {} }, { name: b, configMap: { name: c } }, { name: d, persistentVolumeClaim: { claimName: e } }, { name: f, projected: { sources: [] } }]',
    );
    expect(run('pss-restricted-volume-types', doc)).toEqual([]);
  });
});
