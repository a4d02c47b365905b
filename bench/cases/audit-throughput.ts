/**
 * `slipway audit` on a generated corpus of 10,000 Kubernetes objects (`bench/lib/audit-corpus.ts`),
 * as whole processes, side by side with the static checkers that run on this machine: kube-score on
 * the same 10,000 objects and checkov on the corpus's first 1,000 (checkov takes minutes on the
 * whole corpus; `SLIPWAY_BENCH_CHECKOV_FULL=1` runs it there too, once). Wall time and peak resident
 * memory (GNU time's maximum RSS) of each process, as ratios. kube-linter, the reference,
 * cannot be installed here (see KUBE_LINTER_UNAVAILABLE): its row says so instead of a ratio.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuditCorpus, writeAuditCorpus } from '../lib/audit-corpus.ts';
import { note, progress } from '../lib/log.ts';
import { measure, rowsAgainst, rowsWithoutPeer, type Series, type Stats } from '../lib/measure.ts';
import { CLI, NODE } from '../lib/paths.ts';
import type { BenchCase, Row } from '../lib/types.ts';

const ID = 'audit-throughput';
const OBJECTS = 10_000;
const SLICE = 1_000;
const ROUNDS = 3;
const GNU_TIME = '/usr/bin/time';
const BIN = join(process.env.SLIPWAY_CACHE ?? join(homedir(), '.cache', 'slipway'), 'bin');

/** Why there is no kube-linter column (checked again on 2026-11-23). */
export const KUBE_LINTER_UNAVAILABLE =
  'kube-linter is not installable here: the Go module proxy answers 403 for golang.stackrox.io/kube-linter and github.com/stackrox/kube-linter, and it is not packaged in Debian, PyPI or npm';

interface Tool {
  label: string;
  command: string;
  args: readonly string[];
  cwd: string;
  /** Text its report must contain (checked once, before timing): proof it read the whole corpus. */
  expect?: string;
}

/**
 * Runs the tool under GNU time; exit 0 or 1 (findings) is success, anything else a failure. Output
 * is discarded when timing, and kept for the check run.
 */
