/**
 * `slipway deploy` and friends on a real control plane (etcd + kube-apiserver + controller-manager +
 * scheduler + kwok fake nodes), run as the real CLI process (`npm run build` first): fresh deploy,
 * a change that patches only what changed, prune, a broken release rolled back, rollback --to,
 * history, a concurrent deploy refused, a killed client recovered, drift, a failing migration.
 * Each scenario deploys the fixture test/e2e/fixtures/kube-deploy into its own namespace.
 * Run alone with SLIPWAY_E2E_RUN_DIR=/tmp/slipway-kube-k1 so it never shares a control plane.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { parse, stringify } from 'yaml';
import { applySetParent } from '../../src/deploy/kubernetes/applyset.ts';
import { controlPlaneEngines, needs, type Run, run, withControlPlane } from './_engines.ts';
import { applyFailureStage, removeStage } from './support/kwok-stages.ts';

const gates = controlPlaneEngines();
const it = needs(...gates);
const kube = withControlPlane(gates);

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'bin', 'slipway.js');
const FIXTURE = readFileSync(join(ROOT, 'test/e2e/fixtures/kube-deploy/slipway.yaml'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'slipway-kube-deploy-'));
const namespaces = new Set<string>();
/** Namespaces get a per-run suffix: a rerun never meets the last run's namespaces still terminating. */
const RUN = Date.now().toString(36).slice(-5);

type Spec = any;

/** Writes a variant of the fixture deploying into `ns`; returns the spec path. */
function spec(name: string, ns: string, edit: (s: Spec) => void = () => {}): string {
  const s = parse(FIXTURE);
  s.environments.stage.namespace = ns;
  edit(s);
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'slipway.yaml');
  writeFileSync(path, stringify(s));
  namespaces.add(ns);
  return path;
}

function slipway(args: string[], timeoutMs = 180_000): Promise<Run> {
  return run(process.execPath, [CLI, ...args], { env: kube.env, timeoutMs });
}
const deploy = (path: string, ...extra: string[]) =>
  slipway(['deploy', path, '--env', 'stage', '--timeout', '60', ...extra]);
