/** Build dist/ first when it is missing or older than src/, by spawning `npm run build`. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.ts';

function newest(dir: string, ext: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith(ext)) max = Math.max(max, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return max;
}

function oldest(dir: string, ext: string): number {
  let min = Number.POSITIVE_INFINITY;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith(ext)) min = Math.min(min, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return min;
}

/** Why dist/ needs building, or undefined when it is up to date. */
export function staleReason(): string | undefined {
  const dist = join(ROOT, 'dist');
  if (!existsSync(join(dist, 'index.js'))) return 'dist/ is missing';
  // Every build rewrites all of dist/, so its oldest output must be newer than the newest source.
  if (oldest(dist, '.js') < newest(join(ROOT, 'src'), '.ts')) return 'dist/ is older than src/';
  return undefined;
}

export function ensureBuilt(log: (s: string) => void): void {
  const reason = staleReason();
  if (!reason) return;
  log(`${reason}: running npm run build …`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`npm run build failed (exit ${r.status ?? r.signal ?? r.error?.message}):\n${out}`);
  }
  if (!existsSync(join(ROOT, 'dist', 'index.js')))
    throw new Error('npm run build succeeded but dist/index.js is missing');
}
