/** Steps and job pieces both workflows share. */
import { ACTIONS } from './actions.ts';
import type { NodeInstall, SpecPaths } from './context.ts';
import { literal, script, shellWord } from './text.ts';

export type Step = Record<string, unknown>;
export type Job = Record<string, unknown>;

/** The repository at the commit under test; the token is not left in .git/config. */
export function checkout(): Step {
  return { name: 'Check out', uses: ACTIONS.checkout, with: { 'persist-credentials': false } };
}

/** pnpm (from package.json's `packageManager`), Node.js with the package manager's cache, then the install. */
export function nodeSteps(n: NodeInstall, version: string): Step[] {
  const steps: Step[] = [];
  if (n.pm === 'pnpm')
    steps.push({
      name: 'Set up pnpm',
      uses: ACTIONS.setupPnpm,
      ...(n.dir === '.' ? {} : { with: { package_json_file: literal(`${n.dir}/package.json`) } }),
    });
  steps.push({
    name: `Set up Node.js ${literal(version)}`,
    uses: ACTIONS.setupNode,
    with: {
      'node-version': literal(version),
      ...(n.lockfile ? { cache: n.pm, 'cache-dependency-path': literal(n.lockfile) } : {}),
    },
  });
  steps.push({ name: 'Install dependencies', run: script(literal(n.install)) });
  return steps;
}

/** `defaults.run.working-directory` for a job whose scripts run in a folder other than the root. */
export function runIn(dirFromRoot: string): { defaults?: Job } {
  return dirFromRoot === '.' ? {} : { defaults: { run: { 'working-directory': literal(dirFromRoot) } } };
}

/** `npx --no slipway <command> <spec> …`: the CLI the repository installs, never one fetched on the fly. */
export function slipway(paths: SpecPaths, command: string, ...args: string[]): string {
  return ['npx', '--no', 'slipway', command, shellWord(paths.file), ...args].join(' ');
}
