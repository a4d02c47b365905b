/**
 * The seed documents' YAML blocks, audited as the team would have written them: the known problems of
 * each seed are found, at the right object and field (locations are lines of the seed file itself).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type AuditSource, auditSources } from '../../src/audit/engine.ts';
import type { AuditFinding } from '../../src/audit/types.ts';

/**
 * The seeds sit next to the repository (`../shared/seeds`); from a git worktree elsewhere, next to the
 * main checkout the worktree belongs to.
 */
function seedsDir(): URL {
  const repo = resolve(fileURLToPath(new URL('../..', import.meta.url)));
  const candidates = [join(repo, '../shared/seeds')];
  try {
    const common = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], {
      cwd: repo,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    candidates.push(join(dirname(common), '../shared/seeds'));
  } catch {
    // Not a git checkout: only the folder next to the repository.
  }
  const found = candidates.find((c) => existsSync(c));
  if (found === undefined)
    throw new Error(`the seed documents are not in ${candidates.join(' nor ')}: check out ../shared/seeds`);
  return pathToFileURL(`${found}/`);
}

const SEEDS = seedsDir();
const seedFiles = readdirSync(SEEDS)
  .filter((f) => /^\d{3}_.*\.txt$/.test(f))
  .sort();

interface Block extends AuditSource {
  /** Line of the seed file where the block's first line is. */
  offset: number;
}

/** The ```yaml blocks of a seed, each a source named `<seed>#<n>`. */
function blocks(seed: string): Block[] {
  const text = readFileSync(new URL(seed, SEEDS), 'utf8');
  const out: Block[] = [];
  for (const m of text.matchAll(/^```ya?ml[^\n]*\n([\s\S]*?)^```/gm)) {
    const offset = text.slice(0, m.index).split('\n').length + 1;
    out.push({ path: `${seed}#${out.length}`, text: m[1] ?? '', offset });
  }
  return out;
}

function audit(prefix: string): { findings: AuditFinding[]; seedLine: (f: AuditFinding) => number } {
  const seed = seedFiles.find((f) => f.startsWith(prefix));
  if (!seed) throw new Error(`no seed ${prefix}`);
  const bs = blocks(seed);
  const { findings } = auditSources(bs);
  const offsets = new Map(bs.map((b) => [b.path, b.offset]));
  return { findings, seedLine: (f) => (offsets.get(f.file) ?? 0) + f.line - 1 };
}

/** Line of the seed file where `needle` first occurs at or after line `from` (found by text, not by the engine). */
function lineOf(prefix: string, needle: string, from = 1): number {
  const seed = seedFiles.find((f) => f.startsWith(prefix)) ?? '';
  const lines = readFileSync(new URL(seed, SEEDS), 'utf8').split('\n');
  const i = lines.findIndex((l, n) => n + 1 >= from && l.includes(needle));
  if (i < 0) throw new Error(`"${needle}" not in seed ${prefix}`);
  return i + 1;
}

const on = (fs: AuditFinding[], rule: string, name?: string) =>
  fs.filter((f) => f.rule === rule && (name === undefined || f.object?.name === name));

describe('seed 000 (DevPortal)', () => {
  const { findings, seedLine } = audit('000');
  it('finds the :latest image of the minimal Compose file', () => {
    expect(on(findings, 'compose-unpinned-image', 'devportal').map(seedLine)).toEqual([
      lineOf('000', 'image: veecode/devportal:latest'),
    ]);
  });
  it('finds the Secret with its values inline', () => {
    const s = on(findings, 'secret-in-manifest', 'devportal-secrets');
    expect(s.map(seedLine)).toEqual([lineOf('000', 'stringData:')]);
    expect(s[0]?.message).toContain('GITHUB_APP_PRIVATE_KEY');
  });
  it('finds the missing security context of the Deployment', () => {
    for (const rule of [
      'run-as-non-root',
      'no-read-only-root-fs',
      'pss-restricted-privilege-escalation',
      'pss-restricted-seccomp',
    ])
      expect(on(findings, rule, 'devportal').length, rule).toBeGreaterThan(0);
  });
  it('finds the obsolete Compose version and missing healthchecks, and passes the probes and resources it has', () => {
    expect(on(findings, 'compose-obsolete-version').length).toBe(2);
    expect(on(findings, 'compose-no-healthcheck').length).toBe(3);
    expect(on(findings, 'no-liveness-probe', 'devportal')).toEqual([]);
    expect(on(findings, 'unset-memory-requirements', 'devportal')).toEqual([]);
  });
  it('has no malformed YAML', () => {
    expect(on(findings, 'invalid-yaml')).toEqual([]);
  });
});

