import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

describe('host-network', () => {
  it('fires at hostNetwork: true', () => {
    const doc = deployment(
      y`
      - name: app
        image: nginx:1.27
      `,
      'hostNetwork: true',
    );
    expect(run('host-network', doc)).toEqual([where(doc, 'hostNetwork')]);
  });

  it('fires on a bare Pod and a CronJob', () => {
    const pod = y`
      apiVersion: v1
      kind: Pod
      metadata: { name: p }
      spec:
        hostNetwork: true
        containers: [{ name: a, image: "nginx:1.27" }]
      ---
      apiVersion: batch/v1
      kind: CronJob
      metadata: { name: c }
      spec:
        schedule: "0 * * * *"
        jobTemplate:
          spec:
            template:
              spec:
                hostNetwork: true
                containers: [{ name: a, image: "nginx:1.27" }]
    `;
    expect(run('host-network', pod)).toEqual([where(pod, 'hostNetwork'), where(pod, 'hostNetwork', 2)]);
  });

  it('does not fire when false or absent', () => {
    const doc = deployment('- name: app\n  image: nginx:1.27', 'hostNetwork: false');
    expect(run('host-network', doc)).toEqual([]);
    expect(run('host-network', deployment('- name: app\n  image: nginx:1.27'))).toEqual([]);
  });
});
