/**
 * Model → Kubernetes objects, one renderer per concern, ordered for apply, patched last; plus
 * the summary a person needs before applying: what the cluster must have first, which secrets
 * to create (with the exact command), and what was left out and why.
 */
import type { Model } from '../../model/types.ts';
import type { FileArtifact } from '../artifact.ts';
import { toYaml } from '../yaml.ts';
import { type KubeObject, kindRank, type RenderContext, sortObjects } from './_object.ts';
import { renderAutoscaling } from './autoscaling.ts';
import { renderDisruptionBudgets } from './availability.ts';
import { renderBackups } from './backup.ts';
import { renderConfigMaps, renderServiceAccounts } from './config.ts';
import { renderDependencies } from './dependencies.ts';
import { renderIngress } from './ingress.ts';
import { monitoringEnabled, renderMonitoring } from './monitoring.ts';
import { renderNamespace } from './namespace.ts';
import { renderNetworkPolicies } from './network-policy.ts';
import { applyPatches, type RenderProblem } from './patches.ts';
import { renderBlueGreen, usesArgoRollouts } from './rollout.ts';
import { createSecretCommand, renderSecrets } from './secrets.ts';
import { renderServices } from './service.ts';
import { renderWorkloads } from './workload.ts';

export type { KubeObject, RenderContext } from './_object.ts';
export type { RenderProblem } from './patches.ts';

export interface KubernetesRender {
  objects: KubeObject[];
  problems: RenderProblem[];
  /** What must be installed in the cluster before these objects apply. */
  prerequisites: string[];
  /** Secrets the team must provide, and how. */
  secrets: { names: string[]; how: string };
  notes: string[];
}

/** Extra inputs for Kubernetes rendering, read at the edge. */
export interface KubernetesInputs extends RenderContext {
  /** The SealedSecret manifest named by a sealed-secrets environment, parsed. */
  sealedSecret?: KubeObject;
}

export function renderKubernetes(model: Model, inputs: KubernetesInputs): KubernetesRender {
  const rendered = [
    ...renderNamespace(model),
    ...renderServiceAccounts(model),
    ...renderSecrets(model, inputs.sealedSecret),
    ...renderConfigMaps(model, inputs),
    ...renderServices(model),
    ...renderDependencies(model),
    ...renderWorkloads(model, inputs),
    ...renderBlueGreen(model, inputs),
    ...renderAutoscaling(model),
    ...renderDisruptionBudgets(model),
    ...renderNetworkPolicies(model),
    ...renderIngress(model),
    ...renderMonitoring(model),
    ...renderBackups(model),
  ];
  const { objects, problems } = applyPatches(model, sortObjects(rendered));
  // Two objects of one kind and name would overwrite each other when applied: refuse instead.
  const seen = new Set<string>();
  for (const o of objects) {
    const key = `${o.kind}/${o.metadata.name}`;
    if (seen.has(key)) {
      problems.push({
        specPath: 'services',
        message: `two rendered objects are both ${key}`,
        hint: 'rename a service or dependency: its name and another object suffix (e.g. -env, -files, -allow) collide',
      });
    }
    seen.add(key);
  }
  return {
    objects: sortObjects(objects),
    problems,
    prerequisites: prerequisites(model, objects),
    secrets: secretsSummary(model),
    notes: notes(model),
  };
}

