/**
 * In-process cost of loading a spec (read, parse, shape and meaning checks) and resolving every
 * environment into a Model, against parsing the same file with the `yaml` package alone.
 * Run on each examples/<name>/slipway.yaml and on a generated 500-service spec.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import { writeLargeSpec } from '../lib/large-spec.ts';
import { type Library, library } from '../lib/library.ts';
import { note, progress } from '../lib/log.ts';
import { type MeasureOptions, measure, rowsAgainst } from '../lib/measure.ts';
import { EXAMPLES, ROOT } from '../lib/paths.ts';
import { type BenchCase, BenchFailure, type Row } from '../lib/types.ts';

const ID = 'spec-load-resolve';
const SMALL: MeasureOptions = { warmup: 20, runs: 50, minRuns: 10, budgetMs: 10_000 };
/** A round of the 500-service spec takes ~0.6 s here: fewer runs, same medians-of-N method. */
const LARGE: MeasureOptions = { warmup: 2, runs: 30, minRuns: 10, budgetMs: 25_000 };

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

type Diagnostics = ReturnType<Library['loadSpecFile']>['diagnostics'];

function describe(ds: Diagnostics, max = 5): string {
  return ds
    .slice(0, max)
    .map(
      (d) =>
        `${d.location ? `${d.location.line}:${d.location.column} ` : ''}${d.severity} ${d.code}: ${d.message}`,
    )
    .join('\n    ');
}

function exampleSpecs(): string[] {
  let dirs: string[];
  try {
    dirs = readdirSync(EXAMPLES).sort();
  } catch {
    return [];
  }
  return dirs
    .map((d) => join(EXAMPLES, d, 'slipway.yaml'))
    .filter((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    });
}

async function benchSpec(
  lib: Library,
  label: string,
  file: string,
  shownAs: string,
  opts: MeasureOptions,
  mustBeValid: boolean,
): Promise<Row[]> {
  const first = lib.loadSpecFile(file);
  const errors = first.diagnostics.filter((d) => d.severity === 'error');
  if (!first.loaded || errors.length > 0) {
    const why = `${label} (${shownAs}) does not load: ${errors.length} error(s)\n    ${describe(errors.length > 0 ? errors : first.diagnostics)}`;
    if (mustBeValid) throw new BenchFailure(why);
    note(`${ID}: skipped ${why}`);
    return [];
  }
  const { spec } = first.loaded;
  const envs = Object.keys(spec.environments);
  const bytes = statSync(file).size;
  const services = Object.keys(spec.services).length;
  const warnings = first.diagnostics.length;
  note(
    `${ID}: ${label} = ${shownAs}: ` +
      `${bytes.toLocaleString('en-US')} bytes, ${plural(services, 'service')}, ${plural(envs.length, 'environment')} (${envs.join(', ')})` +
      (warnings > 0
        ? `; ${warnings} warning/info diagnostic(s):\n    ${describe(first.diagnostics, 3)}`
        : ''),
  );

  progress(`${ID}: ${label} (${(bytes / 1024).toFixed(0)} KiB, ${plural(services, 'service')})`);
  const [peer, ...subjects] = await measure(
    [
      {
        label: `${label}: yaml parseDocument().toJS()`,
        fn: () => parseDocument(readFileSync(file, 'utf8')).toJS(),
      },
      { label: `${label}: loadSpecFile (load+validate)`, fn: () => lib.loadSpecFile(file) },
      {
        label: `${label}: resolveEnvironment ×${envs.length} envs`,
        fn: () => envs.map((env) => lib.resolveEnvironment(spec, env)),
      },
    ],
    opts,
  );
  if (!peer) throw new Error('no peer measured');
  return rowsAgainst(ID, peer, subjects);
}

export const specLoadResolve: BenchCase = {
  id: ID,
  description:
    'loadSpecFile and resolveEnvironment (every env) in-process, vs a bare yaml parse of the same file',
  async run(): Promise<Row[]> {
    const lib = await library();
    const rows: Row[] = [];

    const examples = exampleSpecs();
    if (examples.length === 0)
      note(`${ID}: no examples/*/slipway.yaml found; only the generated spec is measured`);
    for (const file of examples) {
      const name = relative(EXAMPLES, join(file, '..'));
      rows.push(...(await benchSpec(lib, name, file, relative(ROOT, file), SMALL, false)));
    }

    const generated = writeLargeSpec(500);
    try {
      rows.push(
        ...(await benchSpec(
          lib,
          'generated-500',
          generated.file,
          'generated at run time into a temp dir',
          LARGE,
          true,
        )),
      );
    } finally {
      rmSync(generated.dir, { recursive: true, force: true });
    }
    return rows;
  },
};
