/**
 * Every Kubernetes environment of every example, deployed for real: the built CLI as a process
 * (`node bin/slipway.js deploy examples/<x>/slipway.yaml --env <e>`) against a real control plane
 * (etcd + kube-apiserver + controller-manager + scheduler + kwok fake nodes), with the upstream CRDs
 * installed from the Go module cache. Each environment must: exit 0, record revision 1 `deployed`,
 * report healthy with no drift, and deploy again at once with no PATCH.
 *
 * What the cluster must provide before a deploy (the render's prerequisites), the test provides:
 *   - the app Secret (and any other Secret a Pod references that is not rendered), with placeholder values,
 *     as the team (or, for ExternalSecrets, the External Secrets Operator) would;
 *   - storage: a default StorageClass that binds on first consumer (as kind's and most clouds' do) and a
 *     PersistentVolume for each claim — pre-bound for StatefulSet claims, free for the others, which bind
 *     when a Pod uses them (a claim only a backup CronJob uses stays Pending, and must not hold the deploy);
 *   - Argo Rollouts: no operator runs here, so the test writes the status its controller would
 *     (`phase: Healthy`) — kwok stands in for kubelets, this for the one operator whose status a deploy waits for.
 * Environments sharing a namespace (codequal cloud/onprem) run one after the other, with `slipway down` between.
 * Run alone with SLIPWAY_E2E_RUN_DIR=/tmp/slipway-kube-examples.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { stringify } from 'yaml';
import type { KubeObject } from '../../src/render/kubernetes/_object.ts';
import { renderExamples } from '../render/_examples.ts';
import { controlPlaneEngines, needs, type Run, requireEngine, run, withControlPlane } from './_engines.ts';
import { customResourceKinds, installCrds, upstreamDocuments } from './support/crds.ts';

const gates = controlPlaneEngines();
const upstream = requireEngine(
  'upstream documents (Go module cache: k8s.io/kubernetes, CRD modules)',
  upstreamDocuments,
);
const it = needs(...gates, upstream);
const kube = withControlPlane([...gates, upstream]);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'bin', 'slipway.js');
const PLACEHOLDER = 'e2e-placeholder';

interface Env {
  id: string;
  spec: string;
  env: string;
  minor: string;
  namespace: string;
  /** The kubeconfig context the environment names, if any. */
  context: string | undefined;
  objects: KubeObject[];
  /** Secret name → keys the environment's Pods read from it. */
  secrets: Map<string, Set<string>>;
}

type Spec = any;

/** Secrets the Pods reference that the render does not create (the team's, or an operator's). */
function neededSecrets(model: Spec, objects: readonly KubeObject[]): Map<string, Set<string>> {
  // ExternalSecret targets are not among them: no External Secrets Operator runs here, the test makes them.
  const rendered = new Set(
    objects.filter((o) => o.kind === 'Secret' || o.kind === 'SealedSecret').map((o) => o.metadata.name),
  );
  const out = new Map<string, Set<string>>();
  const add = (name: string, key?: string) => {
    if (rendered.has(name)) return;
    const keys = out.get(name) ?? new Set<string>();
    if (key) keys.add(key);
    out.set(name, keys);
  };
  if (model.secrets.length > 0)
    for (const s of model.secrets) add(model.environment.secretSource.name, s.key);
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, any>;
      if (o.secretKeyRef?.name) add(o.secretKeyRef.name, o.secretKeyRef.key);
      if (o.secretRef?.name) add(o.secretRef.name);
      if (o.secret?.secretName) add(o.secret.secretName);
      for (const x of Object.values(o)) walk(x);
    }
  };
  for (const o of objects)
    if (['Deployment', 'StatefulSet', 'Job', 'CronJob', 'Rollout', 'DaemonSet'].includes(o.kind))
      walk((o as Spec).spec);
  return out;
}

const ENVS: Env[] = renderExamples().map((r) => ({
  id: `${r.example}/${r.env}`,
  spec: join('examples', r.example, 'slipway.yaml'),
  env: r.env,
  minor: r.model.environment.kubernetesVersion || '1.33',
  namespace: r.model.environment.namespace,
  context: r.model.environment.context,
  objects: r.render.objects,
  secrets: neededSecrets(r.model, r.render.objects),
}));

