import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

describe('pss-restricted-capabilities', () => {
  it('fires where ALL is not dropped, and at a baseline capability other than NET_BIND_SERVICE', () => {
    const doc = deployment(y`
      - name: app
        image: x:1
        securityContext:
          capabilities:
            drop: [NET_RAW]
            add: [CHOWN, NET_BIND_SERVICE]
    `);
    expect(run('pss-restricted-capabilities', doc)).toEqual([where(doc, 'drop'), where(doc, 'CHOWN')]);
  });

  it('fires at the container name when it has no securityContext', () => {
    const doc = deployment('- name: app\n  image: x:1');
    expect(run('pss-restricted-capabilities', doc)).toEqual([where(doc, 'name: app')]);
  });

  it('does not fire on drop ALL with NET_BIND_SERVICE added back', () => {
    const doc = deployment(
      '- name: app\n  image: x:1\n  securityContext: { capabilities: { drop: [ALL], add: [NET_BIND_SERVICE] } }',
    );
    expect(run('pss-restricted-capabilities', doc)).toEqual([]);
  });
});
