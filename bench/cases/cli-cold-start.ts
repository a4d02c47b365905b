/**
 * Whole-process cost of the CLI: spawn `node bin/slipway.js …` and wait for it to exit, against
 * spawning `node -e 0` with the same binary (the floor any Node CLI pays).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { note, progress } from '../lib/log.ts';
import { measure, rowsAgainst, type Series } from '../lib/measure.ts';
import { CLI, EXAMPLES, NODE, ROOT } from '../lib/paths.ts';
import type { BenchCase, Row } from '../lib/types.ts';

const ID = 'cli-cold-start';
const RUNS = 20;
const WARMUP = 3;

function spawnSeries(label: string, args: readonly string[]): Series {
  return {
    label,
    fn: () => {
      const r = spawnSync(NODE, args, { cwd: ROOT, stdio: 'ignore' });
      if (r.status !== 0) throw new Error(`${label} exited ${r.status ?? r.signal} during timing`);
      return r.status;
    },
  };
}

/** Run once with output captured; a benchmark of a failing command would time its error path. */
function check(args: readonly string[]): { ok: true } | { ok: false; why: string } {
  const r = spawnSync(NODE, args, { cwd: ROOT, encoding: 'utf8' });
  if (r.status === 0) return { ok: true };
  const out = `${r.stdout}${r.stderr}`.trim().split('\n').slice(0, 6).join('\n    ');
  return { ok: false, why: `exit ${r.status ?? r.signal}:\n    ${out}` };
}

export const cliColdStart: BenchCase = {
  id: ID,
  description: 'slipway --version and slipway validate as whole processes, vs node -e 0',
  async run(): Promise<Row[]> {
    const cli = relative(ROOT, CLI);
    const series: Series[] = [];
    const version = [cli, '--version'];
    const v = check(version);
    if (!v.ok) throw new Error(`slipway --version fails (${v.why})`);
    series.push(spawnSeries('slipway --version', version));

    const example = join(EXAMPLES, 'vibeyard', 'slipway.yaml');
    const exampleRel = relative(ROOT, example);
    if (!existsSync(example)) {
      note(`cli-cold-start: ${exampleRel} does not exist yet; validate cold start skipped`);
    } else {
      const validate = [cli, 'validate', exampleRel];
      const c = check(validate);
      if (c.ok) series.push(spawnSeries(`slipway validate ${exampleRel}`, validate));
      else note(`cli-cold-start: slipway validate ${exampleRel} fails, so it is not timed (${c.why})`);
    }

    progress(`cli-cold-start: ${series.length + 1} commands × ${RUNS} spawns`);
    const [peer, ...subjects] = await measure([spawnSeries('node -e 0', ['-e', '0']), ...series], {
      warmup: WARMUP,
      runs: RUNS,
    });
    if (!peer) throw new Error('no peer measured');
    return rowsAgainst(ID, peer, subjects);
  },
};