function slipway(args: string[], timeoutMs = 180_000): Promise<Run> {
  return run(process.execPath, [CLI, ...args], { env: { ...kube.env, NO_COLOR: '1' }, timeoutMs });
}
const kubectl = (args: string[], input?: string) =>
  kube.kubectlRun(args, input === undefined ? {} : { input });
async function kubectlOk(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

/** The kubeconfig's current context: environments that name one (vibeyard's `minikube`) deploy with --context. */
let context = '';

const STORAGE_CLASS = 'e2e-first-consumer';
const E2E_LABEL = 'slipway.test/e2e=examples';

beforeAll(async () => {
  if (gates.some((g) => !g.ok) || !upstream.ok) return;
  expect(readFileSync(CLI, 'utf8')).toContain('import'); // built: npm run build
  context = (await kubectlOk(['config', 'current-context'])).trim();
  await installCrds(kubectl, customResourceKinds(ENVS));
  await kubectlOk(
    ['apply', '-f', '-'],
    stringify({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: STORAGE_CLASS,
        labels: { 'slipway.test/e2e': 'examples' },
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: 'kubernetes.io/no-provisioner',
      volumeBindingMode: 'WaitForFirstConsumer',
    }),
  );
}, 300_000);

afterAll(async () => {
  if (gates.some((g) => !g.ok) || !upstream.ok) return;
  for (const ns of byNamespace.keys()) await kubectl(['delete', 'namespace', ns, '--wait=false']);
  await kubectl(['delete', 'pv,storageclass', '-l', E2E_LABEL, '--wait=false']);
});

/** The Namespace, the Secrets a Pod reads, and a PersistentVolume pre-bound to every claim. */
async function prepare(e: Env): Promise<void> {
  const docs: object[] = [];
  for (const [name, keys] of e.secrets)
    docs.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: e.namespace },
      stringData: Object.fromEntries([...(keys.size > 0 ? keys : ['value'])].map((k) => [k, PLACEHOLDER])),
    });
  const claims: { name: string; spec: Spec; preBound: boolean }[] = [];
  for (const o of e.objects as Spec[]) {
    if (o.kind === 'PersistentVolumeClaim')
      claims.push({ name: o.metadata.name, spec: o.spec, preBound: false });
    if (o.kind === 'StatefulSet')
      for (const t of o.spec.volumeClaimTemplates ?? [])
        for (let i = 0; i < (o.spec.replicas ?? 1); i++)
          claims.push({ name: `${t.metadata.name}-${o.metadata.name}-${i}`, spec: t.spec, preBound: true });
  }
  const slug = e.id.replace(/[^a-z0-9]+/g, '-');
  for (const c of claims)
    docs.push({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `e2e-${slug}-${c.name}`.slice(0, 253), labels: { 'slipway.test/e2e': 'examples' } },
      spec: {
        capacity: { storage: c.spec.resources.requests.storage },
        accessModes: c.spec.accessModes,
        storageClassName: c.spec.storageClassName ?? STORAGE_CLASS,
        persistentVolumeReclaimPolicy: 'Retain',
        hostPath: { path: `/tmp/slipway-e2e-pv/${slug}/${c.name}` },
        ...(c.preBound ? { claimRef: { namespace: e.namespace, name: c.name } } : {}),
      },
    });
  // The namespace first (the deploy then finds it and leaves it when going down: kept like any namespace
  // Slipway did not create).
  await kubectlOk(['create', 'namespace', e.namespace]);
  await kubectlOk(['apply', '-f', '-'], docs.map((d) => stringify(d)).join('---\n'));
}

