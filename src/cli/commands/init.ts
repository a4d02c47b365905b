/** `slipway init`: detect the app in a folder and write a commented, valid slipway.yaml. I/O and wiring only. */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type Detection, detectApp, type FileReader } from '../../init/detect.ts';
import { isDnsLabel, MAX_APP_NAME, toDnsLabel } from '../../init/names.ts';
import { assertValidSpec, renderSpec } from '../../init/write-spec.ts';
import { UsageError } from '../errors.ts';
import { type Io, json, paint } from '../output.ts';

export interface InitOptions {
  dir: string;
  file: string;
  force: boolean;
  name?: string;
}

/** Project files larger than this are not project manifests; skip rather than read them. */
const MAX_READ_BYTES = 1024 * 1024;

/** Run `slipway init`; returns the exit code. */
export function initCommand(opts: InitOptions, io: Io): number {
  const dir = resolve(opts.dir);
  if (!isDirectory(dir)) {
    throw new UsageError(
      `${opts.dir} is not a folder`,
      'give the app folder with --dir <dir> (default: the current folder)',
    );
  }
  if (opts.name !== undefined && !isDnsLabel(opts.name, MAX_APP_NAME)) {
    const suggestion = toDnsLabel(opts.name, MAX_APP_NAME);
    throw new UsageError(
      `app name "${opts.name}" is not valid`,
      `use at most ${MAX_APP_NAME} lowercase letters, digits and -, starting with a letter${suggestion ? `, e.g. --name ${suggestion}` : ''}`,
    );
  }
  const target = resolve(dir, opts.file);
  const shown = isAbsolute(opts.file) ? opts.file : join(opts.dir, opts.file);
  if (existsSync(target) && !opts.force) {
    throw new UsageError(
      `${shown} already exists`,
      'pass --force to overwrite it, or --file <name> to write another file',
    );
  }

  const detection = detectApp(folderReader(dir), {
    ...(opts.name ? { name: opts.name } : {}),
    folderName: basename(dir),
  });
  const specDir = dirname(target);
  const appDir = relative(specDir, dir).split(sep).join('/');
  const text = renderSpec(detection, { specFile: basename(target), ...(appDir ? { appDir } : {}) });
  assertValidSpec(shown, text, (rel) => existsSync(resolve(specDir, rel)));

  try {
    // wx: never clobber a file that appeared since the check above.
    writeFileSync(target, text, { flag: opts.force ? 'w' : 'wx' });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'EEXIST') throw new UsageError(`${shown} already exists`, 'pass --force to overwrite it');
    throw new UsageError(
      `cannot write ${shown}: ${code}`,
      'check that its folder exists and is writable, or choose another --file',
    );
  }

  report(detection, shown, io);
  return 0;
}

function report(d: Detection, file: string, io: Io): void {
  const services = d.services.map((s) => ({
    name: s.name,
    kind: s.kind,
    ...(s.build?.preset ? { preset: s.build.preset } : {}),
    ...(s.build?.dockerfile
      ? { dockerfile: [s.build.context, s.build.dockerfile].filter(Boolean).join('/') }
      : {}),
    ...(s.image ? { image: s.image } : {}),
    ports: s.ports.map((p) => p.port),
    ...(s.hook ? { hook: s.hook } : {}),
  }));
  const dependencies = d.dependencies.map((x) => ({ name: x.name, type: x.type, version: x.version }));
  const notes = [...d.warnings.map((w) => `warning: ${w}`), ...d.notes];
  if (io.format === 'json') {
    io.out(
      json({
        file,
        detected: {
          app: d.name,
          stack: d.stack,
          summary: d.summary,
          sources: d.sources,
          services,
          dependencies,
          secrets: d.secrets.map((s) => s.name),
          skipped: d.skipped.map((s) => s.name),
        },
        notes,
        warnings: d.warnings,
      }),
    );
    return;
  }
  for (const w of d.warnings) io.err(`${paint(io, ['bold', 'yellow'], 'warning')}: ${w}\n`);
  const lines = [
    `Detected ${d.summary} in app "${d.name}"${d.sources.length ? ` (${d.sources.join(', ')})` : ''}`,
  ];
  for (const s of services) {
    const how = s.preset
      ? `preset ${s.preset}`
      : s.dockerfile
        ? `Dockerfile ${s.dockerfile}`
        : `image ${s.image ?? ''}`;
    const ports = s.ports.length ? `, port ${s.ports.join(', ')}` : '';
    lines.push(`  service ${s.name}: ${s.kind}, ${how}${ports}${s.hook ? `, ${s.hook} hook` : ''}`);
  }
  for (const x of dependencies) lines.push(`  dependency ${x.name}: ${x.type} ${x.version}`);
  if (d.secrets.length)
    lines.push(`  secrets: ${d.secrets.map((s) => s.name).join(', ')} (values not copied)`);
  if (d.notes.length) lines.push('', 'Notes:', ...d.notes.map((n) => `  - ${n}`));
  lines.push(
    '',
    `${paint(io, 'green', '✓')} wrote ${file}`,
    '',
    'Next steps:',
    `  slipway validate ${file}`,
    `  slipway plan ${file}`,
  );
  io.out(`${lines.join('\n')}\n`);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The app folder as detect.ts sees it: small regular files by relative path, nothing outside it. */
export function folderReader(dir: string): FileReader {
  const inside = (rel: string) => {
    const abs = resolve(dir, rel);
    const back = relative(dir, abs);
    return back.startsWith('..') || isAbsolute(back) ? undefined : abs;
  };
  return {
    read(rel) {
      const abs = inside(rel);
      if (!abs) return undefined;
      try {
        const st = statSync(abs);
        if (!st.isFile() || st.size > MAX_READ_BYTES) return undefined;
        return readFileSync(abs, 'utf8');
      } catch {
        return undefined;
      }
    },
    list(rel) {
      const abs = inside(rel);
      if (!abs) return [];
      try {
        return readdirSync(abs);
      } catch {
        return [];
      }
    },
  };
}
