/** The shapes shared by the runner and every benchmark case. */

/** One measured series. Peer rows (the reference a case compares against) have `peer: null`. */
export interface Row {
  case: string;
  /** What was measured, in words. */
  subject: string;
  /** The subject this row is compared with (its `subject`), or null when this row is the peer. */
  peer: string | null;
  medianMs: number;
  p90Ms?: number;
  runs: number;
  /**
   * medianMs / the peer's medianMs: < 1 means Slipway is faster. Null on peer rows, and on a
   * subject whose peer could not be measured (then `peer` still names it).
   */
  ratio: number | null;
  /** Median peak resident memory of the process, for cases that run whole processes (MiB). */
  peakRssMb?: number;
  /** peakRssMb / the peer's peakRssMb; null on peer rows and when either was not measured. */
  rssRatio?: number | null;
}

export interface BenchCase {
  /** kebab-case, the same as the file name under bench/cases/. */
  id: string;
  description: string;
  run(): Promise<Row[]>;
}

/** A failure that makes the whole bench exit 1 (as opposed to a note about something skipped). */
export class BenchFailure extends Error {
  override name = 'BenchFailure';
}
