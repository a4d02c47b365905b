import { describe, expect, it } from 'vitest';
import { deployment, run, where } from '../_audit.ts';

describe('pss-restricted-privilege-escalation', () => {
  it('fires where allowPrivilegeEscalation is not set', () => {
    const doc = deployment(
      '- name: a\n  image: x:1\n  securityContext: { runAsNonRoot: true }\n- name: b\n  image: x:1',
    );
    expect(run('pss-restricted-privilege-escalation', doc)).toEqual([
      where(doc, 'securityContext'),
      where(doc, 'name: b'),
    ]);
  });

  it('does not fire on false, nor on true (privilege-escalation-container reports it)', () => {
    const doc = deployment(
      '- name: a\n  image: x:1\n  securityContext: { allowPrivilegeEscalation: false }\n- name: b\n  image: x:1\n  securityContext: { allowPrivilegeEscalation: true }',
    );
    expect(run('pss-restricted-privilege-escalation', doc)).toEqual([]);
  });
});
