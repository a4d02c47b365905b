/**
 * The real engines and tools the end-to-end suites run, and what happens when one is missing.
 *
 *   tool('kubeconform')                 → absolute path, or throws saying which script installs it
 *   const kc = requireEngine('kubeconform', () => tool('kubeconform'))
 *   kc.it('…', () => run(kc.value, …))  → a normal test when the engine is there;
 *                                        under CI (`$CI` set) a FAILING test when it is not;
 *                                        elsewhere a loud `SKIPPED: …` warning and a skipped test
 *   const kube = withControlPlane(gate) → beforeAll: start-kube.sh (real etcd + kube-apiserver + kwok),
 *                                        afterAll: stop-kube.sh; `kube.kubeconfig`, `kube.kubectl`
 *
 * Everything is installed by the scripts in test/e2e/scripts/ into `$SLIPWAY_CACHE` (default
 * `~/.cache/slipway`): install-tools.sh, install-debian.sh, build-kube.sh.
 */

import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, it } from 'vitest';

export const SLIPWAY_CACHE = process.env.SLIPWAY_CACHE || join(homedir(), '.cache', 'slipway');
export const SCRIPTS = fileURLToPath(new URL('./scripts/', import.meta.url));
const BIN = join(SLIPWAY_CACHE, 'bin');

/** Which script puts each tool in place. */
const INSTALLED_BY: Record<string, string> = {
  kubeconform: 'install-tools.sh',
  'kube-score': 'install-tools.sh',
  helm: 'install-tools.sh',
  actionlint: 'install-tools.sh',
  kwok: 'install-tools.sh',
  etcd: 'install-debian.sh',
  promtool: 'install-debian.sh',
  kubectl: 'build-kube.sh',
  'kube-apiserver': 'build-kube.sh',
  'kube-controller-manager': 'build-kube.sh',
  'kube-scheduler': 'build-kube.sh',
  go: 'install-tools.sh (needs Go on the PATH)',
  checkov: 'install-python-tools.sh',
};

/** Tools with no install script, and the commands that install them. */
const MANUAL_INSTALL: Record<string, string> = {};

