/**
 * Render + verify of Kubernetes manifests, end to end as processes: `slipway verify <spec>` (load,
 * resolve every Kubernetes environment, render, validate every object strictly against the bundled
 * official schemas) against the peer pipeline on equivalent input, `helm template <chart> |
 * kubeconform -strict -summary` for each Kubernetes environment of the same spec. Plus the warm
 * in-process load+render+verify time of the library (no process start, validators compiled).
 * Run on each examples/<name>/slipway.yaml with Kubernetes environments and on a generated
 * 200-service spec with three Kubernetes environments.
 */
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { writeLargeSpec } from '../lib/large-spec.ts';
import { type Library, library } from '../lib/library.ts';
import { note, progress } from '../lib/log.ts';
import { type MeasureOptions, measure, rowsAgainst, rowsWithoutPeer, type Series } from '../lib/measure.ts';
import { CLI, EXAMPLES, NODE, ROOT } from '../lib/paths.ts';
import { type BenchCase, BenchFailure, type Row } from '../lib/types.ts';

const ID = 'render-verify';
/**
 * Every series is run once, with its output checked, before timing (that run is the warm-up, so
 * `warmup` is 0). A round of an example takes ~1 s here; a round of the generated spec ~9 s.
 */
const SMALL: MeasureOptions = { warmup: 0, runs: 10, minRuns: 5, budgetMs: 4_000 };
const LARGE: MeasureOptions = { warmup: 0, runs: 3, minRuns: 3 };
const GENERATED = { services: 200, environments: 3 } as const;

type LoadedSpec = NonNullable<ReturnType<Library['loadSpecFile']>['loaded']>;
type Diagnostics = ReturnType<Library['loadSpecFile']>['diagnostics'];
type Model = ReturnType<Library['resolveEnvironment']>;
type Inputs = Parameters<Library['renderKubernetes']>[1];
type KubeObject = ReturnType<Library['renderKubernetes']>['objects'][number];
type SchemaFinding = ReturnType<Library['validateObjects']>[number];
type SchemaTree = ReturnType<
  typeof import('../../test/e2e/support/kubeconform-schemas.ts').kubeconformSchemas
>;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
const firstLines = (s: string, n = 8) => s.trim().split('\n').slice(0, n).join('\n    ');

// ---------------------------------------------------------------------------------------------------------
// The subject, in-process: what `slipway verify` does, minus the process and the text output

/** What the CLI reads at the edge for rendering (src/cli/_inputs.ts): config files, a sealed secret. */
function renderInputs(loaded: LoadedSpec, model: Model): Inputs {
  const files = new Map<string, string>();
  for (const svc of model.services)
    for (const f of svc.files)
      if (!files.has(f.source)) files.set(f.source, readFileSync(resolve(loaded.dir, f.source), 'utf8'));
  const src = model.environment.secretSource;
  if (src.type === 'sealed-secrets' && src.file) {
    const sealed = parseDocument(readFileSync(resolve(loaded.dir, src.file), 'utf8')).toJS() as KubeObject;
    return { files, sealedSecret: sealed };
  }
  return { files };
}

interface EnvRender {
  env: string;
  /** The environment's Kubernetes minor, e.g. `1.33`. */
  minor: string;
  objects: KubeObject[];
  findings: SchemaFinding[];
  problems: string[];
}

/** Load, then resolve, render and validate every Kubernetes environment. */
function verifyInProcess(
  lib: Library,
  file: string,
): { diagnostics: Diagnostics; envs: EnvRender[] | undefined } {
  const { loaded, diagnostics } = lib.loadSpecFile(file);
  if (!loaded || diagnostics.some((d) => d.severity === 'error')) return { diagnostics, envs: undefined };
  const envs: EnvRender[] = [];
  for (const env of Object.keys(loaded.spec.environments)) {
    const model = lib.resolveEnvironment(loaded.spec, env);
    if (model.environment.target !== 'kubernetes') continue;
    const render = lib.renderKubernetes(model, renderInputs(loaded, model));
    const version = model.environment.kubernetesVersion;
    envs.push({
      env,
      minor: /^v?(\d+\.\d+)/.exec(version)?.[1] ?? version,
      objects: render.objects,
      findings: lib.validateObjects(render.objects, { kubernetesVersion: version }),
      problems: render.problems.map((p) => `${p.specPath}: ${p.message}`),
    });
  }
  return { diagnostics, envs };
}