function prerequisites(model: Model, objects: KubeObject[]): string[] {
  const kinds = new Set(objects.map((o) => `${o.apiVersion.split('/')[0]}/${o.kind}`));
  const has = (k: string) => kinds.has(k);
  const out: string[] = [];
  const ing = model.ingress;
  if (ing) {
    out.push(
      `an ingress controller serving class "${ing.className}"${ing.className === 'nginx' ? ' (ingress-nginx; for the security headers, its ConfigMap must allow them: global-allowed-response-headers)' : ''}`,
    );
    if (ing.tls?.issuer) out.push(`cert-manager with the ${ing.tls.issuerKind} "${ing.tls.issuer}"`);
    else if (ing.tls)
      out.push(`the TLS Secret "${ing.tls.secret}" in namespace ${model.environment.namespace}`);
  }
  if (has('monitoring.coreos.com/ServiceMonitor') || has('monitoring.coreos.com/PrometheusRule'))
    out.push(
      'the Prometheus Operator (ServiceMonitor, PrometheusRule CRDs) and, for dashboards, Grafana with its dashboard sidecar',
    );
  if (has('argoproj.io/Rollout')) out.push('Argo Rollouts (Rollout CRD and controller)');
  if (has('keda.sh/ScaledObject')) out.push('KEDA (ScaledObject CRD and operator)');
  if (has('postgresql.cnpg.io/Cluster'))
    out.push('CloudNativePG (Cluster, ScheduledBackup CRDs and operator)');
  if (has('databases.spotahome.com/RedisFailover'))
    out.push('the Spotahome Redis operator (RedisFailover CRD)');
  if (has('external-secrets.io/ExternalSecret'))
    out.push(
      `External Secrets Operator with the ${model.environment.secretSource.storeKind} "${model.environment.secretSource.store}"`,
    );
  if (has('bitnami.com/SealedSecret') || model.environment.secretSource.type === 'sealed-secrets')
    out.push('the Sealed Secrets controller');
  if (has('autoscaling.k8s.io/VerticalPodAutoscaler'))
    out.push('the Vertical Pod Autoscaler (VPA CRD and recommender)');
  if (objects.some((o) => o.kind === 'HorizontalPodAutoscaler'))
    out.push('metrics-server (CPU and memory metrics for the HorizontalPodAutoscalers)');
  if (objects.some((o) => o.kind === 'NetworkPolicy'))
    out.push(
      'a CNI that enforces NetworkPolicy (Calico, Cilium, …); DNS egress is allowed to kube-system/kube-dns',
    );
  return out;
}

function secretsSummary(model: Model): KubernetesRender['secrets'] {
  const names = model.secrets.map((s) => s.name);
  const src = model.environment.secretSource;
  if (names.length === 0) return { names, how: 'no secrets' };
  if (src.type === 'external-secrets')
    return {
      names,
      how: `the ExternalSecret reads each key from the store "${src.store}" (remote keys: ${model.secrets.map((s) => s.remoteKey).join(', ')})`,
    };
  const create = createSecretCommand(model);
  if (src.type === 'sealed-secrets') {
    return {
      names,
      how: `seal them once and commit the result${src.file ? ` as ${src.file}` : ' (set secrets.file in this environment to include it)'}:\n${create} \\\n  --dry-run=client -o yaml | kubeseal -o yaml > ${src.file ?? 'sealed-secret.yaml'}`,
    };
  }
  return {
    names,
    how: `create the Secret before deploying (values from your environment, never from this repository):\n${create}`,
  };
}

function notes(model: Model): string[] {
  const out: string[] = [];
  if (model.monitoring.enabled && !monitoringEnabled(model))
    out.push(
      'monitoring: no ServiceMonitor/PrometheusRule rendered because the environment does not list the prometheus-operator capability',
    );
  if (model.services.some((s) => s.rollout.strategy === 'blue-green') && !usesArgoRollouts(model)) {
    out.push(
      'blue-green without Argo Rollouts: two Deployments (blue active, green idle) and a Service selector switch, driven by slipway deploy',
    );
  }
  if ((model.ingress?.cache.length ?? 0) > 0)
    out.push(
      'cache rules: applied by the compose proxy; on Kubernetes set them in the app or a CDN (ingress-nginx has no per-path response-header annotation without snippets)',
    );
  if (
    model.backup.enabled &&
    model.dependencies.some((d) => d.mode === 'ha' && d.type === 'postgres') &&
    model.backup.destination.type !== 's3'
  ) {
    out.push(
      'backup: CloudNativePG backs up to an object store; set backup.destination.type: s3 with a bucket',
    );
  }
  if (model.secrets.some((s) => s.implicit))
    out.push(
      `secrets: ${model.secrets
        .filter((s) => s.implicit)
        .map((s) => s.name)
        .join(', ')} added by Slipway for self-hosted databases (make them URL-safe: openssl rand -hex 24)`,
    );
  return out;
}

/** One file per object, named `<kind rank>-<kind>-<name>.yaml` so files sort in apply order and stay stable. */
export function kubernetesFiles(render: KubernetesRender): FileArtifact[] {
  return render.objects.map(kubernetesFile);
}

/** Where plan writes an object, relative to the environment's output folder. */
export function kubernetesFilePath(o: KubeObject): string {
  return `kubernetes/${String(kindRank(o.kind)).padStart(2, '0')}-${o.kind.toLowerCase()}-${o.metadata.name}.yaml`;
}

export function kubernetesFile(o: KubeObject): FileArtifact {
  return {
    path: kubernetesFilePath(o),
    content: toYaml(o),
    renderer: 'kubernetes',
  };
}
