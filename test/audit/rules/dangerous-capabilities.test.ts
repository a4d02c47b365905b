import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

describe('dangerous-capabilities', () => {
  it('fires at each added capability beyond the baseline set', () => {
    const doc = deployment(y`
      - name: app
        image: x:1
        securityContext:
          capabilities:
            add:
              - CHOWN
              - SYS_ADMIN
              - NET_ADMIN
    `);
    expect(run('dangerous-capabilities', doc)).toEqual([where(doc, 'SYS_ADMIN'), where(doc, 'NET_ADMIN')]);
  });

  it('does not fire for baseline capabilities', () => {
    const doc = deployment(
      '- name: app\n  image: x:1\n  securityContext: { capabilities: { add: [NET_BIND_SERVICE, CHOWN] } }',
    );
    expect(run('dangerous-capabilities', doc)).toEqual([]);
  });
});
