import { describe, expect, it } from 'vitest';
import { pruneCandidates } from '../../../src/deploy/kubernetes/prune.ts';

describe('pruneCandidates', () => {
  const o = (kind: string, name: string, apiVersion = 'v1') => ({
    apiVersion,
    kind,
    metadata: { name, namespace: 'ns' },
  });
  const live = new Map(
    [
      o('Namespace', 'ns'),
      o('Service', 'api'),
      o('Deployment', 'api', 'apps/v1'),
      o('ConfigMap', 'api-env'),
      o('Service', 'web'),
    ].map((x) => [`${x.apiVersion}/${x.kind}/ns/${x.metadata.name}`, x]),
  );
  it('deletes what is no longer kept, dependents first, never the Namespace', () => {
    const keep = new Set(['v1/Service/ns/web']);
    expect(pruneCandidates(live, keep).map((x) => `${x.kind}/${x.metadata?.name}`)).toEqual([
      'Deployment/api',
      'Service/api',
      'ConfigMap/api-env',
    ]);
  });
  it('deletes nothing when everything is kept', () => {
    expect(pruneCandidates(live, new Set(live.keys()))).toEqual([]);
  });
});