/** Stands in for the Argo Rollouts controller: writes `phase: Healthy` on every Rollout of the namespace. */
function rolloutsController(namespace: string): { stop: () => Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const r = await kubectl(['-n', namespace, 'get', 'rollouts.argoproj.io', '-o', 'json']);
      if (r.code === 0)
        for (const ro of JSON.parse(r.stdout).items as Spec[]) {
          const gen = String(ro.metadata.generation);
          if (ro.status?.observedGeneration === gen && ro.status?.phase === 'Healthy') continue;
          const replicas = ro.spec.replicas ?? 1;
          await kubectl([
            '-n',
            namespace,
            'patch',
            'rollout',
            ro.metadata.name,
            '--subresource=status',
            '--type=merge',
            '-p',
            JSON.stringify({
              status: {
                phase: 'Healthy',
                observedGeneration: gen,
                replicas,
                updatedReplicas: replicas,
                readyReplicas: replicas,
                availableReplicas: replicas,
              },
            }),
          ]);
        }
      await new Promise((res) => setTimeout(res, 500));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

/** Groups of environments that can run at once: the same namespace never in two at once. */
const byNamespace = Map.groupBy(ENVS, (e) => e.namespace);

describe('the examples', () => {
  it('have Kubernetes environments, the shared namespaces among them known', () => {
    expect(ENVS.length).toBeGreaterThanOrEqual(9);
    expect([...byNamespace].filter(([, es]) => es.length > 1).map(([ns]) => ns)).toEqual(['codequal']);
  });
});

const figures: string[] = [];
/** Claims left Pending for their first consumer (a backup CronJob's) that did not hold a deploy. */
const awaitingConsumer: string[] = [];

for (const [namespace, envs] of byNamespace) {
  describe(`namespace ${namespace}`, () => {
    envs.forEach((e, i) => {
      it(`${e.id}: deploys (revision 1), is healthy with no drift, and an immediate redeploy sends no PATCH`, async () => {
        const envArgs = [e.spec, '--env', e.env, ...(e.context ? ['--context', context] : [])];
        await prepare(e);
        const operator = rolloutsController(e.namespace);
        try {
          const first = await slipway(['deploy', ...envArgs, '--timeout', '90', '--output', 'json']);
          expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0);
          const out = JSON.parse(first.stdout);
          expect(out).toMatchObject({ revision: 1, status: 'deployed', updated: [], unchanged: 0 });
          expect(out.created.length).toBeGreaterThanOrEqual(e.objects.length);

          const history = JSON.parse((await slipway(['history', ...envArgs, '--output', 'json'])).stdout);
          expect(history.releases).toMatchObject([{ revision: 1, status: 'deployed' }]);

          const status = await slipway(['status', ...envArgs, '--output', 'json']);
          const st = JSON.parse(status.stdout);
          expect(
            st.objects.filter((o: { state: string }) => o.state !== 'current'),
            status.stdout,
          ).toEqual([]);
          expect(st).toMatchObject({ currentRevision: 1, healthy: true, drift: [] });
          for (const o of st.objects as { object: string; message: string }[])
            if (/first consumer/.test(o.message)) awaitingConsumer.push(`${e.id} ${o.object}`);
          expect(status.code, status.stderr).toBe(0);

          const again = await slipway(['deploy', ...envArgs, '--timeout', '90', '--output', 'json']);
          expect(again.code, again.stderr).toBe(0);
          const o2 = JSON.parse(again.stdout);
          expect(o2).toMatchObject({ revision: 2, status: 'deployed', created: [], updated: [] });
          expect(o2.requests.byVerb.PATCH, JSON.stringify(o2.requests)).toBeUndefined();
          figures.push(
            `${e.id}: ${out.created.length} objects, first deploy ${(first.ms / 1000).toFixed(1)} s / ${out.requests.count} requests, ` +
              `redeploy ${(again.ms / 1000).toFixed(1)} s / ${o2.requests.count} requests (${JSON.stringify(o2.requests.byVerb)})`,
          );
          console.info(figures.at(-1));
        } finally {
          await operator.stop();
        }
        // The next environment of this namespace needs it empty: down (volumes too) and wait for it to go.
        if (i < envs.length - 1) {
          const down = await slipway(['down', ...envArgs, '--volumes']);
          expect(down.code, down.stderr).toBe(0);
          await kubectl(['delete', 'namespace', e.namespace, '--wait=true', '--timeout=120s']);
        }
      }, 400_000);
    });
  });
}

describe('storage', () => {
  it('some claims waited for their first consumer (only a CronJob uses them) without holding a deploy', () => {
    expect(awaitingConsumer.length, 'claims Pending for a first consumer').toBeGreaterThan(0);
    console.info(`claims settled while waiting for a first consumer: ${awaitingConsumer.join(', ')}`);
  });
});
