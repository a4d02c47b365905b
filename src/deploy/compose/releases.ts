/**
 * The release history on the host: one folder per release under `releases/<N>/` with the record
 * (release.json), the exact compose file that ran (images by content tag, no build sections) and
 * the proxy's Caddyfile as rendered; `current` names the release that serves. Secrets are never
 * stored: compose reads them from the env file at every run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReleaseStatus, ReleaseSummary } from '../driver.ts';
import type { RolloutPlan } from './plan.ts';
import { type StatePaths, writeAtomic } from './state.ts';

export interface ReleaseRecord extends ReleaseSummary {
  project: string;
  /** How the rollout treats each service (roles, replicas, hooks, which the proxy routes to). */
  plan: RolloutPlan;
  /** Images Slipway built for this release, by service (the ones retention may delete). */
  built: Record<string, string>;
  /** Image IDs (content digests) by service. */
  imageIds: Record<string, string>;
  /** `docker compose config --hash` of each service, to tell which release a container runs. */
  configHashes: Record<string, string>;
  /** Why it failed, when it did. */
  failure?: string;
  /** A rollback: the revision it returned to. */
  rollbackOf?: number;
  pid: number;
}

export interface ReleaseFiles {
  compose: string;
  caddyfile?: string;
}

export class ReleaseStore {
  readonly paths: StatePaths;
  constructor(paths: StatePaths) {
    this.paths = paths;
  }

  dir(revision: number): string {
    return join(this.paths.releases, String(revision));
  }

  /** The readable releases, oldest first (unreadable() says which were left out). */
  list(): ReleaseRecord[] {
    return this.read().records;
  }

  /** Each release.json that exists but cannot be read or parsed, with why. */
  unreadable(): { revision: number; file: string; why: string }[] {
    return this.read().unreadable;
  }

  private read() {
    const records: ReleaseRecord[] = [];
    const unreadable: { revision: number; file: string; why: string }[] = [];
    if (!existsSync(this.paths.releases)) return { records, unreadable };
    for (const n of readdirSync(this.paths.releases).filter((x) => /^\d+$/.test(x))) {
      const file = join(this.paths.releases, n, 'release.json');
      try {
        records.push(JSON.parse(readFileSync(file, 'utf8')) as ReleaseRecord);
      } catch (e) {
        // A folder without a record is a release being written; anything else is damage.
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        unreadable.push({ revision: Number(n), file, why: e instanceof Error ? e.message : String(e) });
      }
    }
    records.sort((a, b) => a.revision - b.revision);
    return { records, unreadable };
  }

  get(revision: number): ReleaseRecord | undefined {
    return this.list().find((r) => r.revision === revision);
  }

  currentRevision(): number | undefined {
    try {
      const n = Number(readFileSync(this.paths.current, 'utf8').trim());
      return Number.isInteger(n) && n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  }

  current(): ReleaseRecord | undefined {
    const n = this.currentRevision();
    return n === undefined ? undefined : this.get(n);
  }

  files(revision: number): ReleaseFiles {
    const dir = this.dir(revision);
    const caddy = join(dir, 'Caddyfile');
    return {
      compose: readFileSync(join(dir, 'compose.yaml'), 'utf8'),
      ...(existsSync(caddy) ? { caddyfile: readFileSync(caddy, 'utf8') } : {}),
    };
  }

  nextRevision(): number {
    const all = this.list();
    const dirs = existsSync(this.paths.releases)
      ? readdirSync(this.paths.releases)
          .filter((n) => /^\d+$/.test(n))
          .map(Number)
      : [];
    return Math.max(0, ...all.map((r) => r.revision), ...dirs) + 1;
  }

  /** Writes a new release's files and its record (status pending). */
  create(record: ReleaseRecord, files: ReleaseFiles): void {
    const dir = this.dir(record.revision);
    mkdirSync(dir, { recursive: true });
    writeAtomic(join(dir, 'compose.yaml'), files.compose);
    if (files.caddyfile !== undefined) writeAtomic(join(dir, 'Caddyfile'), files.caddyfile);
    this.save(record);
  }

  save(record: ReleaseRecord): void {
    writeAtomic(join(this.dir(record.revision), 'release.json'), `${JSON.stringify(record, null, 2)}\n`);
  }

  finish(record: ReleaseRecord, status: ReleaseStatus, failure?: string): void {
    record.status = status;
    record.finishedAt = new Date().toISOString();
    if (failure !== undefined) record.failure = failure;
    this.save(record);
  }

  /** Makes `record` the serving release; the one before becomes superseded. */
  promote(record: ReleaseRecord): void {
    const before = this.current();
    if (before && before.revision !== record.revision && before.status === 'deployed')
      this.finish(before, 'superseded');
    this.finish(record, 'deployed');
    writeAtomic(this.paths.current, `${record.revision}\n`);
  }
}

/**
 * Warnings for release records that cannot be read: left out of the history, and — when it is
 * the current one — the next deploy is an install with nothing to roll back to.
 */
export function unreadableWarnings(store: ReleaseStore): string[] {
  const current = store.currentRevision();
  return store
    .unreadable()
    .map((u) =>
      u.revision === current
        ? `warning: the record of the current release ${u.revision} (${u.file}) cannot be read (${u.why}): a deploy treats ${store.paths.env} as new — an install with no release to roll back to. Restore the file (from a backup) before deploying\n`
        : `warning: ${u.file} cannot be read (${u.why}): release ${u.revision} is left out of the history\n`,
    );
}

/** The releases as `slipway history` shows them. */
export function summaries(records: readonly ReleaseRecord[]): ReleaseSummary[] {
  return records.map((r) => ({
    revision: r.revision,
    status: r.status,
    specHash: r.specHash,
    images: r.images,
    user: r.user,
    startedAt: r.startedAt,
    ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}),
    description: r.failure ? `${r.description} — ${r.failure}`.replace(/^ — /, '') : r.description,
  }));
}
