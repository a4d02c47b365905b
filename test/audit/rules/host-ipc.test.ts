import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

describe('host-ipc', () => {
  it('fires at hostIPC: true', () => {
    const doc = deployment(
      y`
      - name: app
        image: nginx:1.27
      `,
      'hostIPC: true',
    );
    expect(run('host-ipc', doc)).toEqual([where(doc, 'hostIPC')]);
  });

  it('fires on a bare Pod and a CronJob', () => {
    const pod = y`
      apiVersion: v1
      kind: Pod
      metadata: { name: p }
      spec:
        hostIPC: true
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
                hostIPC: true
                containers: [{ name: a, image: "nginx:1.27" }]
    `;
    expect(run('host-ipc', pod)).toEqual([where(pod, 'hostIPC'), where(pod, 'hostIPC', 2)]);
  });

  it('does not fire when false or absent', () => {
    const doc = deployment('- name: app\n  image: nginx:1.27', 'hostIPC: false');
    expect(run('host-ipc', doc)).toEqual([]);
    expect(run('host-ipc', deployment('- name: app\n  image: nginx:1.27'))).toEqual([]);
  });
});