function describeDiagnostics(ds: Diagnostics, max = 5): string {
  return ds
    .slice(0, max)
    .map(
      (d) =>
        `${d.location ? `${d.location.line}:${d.location.column} ` : ''}${d.severity} ${d.code}: ${d.message}`,
    )
    .join('\n    ');
}

function describeFindings(envs: readonly EnvRender[], max = 10): string {
  return envs
    .flatMap((e) =>
      e.findings.map(
        (f) =>
          `${e.env}: ${f.severity} ${f.rule} ${f.object.kind}/${f.object.name} ${f.path || '/'}: ${f.message}`,
      ),
    )
    .slice(0, max)
    .join('\n    ');
}

// ---------------------------------------------------------------------------------------------------------
// The peer: a Helm chart per environment holding exactly the rendered objects, piped to kubeconform

const SLIPWAY_CACHE = process.env.SLIPWAY_CACHE || join(homedir(), '.cache', 'slipway');
const TOOLS = join(SLIPWAY_CACHE, 'bin');

function tool(name: string): string | undefined {
  const path = join(TOOLS, name);
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

interface Peer {
  helm: string;
  kubeconform: string;
  /** The kubeconform schema tree of a Kubernetes minor (generated on first use, outside timing). */
  schemas(minor: string): SchemaTree;
}

/** The tools and the schema generator, or why the peer cannot run. */
async function peer(): Promise<Peer | string> {
  const helm = tool('helm');
  const kubeconform = tool('kubeconform');
  const missing = [helm ? '' : 'helm', kubeconform ? '' : 'kubeconform'].filter(Boolean);
  if (!helm || !kubeconform)
    return `${missing.join(' and ')} not installed in ${TOOLS} (run test/e2e/scripts/install-tools.sh)`;
  let generator: typeof import('../../test/e2e/support/kubeconform-schemas.ts');
  try {
    generator = await import('../../test/e2e/support/kubeconform-schemas.ts');
  } catch (e) {
    return `cannot load the kubeconform schema generator: ${(e as Error).message}`;
  }
  const trees = new Map<string, SchemaTree>();
  return {
    helm,
    kubeconform,
    schemas(minor) {
      let tree = trees.get(minor);
      if (tree === undefined) {
        // A benchmark never downloads: with the proxy off, a module missing from the Go module
        // cache makes the generator throw instead of fetching it.
        const saved = process.env.GOPROXY;
        process.env.GOPROXY = 'off';
        try {
          tree = generator.kubeconformSchemas(minor);
        } finally {
          if (saved === undefined) delete process.env.GOPROXY;
          else process.env.GOPROXY = saved;
        }
        trees.set(minor, tree);
      }
      return tree;
    },
  };
}

/**
 * A Helm chart whose templates/ hold exactly `objects`, one file per object as Slipway writes it
 * (toYaml), with every `{{` escaped so Helm prints the text verbatim. Returns each template's
 * file name and the text Helm must print for it.
 */
function writeChart(
  lib: Library,
  dir: string,
  env: string,
  objects: readonly KubeObject[],
): Map<string, string> {
  mkdirSync(join(dir, 'templates'), { recursive: true });
  const chart = `bench-${env}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  writeFileSync(
    join(dir, 'Chart.yaml'),
    lib.toYaml({
      apiVersion: 'v2',
      name: chart,
      description: 'generated by bench/cases/render-verify.ts: the objects slipway renders',
      type: 'application',
      version: '0.1.0',
    }),
  );
  const texts = new Map<string, string>();
  objects.forEach((o, i) => {
    const file = `${String(i).padStart(4, '0')}-${o.kind}-${o.metadata.name}.yaml`.toLowerCase();
    const text = lib.toYaml(o);
    writeFileSync(join(dir, 'templates', file), text.replaceAll('{{', '{{ "{{" }}'));
    texts.set(`${chart}/templates/${file}`, text);
  });
  return texts;
}

/** Why Helm's output is not exactly the templates' text (`---`, `# Source: <file>`, the text), if it is not. */
function helmDiffers(output: string, texts: ReadonlyMap<string, string>): string | undefined {
  const parts = output.split(/^---\n# Source: (.+)\n/m);
  if (parts[0]?.trim() !== '')
    return `unexpected text before the first document: ${firstLines(parts[0] ?? '', 2)}`;
  const seen = new Set<string>();
  for (let i = 1; i < parts.length; i += 2) {
    const source = parts[i] ?? '';
    const want = texts.get(source);
    if (want === undefined) return `a document from an unknown template ${source}`;
    if ((parts[i + 1] ?? '').trimEnd() !== want.trimEnd()) return `${source} does not print verbatim`;
    seen.add(source);
  }
  if (seen.size !== texts.size) return `${texts.size - seen.size} of ${texts.size} templates printed nothing`;
  return undefined;
}

interface PeerSetup {
  script: string;
  /** Why the peer is not timed on this spec, when it is not. */
  skip?: string;
}

/**
 * One chart per environment and the script timed: every environment's pipeline, in sequence, in
 * one `bash -c`. Checked by running it once (with Helm's output teed to a file): Helm must print
 * exactly Slipway's objects, verbatim, and kubeconform must find every one valid.
 */
function setupPeer(lib: Library, p: Peer, work: string, envs: readonly EnvRender[]): PeerSetup {
  const pipeline = (chart: string, tree: SchemaTree, tee?: string) =>
    `${quote(p.helm)} template ${quote(chart)} | ${tee === undefined ? '' : `tee ${quote(tee)} | `}` +
    `${quote(p.kubeconform)} -strict -summary ` +
    `-schema-location ${quote(tree.root)} -kubernetes-version ${quote(tree.kubernetesVersion)}`;
  const timed = ['set -eo pipefail'];
  const check = ['set -eo pipefail'];
  const charts = envs.map((e) => {
    const dir = join(work, e.env);
    const texts = writeChart(lib, dir, e.env, e.objects);
    const tree = p.schemas(e.minor);
    const output = join(work, `${e.env}.helm-output.yaml`);
    timed.push(pipeline(dir, tree));
    check.push(pipeline(dir, tree, output));
    return { env: e.env, objects: e.objects.length, texts, output };
  });
  const script = `${timed.join('\n')}\n`;

  const r = spawnSync('bash', ['-c', `${check.join('\n')}\n`], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const summaries = [
    ...r.stdout.matchAll(/^Summary: .*Valid: (\d+), Invalid: (\d+), Errors: (\d+), Skipped: (\d+)/gm),
  ];
  const ok =
    r.status === 0 &&
    summaries.length === charts.length &&
    summaries.every((m, i) => Number(m[1]) === charts[i]?.objects && m.slice(2).every((n) => n === '0'));
  if (!ok)
    return {
      script,
      skip: `helm template | kubeconform does not pass (exit ${r.status ?? r.signal}; kubeconform must find every object valid), so it is not timed:\n    ${firstLines(`${r.stdout}${r.stderr}`, 12)}`,
    };
  for (const c of charts) {
    const why = helmDiffers(readFileSync(c.output, 'utf8'), c.texts);
    if (why !== undefined)
      return { script, skip: `helm template of ${c.env} does not print Slipway's objects verbatim: ${why}` };
  }
  return { script };
}

// ---------------------------------------------------------------------------------------------------------
// One spec

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
  p: Peer | string,
  label: string,
  file: string,
  shownAs: string,
  opts: MeasureOptions,
  mustPass: boolean,
): Promise<Row[]> {
  const problem = (why: string): Row[] => {
    if (mustPass) throw new BenchFailure(`${label} (${shownAs}) ${why}`);
    note(`${ID}: skipped ${label} (${shownAs}): ${why}`);
    return [];
  };

  // The in-process run: also the check that the spec renders and verifies clean.
  const first = verifyInProcess(lib, file);
  if (first.envs === undefined) {
    const errors = first.diagnostics.filter((d) => d.severity === 'error');
    return problem(
      `does not load: ${errors.length} error(s)\n    ${describeDiagnostics(errors.length > 0 ? errors : first.diagnostics)}`,
    );
  }
  const envs = first.envs;
  if (envs.length === 0) {
    note(`${ID}: skipped ${label} (${shownAs}): no kubernetes environment`);
    return [];
  }
  const renderProblems = envs.flatMap((e) => e.problems.map((m) => `${e.env}: ${m}`));
  if (renderProblems.length > 0)
    return problem(`does not render: ${renderProblems.slice(0, 5).join('\n    ')}`);
  const findings = envs.reduce((n, e) => n + e.findings.length, 0);
  if (findings > 0 && (mustPass || envs.some((e) => e.findings.some((f) => f.severity === 'error'))))
    return problem(`does not verify: ${plural(findings, 'finding')}\n    ${describeFindings(envs)}`);

  const cli = relative(ROOT, CLI);
  const specArg = relative(ROOT, file).startsWith('..') ? file : relative(ROOT, file);
  const args = [cli, 'verify', specArg];
  const c = spawnSync(NODE, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (c.status !== 0)
    return problem(
      `slipway verify exits ${c.status ?? c.signal}:\n    ${firstLines(`${c.stdout}${c.stderr}`)}`,
    );

  const objects = envs.reduce((n, e) => n + e.objects.length, 0);
  const minors = [...new Set(envs.map((e) => e.minor))].join(', ');
  const warnings = first.diagnostics.length;
  note(
    `${ID}: ${label} = ${shownAs}: ${plural(objects, 'object')} in ${plural(envs.length, 'kubernetes environment')} ` +
      `(${envs.map((e) => `${e.env} ${e.objects.length}`).join(', ')}; Kubernetes ${minors})` +
      (warnings > 0 ? `; ${plural(warnings, 'warning/info diagnostic')} on load` : '') +
      (findings > 0 ? `; ${plural(findings, 'warning finding')}:\n    ${describeFindings(envs, 3)}` : ''),
  );

  const envWord = plural(envs.length, 'env');
  const peerLabel = `${label}: helm template | kubeconform ×${envWord}`;
  const subjects: Series[] = [
    {
      label: `${label}: slipway verify (${objects} objects)`,
      fn: () => {
        const r = spawnSync(NODE, args, { cwd: ROOT, stdio: 'ignore' });
        if (r.status !== 0)
          throw new Error(`slipway verify ${specArg} exited ${r.status ?? r.signal} during timing`);
        return r.status;
      },
    },
    { label: `${label}: in-process load+render+verify, warm`, fn: () => verifyInProcess(lib, file) },
  ];

  let setup: PeerSetup;
  const work = mkdtempSync(join(tmpdir(), 'slipway-bench-charts-'));
  try {
    if (typeof p === 'string') {
      setup = { script: '', skip: p };
    } else {
      progress(`${ID}: ${label}: writing ${plural(envs.length, 'Helm chart')} and checking the peer`);
      try {
        setup = setupPeer(lib, p, work, envs);
      } catch (e) {
        const why = (e as Error).message.split('\n')[0];
        setup = {
          script: '',
          skip:
            `the peer cannot be set up: ${why}` +
            (why?.includes('go mod download')
              ? ' (the bench never downloads: run npm run test:e2e once to fill the Go module cache)'
              : ''),
        };
      }
    }
    if (setup.skip !== undefined) {
      note(`${ID}: ⚠ NO PEER for ${label}, so no ratio: ${setup.skip}`);
      progress(`${ID}: ${label} (${plural(objects, 'object')}): subject only`);
      return rowsWithoutPeer(ID, peerLabel, await measure(subjects, opts));
    }
    const script = setup.script;
    const peerSeries: Series = {
      label: peerLabel,
      fn: () => {
        const r = spawnSync('bash', ['-c', script], { stdio: 'ignore' });
        if (r.status !== 0) throw new Error(`${peerLabel} exited ${r.status ?? r.signal} during timing`);
        return r.status;
      },
    };
    progress(`${ID}: ${label} (${plural(objects, 'object')}, ${envWord})`);
    const [peerStats, ...stats] = await measure([peerSeries, ...subjects], opts);
    if (!peerStats) throw new Error('no peer measured');
    return rowsAgainst(ID, peerStats, stats);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const renderVerify: BenchCase = {
  id: ID,
  description:
    'slipway verify (load, render, strict schema validation of every kubernetes env) as a process, vs helm template | kubeconform -strict per env',
  async run(): Promise<Row[]> {
    const lib = await library();
    const p = await peer();
    const rows: Row[] = [];

    const examples = exampleSpecs();
    if (examples.length === 0)
      note(`${ID}: no examples/*/slipway.yaml found; only the generated spec is measured`);
    for (const file of examples) {
      const name = relative(EXAMPLES, join(file, '..'));
      rows.push(...(await benchSpec(lib, p, name, file, relative(ROOT, file), SMALL, false)));
    }

    const { services, environments } = GENERATED;
    const generated = writeLargeSpec(services, { environments, target: 'kubernetes' });
    try {
      rows.push(
        ...(await benchSpec(
          lib,
          p,
          `generated-${services}`,
          generated.file,
          `generated at run time into a temp dir, ${generated.bytes.toLocaleString('en-US')} bytes`,
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
