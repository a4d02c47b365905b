/**
 * Timing: warm-up runs discarded, then the series of a case run round-robin (A B C A B C …) so
 * drift in machine load lands on subject and peer alike. Medians and nearest-rank p90s.
 */
import { performance } from 'node:perf_hooks';

export interface Series {
  label: string;
  fn: () => unknown;
}

export interface Stats {
  label: string;
  medianMs: number;
  p90Ms: number;
  runs: number;
  /** Median peak resident memory (MiB), when the case measured it (`withPeakRss`). */
  peakRssMb?: number;
}

export interface MeasureOptions {
  warmup: number;
  /** Runs wanted per series. */
  runs: number;
  /** Stop early (but not below `minRuns`) once the measured runs of all series took this long. */
  budgetMs?: number;
  minRuns?: number;
}

/** A sink for results, so no engine can decide a call is dead code. */
export let sink: unknown;

export async function measure(series: readonly Series[], opts: MeasureOptions): Promise<Stats[]> {
  for (let i = 0; i < opts.warmup; i++) for (const s of series) sink = await s.fn();
  const times: number[][] = series.map(() => []);
  const started = performance.now();
  for (let i = 0; i < opts.runs; i++) {
    for (const [k, s] of series.entries()) {
      const t0 = performance.now();
      sink = await s.fn();
      times[k]?.push(performance.now() - t0);
    }
    const spent = performance.now() - started;
    if (opts.budgetMs !== undefined && i + 1 >= (opts.minRuns ?? 1) && spent > opts.budgetMs) break;
  }
  return series.map((s, k) => {
    const t = times[k] ?? [];
    return { label: s.label, medianMs: median(t), p90Ms: percentile(t, 90), runs: t.length };
  });
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** Nearest-rank percentile. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
}

/** The memory fields of a row, when the stats carry them. */
function rss(s: Stats, peer: Stats | null) {
  if (s.peakRssMb === undefined) return {};
  const ratio =
    peer === null || peer.peakRssMb === undefined
      ? null
      : Math.round((s.peakRssMb / peer.peakRssMb) * 1000) / 1000;
  return { peakRssMb: Math.round(s.peakRssMb * 10) / 10, rssRatio: ratio };
}

/** Rows for one peer and the subjects compared with it. */
export function rowsAgainst(caseId: string, peer: Stats, subjects: readonly Stats[]) {
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return [
    {
      case: caseId,
      subject: peer.label,
      peer: null,
      medianMs: r(peer.medianMs),
      p90Ms: r(peer.p90Ms),
      runs: peer.runs,
      ratio: null,
      ...rss(peer, null),
    },
    ...subjects.map((s) => ({
      case: caseId,
      subject: s.label,
      peer: peer.label,
      medianMs: r(s.medianMs),
      p90Ms: r(s.p90Ms),
      runs: s.runs,
      ratio: Math.round((s.medianMs / peer.medianMs) * 1000) / 1000,
      ...rss(s, peer),
    })),
  ];
}

/**
 * Rows for subjects whose peer could not be measured (a tool missing, …): `peer` names the peer
 * that is missing and `ratio` is null — the table prints `—`, never a made-up ratio.
 */
export function rowsWithoutPeer(caseId: string, peerLabel: string, subjects: readonly Stats[]) {
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return subjects.map((s) => ({
    case: caseId,
    subject: s.label,
    peer: peerLabel,
    medianMs: r(s.medianMs),
    p90Ms: r(s.p90Ms),
    runs: s.runs,
    ratio: null,
    ...rss(s, null),
  }));
}
