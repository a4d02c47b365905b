/**
 * The live display while a release rolls out, on stderr (stdout stays for results):
 *   - a terminal: a table redrawn in place, one row per object — waiting / ready / failed, time taken;
 *   - a pipe or CI log: one line per change of an object's state (no redraw codes in logs);
 *   - `--output json`: nothing.
 * Rows show kinds, names and status messages only; no object content (Secret values never appear).
 */
import { type Io, paint } from '../../cli/output.ts';
import type { HealthState, ObjectHealth } from './health.ts';
import { refKey, refLabel } from './refs.ts';

export interface Progress {
  update(all: ObjectHealth[]): void;
  /** Draws the final state (terminal) and stops. */
  done(): void;
}

type Shown = 'waiting' | 'ready' | 'failed';
const SHOWN: Record<HealthState, Shown> = {
  current: 'ready',
  failed: 'failed',
  'in-progress': 'waiting',
  'not-found': 'waiting',
};
const STYLE = { waiting: 'yellow', ready: 'green', failed: 'red' } as const;

export function createProgress(
  io: Io,
  o: { tty?: boolean; now?: () => number; write?: (s: string) => void } = {},
): Progress {
  if (io.format === 'json') return { update() {}, done() {} };
  const tty = o.tty ?? Boolean(process.stderr.isTTY);
  const now = o.now ?? (() => performance.now());
  const write = o.write ?? io.err;
  const started = now();
  const seen = new Map<string, { shown: Shown; message: string; at: number }>();
  let drawnLines = 0;
  let last: ObjectHealth[] = [];
  let finished = false;

  const secs = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

  const table = (rows: ObjectHealth[]): string => {
    const t = now();
    const cells = rows.map((h) => {
      const s = seen.get(refKey(h.ref));
      const shown = SHOWN[h.state];
      const elapsed = shown === 'waiting' ? t - started : (s?.at ?? t) - started;
      return [shown, refLabel(h.ref), secs(elapsed), h.message];
    });
    const w0 = Math.max(7, ...cells.map((c) => (c[1] as string).length));
    return cells
      .map(([shown, label, el, msg]) => {
        const word = paint(io, STYLE[shown as Shown], (shown as string).padEnd(7));
        const line = `  ${word} ${(label as string).padEnd(w0)}  ${(el as string).padStart(6)}  ${msg}`;
        return line.length > 160 ? `${line.slice(0, 159)}…` : line;
      })
      .join('\n');
  };

  const redraw = () => {
    const text = table(last);
    const clear = drawnLines > 0 ? `\x1b[${drawnLines}A\x1b[0J` : '';
    write(`${clear}${text}\n`);
    drawnLines = last.length;
  };

  return {
    update(all) {
      if (finished) return;
      last = all;
      const t = now();
      for (const h of all) {
        const key = refKey(h.ref);
        const shown = SHOWN[h.state];
        const prev = seen.get(key);
        if (prev && prev.shown === shown) continue;
        seen.set(key, { shown, message: h.message, at: t });
        if (!tty && (prev || shown !== 'waiting'))
          write(`  ${refLabel(h.ref)}: ${shown} after ${secs(t - started)} (${h.message})\n`);
      }
      if (tty) redraw();
    },
    done() {
      if (finished) return;
      if (tty && last.length > 0) redraw();
      finished = true;
    },
  };
}