describe('seed 001 (Vibeyard)', () => {
  const { findings } = audit('001');
  it('reports the HPA of a Deployment the document never defines', () => {
    expect(on(findings, 'dangling-scale-target', 'vibeyard-hpa').length).toBe(1);
  });
  it('skips the Helm Chart.yaml, values and workflows without errors', () => {
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
});

describe('seed 002 (Plugin Management)', () => {
  const { findings, seedLine } = audit('002');
  it('finds the PodSecurityPolicy, removed in Kubernetes 1.25, at its apiVersion', () => {
    const psp = on(findings, 'removed-api', 'portal-psp');
    expect(psp.map(seedLine)).toEqual([lineOf('002', 'apiVersion: policy/v1beta1')]);
    expect(psp[0]?.column).toBe(13);
    expect(psp[0]?.message).toContain('removed in Kubernetes 1.25');
  });
  it('finds the ServiceMonitor in namespace monitoring that watches only its own namespace', () => {
    const sm = on(findings, 'dangling-servicemonitor', 'portal-frontend');
    expect(sm.map(seedLine)).toEqual([lineOf('002', 'selector:', lineOf('002', 'kind: ServiceMonitor'))]);
    expect(sm[0]?.message).toContain('namespace monitoring');
  });
  it('audits the custom resources (CloudNativePG, RedisFailover, Prometheus) without failing on them', () => {
    expect(on(findings, 'invalid-object')).toEqual([]);
    expect(on(findings, 'rule-failed')).toEqual([]);
  });
});

describe('seed 003 (AutoDevHub)', () => {
  const { findings, seedLine } = audit('003');
  it('finds the :latest images at their image values', () => {
    const latest = on(findings, 'latest-tag');
    expect(latest.map((f) => f.object?.name)).toEqual(['autodevhub-frontend', 'autodevhub-backend']);
    expect(latest.map(seedLine)).toEqual([
      lineOf('003', 'image: autodevhub/frontend:latest'),
      lineOf('003', 'image: autodevhub/backend:latest'),
    ]);
    expect(latest.map((f) => f.column)).toEqual([16, 16]);
  });
  it('finds the missing probes and security contexts', () => {
    for (const name of ['autodevhub-frontend', 'autodevhub-backend']) {
      expect(on(findings, 'no-liveness-probe', name).length).toBe(1);
      expect(on(findings, 'no-readiness-probe', name).length).toBe(1);
      expect(on(findings, 'run-as-non-root', name).length).toBeGreaterThan(0);
    }
  });
  it('finds the Ingress backends whose Services are not defined, and the frontend no NetworkPolicy isolates', () => {
    expect(on(findings, 'dangling-ingress').map((f) => f.message)).toEqual([
      expect.stringContaining('autodevhub-backend-service'),
      expect.stringContaining('autodevhub-frontend-service'),
    ]);
    expect(on(findings, 'non-isolated-pod').map((f) => f.object?.name)).toEqual(['autodevhub-frontend']);
  });
  it('finds the ServiceMonitor that selects a Service the document never defines', () => {
    expect(on(findings, 'dangling-servicemonitor').map((f) => f.object?.name)).toEqual([
      'autodevhub-monitor',
    ]);
  });
});

describe('seed 004 (CodeQual)', () => {
  const { findings, seedLine } = audit('004');
  it('finds the :latest image of the Kubernetes Deployment', () => {
    expect(on(findings, 'latest-tag', 'codequal').map(seedLine)).toEqual([
      lineOf('004', 'image: your-registry/codequal:latest'),
    ]);
  });
  it('finds the missing security context and probes', () => {
    expect(on(findings, 'run-as-non-root', 'codequal').length).toBeGreaterThan(0);
    expect(on(findings, 'no-read-only-root-fs', 'codequal').length).toBe(1);
    expect(on(findings, 'no-liveness-probe', 'codequal').length).toBe(1);
  });
  it("finds the Compose file's obsolete version and missing healthchecks, but no inline secret (all interpolated)", () => {
    expect(on(findings, 'compose-obsolete-version').length).toBe(1);
    expect(on(findings, 'compose-no-healthcheck').length).toBe(3);
    expect(on(findings, 'compose-inline-secret')).toEqual([]);
  });
});
