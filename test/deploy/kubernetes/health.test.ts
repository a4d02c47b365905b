import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { assessHealth, type HealthState, podFailure } from '../../../src/deploy/kubernetes/health.ts';

// Shapes as the API server returns them (trimmed to what matters), e.g. `kubectl get deploy -o json`.
const deployment = (spec: Record<string, unknown>, status: Record<string, unknown>, generation = 2) =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', generation },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, ...spec },
    status: { observedGeneration: generation, ...status },
  }) as KubernetesObject;

const progressing = (status: string, reason: string, message = '') => ({
  type: 'Progressing',
  status,
  reason,
  message,
  lastUpdateTime: '2026-01-01T00:00:00Z',
  lastTransitionTime: '2026-01-01T00:00:00Z',
});

const pod = (name: string, status: NonNullable<V1Pod['status']>, restartPolicy = 'Always'): V1Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels: { app: 'web' } },
  spec: { restartPolicy, containers: [{ name: 'web', image: 'r/web:2' }] },
  status,
});
const waiting = (reason: string, message?: string): NonNullable<V1Pod['status']> => ({
  phase: reason === 'CrashLoopBackOff' ? 'Running' : 'Pending',
  containerStatuses: [
    {
      name: 'web',
      image: 'r/web:2',
      imageID: '',
      ready: false,
      restartCount: 4,
      state: { waiting: { reason, ...(message ? { message } : {}) } },
      lastState: reason === 'CrashLoopBackOff' ? { terminated: { exitCode: 137, reason: 'OOMKilled' } } : {},
    },
  ],
});
const running: NonNullable<V1Pod['status']> = {
  phase: 'Running',
  conditions: [{ type: 'Ready', status: 'True' }],
  containerStatuses: [
    { name: 'web', image: 'r/web:2', imageID: '', ready: true, restartCount: 0, state: { running: {} } },
  ],
};

type Case = { name: string; obj: KubernetesObject; pods?: V1Pod[]; state: HealthState; message: RegExp };

