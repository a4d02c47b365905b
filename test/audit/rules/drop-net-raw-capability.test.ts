import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

describe('drop-net-raw-capability', () => {
  it('fires at the drop list when it lacks NET_RAW and ALL, and at an added NET_RAW', () => {
    const doc = deployment(y`
      - name: app
        image: x:1
        securityContext:
          capabilities:
            add: [NET_RAW]
            drop: [NET_ADMIN]
    `);
    expect(run('drop-net-raw-capability', doc)).toEqual([where(doc, 'NET_RAW]'), where(doc, 'drop')]);
  });

  it('fires at capabilities when there is no drop list', () => {
    const doc = deployment(
      '- name: app\n  image: x:1\n  securityContext:\n    capabilities: { add: [CHOWN] }',
    );
    expect(run('drop-net-raw-capability', doc)).toEqual([where(doc, 'capabilities')]);
  });

  it('does not fire when ALL or NET_RAW is dropped, or without a capabilities block (as kube-linter)', () => {
    const doc = deployment(y`
      - name: a
        image: x:1
        securityContext: { capabilities: { drop: [ALL] } }
      - name: b
        image: x:1
        securityContext: { capabilities: { drop: [NET_RAW] } }
      - name: c
        image: x:1
    `);
    expect(run('drop-net-raw-capability', doc)).toEqual([]);
  });
});
