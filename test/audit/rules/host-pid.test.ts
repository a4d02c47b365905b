import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

describe('host-pid', () => {
  it('fires at hostPID: true', () => {
    const doc = deployment(
      y`
      - name: app
        image: nginx:1.27
      `,
      'hostPID: true',
    );
    expect(run('host-pid', doc)).toEqual([where(doc, 'hostPID')]);
  });

  it('fires on a bare Pod and a CronJob', () => {
    const pod = y`
      apiVersion: v1
      kind: Pod
      metadata: { name: p }
      spec:
        hostPID: true
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
                hostPID: true
                containers: [{ name: a, image: "nginx:1.27" }]
    `;
    expect(run('host-pid', pod)).toEqual([where(pod, 'hostPID'), where(pod, 'hostPID', 2)]);
  });

  it('does not fire when false or absent', () => {
    const doc = deployment('- name: app\n  image: nginx:1.27', 'hostPID: false');
    expect(run('host-pid', doc)).toEqual([]);
    expect(run('host-pid', deployment('- name: app\n  image: nginx:1.27'))).toEqual([]);
  });
});