const cases: Case[] = [
  {
    name: 'Deployment rolled out',
    obj: deployment(
      {},
      {
        replicas: 3,
        updatedReplicas: 3,
        readyReplicas: 3,
        availableReplicas: 3,
        conditions: [progressing('True', 'NewReplicaSetAvailable')],
      },
    ),
    state: 'current',
    message: /3\/3 available/,
  },
  {
    name: 'Deployment not yet observed by its controller',
    obj: {
      ...deployment({}, { replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 }),
      metadata: { name: 'web', generation: 3 },
    } as KubernetesObject,
    state: 'in-progress',
    message: /observe generation 3/,
  },
  {
    name: 'Deployment just created, no status yet',
    obj: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', generation: 1 },
      spec: { replicas: 1 },
    } as KubernetesObject,
    state: 'in-progress',
    message: /waiting for the controller/,
  },
  {
    name: 'Deployment rolling: updated behind',
    obj: deployment({}, { replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3 }),
    state: 'in-progress',
    message: /1\/3 updated/,
  },
  {
    name: 'Deployment rolling: old replicas terminating',
    obj: deployment({}, { replicas: 4, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 }),
    state: 'in-progress',
    message: /1 old replica/,
  },
  {
    name: 'Deployment rolling: not available yet',
    obj: deployment({}, { replicas: 3, updatedReplicas: 3, readyReplicas: 1, availableReplicas: 1 }),
    pods: [pod('web-1', running), pod('web-2', { phase: 'Pending' })],
    state: 'in-progress',
    message: /1\/3 available/,
  },
  {
    name: 'Deployment past its progress deadline',
    obj: deployment(
      {},
      {
        replicas: 3,
        updatedReplicas: 1,
        availableReplicas: 2,
        conditions: [
          progressing('False', 'ProgressDeadlineExceeded', 'ReplicaSet "web-5d9" has timed out progressing.'),
        ],
      },
    ),
    state: 'failed',
    message: /progress deadline exceeded: ReplicaSet "web-5d9" has timed out/,
  },
  {
    name: 'Deployment with a crash-looping pod fails now',
    obj: deployment({}, { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 }),
    pods: [
      pod('web-1', running),
      pod('web-2', waiting('CrashLoopBackOff', 'back-off 40s restarting failed container')),
    ],
    state: 'failed',
    message: /pod web-2: container web: CrashLoopBackOff \(back-off 40s.*\), last exit 137 OOMKilled/,
  },
  {
    name: 'Deployment with an image that cannot be pulled fails now',
    obj: deployment({}, { replicas: 3, updatedReplicas: 3 }),
    pods: [pod('web-1', waiting('ImagePullBackOff')), pod('web-2', waiting('ErrImagePull'))],
    state: 'failed',
    message: /pod web-1: container web: ImagePullBackOff \(and 1 more pod\(s\)\)/,
  },
  {
    name: 'Deployment with a missing config fails now',
    obj: deployment({ replicas: 1 }, { replicas: 1, updatedReplicas: 1 }),
    pods: [pod('web-1', waiting('CreateContainerConfigError', 'secret "db" not found'))],
    state: 'failed',
    message: /CreateContainerConfigError \(secret "db" not found\)/,
  },
  {
    name: 'Deployment whose pod waits for its image (ContainerCreating) is only in progress',
    obj: deployment({ replicas: 1 }, { replicas: 1, updatedReplicas: 1 }),
    pods: [pod('web-1', waiting('ContainerCreating'))],
    state: 'in-progress',
    message: /0\/1 available/,
  },
  {
    name: 'Deployment with a failing init container fails now',
    obj: deployment({ replicas: 1 }, { replicas: 1, updatedReplicas: 1 }),
    pods: [
      pod('web-1', {
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'migrate',
            image: 'm',
            imageID: '',
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
          },
        ],
      }),
    ],
    state: 'failed',
    message: /init container migrate: CrashLoopBackOff/,
  },
  {
    name: 'StatefulSet ready on the update revision',
    obj: {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', generation: 1 },
      spec: { replicas: 2 },
      status: {
        observedGeneration: 1,
        replicas: 2,
        readyReplicas: 2,
        updatedReplicas: 2,
        currentRevision: 'db-7f',
        updateRevision: 'db-7f',
      },
    } as KubernetesObject,
    state: 'current',
    message: /2\/2 ready/,
  },
  {
    name: 'StatefulSet rolling to a new revision',
    obj: {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', generation: 2 },
      spec: { replicas: 2 },
      status: {
        observedGeneration: 2,
        replicas: 2,
        readyReplicas: 2,
        updatedReplicas: 1,
        currentRevision: 'db-7f',
        updateRevision: 'db-8a',
      },
    } as KubernetesObject,
    state: 'in-progress',
    message: /1\/2 updated/,
  },
  {
    name: 'DaemonSet updated and available',
    obj: {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', generation: 1 },
      status: {
        observedGeneration: 1,
        desiredNumberScheduled: 2,
        updatedNumberScheduled: 2,
        numberAvailable: 2,
        numberReady: 2,
      },
    } as KubernetesObject,
    state: 'current',
    message: /2\/2 available/,
  },
  {
    name: 'DaemonSet behind',
    obj: {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', generation: 1 },
      status: {
        observedGeneration: 1,
        desiredNumberScheduled: 2,
        updatedNumberScheduled: 1,
        numberAvailable: 1,
        numberReady: 1,
      },
    } as KubernetesObject,
    state: 'in-progress',
    message: /1\/2 updated/,
  },
  {
    name: 'Job complete',
    obj: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate', generation: 1 },
      status: {
        succeeded: 1,
        conditions: [
          { type: 'SuccessCriteriaMet', status: 'True' },
          { type: 'Complete', status: 'True' },
        ],
      },
    } as KubernetesObject,
    state: 'current',
    message: /complete \(1 succeeded\)/,
  },
  {
    name: 'Job failed',
    obj: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate', generation: 1 },
      status: {
        failed: 1,
        conditions: [
          {
            type: 'Failed',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
          },
        ],
      },
    } as KubernetesObject,
    state: 'failed',
    message: /job failed: BackoffLimitExceeded Job has reached/,
  },
  {
    name: 'Job running',
    obj: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate', generation: 1 },
      status: { active: 1 },
    } as KubernetesObject,
    state: 'in-progress',
    message: /1 active/,
  },
  {
    name: 'PVC bound',
    obj: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      status: { phase: 'Bound' },
    } as KubernetesObject,
    state: 'current',
    message: /bound/,
  },
  {
    name: 'PVC pending',
    obj: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      status: { phase: 'Pending' },
    } as KubernetesObject,
    state: 'in-progress',
    message: /not bound/,
  },
  {
    name: 'Service exists',
    obj: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { type: 'ClusterIP' },
      status: { loadBalancer: {} },
    } as KubernetesObject,
    state: 'current',
    message: /exists/,
  },
  {
    name: 'ConfigMap exists',
    obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web' } } as KubernetesObject,
    state: 'current',
    message: /exists/,
  },
  {
    name: 'HPA current',
    obj: {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      status: { conditions: [{ type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric' }] },
    } as KubernetesObject,
    state: 'current',
    message: /exists/,
  },
  {
    name: 'PDB current',
    obj: {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'web', generation: 1 },
      status: { observedGeneration: 1 },
    } as KubernetesObject,
    state: 'current',
    message: /exists/,
  },
  {
    name: 'Argo Rollout healthy',
    obj: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web', generation: 4 },
      status: { observedGeneration: '4', phase: 'Healthy' },
    } as KubernetesObject,
    state: 'current',
    message: /healthy/,
  },
  {
    name: 'Argo Rollout paused for promotion',
    obj: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web', generation: 4 },
      status: { observedGeneration: '4', phase: 'Paused', message: 'BlueGreenPause' },
    } as KubernetesObject,
    state: 'current',
    message: /waiting for promotion/,
  },
  {
    name: 'Argo Rollout degraded',
    obj: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web', generation: 4 },
      status: {
        observedGeneration: '4',
        phase: 'Degraded',
        message: 'ProgressDeadlineExceeded: ReplicaSet "web-6c" has timed out progressing.',
      },
    } as KubernetesObject,
    state: 'failed',
    message: /degraded: ProgressDeadlineExceeded/,
  },
  {
    name: 'Argo Rollout that no controller has reconciled (Argo Rollouts absent or down)',
    obj: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web', generation: 1 },
    } as KubernetesObject,
    state: 'in-progress',
    message: /^no status yet: waiting for the Argo Rollouts controller \(is it installed and running\?/,
  },
  {
    name: 'Argo Rollout the controller has seen, still progressing',
    obj: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web', generation: 2 },
      status: { observedGeneration: '2', phase: 'Progressing', message: 'more replicas need to be updated' },
    } as KubernetesObject,
    state: 'in-progress',
    message: /^Progressing: more replicas need to be updated$/,
  },
  {
    name: 'operator resource not ready yet',
    obj: {
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: 'db' },
      status: { conditions: [{ type: 'Ready', status: 'False', message: 'Cluster Is Not Ready' }] },
    } as KubernetesObject,
    state: 'in-progress',
    message: /not ready: Cluster Is Not Ready/,
  },
  {
    name: 'object being deleted',
    obj: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', deletionTimestamp: '2026-01-01T00:00:00Z' as unknown as Date },
    } as KubernetesObject,
    state: 'in-progress',
    message: /being deleted/,
  },
];