/** How to get a tool: the script to run, or the manual command. */
export function howToInstall(name: string): string {
  const script = INSTALLED_BY[name];
  if (script !== undefined) return `run test/e2e/scripts/${script}`;
  const manual = MANUAL_INSTALL[name];
  if (manual !== undefined) return `install it: ${manual}`;
  return 'run test/e2e/scripts/install-tools.sh, install-debian.sh and build-kube.sh';
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

let kubeBinDir: string | undefined;

/** Where build-kube.sh puts kube-apiserver & co. (`build-kube.sh --bin-dir`: reads go.mod, builds nothing). */
export function kubeBin(): string {
  if (kubeBinDir === undefined) {
    kubeBinDir = execFileSync(join(SCRIPTS, 'build-kube.sh'), ['--bin-dir'], {
      encoding: 'utf8',
      env: { ...process.env, SLIPWAY_CACHE },
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  }
  return kubeBinDir;
}

/** The Kubernetes version build-kube.sh pins (`v1.34.4`), or `(unknown)`. */
export function kubeVersion(): string {
  try {
    return execFileSync(join(SCRIPTS, 'build-kube.sh'), ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '(unknown)';
  }
}

/** The absolute path of an installed tool; throws, naming the script that installs it, when it is missing. */
export function tool(name: string): string {
  const candidates = [join(BIN, name)];
  if (MANUAL_INSTALL[name] !== undefined) candidates.push(join(SLIPWAY_CACHE, 'venv', name, 'bin', name));
  if (INSTALLED_BY[name] === 'build-kube.sh') candidates.unshift(join(kubeBin(), name));
  for (const c of candidates) if (executable(c)) return c;
  if (name === 'go') {
    try {
      return execFileSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' }).trim();
    } catch {
      // fall through
    }
  }
  throw new Error(`${name} is not installed (looked for ${candidates.join(', ')}): ${howToInstall(name)}`);
}

// ---------------------------------------------------------------------------------------------------------
// Gating tests on engines

export interface EngineGate<T> {
  readonly name: string;
  /** True when the check passed. */
  readonly ok: boolean;
  /** Why the engine is unusable (empty when ok). */
  readonly reason: string;
  /** What the check returned (e.g. the tool's path); throws when the engine is missing. */
  readonly value: T;
  /** `it` when the engine is there; otherwise a failing test under CI, a skipped one elsewhere. */
  readonly it: (name: string, fn: () => unknown, timeout?: number) => void;
}

const warned = new Set<string>();

/**
 * Runs `check` (which throws, or returns false/undefined, when the engine is missing) once, at collection time.
 * Under CI every engine must exist: tests gated on a missing one FAIL with the reason. Elsewhere they are
 * skipped — never silently: a `SKIPPED:` warning names the engine and how to install it.
 */
export function requireEngine<T>(name: string, check: () => T): EngineGate<Exclude<T, false | undefined>> {
  let value: T | undefined;
  let reason = '';
  try {
    value = check();
    if (value === false || value === undefined) reason = `${name} is not available`;
  } catch (e) {
    reason = e instanceof Error ? e.message : String(e);
  }
  const ok = reason === '';
  if (!ok && !process.env.CI && !warned.has(name)) {
    warned.add(name);
    const how =
      reason.includes('test/e2e/scripts/') || reason.includes('install it:')
        ? ''
        : ` — ${howToInstall(name)}`;
    console.warn(`SKIPPED: ${name}: ${reason}${how}`);
  }
  return {
    name,
    ok,
    reason,
    get value(): Exclude<T, false | undefined> {
      if (!ok) throw new Error(`${name} is not available: ${reason}`);
      return value as Exclude<T, false | undefined>;
    },
    it: gatedIt([{ name, ok, reason }]),
  };
}

/** `it` gated on several engines at once. */
export function needs(...gates: { name: string; ok: boolean; reason: string }[]): EngineGate<true>['it'] {
  return gatedIt(gates);
}

function gatedIt(gates: { name: string; ok: boolean; reason: string }[]): EngineGate<true>['it'] {
  const missing = gates.filter((g) => !g.ok);
  return (name, fn, timeout) => {
    if (missing.length === 0) {
      it(name, fn, timeout);
    } else if (process.env.CI) {
      it(name, () => {
        throw new Error(
          `under CI every engine must exist, but ${missing.map((g) => `${g.name} (${g.reason})`).join('; ')}`,
        );
      });
    } else {
      it.skip(`${name} [SKIPPED: ${missing.map((g) => g.name).join(', ')} missing]`, fn);
    }
  };
}

// ---------------------------------------------------------------------------------------------------------
// Running tools

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a program without a shell; never throws on a non-zero exit (the caller asserts on `code`). */
export function run(
  file: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {},
): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      {
        encoding: 'utf8',
        env: { ...process.env, SLIPWAY_CACHE, ...opts.env },
        cwd: opts.cwd ?? process.cwd(),
        timeout: opts.timeoutMs ?? 300_000,
        maxBuffer: 256 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const err = error as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
        if (err && typeof err.code === 'string') {
          reject(new Error(`${file} could not run: ${err.message}`));
          return;
        }
        if (err?.killed) {
          reject(
            new Error(`${file} ${args.join(' ')} timed out after ${opts.timeoutMs ?? 300_000} ms\n${stderr}`),
          );
          return;
        }
        resolve({
          code: err ? (typeof err.code === 'number' ? err.code : 1) : 0,
          stdout,
          stderr,
          ms: performance.now() - started,
        });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

// ---------------------------------------------------------------------------------------------------------
// The real control plane

export interface ControlPlane {
  /** The kubeconfig start-kube.sh wrote (throws before beforeAll ran or when it failed). */
  readonly kubeconfig: string;
  /** The kubectl matching the server (build-kube.sh's). */
  readonly kubectl: string;
  /** Environment for kubectl: KUBECONFIG set. */
  readonly env: NodeJS.ProcessEnv;
  /** `kubectl <args>` against this control plane. */
  kubectlRun(args: readonly string[], opts?: { timeoutMs?: number; input?: string }): Promise<Run>;
}

/** The engines start-kube.sh needs (it runs none of the install scripts itself). */
export function controlPlaneEngines(): EngineGate<string>[] {
  return ['etcd', 'kwok', 'kubectl', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].map((n) =>
    requireEngine(n, () => tool(n)),
  );
}

/**
 * beforeAll: start-kube.sh (a loopback etcd + kube-apiserver + controller-manager + scheduler + kwok; ~15 s
 * warm), reading the KUBECONFIG it prints. afterAll: stop-kube.sh — unless the control plane was already
 * running before (start-kube.sh reuses one in the same RUN_DIR): then it is left as it was found.
 * Does nothing when one of `gates` is missing (the gated tests fail or skip on their own).
 * RUN_DIR: `$SLIPWAY_E2E_RUN_DIR`, default start-kube.sh's own default (`${TMPDIR:-/tmp}/slipway-kube`).
 */
export function withControlPlane(gates: readonly { ok: boolean }[] = controlPlaneEngines()): ControlPlane {
  const runDir = process.env.SLIPWAY_E2E_RUN_DIR || join(process.env.TMPDIR || tmpdir(), 'slipway-kube');
  let kubeconfig: string | undefined;
  let kubectl: string | undefined;
  let startedHere = false;
  const env = () => ({ RUN_DIR: runDir, SLIPWAY_CACHE });

  beforeAll(async () => {
    if (gates.some((g) => !g.ok)) return;
    const r = await run(join(SCRIPTS, 'start-kube.sh'), [], { env: env(), timeoutMs: 600_000 });
    if (r.code !== 0) {
      throw new Error(
        `start-kube.sh failed (exit ${r.code}):\n${r.stderr.split('\n').slice(-60).join('\n')}`,
      );
    }
    const m = /^export KUBECONFIG=(.+)$/m.exec(r.stdout);
    if (!m) throw new Error(`start-kube.sh printed no KUBECONFIG:\n${r.stdout}\n${r.stderr}`);
    kubeconfig = (m[1] as string).trim();
    startedHere = !/already running, reused/.test(r.stderr);
    const envFile = join(runDir, 'env');
    const fromEnv = existsSync(envFile)
      ? /^KUBECTL=(.+)$/m.exec(readFileSync(envFile, 'utf8'))?.[1]
      : undefined;
    kubectl = fromEnv?.trim() || tool('kubectl');
    console.info(
      `control plane ${startedHere ? 'started' : 'reused'} in ${Math.round(r.ms / 1000)} s (${runDir})`,
    );
  }, 600_000);

  afterAll(async () => {
    if (!startedHere) return;
    const r = await run(join(SCRIPTS, 'stop-kube.sh'), [], { env: env(), timeoutMs: 180_000 });
    if (r.code !== 0) console.warn(`stop-kube.sh failed (exit ${r.code}):\n${r.stderr}`);
  }, 180_000);

  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`the control plane is not up (${what}): see the beforeAll error`);
    return v;
  };
  return {
    get kubeconfig() {
      return need(kubeconfig, 'no KUBECONFIG');
    },
    get kubectl() {
      return need(kubectl, 'no kubectl');
    },
    get env() {
      return { KUBECONFIG: need(kubeconfig, 'no KUBECONFIG') };
    },
    kubectlRun(args, opts = {}) {
      return run(need(kubectl, 'no kubectl'), args, {
        env: { KUBECONFIG: need(kubeconfig, 'no KUBECONFIG') },
        ...opts,
      });
    },
  };
}
