/** The environment's Namespace, with Pod Security Admission enforcing the spec's level. */
import type { Model } from '../../model/types.ts';
import { labels } from './_names.ts';
import type { KubeObject } from './_object.ts';

export function renderNamespace(model: Model): KubeObject[] {
  const level = model.security.podSecurity;
  const version = `v${model.environment.kubernetesVersion}`;
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: model.environment.namespace,
        labels: {
          ...labels(model, 'namespace'),
          'pod-security.kubernetes.io/enforce': level,
          'pod-security.kubernetes.io/enforce-version': version,
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/audit-version': version,
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/warn-version': version,
        },
      },
    },
  ];
}
