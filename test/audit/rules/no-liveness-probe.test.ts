import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

describe('no-liveness-probe', () => {
  it('fires at the name of a container without a liveness probe', () => {
    const doc = deployment('- name: app\n  image: x:1');
    expect(run('no-liveness-probe', doc)).toEqual([where(doc, 'name: app')]);
  });

  it('does not fire with a probe, nor on Jobs', () => {
    const doc = deployment('- name: app\n  image: x:1\n  livenessProbe: { tcpSocket: { port: 80 } }');
    expect(run('no-liveness-probe', doc)).toEqual([]);
    const job = y`
      apiVersion: batch/v1
      kind: Job
      metadata: { name: j }
      spec:
        template:
          spec:
            restartPolicy: Never
            containers: [{ name: a, image: "x:1" }]
    `;
    expect(run('no-liveness-probe', job)).toEqual([]);
  });
});
