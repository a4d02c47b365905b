/**
 * The audit's input edge: command-line paths → YAML sources. Folders are walked for `*.yaml` / `*.yml`
 * (hidden folders and node_modules skipped; a Helm chart's `templates/` skipped, since templates are not
 * YAML until rendered); `-` reads standard input. Unreadable input is a problem, reported, never ignored.
 */
import { type Dirent, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { matchesGlob } from './_glob.ts';
import type { AuditSource } from './engine.ts';

export interface ReadProblem {
  path: string;
  message: string;
}

export interface SkippedPath {
  path: string;
  reason: string;
}

export interface ReadResult {
  sources: AuditSource[];
  problems: ReadProblem[];
  skipped: SkippedPath[];
}

export interface ReadOptions {
  /** Paths in findings are relative to this folder. */
  cwd: string;
  /** `ignorePaths` globs are relative to this folder (where `.slipway/` is). */
  root: string;
  ignorePaths: readonly string[];
  readStdin: () => string;
}

const YAML_FILE = /\.ya?ml$/i;

function posix(p: string): string {
  return p.split(sep).join('/');
}

export function readSources(args: readonly string[], options: ReadOptions): ReadResult {
  const out: ReadResult = { sources: [], problems: [], skipped: [] };
  const seen = new Set<string>();
  const display = (abs: string) => {
    const rel = relative(options.cwd, abs);
    return posix(rel === '' ? '.' : isAbsolute(rel) ? abs : rel);
  };
  const ignored = (abs: string) => {
    if (options.ignorePaths.length === 0) return false;
    const rel = posix(relative(options.root, abs));
    if (rel.startsWith('../') || isAbsolute(rel)) return false;
    return options.ignorePaths.some((g) => matchesGlob(rel, g));
  };
  const readOne = (abs: string) => {
    if (seen.has(abs)) return;
    seen.add(abs);
    try {
      out.sources.push({ path: display(abs), text: readFileSync(abs, 'utf8') });
    } catch (e) {
      out.problems.push({ path: display(abs), message: (e as NodeJS.ErrnoException).message });
    }
  };
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      out.problems.push({ path: display(dir), message: (e as NodeJS.ErrnoException).message });
      return;
    }
    const isChart = entries.some((e) => e.isFile() && e.name === 'Chart.yaml');
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const abs = join(dir, e.name);
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      if (ignored(abs)) {
        out.skipped.push({ path: display(abs), reason: 'matches ignorePaths' });
        continue;
      }
      if (e.isDirectory()) {
        if (isChart && e.name === 'templates') {
          out.skipped.push({
            path: display(abs),
            reason: 'Helm chart templates: audit the rendered chart (`helm template … | slipway audit -`)',
          });
          continue;
        }
        walk(abs);
      } else if (e.isFile() && YAML_FILE.test(e.name)) readOne(abs);
    }
  };
  for (const arg of args) {
    if (arg === '-') {
      try {
        out.sources.push({ path: '<stdin>', text: options.readStdin() });
      } catch (e) {
        out.problems.push({ path: '<stdin>', message: (e as Error).message });
      }
      continue;
    }
    const abs = resolve(options.cwd, arg);
    let isDir: boolean;
    try {
      isDir = statSync(abs).isDirectory();
    } catch (e) {
      out.problems.push({
        path: arg,
        message:
          (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (e as Error).message,
      });
      continue;
    }
    if (ignored(abs)) {
      out.skipped.push({ path: display(abs), reason: 'matches ignorePaths' });
      continue;
    }
    if (isDir) walk(abs);
    else readOne(abs);
  }
  return out;
}