const deployJson = async (path: string, ...extra: string[]) => {
  const r = await deploy(path, '--output', 'json', ...extra);
  return { ...r, json: JSON.parse(r.stdout || '{}') };
};
const kubectlJson = async (...args: string[]) => {
  const r = await kube.kubectlRun([...args, '-o', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};
const history = async (path: string) =>
  JSON.parse((await slipway(['history', path, '--env', 'stage', '--output', 'json'])).stdout).releases as {
    revision: number;
    status: string;
    description: string;
  }[];
/** Pods of a Deployment never get scheduled: kwok has no node with this label. */
const unschedulable = (s: Spec, service: string, kind = 'Deployment') => {
  s.environments.stage.patches = {
    kubernetes: [
      {
        target: { kind, ...(service ? { name: service } : {}) },
        merge: { spec: { template: { spec: { nodeSelector: { 'slipway.test/no-such-node': 'true' } } } } },
      },
    ],
  };
};

beforeAll(() => {
  if (gates.some((g) => !g.ok)) return;
  expect(readFileSync(CLI, 'utf8')).toContain('import'); // built: npm run build
});
afterAll(async () => {
  if (gates.some((g) => !g.ok)) return;
  for (const ns of namespaces)
    await kube.kubectlRun(['delete', 'namespace', ns, '--wait=false']).catch(() => {});
});

describe('a release chain: deploy, change, prune, rollback', () => {
  const ns = `harbor-chain-${RUN}`;
  const v1 = spec('chain-v1', ns);

  it('1. a fresh deploy applies every object, waits for the Deployments and records revision 1', async () => {
    const r = await deploy(v1);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`revision 1 deployed to ${ns} — 17 created, 0 updated, 0 unchanged`));
    expect(r.stderr).toContain(`created namespace ${ns}`);
    expect(r.stderr).toContain('running 1 pre-deploy job(s): harbor-migrate-');
    for (const [name, replicas] of [
      ['harbor-web', 2],
      ['harbor-api', 1],
      ['harbor-worker', 1],
    ] as const) {
      const d = await kubectlJson('-n', ns, 'get', 'deployment', name, '--show-managed-fields');
      expect(d.status.availableReplicas).toBe(replicas);
      expect(d.metadata.managedFields.map((m: { manager: string }) => m.manager)).toContain('slipway');
    }
    expect(await history(v1)).toMatchObject([{ revision: 1, status: 'deployed' }]);
    // kubectl understands the set: the parent names the member kinds, members carry the id.
    const parent = applySetParent('harbor', 'stage', ns);
    const p = await kubectlJson('-n', ns, 'get', 'secret', parent.name);
    expect(p.metadata.labels['applyset.kubernetes.io/id']).toBe(parent.id);
    expect(p.metadata.annotations['applyset.kubernetes.io/contains-group-kinds']).toBe(
      'ConfigMap,Deployment.apps,Job.batch,Namespace,NetworkPolicy.networking.k8s.io,PodDisruptionBudget.policy,Service,ServiceAccount',
    );
    const members = await kubectlJson(
      '-n',
      ns,
      'get',
      'deployments',
      '-l',
      `applyset.kubernetes.io/part-of=${parent.id}`,
    );
    expect(members.items).toHaveLength(3);
  });

  it('an unchanged deploy patches nothing: only dry-runs, and no resourceVersion moves', async () => {
    const before = await kubectlJson('-n', ns, 'get', 'deployments,configmaps,services');
    const r = await deployJson(v1);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({
      revision: 2,
      status: 'deployed',
      created: [],
      updated: [],
      unchanged: 17,
    });
    expect(r.json.requests.byVerb.PATCH).toBeUndefined();
    expect(r.json.requests.byVerb['PATCH dry-run']).toBe(17);
    const after = await kubectlJson('-n', ns, 'get', 'deployments,configmaps,services');
    const versions = (l: { items: { metadata: { name: string; resourceVersion: string } }[] }) =>
      l.items.map((i) => `${i.metadata.name}@${i.metadata.resourceVersion}`);
    expect(versions(after)).toEqual(versions(before));
  });

  const v2 = spec('chain-v2', ns, (s) => {
    s.services.web.replicas = 3;
    s.services.web.env.GREETING = 'bonjour';
  });

  it('2. diff shows exactly the replicas and env change; the deploy patches only those objects', async () => {
    const d = await slipway(['diff', v2, '--env', 'stage']);
    expect(d.code, d.stderr).toBe(1);
    expect(d.stdout).toContain('# update ConfigMap/harbor-web-env');
    expect(d.stdout).toContain('-  GREETING: hello\n+  GREETING: bonjour');
    expect(d.stdout).toContain('-  replicas: 2\n+  replicas: 3');
    expect(d.stdout).toContain('2 object(s) would change, 15 unchanged');
    const dj = JSON.parse((await slipway(['diff', v2, '--env', 'stage', '--output', 'json'])).stdout);
    expect(dj.changes.map((c: { object: string; action: string }) => `${c.action} ${c.object}`)).toEqual([
      'update ConfigMap/harbor-web-env',
      'update Deployment/harbor-web',
    ]);
    const api = await kubectlJson('-n', ns, 'get', 'deployment', 'harbor-api');
    const r = await deployJson(v2);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json).toMatchObject({
      revision: 3,
      created: [],
      updated: ['ConfigMap/harbor-web-env', 'Deployment/harbor-web'],
      unchanged: 15,
    });
    expect(r.json.requests.byVerb.PATCH).toBe(2);
    const web = await kubectlJson('-n', ns, 'get', 'deployment', 'harbor-web');
    expect(web.status.availableReplicas).toBe(3);
    const cm = await kubectlJson('-n', ns, 'get', 'configmap', 'harbor-web-env');
    expect(cm.data.GREETING).toBe('bonjour');
    const apiAfter = await kubectlJson('-n', ns, 'get', 'deployment', 'harbor-api');
    expect(apiAfter.metadata.resourceVersion).toBe(api.metadata.resourceVersion);
    expect((await slipway(['diff', v2, '--env', 'stage'])).code).toBe(0);
  });

  const v3 = spec('chain-v3', ns, (s) => {
    s.services.web.replicas = 3;
    s.services.web.env.GREETING = 'bonjour';
    delete s.services.api;
  });

  it('3. a service removed from the spec is pruned with everything it had', async () => {
    const d = JSON.parse((await slipway(['diff', v3, '--env', 'stage', '--output', 'json'])).stdout);
    expect(
      d.changes
        .filter((c: { action: string }) => c.action === 'delete')
        .map((c: { object: string }) => c.object)
        .sort(),
    ).toEqual([
      'Deployment/harbor-api',
      'NetworkPolicy/harbor-api-allow',
      'Service/harbor-api',
      'ServiceAccount/harbor-api',
    ]);
    const r = await deployJson(v3);
    expect(r.code, r.stderr).toBe(0);
    expect([...r.json.pruned].sort()).toEqual([
      'Deployment/harbor-api',
      'NetworkPolicy/harbor-api-allow',
      'Service/harbor-api',
      'ServiceAccount/harbor-api',
    ]);
    for (const what of ['deployment/harbor-api', 'service/harbor-api', 'serviceaccount/harbor-api']) {
      const g = await kube.kubectlRun(['-n', ns, 'get', what]);
      expect(g.stderr).toContain('NotFound');
    }
    expect((await kube.kubectlRun(['-n', ns, 'get', 'deployment', 'harbor-web'])).code).toBe(0);
    // kubectl reads the same set: it computes the parent's ID as ours (no ID mismatch) and refuses
    // to prune it under its own name.
    const probe = await run(
      kube.kubectl,
      [
        'apply',
        '-n',
        ns,
        '--server-side',
        '--prune',
        '--applyset',
        `secret/slipway-applyset-harbor-stage`,
        '--dry-run=server',
        '-f',
        '-',
      ],
      {
        env: { ...kube.env, KUBECTL_APPLYSET: 'true' },
        input: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: probe\n  namespace: ${ns}\n`,
      },
    );
    expect(probe.code).toBe(1);
    expect(probe.stderr).toContain('is managed by tooling "slipway" instead of "kubectl"');
  });

  it('5. rollback --to 1 makes a new revision of revision 1, and history shows the chain', async () => {
    const r = await slipway(['rollback', v3, '--env', 'stage', '--to', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('revision 5 deployed');
    const web = await kubectlJson('-n', ns, 'get', 'deployment', 'harbor-web');
    expect(web.spec.replicas).toBe(2);
    expect((await kubectlJson('-n', ns, 'get', 'configmap', 'harbor-web-env')).data.GREETING).toBe('hello');
    expect((await kubectlJson('-n', ns, 'get', 'deployment', 'harbor-api')).status.availableReplicas).toBe(1);
    expect(await history(v3)).toMatchObject([
      { revision: 5, status: 'deployed', description: 'rollback to 1' },
      { revision: 4, status: 'superseded' },
      { revision: 3, status: 'superseded' },
      { revision: 2, status: 'superseded' },
      { revision: 1, status: 'superseded' },
    ]);
    const text = await slipway(['history', v3, '--env', 'stage']);
    expect(text.stdout).toMatch(
      /^REVISION +STATUS +STARTED +SPEC +BY +DESCRIPTION\n5 +deployed .* rollback to 1\n4 +superseded/,
    );
  });

  it('down deletes the set, its history and the namespace Slipway created', async () => {
    const r = await slipway(['down', v3, '--env', 'stage']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`namespace ${ns} deleted (Slipway created it)`);
    const ns1 = await kubectlJson('get', 'namespace', ns);
    expect(ns1.status.phase).toBe('Terminating');
  });
});

describe('a broken release', () => {
  const ns = `harbor-broken-${RUN}`;
  const good = spec('broken-good', ns);
  const stuck = spec('broken-stuck', ns, (s) => {
    s.services.web.image = 'example.test/harbor-web:never-ready';
  });
  const crashing = spec('broken-crash', ns, (s) => {
    s.services.api.image = 'example.test/harbor-api:crash';
  });
  beforeAll(async () => {
    if (gates.some((g) => !g.ok)) return;
    await applyFailureStage(kube, {
      name: 'k1-never-ready',
      mode: 'never-ready',
      image: 'example.test/harbor-web:never-ready',
    });
    await applyFailureStage(kube, {
      name: 'k1-crash-loop',
      mode: 'crash-loop',
      image: 'example.test/harbor-api:crash',
    });
  });
  afterAll(async () => {
    if (gates.some((g) => !g.ok)) return;
    await removeStage(kube, 'k1-never-ready');
    await removeStage(kube, 'k1-crash-loop');
  });

  it('4a. a release whose pods never become ready is rolled back at the deadline: exit 3, the reason, revision 1 serving', async () => {
    expect((await deploy(good)).code).toBe(0);
    const r = await slipway(['deploy', stuck, '--env', 'stage', '--timeout', '8']);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/revision 2 failed: not healthy within 8s: Deployment\/harbor-web/);
    expect(r.stderr).toContain('rolling back to revision 1');
    expect(r.stderr).toContain('revision 1 is serving again');
    expect(r.stdout).toContain('revision 2 failed');
    const web = await kubectlJson('-n', ns, 'get', 'deployment', 'harbor-web');
    expect(web.spec.template.spec.containers[0].image).toBe('example.test/harbor-web:1.0.0');
    expect(web.status.availableReplicas).toBe(2);
    expect(await history(good)).toMatchObject([
      { revision: 2, status: 'failed' },
      { revision: 1, status: 'deployed' },
    ]);
  });

  it('4b. a crash loop is detected at once, long before the deadline, and rolled back', async () => {
    const started = Date.now();
    const r = await slipway(['deploy', crashing, '--env', 'stage', '--timeout', '120']);
    expect(r.code, r.stderr).toBe(3);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(r.stderr).toMatch(/revision 3 failed: .*Deployment\/harbor-api.*CrashLoopBackOff/);
    expect(r.stderr).toContain('revision 1 is serving again');
    const api = await kubectlJson('-n', ns, 'get', 'deployment', 'harbor-api');
    expect(api.spec.template.spec.containers[0].image).toBe('example.test/harbor-api:1.0.0');
    expect(api.status.availableReplicas).toBe(1);
    expect((await history(good)).map((h) => `${h.revision} ${h.status}`)).toEqual([
      '3 failed',
      '2 failed',
      '1 deployed',
    ]);
  });

  it('4c. SIGTERM mid-deploy takes the same road: rolled back, revision failed, exit 3', async () => {
    const child = spawn(process.execPath, [CLI, 'deploy', stuck, '--env', 'stage', '--timeout', '120'], {
      env: { ...process.env, ...kube.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (b) => {
      err += String(b);
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    for (let i = 0; i < 150 && !err.includes('revision 4: '); i++)
      await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 2000)); // applied, now waiting for pods that never get ready
    child.kill('SIGTERM');
    expect(await exited).toBe(3);
    expect(err).toContain('SIGTERM: stopping the deploy and rolling back');
    expect(err).toContain('revision 4 failed: interrupted by SIGTERM');
    expect(err).toContain('revision 1 is serving again');
    const web = await kubectlJson('-n', ns, 'get', 'deployment', 'harbor-web');
    expect(web.spec.template.spec.containers[0].image).toBe('example.test/harbor-web:1.0.0');
    expect((await history(good))[0]).toMatchObject({ revision: 4, status: 'failed' });
  });

  it('4d. --no-atomic leaves a failed release in place, marked failed, for inspection', async () => {
    const r = await slipway(['deploy', stuck, '--env', 'stage', '--timeout', '5', '--no-atomic']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('revision 5 failed: not healthy within 5s');
    expect(r.stderr).not.toContain('rolling back');
    const web = await kubectlJson('-n', ns, 'get', 'deployment', 'harbor-web');
    expect(web.spec.template.spec.containers[0].image).toBe('example.test/harbor-web:never-ready');
    expect((await history(good)).slice(0, 2)).toMatchObject([
      { revision: 5, status: 'failed' },
      { revision: 4, status: 'failed' },
    ]);
    // the next good deploy converges from there
    const back = await deploy(good);
    expect(back.code, back.stderr).toBe(0);
    expect((await kubectlJson('-n', ns, 'get', 'deployment', 'harbor-web')).status.availableReplicas).toBe(2);
  });

  it('4e. a first SIGTERM during the rollback does not cut it short: it finishes, exit 3', async () => {
    const child = spawn(process.execPath, [CLI, 'deploy', stuck, '--env', 'stage', '--timeout', '4'], {
      env: { ...process.env, ...kube.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (b) => {
      err += String(b);
    });
    const exited = new Promise<[number | null, string | null]>((resolve) =>
      child.on('exit', (c, sig) => resolve([c, sig])),
    );
    for (let i = 0; i < 600 && !err.includes('rolling back to revision 6'); i++)
      await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    expect(await exited, err).toEqual([3, null]);
    expect(err).toContain('SIGTERM: stopping the deploy');
    expect(err).toContain('revision 7 failed: not healthy within 4s');
    expect(err).toContain('revision 6 is serving again');
    expect(
      (await kubectlJson('-n', ns, 'get', 'deployment', 'harbor-web')).spec.template.spec.containers[0].image,
    ).toBe('example.test/harbor-web:1.0.0');
    expect((await history(good))[0]).toMatchObject({ revision: 7, status: 'failed' });
  });
});

describe('locks and a killed client', () => {
  const ns = `harbor-lock-${RUN}`;
  const good = spec('lock-good', ns);
  const slow = spec('lock-slow', ns, (s) => {
    s.services.web.env.GREETING = 'slow';
    unschedulable(s, 'web');
  });

  it('6. a concurrent deploy is refused with who and when; after SIGKILL the next deploy recovers', async () => {
    expect((await deploy(good)).code).toBe(0);
    const child = spawn(process.execPath, [CLI, 'deploy', slow, '--env', 'stage', '--timeout', '120'], {
      env: { ...process.env, ...kube.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (b) => {
      err += String(b);
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (_c, sig) => resolve(sig ? -1 : _c)),
    );
    // wait until it applied and is waiting for health
    for (let i = 0; i < 100 && !/revision 2: /.test(err); i++) await new Promise((r) => setTimeout(r, 200));
    expect(err).toContain('revision 2: ');

    const refused = await deploy(good);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/another deploy is in progress: \S+@\S+ \(pid \d+\) holds the lock since/);

    child.kill('SIGKILL');
    expect(await exited).toBe(-1);
    expect(await history(good)).toMatchObject([{ revision: 2, status: 'pending' }, { revision: 1 }]);

    // The dead client's lease expires (30 s without heartbeat); then the next deploy takes it over.
    let r: Run | undefined;
    for (let i = 0; i < 20; i++) {
      r = await deploy(good);
      if (r.code === 0 || !/another deploy is in progress/.test(r.stderr)) break;
      await new Promise((res) => setTimeout(res, 3000));
    }
    expect(r?.code, r?.stderr).toBe(0);
    expect(r?.stderr).toMatch(/took over the deploy lock of \S+@\S+ \(pid \d+\)/);
    expect(r?.stderr).toContain('revision 2 was left pending by a client that stopped: marked failed');
    expect(r?.stdout).toContain('revision 3 deployed');
    const web = await kubectlJson('-n', ns, 'get', 'deployment', 'harbor-web');
    expect(web.spec.template.spec.nodeSelector).toBeUndefined();
    expect(web.status.availableReplicas).toBe(2);
    expect(await history(good)).toMatchObject([
      { revision: 3, status: 'deployed' },
      { revision: 2, status: 'failed', description: expect.stringContaining('interrupted') },
      { revision: 1, status: 'superseded' },
    ]);
  }, 240_000);
});

describe('drift', () => {
  const ns = `harbor-drift-${RUN}`;
  const good = spec('drift', ns);

  it('8. kubectl edit shows up as drift in status, and the next deploy restores it', async () => {
    expect((await deploy(good)).code).toBe(0);
    const clean = await slipway(['status', good, '--env', 'stage']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toContain('drift: none');
    const edit = await run(kube.kubectl, ['-n', ns, 'edit', 'deployment', 'harbor-web'], {
      env: { ...kube.env, KUBE_EDITOR: `sed -i -e '/^spec:/,/^status:/s/^  replicas: 2$/  replicas: 4/'` },
    });
    expect(edit.code, edit.stderr).toBe(0);
    expect((await kubectlJson('-n', ns, 'get', 'deployment', 'harbor-web')).spec.replicas).toBe(4);

    const st = await slipway(['status', good, '--env', 'stage', '--output', 'json']);
    expect(st.code).toBe(1);
    expect(JSON.parse(st.stdout).drift).toEqual([
      {
        object: 'Deployment/harbor-web',
        state: 'changed',
        fields: ['/spec/replicas'],
        changedBy: ['kubectl-edit'],
      },
    ]);
    const text = await slipway(['status', good, '--env', 'stage']);
    expect(text.stdout).toContain('Deployment/harbor-web: /spec/replicas (by kubectl-edit)');

    const r = await deployJson(good);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.driftRestored).toEqual(['Deployment/harbor-web']);
    expect(r.stderr).toContain(
      'restoring drift on Deployment/harbor-web: .spec.replicas (changed by kubectl-edit)',
    );
    expect((await kubectlJson('-n', ns, 'get', 'deployment', 'harbor-web')).spec.replicas).toBe(2);
    expect((await slipway(['status', good, '--env', 'stage'])).code).toBe(0);
  });

  it('a field another manager owns and Slipway never set is a conflict, named, until --force-conflicts', async () => {
    const cm = await kube.kubectlRun(
      ['-n', ns, 'apply', '--server-side', '--force-conflicts', '--field-manager', 'other-tool', '-f', '-'],
      {
        input: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: harbor-web-env\n  namespace: ${ns}\ndata:\n  EXTRA: x\n  GREETING: hola\n`,
      },
    );
    expect(cm.code, cm.stderr).toBe(0);
    // GREETING is Slipway's (drift: restored); a brand-new field of Slipway's that other-tool owns is not.
    const mine = spec('drift-conflict', ns, (s) => {
      s.services.web.env.EXTRA = 'y';
    });
    const r = await deploy(mine);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('ConfigMap/harbor-web-env: .data.EXTRA (owned by "other-tool")');
    expect(r.stderr).toContain('--force-conflicts');
    const forced = await deploy(mine, '--force-conflicts');
    expect(forced.code, forced.stderr).toBe(0);
    const live = await kubectlJson('-n', ns, 'get', 'configmap', 'harbor-web-env');
    expect(live.data).toMatchObject({ EXTRA: 'y', GREETING: 'hello' });
  });
});

