/**
 * How the driver answers an API server that refuses or drops a request (429, 403, a restart): a
 * clear EngineError naming the object (exit 3), and never a lost result for a side concern
 * (record pruning, lock release, a scale-down during `status`). The real client talks to a
 * scripted server (_fake-api.ts): a live cluster cannot be made to answer this way on cue.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/cli/errors.ts';
import type { Io } from '../../../src/cli/output.ts';
import type { DeployTarget } from '../../../src/deploy/driver.ts';
import { applySetParent, listMembers, liveGroupKinds } from '../../../src/deploy/kubernetes/applyset.ts';
import {
  ACTIVE_COLOR_ANNOTATION,
  COLOR_LABEL,
  enforceScaleDowns,
  SCALE_DOWN_ANNOTATION,
} from '../../../src/deploy/kubernetes/blue-green.ts';
import { withSession } from '../../../src/deploy/kubernetes/deploy.ts';
import { kubernetesDriver } from '../../../src/deploy/kubernetes/index.ts';
import {
  encodeRecord,
  type ReleaseRecord,
  ReleaseStore,
} from '../../../src/deploy/kubernetes/release-store.ts';
import { rollback } from '../../../src/deploy/kubernetes/rollback.ts';
import { renderBlueGreen } from './_blue-green-spec.ts';
import { type FakeAnswer, type FakeApi, type FakeRequest, fakeApi, status } from './_fake-api.ts';

const ns = 'shop-staging';
let api: FakeApi | undefined;
const kubeconfigBefore = process.env.KUBECONFIG;
afterEach(async () => {
  if (kubeconfigBefore === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = kubeconfigBefore;
  await api?.close();
  api = undefined;
});

async function caught(p: Promise<unknown>): Promise<EngineError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(EngineError);
  return e as EngineError;
}

function captureIo(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    out: (s) => stdout.push(s),
    err: (s) => stderr.push(s),
    color: false,
    format: 'text',
    stdout,
    stderr,
  };
}

function targetOf(io: Io): DeployTarget {
  const { model } = renderBlueGreen({ namespace: ns, image: 'registry.local/web:1', autoPromote: false });
  return { model, env: 'staging', specPath: 'slipway.yaml', io, loaded: undefined as never };
}

const rec = (revision: number, objects: ReleaseRecord['objects'] = []): ReleaseRecord => ({
  app: 'shop',
  environment: 'staging',
  namespace: ns,
  revision,
  status: revision === 1 ? 'superseded' : 'deployed',
  specHash: 'sha256:0f',
  images: {},
  user: 'u@h',
  startedAt: '2026-01-01T00:00:00.000Z',
  description: 'deploy',
  objects,
});

/**
 * The requests every session makes: server version, namespace, lease (free, then whatever
 * `leaseAtRelease` says when it is read again to be released), records.
 */
