/**
 * Where the upstream documents the oracles read live: the Go module cache.
 *
 *   - `k8s.io/kubernetes@<patch>` of each supported minor: the patch is the one Slipway's own schema bundle
 *     was derived from (`loadBundle().sources.kubernetes`, also listed in `src/verify/schema/data/SOURCES.md`);
 *   - the CustomResourceDefinition manifests of the operators Slipway targets: module, version, file and the
 *     kinds each file serves, read from the generated `SOURCES.md` table (written by `scripts/derive-schemas.ts`
 *     from its pins; that script runs its `main()` on import, so its constants cannot be imported).
 *
 * Nothing here is hand-written schema: every document is read from the module cache, and downloaded with
 * `go mod download` when it is missing.
 */

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBundle } from '../../../src/verify/schema/bundle.ts';

const SOURCES_MD = new URL('../../../src/verify/schema/data/SOURCES.md', import.meta.url);

let modCache: string | undefined;

/** `$GOMODCACHE`, else `go env GOMODCACHE`, else `~/go/pkg/mod`. */
export function goModCache(): string {
  if (modCache !== undefined) return modCache;
  let dir = process.env.GOMODCACHE;
  if (!dir) {
    try {
      dir = execFileSync('go', ['env', 'GOMODCACHE'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      dir = '';
    }
  }
  modCache = dir || join(process.env.GOPATH ?? join(homedir(), 'go'), 'pkg', 'mod');
  return modCache;
}

/** The module cache's case encoding: every upper-case letter becomes `!` + its lower case. */
function escapeModulePath(path: string): string {
  return path.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

/** The extracted directory of `module@version`, downloading it with `go mod download` when missing. */
export function moduleDir(module: string, version: string): string {
  const dir = join(goModCache(), `${escapeModulePath(module)}@${version}`);
  if (existsSync(dir)) return dir;
  const work = mkdtempSync(join(tmpdir(), 'slipway-e2e-mod-'));
  try {
    writeFileSync(join(work, 'go.mod'), 'module slipway.invalid/e2e\n\ngo 1.22\n');
    let out: string;
    try {
      out = execFileSync('nice', ['-n', '10', 'go', 'mod', 'download', '-json', `${module}@${version}`], {
        cwd: work,
        env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message?: string };
      out = err.stdout ?? '';
      if (!out.includes('"Dir"')) {
        throw new Error(`go mod download ${module}@${version} failed: ${err.stderr || err.message}`);
      }
    }
    const info = JSON.parse(out) as { Dir?: string; Error?: string };
    if (info.Dir === undefined || !existsSync(info.Dir)) {
      throw new Error(`go mod download ${module}@${version}: ${info.Error ?? 'no Dir'}`);
    }
    return info.Dir;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `1.33` → `{ module: 'k8s.io/kubernetes', version: 'v1.33.13' }`, the patch Slipway's bundle was derived from. */
export function kubernetesModule(minor: string): { module: string; version: string } {
  const source = loadBundle().sources.kubernetes[minor];
  if (source === undefined) throw new Error(`Slipway's schema bundle has no Kubernetes ${minor}`);
  const [module, version] = source.split('@') as [string, string];
  return { module, version };
}

/** The upstream OpenAPI v2 document of a supported minor. */
export function swaggerPath(minor: string): string {
  const { module, version } = kubernetesModule(minor);
  const file = join(moduleDir(module, version), 'api', 'openapi-spec', 'swagger.json');
  if (!existsSync(file)) throw new Error(`${module}@${version} has no api/openapi-spec/swagger.json`);
  return file;
}

export interface CrdFile {
  module: string;
  version: string;
  /** Path inside the module. */
  file: string;
  /** `<apiVersion>/<kind>` of every version the file's CRDs serve. */
  kinds: string[];
}

let crdFiles: CrdFile[] | undefined;

/** The CRD manifests Slipway's bundle was derived from, from the generated table in SOURCES.md. */
export function crdSources(): CrdFile[] {
  if (crdFiles !== undefined) return crdFiles;
  const md = readFileSync(SOURCES_MD, 'utf8');
  const out: CrdFile[] = [];
  for (const line of md.split('\n')) {
    const m = /^\| `([^`@]+)@([^`]+)` +\| `([^`]+)` +\| (.+?) *\|$/.exec(line);
    if (!m) continue;
    const kinds = [...(m[4] as string).matchAll(/`([^`]+)`/g)].map((k) => k[1] as string);
    out.push({ module: m[1] as string, version: m[2] as string, file: m[3] as string, kinds });
  }
  const fromMd = [...new Set(out.map((c) => `${c.module}@${c.version}`))].sort();
  const fromBundle = [...loadBundle().sources.crds].sort();
  if (out.length === 0 || JSON.stringify(fromMd) !== JSON.stringify(fromBundle)) {
    throw new Error(
      `SOURCES.md lists CRD modules ${fromMd.join(', ') || '(none)'} but the bundle was derived from ` +
        `${fromBundle.join(', ')}: re-run node scripts/derive-schemas.ts`,
    );
  }
  crdFiles = out;
  return out;
}

/** Absolute path of a CRD source file in the module cache. */
export function crdFilePath(c: CrdFile): string {
  const path = join(moduleDir(c.module, c.version), c.file);
  if (!existsSync(path)) throw new Error(`${c.module}@${c.version} has no ${c.file}`);
  return path;
}

/** The CRD source that serves `<apiVersion>/<kind>`, if any. */
export function crdSourceOf(gvk: string): CrdFile | undefined {
  return crdSources().find((c) => c.kinds.includes(gvk));
}

const builtins = new Map<string, Set<string>>();

/** `<apiVersion>/<kind>` of every kind swagger.json declares for a minor (built-in API groups only). */
export function builtinKinds(minor: string): Set<string> {
  let kinds = builtins.get(minor);
  if (kinds === undefined) {
    kinds = new Set();
    const doc = JSON.parse(readFileSync(swaggerPath(minor), 'utf8')) as {
      definitions: Record<
        string,
        { 'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[] }
      >;
    };
    for (const def of Object.values(doc.definitions)) {
      for (const g of def['x-kubernetes-group-version-kind'] ?? []) {
        kinds.add(`${g.group ? `${g.group}/` : ''}${g.version}/${g.kind}`);
      }
    }
    builtins.set(minor, kinds);
  }
  return kinds;
}
