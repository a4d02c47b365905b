/**
 * Scaling: a HorizontalPodAutoscaler (autoscaling/v2, with behaviour), a VerticalPodAutoscaler
 * where asked, and a KEDA ScaledObject for workers scaled on a Redis list's length (BullMQ).
 */
import type { V1HorizontalPodAutoscaler, V2HPAScalingRules } from '@kubernetes/client-node';
import type { Model, ScalingRulesModel, ServiceModel } from '../../model/types.ts';
import { dependencySource } from './_connections.ts';
import { labels, objectName } from './_names.ts';
import type { KubeObject } from './_object.ts';
import { scaleTarget } from './rollout.ts';

export function renderAutoscaling(model: Model): KubeObject[] {
  const out: KubeObject[] = [];
  for (const svc of model.services) {
    if (svc.autoscaling) out.push(hpa(model, svc));
    if (svc.vpa.mode !== 'off' && (svc.kind === 'web' || svc.kind === 'worker')) out.push(vpa(model, svc));
    if (svc.queueScaling) out.push(scaledObject(model, svc));
  }
  return out;
}

function rules(r: ScalingRulesModel | undefined): V2HPAScalingRules | undefined {
  if (!r) return undefined;
  return {
    ...(r.stabilizationSeconds !== undefined ? { stabilizationWindowSeconds: r.stabilizationSeconds } : {}),
    ...(r.policies.length > 0
      ? {
          policies: r.policies.map((p) => ({
            type: p.type === 'percent' ? 'Percent' : 'Pods',
            value: p.value,
            periodSeconds: p.periodSeconds,
          })),
        }
      : {}),
    ...(r.select
      ? { selectPolicy: r.select === 'max' ? 'Max' : r.select === 'min' ? 'Min' : 'Disabled' }
      : {}),
  };
}

function hpa(model: Model, svc: ServiceModel): KubeObject {
  const a = svc.autoscaling;
  if (!a) throw new Error('internal: hpa without autoscaling');
  const metrics = (
    [
      ['cpu', a.cpu],
      ['memory', a.memory],
    ] as const
  )
    .filter(([, v]) => v !== undefined)
    .map(([name, v]) => ({
      type: 'Resource',
      resource: { name, target: { type: 'Utilization', averageUtilization: v } },
    }));
  const scaleUp = rules(a.behavior.scaleUp);
  const scaleDown = rules(a.behavior.scaleDown);
  const h: Omit<V1HorizontalPodAutoscaler, 'spec'> & KubeObject = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name: objectName(model, svc.name),
      namespace: model.environment.namespace,
      labels: labels(model, svc.name),
    },
    spec: {
      scaleTargetRef: scaleTarget(model, svc),
      minReplicas: a.min,
      maxReplicas: a.max,
      metrics,
      ...(scaleUp || scaleDown
        ? { behavior: { ...(scaleUp ? { scaleUp } : {}), ...(scaleDown ? { scaleDown } : {}) } }
        : {}),
    },
  };
  return h;
}

function vpa(model: Model, svc: ServiceModel): KubeObject {
  const bounds = (b: { cpu?: string; memory?: string } | undefined) =>
    b ? Object.fromEntries(Object.entries(b)) : undefined;
  const minAllowed = bounds(svc.vpa.min);
  const maxAllowed = bounds(svc.vpa.max);
  return {
    apiVersion: 'autoscaling.k8s.io/v1',
    kind: 'VerticalPodAutoscaler',
    metadata: {
      name: objectName(model, svc.name),
      namespace: model.environment.namespace,
      labels: labels(model, svc.name),
    },
    spec: {
      targetRef: scaleTarget(model, svc),
      // "Off" computes recommendations without evicting anything.
      updatePolicy: { updateMode: svc.vpa.mode === 'auto' ? 'Recreate' : 'Off' },
      resourcePolicy: {
        containerPolicies: [
          {
            containerName: svc.name,
            controlledResources: ['cpu', 'memory'],
            ...(minAllowed ? { minAllowed } : {}),
            ...(maxAllowed ? { maxAllowed } : {}),
          },
        ],
      },
    },
  };
}

function scaledObject(model: Model, svc: ServiceModel): KubeObject {
  const q = svc.queueScaling;
  if (!q) throw new Error('internal: scaledObject without queueScaling');
  const dep = model.dependencies.find((d) => d.name === q.dependency);
  if (!dep) throw new Error(`internal: queue dependency ${q.dependency} missing`);
  const host = dependencySource(model, dep, 'host');
  const port = dependencySource(model, dep, 'port');
  const address = host && 'value' in host && port && 'value' in port ? `${host.value}:${port.value}` : '';
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: {
      name: objectName(model, svc.name),
      namespace: model.environment.namespace,
      labels: labels(model, svc.name),
    },
    spec: {
      scaleTargetRef: { name: scaleTarget(model, svc).name },
      minReplicaCount: q.min,
      maxReplicaCount: q.max,
      pollingInterval: q.pollIntervalSeconds,
      cooldownPeriod: q.cooldownSeconds,
      triggers: [
        { type: 'redis', metadata: { address, listName: q.list, listLength: String(q.targetDepth) } },
      ],
    },
  };
}
