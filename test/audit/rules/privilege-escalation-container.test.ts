import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

describe('privilege-escalation-container', () => {
  it('fires at allowPrivilegeEscalation: true', () => {
    const doc = deployment(y`
      - name: app
        image: nginx:1.27
        securityContext:
          allowPrivilegeEscalation: true
    `);
    expect(run('privilege-escalation-container', doc)).toEqual([where(doc, 'allowPrivilegeEscalation')]);
  });

  it('does not fire when false or unset', () => {
    const doc = deployment(y`
      - name: app
        image: nginx:1.27
        securityContext: { allowPrivilegeEscalation: false }
      - name: b
        image: nginx:1.27
    `);
    expect(run('privilege-escalation-container', doc)).toEqual([]);
  });
});