function sessionApi(records: ReleaseRecord[], o: { leaseAtRelease?: FakeAnswer } = {}) {
  let leaseReads = 0;
  return (r: FakeRequest): FakeAnswer | undefined => {
    if (r.path === '/version')
      return { status: 200, body: { major: '1', minor: '34', gitVersion: 'v1.34.4' } };
    if (r.method === 'GET' && r.path === `/api/v1/namespaces/${ns}`) return { status: 200, body: {} };
    if (r.path.startsWith(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`)) {
      if (r.method === 'POST')
        return { status: 201, body: { ...(r.body as object), metadata: { resourceVersion: '1' } } };
      if (r.method === 'GET' && leaseReads++ > 0 && o.leaseAtRelease) return o.leaseAtRelease;
    }
    if (r.method === 'GET' && r.path.startsWith(`/api/v1/namespaces/${ns}/secrets?`))
      return { status: 200, body: { items: records.map(encodeRecord) } };
    return undefined;
  };
}

describe('API errors become EngineErrors naming the object', () => {
  const parent = applySetParent('shop', 'staging', ns);

  it('ApplySet parent read answered 429: could not read the parent, with the server’s message', async () => {
    api = await fakeApi(() => status(429, 'TooManyRequests', 'too many requests, please try again later'));
    const e = await caught(liveGroupKinds(api.cluster, parent));
    expect(e.message).toBe(`could not read the ApplySet parent Secret/${parent.name} in namespace ${ns}`);
    expect((e as EngineError & { detail?: string }).detail).toMatch(
      /HTTP 429 TooManyRequests: too many requests/,
    );
  });

  it('a member LIST on a dropped connection (API server restart): could not list that kind', async () => {
    api = await fakeApi(() => 'reset');
    const e = await caught(
      listMembers(api.cluster, parent, ['Deployment.apps'], new Map([['Deployment.apps', 'apps/v1']])),
    );
    expect(e.message).toBe(
      `could not list Deployment (apps/v1) of the ApplySet ${parent.name} in namespace ${ns}`,
    );
  });

  it('a 404 still means "none": no parent, no members', async () => {
    api = await fakeApi(() => undefined);
    expect(await liveGroupKinds(api.cluster, parent)).toEqual([]);
  });

  const pastMark = (r: FakeRequest) => {
    if (r.method === 'GET' && r.path === `/api/v1/namespaces/${ns}/services/shop-web`)
      return {
        status: 200,
        body: {
          metadata: {
            name: 'shop-web',
            annotations: {
              [ACTIVE_COLOR_ANNOTATION]: 'green',
              [SCALE_DOWN_ANNOTATION]: 'blue@2020-01-01T00:00:00.000Z',
            },
          },
          spec: { selector: { [COLOR_LABEL]: 'green' } },
        },
      };
    if (r.method === 'PATCH' && r.path.startsWith(`/apis/apps/v1/namespaces/${ns}/deployments/shop-web-blue`))
      return { status: 200, body: {} };
    if (r.method === 'PATCH' && r.path.startsWith(`/api/v1/namespaces/${ns}/services/shop-web`))
      return status(
        403,
        'Forbidden',
        'services "shop-web" is forbidden: User "viewer" cannot patch resource',
      );
    return undefined;
  };

  it('a scale-down past its grace, Service PATCH forbidden: could not clear the mark (not a raw exception)', async () => {
    api = await fakeApi(pastMark);
    const e = await caught(enforceScaleDowns(api.cluster, targetOf(captureIo()).model));
    expect(e.message).toBe(`could not clear the scale-down mark on Service ${ns}/shop-web`);
    expect((e as EngineError & { detail?: string }).detail).toMatch(/HTTP 403 Forbidden/);
  });

  it('slipway status with read-only rights past a grace period warns and still reports (exit 0)', async () => {
    const answer = sessionApi([]);
    api = await fakeApi((r) => answer(r) ?? pastMark(r));
    process.env.KUBECONFIG = api.kubeconfig;
    const io = captureIo();
    expect(await kubernetesDriver.status(targetOf(io), { context: 'fake' } as never)).toBe(0);
    expect(io.stderr.join('')).toMatch(/warning: could not clear the scale-down mark on Service .*HTTP 403/);
    expect(io.stdout.join('')).toMatch(/current revision: none/);
  });
});

describe('side concerns never replace the result', () => {
  it('a record prune refused (no delete right on Secrets) warns and keeps the records', async () => {
    const records = Array.from({ length: 12 }, (_, i) => rec(i + 1));
    const answer = sessionApi(records);
    api = await fakeApi((r) =>
      r.method === 'DELETE'
        ? status(403, 'Forbidden', 'secrets is forbidden: User "deployer" cannot delete resource')
        : answer(r),
    );
    const store = new ReleaseStore(api.cluster, { app: 'shop', environment: 'staging', namespace: ns });
    expect(await store.prune(12)).toMatch(
      /^could not prune release record\(s\) 1, 2 of shop\/staging \(HTTP 403 Forbidden: .*\); they stay in the history$/,
    );
    expect(api.requests.filter((r) => r.method === 'DELETE')).toHaveLength(2);
  });

  it('creating a record deletes nothing (pruning waits until the release is decided)', async () => {
    const records = Array.from({ length: 11 }, (_, i) => rec(i + 1));
    const answer = sessionApi(records);
    api = await fakeApi((r) => (r.method === 'POST' ? { status: 201, body: r.body } : answer(r)));
    const store = new ReleaseStore(api.cluster, { app: 'shop', environment: 'staging', namespace: ns });
    const { objects: _o, ...made } = await store.create({ ...rec(0), status: 'pending' });
    expect(made.revision).toBe(12);
    expect(api.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
  });

  it('a lock release refused (500) warns; the command keeps its own result', async () => {
    api = await fakeApi(
      sessionApi([], { leaseAtRelease: status(500, 'InternalError', 'etcdserver: request timed out') }),
    );
    const io = captureIo();
    expect(await withSession(targetOf(io), api.cluster, async () => 0)).toBe(0);
    expect(io.stderr.join('')).toMatch(
      /warning: could not release the deploy lock .*HTTP 500 InternalError: etcdserver: request timed out.*expires by itself/,
    );
  });

  it('the command’s own error wins over a lock release error', async () => {
    api = await fakeApi(sessionApi([], { leaseAtRelease: 'reset' }));
    const io = captureIo();
    const e = await caught(
      withSession(targetOf(io), api.cluster, async () => {
        throw new EngineError('the real failure');
      }),
    );
    expect(e.message).toBe('the real failure');
  });
});

describe('rollback checks the target revision’s kinds', () => {
  it('refuses, changing nothing, when the revision holds a kind the cluster no longer serves', async () => {
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'shop-web', namespace: ns },
    };
    api = await fakeApi(sessionApi([rec(1, [rollout]), rec(2, [rollout])]));
    process.env.KUBECONFIG = api.kubeconfig;
    const e = await caught(rollback(targetOf(captureIo()), { context: 'fake', timeoutSeconds: 5 } as never));
    expect(e.message).toBe(
      'the cluster does not serve every kind this environment uses; nothing was changed',
    );
    expect((e as EngineError & { detail?: string }).detail).toMatch(/Rollout \(argoproj\.io\/v1alpha1\)/);
    expect(api.requests.filter((r) => !['GET', 'POST', 'DELETE'].includes(r.method))).toEqual([]);
    expect(api.requests.filter((r) => r.method === 'POST' && !r.path.includes('/leases'))).toEqual([]);
  });
});
