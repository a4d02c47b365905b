import type { KubernetesObject, V1Deployment, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  argoPatches,
  completeBlueGreen,
  dueScaleDown,
  planBlueGreen,
  SCALE_DOWN_ANNOTATION,
  TEMPLATE_HASH_ANNOTATION,
  templateHash,
} from '../../../src/deploy/kubernetes/blue-green.ts';
import { refKey, refOf } from '../../../src/deploy/kubernetes/refs.ts';
import { renderBlueGreen } from './_blue-green-spec.ts';
import { fakeApi } from './_fake-api.ts';

const ns = 'shop-staging';
const find = <T>(objs: KubernetesObject[], kind: string, name: string) =>
  objs.find((o) => o.kind === kind && o.metadata?.name === name) as T;

/** What the API server would hold after applying `objects` (plus fields the server adds). */
function liveOf(objects: KubernetesObject[]): Map<string, KubernetesObject> {
  const m = new Map<string, KubernetesObject>();
  for (const o of objects) {
    const l = structuredClone(o) as KubernetesObject & { status?: object };
    l.metadata = { ...l.metadata, uid: `uid-${o.metadata?.name}`, resourceVersion: '7', generation: 3 };
    if (o.kind === 'Deployment') {
      l.metadata.annotations = { ...l.metadata.annotations, 'deployment.kubernetes.io/revision': '2' };
      l.status = { observedGeneration: 3 };
    }
    m.set(refKey(refOf(l)), l);
  }
  return m;
}

