import { describe, expect, it } from 'vitest';
import {
  APPLYSET,
  apiVersionsOf,
  applySetId,
  applySetParent,
  groupKind,
  parentObject,
  withMembership,
} from '../../../src/deploy/kubernetes/applyset.ts';

describe('ApplySet identity (KEP-3659)', () => {
  it('is kubectl\'s: applyset-<base64url(sha256("<name>.<namespace>.<Kind>.<group>"))>-v1', () => {
    // echo -n slipway-applyset-shop-prod.shop.Secret. | openssl dgst -sha256 -binary | openssl base64 -A | tr -d = | tr /+ _-
    expect(applySetId('slipway-applyset-shop-prod', 'shop', 'Secret', '')).toBe(
      'applyset-WMb8pGHmmb83VIjuUMBLBCNc7pGQXjrp2XzApGWI7QM-v1',
    );
    expect(applySetParent('shop', 'prod', 'shop')).toEqual({
      name: 'slipway-applyset-shop-prod',
      namespace: 'shop',
      id: 'applyset-WMb8pGHmmb83VIjuUMBLBCNc7pGQXjrp2XzApGWI7QM-v1',
    });
  });

  it('writes group-kinds the way kubectl does', () => {
    expect(groupKind({ apiVersion: 'apps/v1', kind: 'Deployment' })).toBe('Deployment.apps');
    expect(groupKind({ apiVersion: 'v1', kind: 'Service' })).toBe('Service');
    const p = parentObject(applySetParent('shop', 'prod', 'shop'), [
      'Service',
      'Deployment.apps',
      'Service',
      'ConfigMap',
    ]);
    expect(p.metadata?.annotations?.[APPLYSET.groupKinds]).toBe('ConfigMap,Deployment.apps,Service');
    expect(p.metadata?.annotations?.[APPLYSET.tooling]).toBe('slipway/v1');
    expect(p.metadata?.labels?.[APPLYSET.id]).toMatch(/^applyset-[\w-]{43}-v1$/);
  });

  it('labels members without changing the rendered objects', () => {
    const parent = applySetParent('shop', 'prod', 'shop');
    const o = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', labels: { app: 'web' } } };
    const [m] = withMembership([o], parent);
    expect(m?.metadata?.labels).toEqual({ app: 'web', [APPLYSET.partOf]: parent.id });
    expect(o.metadata.labels).toEqual({ app: 'web' });
  });

  it('knows which version to list each group-kind with, later sets winning', () => {
    const m = apiVersionsOf(
      [{ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler' }],
      [
        { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
        { apiVersion: 'v1', kind: 'Service' },
      ],
    );
    expect(Object.fromEntries(m)).toEqual({
      'HorizontalPodAutoscaler.autoscaling': 'autoscaling/v2',
      Service: 'v1',
    });
  });
});
