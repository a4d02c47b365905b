/** `slipway history` output, the same for both engines: newest first, text table or JSON records. */
import { type Io, json } from '../cli/output.ts';
import type { ReleaseSummary } from './driver.ts';

export function printHistory(io: Io, env: string, releases: readonly ReleaseSummary[]): void {
  const newestFirst = [...releases].sort((a, b) => b.revision - a.revision);
  if (io.format === 'json') {
    io.out(json({ environment: env, releases: newestFirst }));
    return;
  }
  if (newestFirst.length === 0) {
    io.out(`no releases of ${env} yet\n`);
    return;
  }
  const rows = newestFirst.map((r) => [
    String(r.revision),
    r.status,
    r.startedAt.replace(/\.\d+Z$/, 'Z'),
    r.specHash.slice(0, 12),
    r.user,
    r.description,
  ]);
  const head = ['REVISION', 'STATUS', 'STARTED', 'SPEC', 'BY', 'DESCRIPTION'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  io.out(`${[line(head), ...rows.map(line)].join('\n')}\n`);
}