describe('planBlueGreen (plain Kubernetes)', () => {
  const v1 = renderBlueGreen({ namespace: ns, image: 'registry.local/web:1', autoPromote: false });
  const v2 = renderBlueGreen({ namespace: ns, image: 'registry.local/web:2', autoPromote: false });

  it('first deploy: blue gets the template and the traffic, nothing to switch', () => {
    const plan = planBlueGreen(v1.model, v1.objects, new Map());
    expect(plan.switches).toEqual([]);
    const blue = find<V1Deployment>(plan.objects, 'Deployment', 'shop-web-blue');
    expect(blue.spec?.replicas).toBe(2);
    expect(blue.metadata?.annotations?.[TEMPLATE_HASH_ANNOTATION]).toBe(templateHash(blue.spec?.template));
    expect(find<V1Deployment>(plan.objects, 'Deployment', 'shop-web-green').spec?.replicas).toBe(0);
    expect(find<V1Service>(plan.objects, 'Service', 'shop-web').spec?.selector?.['slipway.dev/color']).toBe(
      'blue',
    );
  });

  it('a new template goes to the idle colour; the live colour and the traffic stay', () => {
    const first = planBlueGreen(v1.model, v1.objects, new Map());
    const live = liveOf(first.objects);
    const plan = planBlueGreen(v2.model, v2.objects, live);
    expect(plan.switches).toEqual([
      {
        service: 'web',
        from: 'blue',
        to: 'green',
        newDeployment: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'shop-web-green' },
        oldDeployment: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'shop-web-blue' },
        activeService: { apiVersion: 'v1', kind: 'Service', namespace: ns, name: 'shop-web' },
        previewService: { apiVersion: 'v1', kind: 'Service', namespace: ns, name: 'shop-web-preview' },
        autoPromote: false,
        graceSeconds: 30,
      },
    ]);
    const green = find<V1Deployment>(plan.objects, 'Deployment', 'shop-web-green');
    expect(green.spec?.replicas).toBe(2);
    expect(green.spec?.template.spec?.containers[0]?.image).toBe('registry.local/web:2');
    expect(green.spec?.selector.matchLabels?.['slipway.dev/color']).toBe('green');
    expect(green.spec?.template.metadata?.labels?.['slipway.dev/color']).toBe('green');
    expect(green.metadata?.labels?.['slipway.dev/color']).toBe('green');

    // blue: exactly the live spec (image 1), no server-owned metadata
    const blue = find<V1Deployment>(plan.objects, 'Deployment', 'shop-web-blue');
    expect(blue.spec).toEqual((live.get(`apps/v1/Deployment/${ns}/shop-web-blue`) as V1Deployment).spec);
    expect(blue.spec?.template.spec?.containers[0]?.image).toBe('registry.local/web:1');
    expect(blue.metadata).not.toHaveProperty('uid');
    expect(blue.metadata).not.toHaveProperty('resourceVersion');
    expect(blue.metadata?.annotations).not.toHaveProperty(['deployment.kubernetes.io/revision']);

    const active = find<V1Service>(plan.objects, 'Service', 'shop-web');
    expect(active.spec?.selector?.['slipway.dev/color']).toBe('blue');
    expect(active.metadata?.annotations?.['slipway.dev/active-color']).toBe('blue');
    expect(
      find<V1Service>(plan.objects, 'Service', 'shop-web-preview').spec?.selector?.['slipway.dev/color'],
    ).toBe('green');
    // nothing else is rewritten
    expect(plan.objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(
      v2.objects.map((o) => `${o.kind}/${o.metadata?.name}`),
    );
    expect(find(plan.objects, 'PodDisruptionBudget', 'shop-web')).toEqual(
      find(v2.objects, 'PodDisruptionBudget', 'shop-web'),
    );
  });

  it('when green is live, the new template goes to blue', () => {
    const first = planBlueGreen(v1.model, v1.objects, new Map());
    const second = planBlueGreen(v2.model, v2.objects, liveOf(first.objects));
    const afterSwitch = liveOf(second.objects);
    const svc = afterSwitch.get(`v1/Service/${ns}/shop-web`) as V1Service;
    (svc.spec as { selector: Record<string, string> }).selector['slipway.dev/color'] = 'green';
    const v3 = renderBlueGreen({ namespace: ns, image: 'registry.local/web:3', autoPromote: false });
    const plan = planBlueGreen(v3.model, v3.objects, afterSwitch);
    expect(plan.switches.map((s) => [s.from, s.to])).toEqual([['green', 'blue']]);
    const blue = find<V1Deployment>(plan.objects, 'Deployment', 'shop-web-blue');
    expect(blue.spec?.template.spec?.containers[0]?.image).toBe('registry.local/web:3');
    expect(
      find<V1Deployment>(plan.objects, 'Deployment', 'shop-web-green').spec?.template.spec?.containers[0]
        ?.image,
    ).toBe('registry.local/web:2');
  });

  it('an unchanged template switches nothing and re-applies both colours as they run', () => {
    const first = planBlueGreen(v1.model, v1.objects, new Map());
    const live = liveOf(first.objects);
    const plan = planBlueGreen(v1.model, v1.objects, live);
    expect(plan.switches).toEqual([]);
    for (const c of ['blue', 'green'])
      expect(find<V1Deployment>(plan.objects, 'Deployment', `shop-web-${c}`).spec).toEqual(
        (live.get(`apps/v1/Deployment/${ns}/shop-web-${c}`) as V1Deployment).spec,
      );
  });

  it('a deploy onto a colour still marked for scale-down by an earlier switch clears that mark', () => {
    // deploy 1: blue → green with a long grace (mark blue@T); deploy 2 within it puts v3 on blue, waiting
    const first = planBlueGreen(v1.model, v1.objects, new Map());
    const second = planBlueGreen(v2.model, v2.objects, liveOf(first.objects));
    const afterSwitch = liveOf(second.objects);
    const svc = afterSwitch.get(`v1/Service/${ns}/shop-web`) as V1Service;
    (svc.spec as { selector: Record<string, string> }).selector['slipway.dev/color'] = 'green';
    svc.metadata = {
      ...svc.metadata,
      annotations: { ...svc.metadata?.annotations, [SCALE_DOWN_ANNOTATION]: 'blue@2099-01-01T00:00:00.000Z' },
    };
    const v3 = renderBlueGreen({ namespace: ns, image: 'registry.local/web:3', autoPromote: false });
    const plan = planBlueGreen(v3.model, v3.objects, afterSwitch);
    expect(plan.switches.map((s) => [s.from, s.to, s.clearsScaleDown])).toEqual([['green', 'blue', true]]);
    // a mark on the other colour is not this deploy's to clear
    svc.metadata.annotations = {
      ...svc.metadata.annotations,
      [SCALE_DOWN_ANNOTATION]: 'green@2099-01-01T00:00:00.000Z',
    };
    expect(planBlueGreen(v3.model, v3.objects, afterSwitch).switches[0]?.clearsScaleDown).toBeUndefined();
  });

  it('re-plans a release record (rollback): its template goes to the idle colour', () => {
    const first = planBlueGreen(v1.model, v1.objects, new Map()); // record 1: v1 on blue
    const second = planBlueGreen(v2.model, v2.objects, liveOf(first.objects)); // record 2: v2 on green
    const releaseColor = (objs: KubernetesObject[]) =>
      find<V1Service>(objs, 'Service', 'shop-web-preview').metadata?.annotations?.[
        'slipway.dev/release-color'
      ];
    expect(releaseColor(first.objects)).toBe('blue');
    expect(releaseColor(second.objects)).toBe('green');
    // promoted: green serves v2
    const promoted = liveOf(second.objects);
    (
      (promoted.get(`v1/Service/${ns}/shop-web`) as V1Service).spec as { selector: Record<string, string> }
    ).selector['slipway.dev/color'] = 'green';

    // rolling back to record 1 (v1, written on blue) while green serves v2: v1 goes to idle blue
    const back = planBlueGreen(v1.model, first.objects, promoted);
    expect(back.switches.map((s) => [s.from, s.to])).toEqual([['green', 'blue']]);
    expect(
      find<V1Deployment>(back.objects, 'Deployment', 'shop-web-blue').spec?.template.spec?.containers[0]
        ?.image,
    ).toBe('registry.local/web:1');
    expect(find<V1Deployment>(back.objects, 'Deployment', 'shop-web-blue').spec?.replicas).toBe(2);

    // re-applying record 2 (v2 on green) while green serves it: nothing to switch
    expect(planBlueGreen(v2.model, second.objects, promoted).switches).toEqual([]);
  });

  it('leaves Argo Rollouts to their controller', () => {
    const argo = renderBlueGreen({
      namespace: ns,
      image: 'registry.local/web:1',
      autoPromote: true,
      argo: true,
    });
    expect(argo.objects.some((o) => o.kind === 'Rollout')).toBe(true);
    const plan = planBlueGreen(argo.model, argo.objects, new Map());
    expect(plan).toEqual({ objects: argo.objects, switches: [] });
  });
});

