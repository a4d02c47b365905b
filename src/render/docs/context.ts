/**
 * What the documents know about one environment besides its Model: the Kubernetes renderer's
 * objects and summaries (prerequisites, how to provide the secrets, notes) or the compose
 * renderer's project and notes, and the exact names and paths the runbooks use. Reusing the
 * renderers here means the documents describe what is deployed, not a second opinion of it.
 */
import { posix } from 'node:path';
import { parse } from 'yaml';
import type { DependencyModel, Model, ServiceModel } from '../../model/types.ts';
import type { FileArtifact } from '../artifact.ts';
import { runsInCompose } from '../compose/connections.ts';
import { renderCompose } from '../compose/index.ts';
import { envFileName } from '../compose/interpolation.ts';
import { hasProxy, proxyName } from '../compose/proxy.ts';
import { objectName } from '../kubernetes/_names.ts';
import {
  type KubeObject,
  type KubernetesRender,
  kubernetesFiles,
  renderKubernetes,
} from '../kubernetes/index.ts';

/** Where `slipway plan` writes an environment by default (`--out deploy`). */
export const DEFAULT_OUT = 'deploy';

export interface ComposeService {
  image?: string;
  ports?: (string | number | { published?: string | number; target?: number; host_ip?: string })[];
  networks?: string[] | Record<string, unknown>;
  profiles?: string[];
  deploy?: { replicas?: number; resources?: { reservations?: { cpus?: string; memory?: string } } };
}

export interface ComposeFacts {
  notes: string[];
  /** The compose project name (`name:`), which prefixes containers and volumes. */
  project: string;
  services: Record<string, ComposeService>;
  networks: Record<string, { internal?: boolean } | null>;
  volumes: string[];
  /** `docker compose -f deploy/<env>/compose.yaml --env-file <spec dir>/<env file>`. */
  cmd: string;
  /** The env file, as a path from where slipway runs. */
  envFile: string;
  proxy?: string;
}

export interface KubeFacts {
  render: KubernetesRender;
  files: FileArtifact[];
  /** `kubectl [--context c] -n <namespace>`. */
  kubectl: string;
}

export interface EnvContext {
  model: Model;
  name: string;
  specPath: string;
  /** The environment's output folder, as `slipway plan` writes it. */
  outDir: string;
  kube?: KubeFacts;
  compose?: ComposeFacts;
}

export function envContext(model: Model, specPath: string): EnvContext {
  const name = model.environment.name;
  const outDir = `${DEFAULT_OUT}/${name}`;
  const specDir = posix.dirname(specPath.split('\\').join('/'));
  const ctx: EnvContext = { model, name, specPath, outDir };
  if (model.environment.target === 'kubernetes') {
    // Config file contents only feed checksums and ConfigMap data, which the documents never show.
    const render = renderKubernetes(model, { files: new Map() });
    const context = model.environment.context ? ` --context ${model.environment.context}` : '';
    ctx.kube = {
      render,
      files: kubernetesFiles(render),
      kubectl: `kubectl${context} -n ${model.environment.namespace}`,
    };
  } else {
    const relative = !posix.isAbsolute(specDir);
    const specDirFromOutput = relative ? posix.relative(outDir, specDir) || '.' : specDir;
    const outputDirFromSpec = relative ? posix.relative(specDir, outDir) || '.' : outDir;
    const files = new Map<string, string>();
    for (const s of model.services) for (const f of s.files) files.set(f.source, '');
    const r = renderCompose(model, { files, specDirFromOutput, outputDirFromSpec });
    const text = r.files.find((f) => f.path === 'compose.yaml')?.content ?? '';
    const doc = (parse(text) ?? {}) as {
      name?: string;
      services?: Record<string, ComposeService>;
      networks?: Record<string, { internal?: boolean } | null>;
      volumes?: Record<string, unknown>;
    };
    const envFile = posix.normalize(posix.join(specDir, envFileName(model)));
    ctx.compose = {
      notes: r.notes,
      project: doc.name ?? model.environment.namespace,
      services: doc.services ?? {},
      networks: doc.networks ?? {},
      volumes: Object.keys(doc.volumes ?? {}),
      cmd: `docker compose -f ${outDir}/compose.yaml --env-file ${envFile}`,
      envFile,
      ...(hasProxy(model) ? { proxy: proxyName(model) } : {}),
    };
  }
  return ctx;
}

/** Rendered objects of a component (by the `app.kubernetes.io/component` label), of the given kinds. */
export function objectsOf(ctx: EnvContext, component: string, kinds: readonly string[]): KubeObject[] {
  return (ctx.kube?.render.objects ?? []).filter(
    (o) => kinds.includes(o.kind) && o.metadata.labels?.['app.kubernetes.io/component'] === component,
  );
}

export function objectsOfKind(ctx: EnvContext, kind: string): KubeObject[] {
  return (ctx.kube?.render.objects ?? []).filter((o) => o.kind === kind);
}

/** The file `slipway plan` writes an object to, relative to where it runs. */
export function objectFile(ctx: EnvContext, o: KubeObject): string | undefined {
  const i = ctx.kube?.render.objects.indexOf(o) ?? -1;
  const f = i >= 0 ? ctx.kube?.files[i] : undefined;
  return f ? `${ctx.outDir}/${f.path}` : undefined;
}

/** The long-running workloads of a service: Deployments (one per colour) or an Argo Rollout. */
export function workloads(ctx: EnvContext, s: ServiceModel): KubeObject[] {
  return objectsOf(ctx, s.name, ['Deployment', 'Rollout', 'Job', 'CronJob']);
}

/** `deployment/<name>` style references for kubectl. */
export function ref(o: KubeObject): string {
  return `${o.kind.toLowerCase()}/${o.metadata.name}`;
}

/** The Kubernetes name of a component (`<app>-<name>`, or the app's name). */
export function kubeName(ctx: EnvContext, component: string): string {
  return objectName(ctx.model, component);
}

/** Pod label selector of a component. */
export function podSelector(ctx: EnvContext, component: string): string {
  return `app.kubernetes.io/name=${kubeName(ctx, component)}`;
}

/** Whether a dependency has something running inside this environment (a pod or a container). */
export function runsInside(ctx: EnvContext, d: DependencyModel): boolean {
  if (ctx.model.environment.target === 'compose') return runsInCompose(d);
  return d.mode === 'self-hosted' || d.mode === 'ha';
}

/** The services that reach a dependency or service (graph edges, plus references to sqlite files). */
export function usersOf(model: Model, component: string): string[] {
  const out = new Set(
    model.graph.filter((e) => e.to === component && e.from !== 'ingress').map((e) => e.from),
  );
  for (const s of model.services) {
    if (s.uses.includes(component)) out.add(s.name);
    for (const v of s.env)
      if (
        v.value.kind === 'template' &&
        v.value.parts.some((p) => 'dependency' in p && p.dependency === component)
      )
        out.add(s.name);
  }
  return [...out].sort();
}
