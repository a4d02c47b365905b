/**
 * Release history kept in the cluster, so a team shares it: one Secret per revision (like Helm's
 * `sh.helm.release.v1.<name>.v<N>`), named `slipway.<app>.<env>.v<N>`, type `slipway.dev/release.v1`,
 * labelled for listing, `data.release` = gzip(JSON of the record) (the API shows it base64-encoded).
 *
 * Creating revision N is a `create` of a fixed name: the API server refuses a second create with 409,
 * so two clients can never both write revision N (the loser moves on to N+1). Status changes are
 * read-modify-replace with the resourceVersion as precondition.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import { EngineError } from '../../cli/errors.ts';
import type { ReleaseStatus, ReleaseSummary } from '../driver.ts';
import { apiCode, describeApiError } from './_api-error.ts';
import type { Cluster } from './cluster.ts';

export interface ReleaseRecord extends ReleaseSummary {
  app: string;
  environment: string;
  namespace: string;
  /** Exactly what was applied (rendered; Slipway renders no Secret values). */
  objects: KubernetesObject[];
}

export const RELEASE_SECRET_TYPE = 'slipway.dev/release.v1';
export const LABEL = {
  owner: 'owner',
  app: 'slipway.dev/app',
  environment: 'slipway.dev/environment',
  revision: 'slipway.dev/revision',
  status: 'slipway.dev/status',
} as const;

/** The API server refuses objects over 1 MiB; leave room for metadata. */
const MAX_RECORD_BYTES = 1_000_000;

export function releaseSecretName(app: string, environment: string, revision: number): string {
  return `slipway.${app}.${environment}.v${revision}`;
}

export function releaseSelector(app: string, environment: string): string {
  return `${LABEL.owner}=slipway,${LABEL.app}=${app},${LABEL.environment}=${environment}`;
}

/** The Secret that stores a record (pure). */
export function encodeRecord(r: ReleaseRecord): V1Secret {
  const packed = gzipSync(Buffer.from(JSON.stringify(r), 'utf8'));
  if (packed.length > MAX_RECORD_BYTES)
    throw new EngineError(
      `release record ${r.revision} of ${r.app}/${r.environment} is too large to store (${packed.length} bytes gzipped)`,
      'the API server limits a Secret to 1 MiB; split the application into several specs',
    );
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: RELEASE_SECRET_TYPE,
    metadata: {
      name: releaseSecretName(r.app, r.environment, r.revision),
      namespace: r.namespace,
      labels: {
        [LABEL.owner]: 'slipway',
        [LABEL.app]: r.app,
        [LABEL.environment]: r.environment,
        [LABEL.revision]: String(r.revision),
        [LABEL.status]: r.status,
      },
    },
    data: { release: packed.toString('base64') },
  };
}

/** The record a Secret stores (pure); throws EngineError naming the Secret when it cannot be read. */
export function decodeRecord(s: V1Secret): ReleaseRecord {
  const name = s.metadata?.name ?? '(unnamed)';
  const data = s.data?.release;
  try {
    if (data === undefined) throw new Error('no data.release');
    const r = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as ReleaseRecord;
    if (typeof r.revision !== 'number' || typeof r.status !== 'string' || !Array.isArray(r.objects))
      throw new Error('not a release record');
    return r;
  } catch (e) {
    throw new EngineError(
      `release record Secret ${s.metadata?.namespace ?? ''}/${name} cannot be read`,
      `${e instanceof Error ? e.message : String(e)}\n  = hint: delete it (kubectl delete secret ${name} -n ${s.metadata?.namespace ?? '<namespace>'}) if it is not needed`,
    );
  }
}

/**
 * Which records to delete to keep at most `limit` (pure): the oldest first, never the newest
 * `deployed` one (what runs now) nor `keep` (the record just written).
 */
export function recordsToPrune(records: readonly ReleaseRecord[], limit: number, keep?: number): number[] {
  const sorted = [...records].sort((a, b) => a.revision - b.revision);
  const current = [...sorted].reverse().find((r) => r.status === 'deployed')?.revision;
  let excess = sorted.length - Math.max(1, limit);
  const out: number[] = [];
  for (const r of sorted) {
    if (excess <= 0) break;
    if (r.revision === current || r.revision === keep) continue;
    out.push(r.revision);
    excess--;
  }
  return out;
}

export class ReleaseStore {
  readonly app: string;
  readonly environment: string;
  readonly namespace: string;
  readonly limit: number;
  readonly #cluster: Cluster;

  constructor(cluster: Cluster, o: { app: string; environment: string; namespace: string; limit?: number }) {
    this.#cluster = cluster;
    this.app = o.app;
    this.environment = o.environment;
    this.namespace = o.namespace;
    this.limit = o.limit ?? 10;
  }

