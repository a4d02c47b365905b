import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

const doc = deployment(
  '- name: a\n  image: x:1',
  y`
  securityContext:
    sysctls:
      - { name: net.ipv4.ip_local_port_range, value: "1024 65535" }
      - { name: net.core.somaxconn, value: "1024" }
      - { name: net.ipv4.tcp_rmem, value: "4096 87380 6291456" }
      - { name: kernel.msgmax, value: "65536" }
  `,
);

describe('unsafe-sysctls', () => {
  it('fires at each sysctl outside the safe set of the target version', () => {
    expect(run('unsafe-sysctls', doc, { kubernetesVersion: '1.31' })).toEqual([
      where(doc, 'net.core.somaxconn'),
      where(doc, 'net.ipv4.tcp_rmem'),
      where(doc, 'kernel.msgmax'),
    ]);
  });

  it('knows the sysctls later versions made safe', () => {
    expect(run('unsafe-sysctls', doc, { kubernetesVersion: '1.32' })).toEqual([
      where(doc, 'net.core.somaxconn'),
      where(doc, 'kernel.msgmax'),
    ]);
  });

  it('does not fire on safe sysctls or none', () => {
    const safe = deployment(
      '- name: a\n  image: x:1',
      'securityContext: { sysctls: [{ name: kernel.shm_rmid_forced, value: "1" }] }',
    );
    expect(run('unsafe-sysctls', safe)).toEqual([]);
  });
});
