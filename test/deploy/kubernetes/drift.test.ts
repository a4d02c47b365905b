import { describe, expect, it } from 'vitest';
import type { PlannedChange } from '../../../src/deploy/kubernetes/apply.ts';
import { driftCandidates, driftOf } from '../../../src/deploy/kubernetes/drift.ts';

const dep = (replicas: number, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'ns', resourceVersion: String(replicas), ...extra },
  spec: { replicas },
});
const change = (p: Partial<PlannedChange>): PlannedChange => ({
  ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ns', name: 'web' },
  key: 'k',
  desired: dep(2),
  predicted: dep(2),
  action: 'update',
  force: true,
  drift: [],
  ...p,
});

describe('drift', () => {
  it('names the changed fields and who changed them', () => {
    expect(
      driftOf(change({ live: dep(4), drift: [{ manager: 'kubectl-edit', field: '.spec.replicas' }] })),
    ).toEqual({
      object: 'Deployment/web',
      state: 'changed',
      fields: ['/spec/replicas'],
      changedBy: ['kubectl-edit'],
    });
  });
  it('reports deleted objects as missing, and nothing for unchanged ones', () => {
    expect(driftOf(change({ action: 'create' }))).toMatchObject({ state: 'missing' });
    expect(driftOf(change({ action: 'unchanged', live: dep(2) }))).toBeUndefined();
  });
  it('skips hook Jobs, which run once and may be gone by design', () => {
    const job = (hook?: string) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j', ...(hook ? { annotations: { 'slipway.dev/hook': hook } } : {}) },
    });
    expect(driftCandidates([job('pre-deploy'), job()]).length).toBe(1);
  });
});
