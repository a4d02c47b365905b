/** A small spec with one blue-green web service, resolved and rendered as the CLI does (for unit and e2e tests). */
import { resolveEnvironment } from '../../../src/model/resolve.ts';
import type { Model } from '../../../src/model/types.ts';
import type { KubeObject } from '../../../src/render/kubernetes/_object.ts';
import { renderKubernetes } from '../../../src/render/kubernetes/index.ts';
import { parseSpec } from '../../../src/spec/loader.ts';

export function blueGreenSpec(o: {
  namespace: string;
  image: string;
  autoPromote: boolean;
  argo?: boolean;
}): string {
  return `apiVersion: slipway.dev/v1
app:
  name: shop
services:
  web:
    image: ${o.image}
    ports:
      http: 8080
    health:
      http: { path: /health, port: http }
    replicas: 2
    rollout:
      strategy: blue-green
      autoPromote: ${o.autoPromote}
      scaleDownDelay: 30s
environments:
  staging:
    target: kubernetes
    namespace: ${o.namespace}
${o.argo ? '    capabilities: [argo-rollouts]\n' : ''}`;
}

export function renderBlueGreen(o: Parameters<typeof blueGreenSpec>[0]): {
  model: Model;
  objects: KubeObject[];
} {
  const r = parseSpec('slipway.yaml', blueGreenSpec(o));
  if (!r.loaded) throw new Error(`spec does not load: ${JSON.stringify(r.diagnostics)}`);
  const model = resolveEnvironment(r.loaded.spec, 'staging');
  return { model, objects: renderKubernetes(model, { files: new Map() }).objects };
}