describe('hooks', () => {
  const ns = `harbor-hook-${RUN}`;
  const good = spec('hook-good', ns);
  const failing = spec('hook-failing', ns, (s) => {
    s.services.migrate.command = ['migrate', 'up', '--to', '2'];
    s.services.migrate.hook.deadline = '3s';
    s.services.web.image = 'example.test/harbor-web:2.0.0';
    unschedulable(s, '', 'Job');
  });

  it('9. a failing pre-deploy migration aborts the deploy before any workload changes', async () => {
    expect((await deploy(good)).code).toBe(0);
    const web = await kubectlJson('-n', ns, 'get', 'deployment', 'harbor-web');
    const r = await deploy(failing);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/revision 2 failed: pre-deploy job harbor-migrate-\w+ failed/);
    const after = await kubectlJson('-n', ns, 'get', 'deployment', 'harbor-web');
    expect(after.metadata.resourceVersion).toBe(web.metadata.resourceVersion);
    expect(after.spec.template.spec.containers[0].image).toBe('example.test/harbor-web:1.0.0');
    expect(await history(good)).toMatchObject([
      { revision: 2, status: 'failed' },
      { revision: 1, status: 'deployed' },
    ]);
  });
});

describe('post-deploy hooks', () => {
  const ns = `harbor-post-${RUN}`;
  const withPost = spec('post', ns, (s) => {
    s.services.smoke = {
      kind: 'job',
      image: 'example.test/harbor-api:1.0.0',
      command: ['smoke-test'],
      hook: { phase: 'post-deploy', deadline: '1m' },
    };
  });

  it('run after every workload is healthy, and a complete one is not run again', async () => {
    const r = await deploy(withPost);
    expect(r.code, r.stderr).toBe(0);
    const ready = r.stderr.lastIndexOf('Deployment/harbor-web');
    const post = r.stderr.indexOf('running 1 post-deploy job(s)');
    expect(ready).toBeGreaterThan(-1);
    expect(post).toBeGreaterThan(ready);
    expect(r.stderr.indexOf('running 1 pre-deploy job(s)')).toBeLessThan(ready);
    const jobs = await kubectlJson('-n', ns, 'get', 'jobs');
    const smoke = jobs.items.find((j: { metadata: { name: string } }) =>
      j.metadata.name.startsWith('harbor-smoke-'),
    );
    expect(smoke.status.succeeded).toBe(1);
    const again = await deploy(withPost);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('post-deploy job');
    expect(again.stderr).not.toContain('pre-deploy job');
  });
});

