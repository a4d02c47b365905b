/**
 * `slipway deploy` on a real control plane (test/e2e/scripts/start-kube.sh: etcd + kube-apiserver +
 * controller-manager + scheduler + kwok fake nodes) against what a person would otherwise run:
 * `kubectl apply --server-side -f <rendered>` then `kubectl rollout status` per Deployment. Both as
 * processes, on the e2e fixture (test/e2e/fixtures/kube-deploy) without its migration hook (the peer
 * waits for no Job): 16 objects, 3 Deployments; interleaved run by run:
 *   - fresh: into a new namespace each run;
 *   - unchanged: the same objects again into the namespace the fresh run filled.
 * Slipway does more in the same time budget (prerequisite checks, lock, release record, dry-run
 * decided apply, hook Job, health of every workload, prune): the target is a ratio ≤ 1.1. The API
 * requests per deploy (from `--output json`) are printed as notes; an unchanged deploy must PATCH
 * nothing (dry-runs only).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { note, progress } from '../lib/log.ts';
import { measure, rowsAgainst } from '../lib/measure.ts';
import { CLI, NODE, ROOT } from '../lib/paths.ts';
import { type BenchCase, BenchFailure, type Row } from '../lib/types.ts';

const ID = 'kube-deploy';
const RUNS = 3;
const RUN_DIR = process.env.SLIPWAY_BENCH_KUBE_RUN_DIR || join(tmpdir(), 'slipway-kube-bench');
const SCRIPTS = join(ROOT, 'test', 'e2e', 'scripts');
const FIXTURE = join(ROOT, 'test', 'e2e', 'fixtures', 'kube-deploy', 'slipway.yaml');
const DEPLOYMENTS = ['harbor-api', 'harbor-web', 'harbor-worker'];

interface Plane {
  env: NodeJS.ProcessEnv;
  kubectl: string;
  startedHere: boolean;
}

function startPlane(): Plane | string {
  const cache = process.env.SLIPWAY_CACHE || join(homedir(), '.cache', 'slipway');
  const r = spawnSync(join(SCRIPTS, 'start-kube.sh'), [], {
    encoding: 'utf8',
    env: { ...process.env, RUN_DIR, SLIPWAY_CACHE: cache },
  });
  if (r.status !== 0)
    return `start-kube.sh failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' / ')}`;
  const kubeconfig = /^export KUBECONFIG=(.+)$/m.exec(r.stdout)?.[1]?.trim();
  if (!kubeconfig) return 'start-kube.sh printed no KUBECONFIG';
  const envFile = readFileSync(join(RUN_DIR, 'env'), 'utf8');
  const kubectl = /^KUBECTL=(.+)$/m.exec(envFile)?.[1]?.trim() ?? join(cache, 'bin', 'kubectl');
  return {
    env: { ...process.env, KUBECONFIG: kubeconfig },
    kubectl,
    startedHere: !/already running, reused/.test(r.stderr),
  };
}

function exec(file: string, args: string[], env: NodeJS.ProcessEnv): string {
  const r = spawnSync(file, args, { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0)
    throw new BenchFailure(`${ID}: ${file} ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/** The fixture deploying into `ns`, written under `dir`; and its rendered YAML for kubectl. */
function variant(dir: string, ns: string, env: NodeJS.ProcessEnv): { spec: string; rendered: string } {
  const s = parse(readFileSync(FIXTURE, 'utf8'));
  s.environments.stage.namespace = ns;
  delete s.services.migrate;
  const d = join(dir, ns);
  mkdirSync(d, { recursive: true });
  const spec = join(d, 'slipway.yaml');
  writeFileSync(spec, stringify(s));
  const rendered = join(d, 'rendered.yaml');
  writeFileSync(rendered, exec(NODE, [CLI, 'render', spec, '--env', 'stage', '--target', 'kubernetes'], env));
  return { spec, rendered };
}

