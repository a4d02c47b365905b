/**
 * Blue-green web services. With Argo Rollouts in the cluster: a Rollout with active and preview
 * Services. Without it: two Deployments (blue and green) and two Services whose selectors pick a
 * colour; `slipway deploy` brings up the idle colour and switches the active Service.
 * The render shows the initial state: blue active, green idle.
 */
import type { Model, ServiceModel } from '../../model/types.ts';
import { childName, labels, objectName, selectorLabels } from './_names.ts';
import type { KubeObject, RenderContext } from './_object.ts';
import { podTemplate } from './_pod.ts';
import { service } from './service.ts';
import { deployment, isAutoscaled } from './workload.ts';

export const ACTIVE_COLOR = 'blue';
export const IDLE_COLOR = 'green';

export function usesArgoRollouts(model: Model): boolean {
  return model.environment.capabilities.includes('argo-rollouts');
}

/** What an autoscaler or a PodDisruptionBudget should point at for this service. */
export function scaleTarget(
  model: Model,
  svc: ServiceModel,
): { apiVersion: string; kind: string; name: string } {
  if (svc.rollout.strategy === 'blue-green') {
    if (usesArgoRollouts(model))
      return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: objectName(model, svc.name) };
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: childName(model, svc.name, `${ACTIVE_COLOR}`),
    };
  }
  return { apiVersion: 'apps/v1', kind: 'Deployment', name: objectName(model, svc.name) };
}

export function renderBlueGreen(model: Model, ctx: RenderContext): KubeObject[] {
  const out: KubeObject[] = [];
  for (const svc of model.services.filter((s) => s.rollout.strategy === 'blue-green')) {
    const name = objectName(model, svc.name);
    const preview = childName(model, svc.name, `preview`);
    if (usesArgoRollouts(model)) {
      out.push(service(model, svc, name), service(model, svc, preview));
      out.push({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name, namespace: model.environment.namespace, labels: labels(model, svc.name) },
        spec: {
          ...(isAutoscaled(svc) ? {} : { replicas: svc.replicas }),
          revisionHistoryLimit: 5,
          selector: { matchLabels: selectorLabels(model, svc.name) },
          template: podTemplate(model, svc, ctx),
          strategy: {
            blueGreen: {
              activeService: name,
              previewService: preview,
              autoPromotionEnabled: svc.rollout.autoPromote,
              scaleDownDelaySeconds: svc.rollout.scaleDownDelaySeconds,
            },
          },
        },
      });
      continue;
    }
    const active = { 'slipway.dev/color': ACTIVE_COLOR };
    const idle = { 'slipway.dev/color': IDLE_COLOR };
    const activeSvc = service(model, svc, name, active);
    activeSvc.metadata.annotations = { 'slipway.dev/active-color': ACTIVE_COLOR };
    out.push(activeSvc, service(model, svc, preview, idle));
    out.push(
      deployment(model, svc, ctx, {
        name: childName(model, svc.name, `${ACTIVE_COLOR}`),
        color: ACTIVE_COLOR,
      }),
    );
    out.push(
      deployment(model, svc, ctx, {
        name: childName(model, svc.name, `${IDLE_COLOR}`),
        color: IDLE_COLOR,
        replicas: 0,
      }),
    );
  }
  return out;
}