describe('blue-green through the driver (K2 owns scenario 7; this checks the wiring)', () => {
  const ns = `harbor-bg-${RUN}`;
  const bg = (image: string) =>
    spec(`bg-${image.split(':')[1]}`, ns, (s) => {
      s.services.web.image = image;
      s.services.web.rollout = { strategy: 'blue-green', autoPromote: false, scaleDownDelay: '30s' };
    });
  const v1 = bg('example.test/harbor-web:1.0.0');
  const v2 = bg('example.test/harbor-web:2.0.0');
  const selector = async () =>
    (await kubectlJson('-n', ns, 'get', 'service', 'harbor-web')).spec.selector['slipway.dev/color'];

  it('deploy puts a new template on the idle colour, traffic stays until slipway promote switches it', async () => {
    expect((await deploy(v1)).code).toBe(0);
    expect(await selector()).toBe('blue');
    const r = await deploy(v2);
    expect(r.code, r.stderr).toBe(0);
    expect(await selector()).toBe('blue');
    const green = await kubectlJson('-n', ns, 'get', 'deployment', 'harbor-web-green');
    expect(green.spec.template.spec.containers[0].image).toBe('example.test/harbor-web:2.0.0');
    expect(green.status.availableReplicas).toBe(2);
    const blue = await kubectlJson('-n', ns, 'get', 'deployment', 'harbor-web-blue');
    expect(blue.spec.template.spec.containers[0].image).toBe('example.test/harbor-web:1.0.0');
    // no drift: the live colour left as it runs is what the release recorded
    expect((await slipway(['status', v2, '--env', 'stage'])).stdout).toContain('drift: none');
    const p = await slipway(['promote', v2, '--env', 'stage']);
    expect(p.code, p.stderr).toBe(0);
    expect(await selector()).toBe('green');
  });
});

describe('prerequisites', () => {
  const ns = `harbor-prereq-${RUN}`;
  const monitored = spec('prereq', ns, (s) => {
    s.environments.stage.capabilities = ['prometheus-operator'];
    s.monitoring = { enabled: true };
    s.services.web.metrics = { path: '/metrics', port: 'http' };
  });

  it('a kind the cluster does not serve names the operator to install, and nothing is created', async () => {
    const r = await deploy(monitored);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      'the cluster does not serve every kind this environment uses; nothing was changed',
    );
    expect(r.stderr).toContain(
      'install the Prometheus Operator (kube-prometheus-stack): needed for ServiceMonitor (monitoring.coreos.com/v1)',
    );
    expect((await kube.kubectlRun(['get', 'namespace', ns])).stderr).toContain('NotFound');
  });

  it('an unknown --context is refused, listing the contexts there are', async () => {
    const r = await deploy(monitored, '--context', 'nope');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('kubeconfig has no context "nope"');
    expect(r.stderr).not.toMatch(/^\s{4}at /m);
  });
});