export const kubeDeploy: BenchCase = {
  id: ID,
  description: 'slipway deploy vs kubectl apply --server-side + rollout status, on a real control plane',
  async run(): Promise<Row[]> {
    const plane = startPlane();
    if (typeof plane === 'string') {
      note(`${ID}: skipped: ${plane} (install-debian.sh, install-tools.sh and build-kube.sh set it up)`);
      return [];
    }
    const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-kube-'));
    const namespaces: string[] = [];
    try {
      progress(`${ID}: rendering ${RUNS * 2} namespaces' variants`);
      const slip = Array.from({ length: RUNS }, (_, i) =>
        variant(dir, `bench-slipway-${Date.now() % 1e6}-${i}`, plane.env),
      );
      const kube = Array.from({ length: RUNS }, (_, i) =>
        variant(dir, `bench-kubectl-${Date.now() % 1e6}-${i}`, plane.env),
      );
      namespaces.push(
        ...[...slip, ...kube].map((v) => parse(readFileSync(v.spec, 'utf8')).environments.stage.namespace),
      );

      const requests: { fresh: string[]; unchanged: string[] } = { fresh: [], unchanged: [] };
      const slipwayDeploy = (v: { spec: string }, into: string[]) => {
        const out = JSON.parse(
          exec(
            NODE,
            [CLI, 'deploy', v.spec, '--env', 'stage', '--timeout', '120', '--output', 'json'],
            plane.env,
          ),
        );
        if (out.status !== 'deployed')
          throw new BenchFailure(`${ID}: slipway deploy did not deploy: ${JSON.stringify(out)}`);
        const v2 = out.requests.byVerb as Record<string, number>;
        into.push(
          `${out.requests.count} requests (${Object.entries(v2)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')})`,
        );
        if (into === requests.unchanged && (v2.PATCH ?? 0) > 0)
          throw new BenchFailure(`${ID}: an unchanged deploy sent ${v2.PATCH} PATCH request(s)`);
      };
      const kubectlDeploy = (v: { rendered: string; spec: string }) => {
        const ns = parse(readFileSync(v.spec, 'utf8')).environments.stage.namespace;
        exec(
          plane.kubectl,
          ['apply', '--server-side', '--field-manager', 'bench', '-f', v.rendered],
          plane.env,
        );
        for (const d of DEPLOYMENTS)
          exec(
            plane.kubectl,
            ['rollout', 'status', `deployment/${d}`, '-n', ns, '--timeout', '120s'],
            plane.env,
          );
      };

      let i = 0;
      let k = 0;
      let iu = 0;
      let ku = 0;
      progress(`${ID}: ${RUNS} fresh and ${RUNS} unchanged deploys each, interleaved`);
      const [kFresh, sFresh] = await measure(
        [
          {
            label: 'kubectl apply --server-side + rollout status (fresh namespace)',
            fn: () => kubectlDeploy(kube[k++ % RUNS] as never),
          },
          {
            label: 'slipway deploy (fresh namespace)',
            fn: () => slipwayDeploy(slip[i++ % RUNS] as never, requests.fresh),
          },
        ],
        { warmup: 0, runs: RUNS },
      );
      const [kSame, sSame] = await measure(
        [
          {
            label: 'kubectl apply --server-side + rollout status (unchanged)',
            fn: () => kubectlDeploy(kube[ku++ % RUNS] as never),
          },
          {
            label: 'slipway deploy (unchanged)',
            fn: () => slipwayDeploy(slip[iu++ % RUNS] as never, requests.unchanged),
          },
        ],
        { warmup: 0, runs: RUNS },
      );
      note(`${ID}: API requests per slipway deploy, fresh: ${requests.fresh[0]}`);
      note(`${ID}: API requests per slipway deploy, unchanged: ${requests.unchanged[0]} — no PATCH`);
      if (!kFresh || !sFresh || !kSame || !sSame) throw new BenchFailure(`${ID}: missing series`);
      return [...rowsAgainst(ID, kFresh, [sFresh]), ...rowsAgainst(ID, kSame, [sSame])];
    } finally {
      for (const ns of namespaces)
        spawnSync(plane.kubectl, ['delete', 'namespace', ns, '--wait=false'], { env: plane.env });
      rmSync(dir, { recursive: true, force: true });
      if (plane.startedHere)
        spawnSync(join(SCRIPTS, 'stop-kube.sh'), [], { env: { ...process.env, RUN_DIR } });
    }
  },
};