describe('Argo Rollouts requests (as kubectl argo rollouts)', () => {
  it.each([
    {
      name: 'promote a paused blue-green',
      action: 'promote' as const,
      ro: { spec: { paused: true }, status: { pauseConditions: [{ reason: 'BlueGreenPause' }] } },
      want: { spec: { spec: { paused: false } }, status: { status: { pauseConditions: null } } },
    },
    {
      name: 'promote with pause conditions only',
      action: 'promote' as const,
      ro: { status: { pauseConditions: [{ reason: 'BlueGreenPause' }] } },
      want: { status: { status: { pauseConditions: null } } },
    },
    { name: 'promote a running rollout', action: 'promote' as const, ro: { status: {} }, want: {} },
    { name: 'abort', action: 'abort' as const, ro: {}, want: { status: { status: { abort: true } } } },
  ])('$name', ({ action, ro, want }) => {
    expect(argoPatches(action, ro)).toEqual(want);
  });
});

describe('dueScaleDown (which colour an old scale-down mark may still scale)', () => {
  const T = Date.parse('2026-01-01T00:10:00.000Z');
  const svc = (color: string, annotations: Record<string, string>): V1Service => ({
    metadata: { name: 'shop-web', annotations },
    spec: { selector: { 'slipway.dev/color': color } },
  });
  const preview = (release: string): V1Service => ({
    metadata: { name: 'shop-web-preview', annotations: { 'slipway.dev/release-color': release } },
  });
  const mark = { [SCALE_DOWN_ANNOTATION]: 'blue@2026-01-01T00:05:00.000Z' };

  it('the old colour once its grace has passed, not before', () => {
    expect(dueScaleDown(svc('green', mark), preview('green'), T)).toBe('blue');
    expect(
      dueScaleDown(svc('green', mark), preview('green'), Date.parse('2026-01-01T00:04:00.000Z')),
    ).toBeUndefined();
    expect(dueScaleDown(svc('green', {}), preview('green'), T)).toBeUndefined();
  });

  it('never the colour serving traffic', () => {
    expect(dueScaleDown(svc('blue', mark), preview('green'), T)).toBeUndefined();
  });

  it('never the colour a later deploy left waiting for promotion (pending colour)', () => {
    expect(
      dueScaleDown(svc('green', { ...mark, 'slipway.dev/pending-color': 'blue' }), preview('green'), T),
    ).toBeUndefined();
  });

  it('never the colour the preview was last deployed with (a release in flight)', () => {
    expect(dueScaleDown(svc('green', mark), preview('blue'), T)).toBeUndefined();
  });
});

describe('completeBlueGreen (requests, against a scripted API server)', () => {
  it('records the pending promotion and clears an earlier switch’s mark on that colour in the same PATCH', async () => {
    const api = await fakeApi((r) => (r.method === 'PATCH' ? { status: 200, body: {} } : undefined));
    try {
      const v = renderBlueGreen({ namespace: ns, image: 'registry.local/web:3', autoPromote: false });
      const first = planBlueGreen(v.model, v.objects, new Map());
      const live = liveOf(first.objects);
      const svc = live.get(`v1/Service/${ns}/shop-web`) as V1Service;
      svc.metadata = {
        ...svc.metadata,
        annotations: {
          ...svc.metadata?.annotations,
          [SCALE_DOWN_ANNOTATION]: 'green@2099-01-01T00:00:00.000Z',
        },
      };
      const v4 = renderBlueGreen({ namespace: ns, image: 'registry.local/web:4', autoPromote: false });
      const plan = planBlueGreen(v4.model, v4.objects, live);
      const io = { out: () => {}, err: () => {}, color: false, format: 'json' as const };
      await completeBlueGreen(api.cluster, plan, { io });
      expect(api.requests.map((r) => [r.method, r.path.split('?')[0], r.body])).toEqual([
        [
          'PATCH',
          `/api/v1/namespaces/${ns}/services/shop-web`,
          {
            metadata: {
              annotations: { 'slipway.dev/pending-color': 'green', [SCALE_DOWN_ANNOTATION]: null },
            },
          },
        ],
      ]);
    } finally {
      await api.close();
    }
  });
});