  /** Every stored record, oldest first. */
  async list(): Promise<ReleaseRecord[]> {
    const secrets = await this.#call('list the release records', () =>
      this.#cluster.core.listNamespacedSecret({
        namespace: this.namespace,
        labelSelector: releaseSelector(this.app, this.environment),
      }),
    );
    return secrets.items
      .filter((s) => s.type === RELEASE_SECRET_TYPE)
      .map(decodeRecord)
      .sort((a, b) => a.revision - b.revision);
  }

  async get(revision: number): Promise<ReleaseRecord | undefined> {
    const s = await this.#read(revision);
    return s && decodeRecord(s);
  }

  /** The newest record with status `deployed` (what runs now). */
  async current(): Promise<ReleaseRecord | undefined> {
    return (await this.list()).reverse().find((r) => r.status === 'deployed');
  }

  /** Writes the next revision (create-only: a concurrent writer makes this one retry with N+1). */
  async create(r: Omit<ReleaseRecord, 'revision'>): Promise<ReleaseRecord> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const existing = await this.list();
      const revision = (existing.at(-1)?.revision ?? 0) + 1;
      const record: ReleaseRecord = { ...r, revision };
      try {
        await this.#cluster.core.createNamespacedSecret({
          namespace: this.namespace,
          body: encodeRecord(record),
        });
      } catch (e) {
        if (apiCode(e) === 409) continue; // another client took this revision: recount
        throw new EngineError(
          `could not store release record ${revision} in namespace ${this.namespace}`,
          describeApiError(e),
        );
      }
      return record;
    }
    throw new EngineError(
      `could not store a release record of ${this.app}/${this.environment}: other clients kept taking the next revision`,
      'another deploy is writing releases at the same time; retry when it is done',
    );
  }

  /** Changes a record's status. Setting `deployed` marks the previously deployed record `superseded`. */
  async setStatus(
    revision: number,
    status: ReleaseStatus,
    extra: { finishedAt?: string; description?: string } = {},
  ): Promise<void> {
    await this.#update(revision, (r) => ({ ...r, status, ...extra }));
    if (status !== 'deployed') return;
    for (const r of await this.list())
      if (r.status === 'deployed' && r.revision !== revision)
        await this.#update(r.revision, (old) => ({ ...old, status: 'superseded' }));
  }

  async #update(revision: number, change: (r: ReleaseRecord) => ReleaseRecord): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const s = await this.#read(revision);
      if (!s)
        throw new EngineError(
          `release ${revision} of ${this.app}/${this.environment} does not exist in namespace ${this.namespace}`,
        );
      const next = encodeRecord(change(decodeRecord(s)));
      next.metadata = { ...next.metadata, resourceVersion: s.metadata?.resourceVersion as string };
      try {
        await this.#cluster.core.replaceNamespacedSecret({
          name: releaseSecretName(this.app, this.environment, revision),
          namespace: this.namespace,
          body: next,
        });
        return;
      } catch (e) {
        if (apiCode(e) === 409) continue; // changed under us: read again
        throw new EngineError(`could not update release record ${revision}`, describeApiError(e));
      }
    }
    throw new EngineError(`release record ${revision} kept changing while being updated`, 'retry');
  }

  async #read(revision: number): Promise<V1Secret | undefined> {
    try {
      return await this.#cluster.core.readNamespacedSecret({
        name: releaseSecretName(this.app, this.environment, revision),
        namespace: this.namespace,
      });
    } catch (e) {
      if (apiCode(e) === 404) return undefined;
      throw new EngineError(`could not read release record ${revision}`, describeApiError(e));
    }
  }

  /**
   * Deletes records beyond the history limit, never `keep` nor the deployed one. Best-effort: a
   * record that cannot be deleted (RBAC without `delete` on Secrets) only lengthens the history, so
   * this returns a warning instead of failing a release that is already decided.
   */
  async prune(keep: number): Promise<string | undefined> {
    const failed: string[] = [];
    let why = '';
    for (const revision of recordsToPrune(await this.list(), this.limit, keep)) {
      try {
        await this.#cluster.core.deleteNamespacedSecret({
          name: releaseSecretName(this.app, this.environment, revision),
          namespace: this.namespace,
        });
      } catch (e) {
        if (apiCode(e) === 404) continue;
        failed.push(String(revision));
        why = describeApiError(e);
      }
    }
    return failed.length > 0
      ? `could not prune release record(s) ${failed.join(', ')} of ${this.app}/${this.environment} (${why}); they stay in the history`
      : undefined;
  }

  async #call<T>(what: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw new EngineError(`could not ${what} in namespace ${this.namespace}`, describeApiError(e));
    }
  }
}
