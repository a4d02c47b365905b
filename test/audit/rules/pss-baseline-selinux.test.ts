import { describe, expect, it } from 'vitest';
import { deployment, run, where } from '../_audit.ts';

describe('pss-baseline-selinux', () => {
  it('fires at a custom type and at user/role', () => {
    const doc = deployment(
      '- name: a\n  image: x:1\n  securityContext:\n    seLinuxOptions: { type: spc_t }',
      'securityContext:\n  seLinuxOptions:\n    user: system_u\n    role: sysadm_r',
    );
    expect(run('pss-baseline-selinux', doc)).toEqual([
      where(doc, 'user'),
      where(doc, 'role'),
      where(doc, 'spc_t'),
    ]);
  });

  it('does not fire on container_t or a level only', () => {
    const doc = deployment(
      '- name: a\n  image: x:1\n  securityContext: { seLinuxOptions: { type: container_t, level: "s0:c1" } }',
    );
    expect(run('pss-baseline-selinux', doc)).toEqual([]);
  });
});
