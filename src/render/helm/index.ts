/**
 * The Helm chart of one spec: every kubernetes environment rendered by the Kubernetes renderer,
 * then one chart whose templates reproduce each environment's objects from that environment's
 * values file — `helm template <release> <chart> -f values-<env>.yaml -n <ns>` gives exactly what
 * `slipway render` gives (see build.ts for how, and docs/helm.md).
 *
 * Layout: Chart.yaml, values.yaml (what every environment shares), values-<env>.yaml (what
 * differs), values.schema.json (draft-07, enforced by Helm), templates/_helpers.tpl,
 * templates/NOTES.txt, one template per object (`templates/<kind>-<name>.yaml`, the Kubernetes
 * renderer's one-file-per-object layout) and `templates/tests/` (`helm test` hooks).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Model } from '../../model/types.ts';
import type { FileArtifact } from '../artifact.ts';
import type { KubeObject } from '../kubernetes/_object.ts';
import { kindRank } from '../kubernetes/_object.ts';
import {
  type KubernetesInputs,
  type KubernetesRender,
  type RenderProblem,
  renderKubernetes,
} from '../kubernetes/index.ts';
import { buildObject, type ChartBuild, logicalKey, type ObjectTemplate } from './build.ts';
import { defineText, documentText, type Helpers } from './emit.ts';
import {
  chartVersion,
  chartYaml,
  formatJson,
  helpersTpl,
  notesTxt,
  publicServices,
  TEST_IMAGE,
  testFiles,
  valuesSchema,
  valuesYaml,
} from './files.ts';
import { type EvalContext, evalCond, evaluate, type Node } from './ir.ts';
import { switchCatalogue } from './switches.ts';
import { ValueStore } from './values.ts';

export type { ObjectTemplate } from './build.ts';

export interface HelmChartRender {
  /** Paths relative to the chart root, e.g. `Chart.yaml`, `templates/deployment-web.yaml`. */
  files: FileArtifact[];
  problems: RenderProblem[];
  notes: string[];
}

/** The chart with what built it: for tests and tools that check it. */
export interface HelmChart extends HelmChartRender {
  app: string;
  /** Kubernetes environments, in the order given. */
  envs: string[];
  namespaces: Map<string, string>;
  templates: ObjectTemplate[];
  defines: Map<string, Node>;
  /** Each environment's values after Helm merges values.yaml and values-<env>.yaml. */
  merged: Map<string, Record<string, unknown>>;
  defaults: Record<string, unknown>;
  overrides: Map<string, Record<string, unknown>>;
  schema: Record<string, unknown>;
  /** What the Kubernetes renderer produced per environment. */
  kubernetes: Map<string, KubernetesRender>;
  /** The chart's objects for an environment, evaluated as Helm renders them (without test hooks). */
  render(env: string): KubeObject[];
}

const RENDERER = 'helm';

/**
 * The chart for every kubernetes environment of one spec. `models`: one per environment (others
 * are ignored), all of the same app; `inputs`: each environment's Kubernetes inputs, by name.
 */
export function renderHelmChart(
  models: readonly Model[],
  inputs: ReadonlyMap<string, KubernetesInputs>,
): HelmChartRender {
  const c = buildHelmChart(models, inputs);
  return { files: c.files, problems: c.problems, notes: c.notes };
}