function runOnce(
  tool: Tool,
  rssFile: string,
  keepOutput = false,
): { ok: boolean; rssKb: number; why: string; stdout: string } {
  const r = spawnSync(GNU_TIME, ['-f', '%M', '-o', rssFile, tool.command, ...tool.args], {
    cwd: tool.cwd,
    stdio: ['ignore', keepOutput ? 'pipe' : 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  const lines = existsSync(rssFile) ? readFileSync(rssFile, 'utf8').trim().split('\n') : [];
  // GNU time writes "Command exited with non-zero status N" before the figure.
  const rssKb = Number(lines.at(-1));
  const ok = (r.status === 0 || r.status === 1) && Number.isFinite(rssKb);
  const head = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n').slice(0, 3).join(' | ');
  return { ok, rssKb, why: `exit ${r.status ?? r.signal}: ${head}`, stdout: r.stdout ?? '' };
}

/** A measured series that also records each run's peak RSS. */
function series(tool: Tool, work: string): Series & { rss: number[] } {
  const rss: number[] = [];
  const file = join(work, `${tool.label.replace(/\W+/g, '-')}.rss`);
  return {
    label: tool.label,
    rss,
    fn: () => {
      const r = runOnce(tool, file);
      if (!r.ok) throw new Error(`${tool.label} failed during timing (${r.why})`);
      rss.push(r.rssKb);
      return r.rssKb;
    },
  };
}

function withRss(stats: Stats, s: { rss: number[] }): Stats {
  const sorted = [...s.rss].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const kb = sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { ...stats, peakRssMb: kb / 1024 };
}

/** The name of the corpus's last application, which every tool's report names. */
function lastApp(corpus: AuditCorpus): string {
  return `app-${String(corpus.objects / 10 - 1).padStart(4, '0')}`;
}

function slipway(corpus: AuditCorpus): Tool {
  return {
    label: `slipway audit (${corpus.objects} objects)`,
    command: NODE,
    args: [CLI, 'audit', '.'],
    cwd: corpus.dir,
    expect: lastApp(corpus),
  };
}

/** Checks the corpus really is what the timed runs audit: every object loaded, no malformed YAML. */
function checkSlipway(corpus: AuditCorpus): string | undefined {
  const r = spawnSync(NODE, [CLI, 'audit', '.', '--output', 'json'], {
    cwd: corpus.dir,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  if (r.status !== 1) return `slipway audit exited ${r.status} (expected 1: the corpus has findings)`;
  const body = JSON.parse(r.stdout) as { summary?: { objects?: number }; findings: { rule: string }[] };
  if (body.summary?.objects !== corpus.objects)
    return `slipway audit saw ${body.summary?.objects} objects, not ${corpus.objects}`;
  if (body.findings.some((f) => f.rule === 'invalid-yaml' || f.rule === 'invalid-object'))
    return 'the corpus has malformed documents';
  return undefined;
}

async function compare(
  peer: Tool,
  subject: Tool,
  rounds: number,
  work: string,
): Promise<{ peer: Stats; subject: Stats } | string> {
  for (const t of [peer, subject]) {
    const r = runOnce(t, join(work, 'check.rss'), true);
    if (!r.ok) return `${t.label} does not run (${r.why})`;
    if (t.expect !== undefined && !r.stdout.includes(t.expect))
      return `${t.label} did not report on ${t.expect}, the corpus's last application (${r.why})`;
  }
  const [p, s] = [series(peer, work), series(subject, work)];
  const [ps, ss] = await measure([p, s], { warmup: 0, runs: rounds });
  if (!ps || !ss) throw new Error('nothing measured');
  return { peer: withRss(ps, p), subject: withRss(ss, s) };
}

export const auditThroughput: BenchCase = {
  id: ID,
  description: `slipway audit on ${OBJECTS} generated objects vs kube-score (and checkov on ${SLICE}), wall time and peak memory`,
  async run(): Promise<Row[]> {
    if (!existsSync(GNU_TIME)) throw new Error(`${GNU_TIME} (GNU time) is missing: apt-get install time`);
    const work = mkdtempSync(join(tmpdir(), 'slipway-bench-audit-'));
    const corpus = writeAuditCorpus(OBJECTS);
    const slice = writeAuditCorpus(SLICE);
    try {
      const problem = checkSlipway(corpus);
      if (problem) throw new Error(`audit corpus: ${problem}`);
      progress(
        `${ID}: ${corpus.objects} objects in ${corpus.files.length} files (${(corpus.bytes / 2 ** 20).toFixed(1)} MiB)`,
      );
      const rows: Row[] = [];
      let slipway10k: Stats | undefined;

      const kubeScore = join(BIN, 'kube-score');
      if (existsSync(kubeScore)) {
        progress(`${ID}: kube-score vs slipway audit, ${ROUNDS} rounds`);
        const r = await compare(
          {
            label: `kube-score score (${corpus.objects} objects)`,
            command: kubeScore,
            args: ['score', ...corpus.files.map((f) => f.slice(corpus.dir.length + 1))],
            cwd: corpus.dir,
            expect: lastApp(corpus),
          },
          slipway(corpus),
          ROUNDS,
          work,
        );
        if (typeof r === 'string') note(`${ID}: ⚠ NO PEER kube-score: ${r}`);
        else {
          rows.push(...rowsAgainst(ID, r.peer, [r.subject]));
          slipway10k = r.subject;
        }
      } else note(`${ID}: ⚠ NO PEER kube-score: ${kubeScore} is missing (test/e2e/scripts/install-tools.sh)`);

      const checkov = join(BIN, 'checkov');
      const checkovTool = (c: AuditCorpus): Tool => ({
        label: `checkov --framework kubernetes (${c.objects} objects)`,
        command: checkov,
        args: ['-d', '.', '--framework', 'kubernetes', '--quiet', '--compact', '--skip-download'],
        cwd: c.dir,
        expect: lastApp(c),
      });
      if (existsSync(checkov)) {
        progress(`${ID}: checkov vs slipway audit on ${slice.objects} objects, 2 rounds`);
        const r = await compare(checkovTool(slice), slipway(slice), 2, work);
        if (typeof r === 'string') note(`${ID}: ⚠ NO PEER checkov: ${r}`);
        else rows.push(...rowsAgainst(ID, r.peer, [r.subject]));
        if (process.env.SLIPWAY_BENCH_CHECKOV_FULL === '1') {
          progress(`${ID}: checkov vs slipway audit on ${corpus.objects} objects, 1 round (minutes)`);
          const full = await compare(checkovTool(corpus), slipway(corpus), 1, work);
          if (typeof full === 'string') note(`${ID}: ⚠ NO PEER checkov (full corpus): ${full}`);
          else rows.push(...rowsAgainst(ID, full.peer, [full.subject]));
        }
      } else
        note(`${ID}: ⚠ NO PEER checkov: ${checkov} is missing (test/e2e/scripts/install-python-tools.sh)`);

      if (slipway10k) rows.push(...rowsWithoutPeer(ID, 'kube-linter lint', [slipway10k]));
      note(`${ID}: no kube-linter ratio: ${KUBE_LINTER_UNAVAILABLE}`);
      return rows;
    } finally {
      for (const d of [work, corpus.dir, slice.dir]) rmSync(d, { recursive: true, force: true });
    }
  },
};
