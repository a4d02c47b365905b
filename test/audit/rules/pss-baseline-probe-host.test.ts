import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

const doc = deployment(y`
  - name: a
    image: x:1
    ports: [{ containerPort: 8080 }]
    livenessProbe:
      httpGet: { path: /, port: 8080, host: 10.0.0.1 }
    lifecycle:
      preStop:
        tcpSocket: { port: 8080, host: metadata.internal }
`);

describe('pss-baseline-probe-host', () => {
  it('fires at a probe or handler host from Kubernetes 1.34', () => {
    expect(run('pss-baseline-probe-host', doc, { kubernetesVersion: '1.34' })).toEqual([
      where(doc, '10.0.0.1'),
      where(doc, 'metadata.internal'),
    ]);
  });

  it('does not fire for an earlier target, nor without host', () => {
    expect(run('pss-baseline-probe-host', doc, { kubernetesVersion: '1.33' })).toEqual([]);
    expect(
      run(
        'pss-baseline-probe-host',
        deployment('- name: a\n  image: x:1\n  livenessProbe: { httpGet: { port: 80 } }'),
      ),
    ).toEqual([]);
  });
});
