/**
 * The Node package manager a build uses, read from its install command (`npm ci`, `yarn install
 * --frozen-lockfile`, `pnpm install --frozen-lockfile`), and the commands that follow from it.
 */
export type PackageManager = 'npm' | 'yarn' | 'pnpm';

export function packageManager(install: string): PackageManager {
  const first = install.trim().split(/\s+/)[0] ?? '';
  return first === 'yarn' || first === 'pnpm' ? first : 'npm';
}

/** Run a package.json script with extra arguments passed through to it. */
export function runScript(pm: PackageManager, script: string, extra: readonly string[] = []): string[] {
  if (pm === 'npm') return ['npm', 'run', script, ...(extra.length > 0 ? ['--', ...extra] : [])];
  return [pm, script, ...extra];
}

/** Remove dev dependencies after the build (Yarn 1 has no prune: a production install prunes). */
export function pruneCommand(pm: PackageManager): string {
  if (pm === 'yarn') return 'yarn install --production --frozen-lockfile --ignore-scripts --prefer-offline';
  if (pm === 'pnpm') return 'pnpm prune --prod';
  return 'npm prune --omit=dev';
}

/** The package manager's default start (the `start` script). */
export function startCommand(pm: PackageManager): string[] {
  return [pm, 'start'];
}