describe('assessHealth', () => {
  it.each(cases)('$name → $state', ({ obj, pods, state, message }) => {
    const h = assessHealth(obj, pods);
    expect(h.state).toBe(state);
    expect(h.message).toMatch(message);
    expect(h.ref.name).toBe(obj.metadata?.name);
  });

  it('names the failing pods', () => {
    const h = assessHealth(deployment({}, { replicas: 3, updatedReplicas: 3 }), [
      pod('web-1', waiting('CrashLoopBackOff')),
      pod('web-2', running),
      pod('web-3', waiting('ErrImagePull')),
    ]);
    expect(h.failingPods).toEqual(['web-1', 'web-3']);
  });

  describe('a PersistentVolumeClaim of a WaitForFirstConsumer class (kind, most clouds)', () => {
    const claim = (annotations?: Record<string, string>, phase = 'Pending') =>
      ({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'backups', ...(annotations ? { annotations } : {}) },
        spec: { storageClassName: 'standard' },
        status: { phase },
      }) as KubernetesObject;
    const wffc = { volumeBindingMode: 'WaitForFirstConsumer' };

    it('is settled while Pending with no consumer yet (a backup CronJob binds it at its first run)', () => {
      expect(assessHealth(claim(), [], undefined, wffc)).toMatchObject({
        state: 'current',
        message: /waiting for its first consumer \(WaitForFirstConsumer\)/,
      });
    });
    it('is waited for once a consumer was scheduled (binding under way)', () => {
      const h = assessHealth(claim({ 'volume.kubernetes.io/selected-node': 'node-1' }), [], undefined, wffc);
      expect(h).toMatchObject({ state: 'in-progress', message: /not bound/ });
    });
    it('is waited for when the class binds at once, or the class is unknown', () => {
      expect(assessHealth(claim(), [], undefined, { volumeBindingMode: 'Immediate' }).state).toBe(
        'in-progress',
      );
      expect(assessHealth(claim(), [], undefined, {}).state).toBe('in-progress');
    });
    it('still fails when Lost', () => {
      expect(assessHealth(claim(undefined, 'Lost'), [], undefined, wffc).state).toBe('failed');
    });
  });

  it('reports an absent object as not-found', () => {
    expect(
      assessHealth(undefined, [], { apiVersion: 'v1', kind: 'Service', name: 'web', namespace: 'shop' }),
    ).toEqual({
      ref: { apiVersion: 'v1', kind: 'Service', name: 'web', namespace: 'shop' },
      state: 'not-found',
      message: 'not found',
    });
  });
});

describe('podFailure', () => {
  it('ignores pods being deleted and healthy pods', () => {
    expect(podFailure(pod('a', running))).toBeUndefined();
    const gone = pod('b', waiting('CrashLoopBackOff'));
    gone.metadata = { ...gone.metadata, deletionTimestamp: new Date() };
    expect(podFailure(gone)).toBeUndefined();
  });
  it('fails an init container that exited non-zero when the pod never restarts', () => {
    const p = pod(
      'j',
      {
        phase: 'Failed',
        initContainerStatuses: [
          {
            name: 'init',
            image: 'i',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 2, reason: 'Error' } },
          },
        ],
      },
      'Never',
    );
    expect(podFailure(p)).toBe('init container init exited 2 (Error)');
  });
});
