/** A Service per port-serving service (blue-green services get theirs from rollout.ts). */
import type { V1Service } from '@kubernetes/client-node';
import type { Model, ServiceModel } from '../../model/types.ts';
import { labels, objectName, selectorLabels } from './_names.ts';
import type { KubeObject } from './_object.ts';

export function renderServices(model: Model): KubeObject[] {
  return model.services
    .filter(
      (s) =>
        (s.kind === 'web' || s.kind === 'worker') && s.ports.length > 0 && s.rollout.strategy === 'rolling',
    )
    .map((s) => service(model, s, objectName(model, s.name)));
}

export function service(
  model: Model,
  svc: ServiceModel,
  name: string,
  extraSelector: Record<string, string> = {},
): KubeObject {
  const s: V1Service & KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: model.environment.namespace, labels: labels(model, svc.name) },
    spec: {
      type: 'ClusterIP',
      selector: { ...selectorLabels(model, svc.name), ...extraSelector },
      ports: svc.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: p.protocol })),
      ...(svc.sessionAffinity ? { sessionAffinity: 'ClientIP' } : {}),
    },
  };
  return s;
}