export function buildHelmChart(
  models: readonly Model[],
  inputs: ReadonlyMap<string, KubernetesInputs>,
): HelmChart {
  const problems: RenderProblem[] = [];
  const notes: string[] = [];
  const kube = models.filter((m) => m.environment.target === 'kubernetes');
  const first = kube[0];
  const empty = (): HelmChart => ({
    files: [],
    problems,
    notes,
    app: first?.app.name ?? '',
    envs: [],
    namespaces: new Map(),
    templates: [],
    defines: new Map(),
    merged: new Map(),
    defaults: {},
    overrides: new Map(),
    schema: {},
    kubernetes: new Map(),
    render: () => [],
  });
  if (!first) {
    problems.push({
      specPath: 'environments',
      message: 'no kubernetes environment: a Helm chart is rendered from the kubernetes environments',
      hint: 'add an environment with target: kubernetes',
    });
    return empty();
  }
  const app = first.app.name;
  const others = kube.filter((m) => m.app.name !== app || !isDeepStrictEqual(m.app, first.app));
  if (others.length > 0) {
    problems.push({
      specPath: 'app',
      message: `the environments describe different apps (${[...new Set(kube.map((m) => m.app.name))].join(', ')}): one chart is one app`,
      hint: 'render the chart from the environments of one spec',
    });
    return empty();
  }
  const envs = kube.map((m) => m.environment.name);
  if (new Set(envs).size !== envs.length) {
    problems.push({
      specPath: 'environments',
      message: 'two models share an environment name',
      hint: 'pass each environment once',
    });
    return empty();
  }

  const models_ = new Map(kube.map((m) => [m.environment.name, m]));
  const kubernetes = new Map(
    kube.map((m) => [
      m.environment.name,
      renderKubernetes(m, inputs.get(m.environment.name) ?? { files: new Map() }),
    ]),
  );
  const seenProblems = new Set<string>();
  for (const [env, r] of kubernetes) {
    for (const p of r.problems) {
      const k = JSON.stringify(p);
      if (seenProblems.has(k)) continue;
      seenProblems.add(k);
      problems.push({ ...p, message: `${env}: ${p.message}` });
    }
  }

  // Objects by identity, in apply order.
  const groups = new Map<string, Map<string, KubeObject>>();
  for (const [env, r] of kubernetes)
    for (const o of r.objects) {
      const k = logicalKey(o);
      const g = groups.get(k) ?? new Map<string, KubeObject>();
      if (g.has(env)) {
        problems.push({
          specPath: 'services',
          message: `${env}: two objects are both ${k}`,
          hint: 'rename one of them',
        });
        continue;
      }
      g.set(env, o);
      groups.set(k, g);
    }
  const ordered = [...groups.entries()].sort(([ka, a], [kb, b]) => {
    const oa = a.values().next().value as KubeObject;
    const ob = b.values().next().value as KubeObject;
    return kindRank(oa.kind) - kindRank(ob.kind) || (ka < kb ? -1 : ka > kb ? 1 : 0);
  });

  const store = new ValueStore(envs);
  const b: ChartBuild = {
    app,
    ...(first.app.version ? { appVersion: first.app.version } : {}),
    envs,
    models: models_,
    store,
    switches: switchCatalogue(kube),
    defines: new Map(),
    fallbacks: [],
  };
  const namespaces = new Map(kube.map((m) => [m.environment.name, m.environment.namespace]));
  store.bind(['namespace', 'name'], namespaces, {
    role: 'derived',
    description:
      'The namespace this environment deploys to (helm --namespace); NOTES warns when the release is elsewhere.',
  });
  const templates = ordered.map(([, g]) => buildObject(b, g));
  const all = new Map(envs.map((e) => [e, TEST_IMAGE]));
  const pub = publicServices(kube);
  const ingressT = templates.find((t) => t.kind === 'Ingress');
  const policyT =
    templates.find((t) => t.kind === 'NetworkPolicy' && t.short === 'default-deny') ??
    templates.find((t) => t.kind === 'NetworkPolicy');
  if (ingressT && pub.length > 0) {
    for (const k of ['repository', 'tag'] as const)
      store.bind(['tests', 'image', k], new Map([...all].map(([e, v]) => [e, v[k]])), {
        role: 'tunable',
        description: `Image ${k} of the \`helm test\` pods (curl; mirror it for air-gapped clusters).`,
      });
  }

  const h: Helpers = { chart: app };
  const merged = new Map(envs.map((e) => [e, store.valuesFor(e)]));
  const render = (env: string): KubeObject[] => {
    const values = merged.get(env);
    const namespace = namespaces.get(env);
    if (!values || namespace === undefined) throw new Error(`no environment ${env} in this chart`);
    const ctx: EvalContext = {
      values,
      namespace,
      chartName: app,
      ...(first.app.version ? { appVersion: first.app.version } : {}),
      defines: b.defines,
    };
    return templates.filter((t) => evalCond(t.cond, values)).map((t) => evaluate(t.node, ctx) as KubeObject);
  };
  for (const env of envs) {
    const want = (kubernetes.get(env)?.objects ?? []).map((o) => JSON.parse(JSON.stringify(o)));
    const got = render(env);
    const key = (o: KubeObject) => `${o.kind}/${o.metadata.name}`;
    const sort = (l: KubeObject[]) => [...l].sort((x, y) => (key(x) < key(y) ? -1 : 1));
    if (!isDeepStrictEqual(sort(got), sort(want)))
      throw new Error(`internal: the ${app} chart does not reproduce environment ${env}`);
  }

  // Files
  const files: FileArtifact[] = [];
  const add = (path: string, content: string) => files.push({ path, content, renderer: RENDERER });
  const version = chartVersion(first.app.version);
  if (version.note) notes.push(version.note);
  add('Chart.yaml', chartYaml(first, envs));

  const defaults = store.defaults();
  const overrides = new Map(envs.map((e) => [e, store.overrides(e)]));
  const leaves = store.paths();
  const leafKeys = new Set(leaves.map((l) => JSON.stringify(l.path)));
  const perEnvOnly = leaves.filter((l) => store.setIn(l.path).length > 0 && !hasPath(defaults, l.path));
  const install = (env: string) =>
    `helm upgrade --install ${app} . --namespace ${namespaces.get(env)} --take-ownership -f values-${env}.yaml`;
  const createNs = (env: string) =>
    `kubectl create namespace ${namespaces.get(env)} --dry-run=client -o yaml | kubectl apply -f -`;
  add(
    'values.yaml',
    valuesYaml(
      [
        `Values of the ${app} chart, generated by Slipway from slipway.yaml: what every environment shares.`,
        `Environments: ${envs.join(', ')}. Install one (see values-<env>.yaml):`,
        `  ${createNs(envs[0] as string)}`,
        `  ${install(envs[0] as string)}`,
        '',
        'Tunables (images, replicas, resources, autoscaling, ingress hosts and TLS) are yours to set;',
        '[switch] values turn objects on and off; [derived] values are what Slipway rendered for an',
        'environment: change slipway.yaml and re-render instead of editing them.',
        ...(perEnvOnly.length > 0
          ? ['', 'Set in values-<env>.yaml only:', ...perEnvOnly.map((l) => `  ${l.path.join('.')}`)]
          : []),
      ].join('\n'),
      defaults,
      leafKeys,
      (p) => store.meta(p),
    ),
  );
  for (const env of envs) {
    add(
      `values-${env}.yaml`,
      valuesYaml(
        [
          `Environment ${env} (namespace ${namespaces.get(env)}): what differs from values.yaml.`,
          `${createNs(env)}   # once: the release adopts it (Pod Security labels)`,
          install(env),
        ].join('\n'),
        overrides.get(env) ?? {},
        leafKeys,
        (p) => {
          const m = store.meta(p);
          return m?.role === 'derived'
            ? { role: 'derived', description: 'from slipway.yaml: re-render, do not edit' }
            : undefined;
        },
      ),
    );
  }
  const schema = valuesSchema([...merged.values()], leaves, app);
  add('values.schema.json', `${formatJson(schema)}\n`);
  add('templates/_helpers.tpl', helpersTpl(app));
  add('templates/NOTES.txt', notesTxt(first, templates, store));
  for (const t of templates) {
    const defs = t.defines.map((d) => {
      const n = b.defines.get(d);
      return n ? `${defineText(d, n, h)}\n` : '';
    });
    const name = t.kind === 'Job' ? `${t.name.replace(/-[0-9a-f]{8}$/, '')}-<content hash>` : t.name;
    const comment = `Slipway: ${t.kind} ${name}, rendered in ${t.present.join(', ')}.`;
    add(t.file, `${defs.join('')}${documentText(t.node, t.cond, h, comment)}`);
  }
  if (ingressT && pub.length > 0) {
    for (const f of testFiles(first, pub, ingressT.cond, policyT?.cond, h)) add(f.path, f.content);
  }
  files.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));

  // Notes
  notes.push(
    `helm: chart ${app} ${version.version} for ${envs.join(', ')}; install an environment into its existing namespace (${createNs(envs[0] as string)}) with ${install(envs[0] as string)}`,
  );
  if (b.fallbacks.length > 0)
    notes.push(
      `helm: ${b.fallbacks.join(', ')} could not be templated field by field and are whole [derived] values`,
    );
  const hooks = templates.filter((t) => t.kind === 'Job');
  if (hooks.length > 0)
    notes.push(
      `helm: deploy-hook Jobs (${hooks.map((t) => t.short).join(', ')}) are ordinary release objects: Helm applies them beside the rollout, not before it (slipway deploy orders them); their names carry a content hash, so a changed image gives a new Job`,
    );
  if (
    templates.some((t) => t.kind === 'PersistentVolumeClaim') ||
    templates.some((t) => t.kind === 'Namespace')
  )
    notes.push(
      'helm: helm uninstall deletes the namespace and the PersistentVolumeClaims the chart created (Helm ignores slipway.dev/keep): back up first, or install with --set namespace.create=false into a namespace you manage',
    );

  return {
    files,
    problems,
    notes,
    app,
    envs,
    namespaces,
    templates,
    defines: b.defines,
    merged,
    defaults,
    overrides,
    schema,
    kubernetes,
    render,
  };
}

function hasPath(root: Record<string, unknown>, path: readonly string[]): boolean {
  let cur: unknown = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object' || !(k in (cur as object))) return false;
    cur = (cur as Record<string, unknown>)[k];
  }
  return true;
}
