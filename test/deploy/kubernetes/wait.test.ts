import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { selects } from '../../../src/deploy/kubernetes/_selectors.ts';
import { podLine } from '../../../src/deploy/kubernetes/wait.ts';

describe('label selectors, evaluated client-side', () => {
  const labels = { app: 'web', tier: 'front', 'pod-template-hash': 'abc' };
  it.each([
    { name: 'matchLabels', sel: { matchLabels: { app: 'web' } }, want: true },
    { name: 'matchLabels mismatch', sel: { matchLabels: { app: 'api' } }, want: false },
    {
      name: 'In',
      sel: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] },
      want: true,
    },
    {
      name: 'NotIn',
      sel: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] },
      want: false,
    },
    {
      name: 'NotIn on a missing key',
      sel: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] },
      want: true,
    },
    {
      name: 'Exists',
      sel: { matchExpressions: [{ key: 'pod-template-hash', operator: 'Exists' }] },
      want: true,
    },
    {
      name: 'DoesNotExist',
      sel: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] },
      want: false,
    },
    {
      name: 'both must hold',
      sel: {
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }],
      },
      want: false,
    },
    { name: 'an empty selector selects nothing here', sel: {}, want: false },
  ])('$name', ({ sel, want }) => {
    expect(selects(sel, labels)).toBe(want);
  });
});

describe('pod status lines in the diagnosis', () => {
  it('shows phase, readiness and each not-ready container with its reason', () => {
    const pod: V1Pod = {
      metadata: { name: 'web-5d9-x' },
      spec: { containers: [{ name: 'web' }, { name: 'proxy' }] },
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'web',
            image: 'w',
            imageID: '',
            ready: false,
            restartCount: 4,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error' } },
          },
          { name: 'proxy', image: 'p', imageID: '', ready: true, restartCount: 0, state: { running: {} } },
        ],
      },
    };
    expect(podLine(pod)).toBe(
      'web-5d9-x  Running  1/2 ready  web: waiting CrashLoopBackOff (back-off 40s), restarts 4, last exit 1 Error',
    );
  });
  it('says why a pod is not scheduled', () => {
    const pod: V1Pod = {
      metadata: { name: 'web-1' },
      spec: { containers: [{ name: 'web' }] },
      status: {
        phase: 'Pending',
        conditions: [
          { type: 'PodScheduled', status: 'False', message: '0/2 nodes are available: 2 Insufficient cpu.' },
        ],
      },
    };
    expect(podLine(pod)).toBe(
      'web-1  Pending  0/1 ready  not scheduled: 0/2 nodes are available: 2 Insufficient cpu.',
    );
  });
});
