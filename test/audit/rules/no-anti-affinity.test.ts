import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

describe('no-anti-affinity', () => {
  it('fires at replicas when several replicas are not spread', () => {
    const doc = deployment('- name: a\n  image: x:1', '', 'replicas: 3');
    expect(run('no-anti-affinity', doc)).toEqual([where(doc, 'replicas')]);
  });

  it('fires at affinity when its terms do not match the pods', () => {
    const doc = deployment(
      '- name: a\n  image: x:1',
      y`
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - topologyKey: kubernetes.io/hostname
              labelSelector: { matchLabels: { app: other } }
      `,
      'replicas: 2',
    );
    expect(run('no-anti-affinity', doc)).toEqual([where(doc, 'affinity')]);
  });

  it('does not fire with one replica, anti-affinity on the hostname, or a hostname topology spread', () => {
    expect(run('no-anti-affinity', deployment('- name: a\n  image: x:1', '', 'replicas: 1'))).toEqual([]);
    const anti = deployment(
      '- name: a\n  image: x:1',
      y`
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector: { matchLabels: { app: web } }
      `,
      'replicas: 3',
    );
    expect(run('no-anti-affinity', anti)).toEqual([]);
    const spread = deployment(
      '- name: a\n  image: x:1',
      'topologySpreadConstraints: [{ maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: { matchLabels: { app: web } } }]',
      'replicas: 3',
    );
    expect(run('no-anti-affinity', spread)).toEqual([]);
  });
});
