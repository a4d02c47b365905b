/**
 * Slipway's benchmark runner: `npm run bench [-- --filter <substr>] [-- --json <file>]`.
 * Builds dist/ when stale, runs each case of bench/cases/index.ts, prints one aligned table.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { CASES } from './cases/index.ts';
import { ensureBuilt } from './lib/build.ts';
import { progress, takeNotes } from './lib/log.ts';
import { BenchFailure, type Row } from './lib/types.ts';

const USAGE = `usage: npm run bench -- [--filter <substr>] [--json <file>]

  --filter <substr>  run only the cases whose id contains <substr>
  --json <file>      also write the rows as JSON to <file>

cases: ${CASES.map((c) => c.id).join(', ')}`;

function parse() {
  try {
    return parseArgs({
      options: {
        filter: { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
}

/** Share of all cores busy over a short window: the load average lags by minutes. */
async function busyShare(windowMs = 500): Promise<number> {
  const sum = () =>
    cpus().reduce(
      (a, c) => {
        const t = c.times;
        return { idle: a.idle + t.idle, total: a.total + t.user + t.nice + t.sys + t.idle + t.irq };
      },
      { idle: 0, total: 0 },
    );
  const a = sum();
  await new Promise((r) => setTimeout(r, windowMs));
  const b = sum();
  const total = b.total - a.total;
  return total > 0 ? 1 - (b.idle - a.idle) / total : 0;
}

async function machine(): Promise<string[]> {
  const cpu = cpus();
  const busy = await busyShare();
  return [
    `node     ${process.version} (${process.execPath})`,
    `cpu      ${cpu[0]?.model.trim() ?? 'unknown'} × ${cpu.length} cores`,
    `os       ${platform()} ${release()}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `load     ${(busy * 100).toFixed(0)}% of the cores busy before starting; load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}${busy > 0.25 ? '  ⚠ the machine is busy: figures will be noisy' : ''}`,
  ];
}

const ms = (x: number | undefined) =>
  x === undefined || Number.isNaN(x) ? '—' : `${x.toFixed(x < 10 ? 2 : 1)} ms`;

export function table(rows: readonly Row[]): string {
  // Peak memory columns only when a case measured it (whole processes).
  const memory = rows.some((r) => r.peakRssMb !== undefined);
  const head = [
    'case',
    'what',
    'median',
    'p90',
    'runs',
    'ratio vs peer',
    ...(memory ? ['peak RSS', 'RSS ratio'] : []),
  ];
  const body = rows.map((r) => [
    r.case,
    r.subject,
    ms(r.medianMs),
    ms(r.p90Ms),
    String(r.runs),
    r.ratio !== null ? `${r.ratio.toFixed(2)}×` : r.peer === null ? '(peer)' : '— (no peer)',
    ...(memory
      ? [
          r.peakRssMb !== undefined ? `${r.peakRssMb.toFixed(0)} MiB` : '',
          r.rssRatio !== undefined && r.rssRatio !== null
            ? `${r.rssRatio.toFixed(2)}×`
            : r.peakRssMb !== undefined && r.peer === null
              ? '(peer)'
              : r.peakRssMb !== undefined
                ? '—'
                : '',
        ]
      : []),
  ]);
  const right = [false, false, true, true, true, true, true, true];
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (right[i] ? c.padStart(width[i] ?? 0) : c.padEnd(width[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(head), line(width.map((w) => '─'.repeat(w))), ...body.map(line)].join('\n');
}

async function main(): Promise<number> {
  const args = parse();
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const selected = CASES.filter((c) => args.filter === undefined || c.id.includes(args.filter));
  if (selected.length === 0) {
    process.stderr.write(`no case matches --filter ${args.filter}\n\n${USAGE}\n`);
    return 2;
  }

  try {
    ensureBuilt(progress);
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    return 1;
  }

  process.stdout.write(
    `Slipway benchmarks — ${new Date().toISOString()}\n${(await machine()).join('\n')}\n\n`,
  );

  const rows: Row[] = [];
  const failures: string[] = [];
  for (const c of selected) {
    progress(`${c.id}: ${c.description}`);
    try {
      rows.push(...(await c.run()));
    } catch (e) {
      const kind = e instanceof BenchFailure ? 'failed' : 'crashed';
      failures.push(`${c.id} ${kind}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  if (rows.length > 0) process.stdout.write(`${table(rows)}\n`);
  const notes = takeNotes();
  if (notes.length > 0) process.stdout.write(`\nNotes:\n${notes.map((n) => `  - ${n}`).join('\n')}\n`);
  process.stdout.write('\nratio = median / the peer’s median (same case): < 1 means Slipway is faster.\n');
  if (rows.some((r) => r.peakRssMb !== undefined))
    process.stdout.write(
      'RSS ratio = median peak resident memory / the peer’s (whole processes): < 1 means Slipway uses less.\n',
    );

  if (args.json !== undefined) {
    writeFileSync(args.json, `${JSON.stringify(rows, null, 2)}\n`);
    process.stdout.write(`rows written to ${args.json}\n`);
  }
  if (failures.length > 0) {
    process.stderr.write(`\n${failures.map((f) => `bench: ${f}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
