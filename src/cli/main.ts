/**
 * The `slipway` command line: parsing and wiring only. Each command lives in its own file under
 * commands/ and is imported when run, so `slipway --version` starts fast.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { EngineError, EXIT, UsageError, ValidationError } from './errors.ts';
import { colorEnabled, formatDiagnostics, type Io, json, paint } from './output.ts';

export const VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;

const outputOption = () =>
  new Option('--output <format>', 'output format').choices(['text', 'json']).default('text');

function ioFor(format: string): Io {
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    color: colorEnabled(process.stderr),
    format: format === 'json' ? 'json' : 'text',
  };
}

function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

export function buildProgram(
  run: (fn: () => Promise<number> | number, format: string) => Promise<void>,
): Command {
  const program = new Command('slipway')
    .description('Describe an application once; render, verify and deploy its whole deployment architecture.')
    .version(VERSION, '-v, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) })
    .addHelpText(
      'after',
      `\nExit codes: 0 ok, 1 findings, 2 invalid input or usage, 3 engine or deploy failure.\nDocs: docs/cli.md, docs/spec.md, docs/errors.md`,
    );

  program
    .command('validate')
    .description('check a spec: shape, names, references and every environment, all problems at once')
    .argument('<spec>', 'path to slipway.yaml')
    .addOption(outputOption())
    .addHelpText(
      'after',
      examples(
        'slipway validate slipway.yaml',
        'slipway validate examples/vibeyard/slipway.yaml --output json',
      ),
    )
    .action((spec: string, o: { output: string }) =>
      run(
        async () => (await import('./commands/validate.ts')).validateCommand(spec, ioFor(o.output)),
        o.output,
      ),
    );

  program
    .command('plan')
    .description('resolve every environment, render its artifacts and verify them; writes under --out')
    .argument('<spec>', 'path to slipway.yaml')
    .option('-e, --env <name>', 'only this environment')
    .option('-o, --out <dir>', 'output folder', 'deploy')
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 on verify or audit findings at or above')
        .choices(['error', 'warning'])
        .default('error'),
    )
    .addOption(outputOption())
    .addHelpText(
      'after',
      examples('slipway plan slipway.yaml', 'slipway plan slipway.yaml --env prod --out build/deploy'),
    )
    .action((spec: string, o: { env?: string; out: string; failOn: 'error' | 'warning'; output: string }) =>
      run(
        async () =>
          (await import('./commands/plan.ts')).planCommand(
            spec,
            { out: o.out, failOn: o.failOn, ...(o.env ? { env: o.env } : {}) },
            ioFor(o.output),
          ),
        o.output,
      ),
    );

  program
    .command('render')
    .description(
      'render one target (kubernetes, compose, docker, model) for one environment, to files or to stdout',
    )
    .argument('<spec>', 'path to slipway.yaml')
    .option('-e, --env <name>', 'environment (default: every environment of the target)')
    .option(
      '-t, --target <target>',
      'what to render: kubernetes | compose | docker | model | ci | docs | helm',
      'kubernetes',
    )
    .option('-o, --out <dir>', 'write files here (default: print to stdout)')
    .addOption(outputOption())
    .addHelpText(
      'after',
      examples(
        'slipway render slipway.yaml --env prod --target kubernetes -o deploy/prod/kubernetes',
        'slipway render slipway.yaml --env staging | kubectl apply --dry-run=server -f -',
      ),
    )
    .action((spec: string, o: { env?: string; target: string; out?: string; output: string }) =>
      run(
        async () =>
          (await import('./commands/render.ts')).renderCommand(
            spec,
            { target: o.target, ...(o.env ? { env: o.env } : {}), ...(o.out ? { out: o.out } : {}) },
            ioFor(o.output),
          ),
        o.output,
      ),
    );

  program
    .command('verify')
    .description(
      'render in memory and verify: official Kubernetes schemas (strict) per environment version, removed APIs, and the audit rules (Kubernetes and Compose)',
    )
    .argument('<spec>', 'path to slipway.yaml')
    .option('-e, --env <name>', 'only this environment')
    .option('-o, --out <dir>', 'the folder plan writes to, for file names in findings', 'deploy')
    .addOption(
      new Option('--fail-on <severity>', 'exit 1 on findings at or above')
        .choices(['error', 'warning'])
        .default('error'),
    )
    .addOption(outputOption())
    .addHelpText(
      'after',
      examples(
        'slipway verify slipway.yaml',
        'slipway verify slipway.yaml --env prod --fail-on warning --output json',
      ),
    )
    .action((spec: string, o: { env?: string; out: string; failOn: 'error' | 'warning'; output: string }) =>
      run(
        async () =>
          (await import('./commands/verify.ts')).verifyCommand(
            spec,
            { out: o.out, failOn: o.failOn, ...(o.env ? { env: o.env } : {}) },
            ioFor(o.output),
          ),
        o.output,
      ),
    );

  program
    .command('audit')
    .description(
      'policy rules on any Kubernetes YAML (multi-document, Lists, Helm/Kustomize output) and Compose files',
    )
    .argument('<paths...>', 'files, folders (walked for *.yaml, *.yml) or - for standard input')
    .addOption(
      new Option(
        '--fail-on <severity>',
        'exit 1 on findings at or above (default: error, or the config)',
      ).choices(['error', 'warning', 'info']),
    )
    .addOption(
      new Option('--output <format>', 'output format').choices(['text', 'json', 'sarif']).default('text'),
    )
    .option('--config <path>', 'audit configuration (default: .slipway/audit.yaml when present)')
    .option(
      '--kubernetes-version <version>',
      'target Kubernetes minor for version-aware rules (default: 1.34)',
    )
    .addHelpText(
      'after',
      examples(
        'slipway audit k8s/',
        'helm template my-chart | slipway audit - --fail-on warning',
        'slipway audit deploy/ compose.yaml --output sarif > audit.sarif',
      ),
    )
    .action(
      (
        paths: string[],
        o: {
          failOn?: 'error' | 'warning' | 'info';
          output: 'text' | 'json' | 'sarif';
          config?: string;
          kubernetesVersion?: string;
        },
      ) =>
        run(
          async () =>
            (await import('./commands/audit.ts')).auditCommand(
              paths,
              {
                output: o.output,
                toolVersion: VERSION,
                ...(o.failOn ? { failOn: o.failOn } : {}),
                ...(o.config ? { config: o.config } : {}),
                ...(o.kubernetesVersion ? { kubernetesVersion: o.kubernetesVersion } : {}),
              },
              ioFor(o.output),
            ),
          o.output,
        ),
    );

  // Deploy family: each acts on one environment, through the driver of its target (src/deploy/).
  const engineFlags = (c: Command) =>
    c
      .argument('<spec>', 'path to slipway.yaml')
      .option('-e, --env <name>', 'environment (required when the spec has several)')
      .option('--context <name>', "kubernetes: kubeconfig context (default: the environment's context)")
      .option(
        '--state-dir <dir>',
        'compose: release history folder (default: $SLIPWAY_STATE_DIR or ~/.local/state/slipway)',
      )
      .addOption(outputOption());

  engineFlags(program.command('deploy'))
    .description('build, apply and wait for health; roll back automatically when the release fails (exit 3)')
    .option('--image-tag <tag>', 'tag for the images Slipway builds (default: a content hash)')
    .option('--registry <prefix>', "registry for built images (overrides the spec's)")
    .option('--timeout <duration>', 'deadline for the release to become healthy', '5m')
    .option('--no-atomic', 'keep a failed release in place instead of rolling back')
    .option('--force-conflicts', 'kubernetes: take ownership of fields other field managers own', false)
    .option('--description <text>', 'stored with the release record')
    .addHelpText(
      'after',
      examples(
        'slipway deploy slipway.yaml --env prod',
        'slipway deploy slipway.yaml --env staging --image-tag $GITHUB_SHA --registry ghcr.io/acme',
      ),
    )
    .action((spec: string, o: import('./commands/deploy.ts').DeployFlags & { output: string }) =>
      run(
        async () => (await import('./commands/deploy.ts')).deployCommand(spec, o, ioFor(o.output)),
        o.output,
      ),
    );

  engineFlags(program.command('rollback'))
    .description('deploy an earlier release again, as a new release (default: the one before the current)')
    .option('--to <revision>', 'the release to return to (slipway history lists them)')
    .option('--timeout <duration>', 'deadline for the release to become healthy', '5m')
    .addHelpText(
      'after',
      examples('slipway rollback slipway.yaml --env prod', 'slipway rollback slipway.yaml --env prod --to 3'),
    )
    .action(
      (
        spec: string,
        o: {
          env?: string;
          to?: string;
          timeout: string;
          context?: string;
          stateDir?: string;
          output: string;
        },
      ) =>
        run(
          async () => (await import('./commands/rollback.ts')).rollbackCommand(spec, o, ioFor(o.output)),
          o.output,
        ),
    );

  // The operate family: one driver call each (src/cli/commands/operate.ts).
  const operations: {
    name: import('./commands/operate.ts').OperateMethod;
    what: string;
    example: string;
    extra?: (c: Command) => Command;
  }[] = [
    {
      name: 'history',
      what: 'the releases of an environment, newest first',
      example: 'slipway history slipway.yaml --env prod',
      extra: (c) => c.option('--max <n>', 'show at most n releases'),
    },
    {
      name: 'status',
      what: 'what runs now: per service release, health and uptime; drift from the last release',
      example: 'slipway status slipway.yaml --env prod',
    },
    {
      name: 'diff',
      what: 'what a deploy would change, object by object (exit 1 when it would change something)',
      example: 'slipway diff slipway.yaml --env staging',
    },
    {
      name: 'down',
      what: 'stop and remove an environment; volumes are kept unless --volumes',
      example: 'slipway down slipway.yaml --env dev',
      extra: (c) => c.option('--volumes', 'also delete data volumes', false),
    },
    {
      name: 'promote',
      what: 'blue-green: switch traffic to the new colour now',
      example: 'slipway promote slipway.yaml --env prod',
      extra: (c) => c.option('--service <name>', 'only this service (default: every one waiting)'),
    },
    {
      name: 'abort',
      what: 'blue-green: drop the new colour; the old one keeps serving',
      example: 'slipway abort slipway.yaml --env prod',
      extra: (c) => c.option('--service <name>', 'only this service (default: every one waiting)'),
    },
  ];
  for (const op of operations) {
    const c = engineFlags(program.command(op.name)).description(op.what);
    (op.extra ? op.extra(c) : c)
      .addHelpText('after', examples(op.example))
      .action((spec: string, o: import('./commands/operate.ts').OperateFlags & { output: string }) =>
        run(
          async () =>
            (await import('./commands/operate.ts')).operateCommand(op.name, spec, o, ioFor(o.output)),
          o.output,
        ),
      );
  }

  program
    .command('docs')
    .description('write the architecture documents (overview, diagrams, environment matrix, runbooks)')
    .argument('<spec>', 'path to slipway.yaml')
    .option('-o, --out <dir>', 'output folder', 'deploy')
    .addOption(outputOption())
    .addHelpText('after', examples('slipway docs slipway.yaml', 'slipway docs slipway.yaml -o .'))
    .action((spec: string, o: { out: string; output: string }) =>
      run(
        async () =>
          (await import('./commands/render.ts')).renderCommand(
            spec,
            { target: 'docs', out: o.out },
            ioFor(o.output),
          ),
        o.output,
      ),
    );

  program
    .command('envs')
    .description('list the environments of a spec with their target')
    .argument('<spec>', 'path to slipway.yaml')
    .addOption(outputOption())
    .addHelpText('after', examples('slipway envs slipway.yaml', 'slipway envs slipway.yaml --output json'))
    .action((spec: string, o: { output: string }) =>
      run(async () => (await import('./commands/envs.ts')).envsCommand(spec, ioFor(o.output)), o.output),
    );

  program
    .command('explain')
    .description('show the value of a path in one environment and which layer (file:line) set it')
    .argument('<spec>', 'path to slipway.yaml')
    .argument('<path>', 'dotted path, e.g. services.web.replicas')
    .option('-e, --env <name>', 'environment (required)')
    .addOption(outputOption())
    .addHelpText(
      'after',
      examples(
        'slipway explain slipway.yaml --env prod services.web.replicas',
        'slipway explain slipway.yaml --env dev dependencies.db.mode --output json',
      ),
    )
    .action((spec: string, path: string, o: { env?: string; output: string }) =>
      run(
        async () =>
          (await import('./commands/explain.ts')).explainCommand(spec, o.env, path, ioFor(o.output)),
        o.output,
      ),
    );

  program
    .command('schema')
    .description('print the JSON Schema of slipway.yaml (for editors: # yaml-language-server: $schema=…)')
    .addOption(outputOption())
    .addHelpText('after', examples('slipway schema > slipway.schema.json'))
    .action((o: { output: string }) =>
      run(async () => (await import('./commands/schema.ts')).schemaCommand(ioFor(o.output)), o.output),
    );

  program
    .command('init')
    .description('detect the app in a folder and write a commented slipway.yaml')
    .option('-d, --dir <dir>', 'the app folder to inspect', '.')
    .option('-f, --file <name>', 'spec file to write, inside --dir', 'slipway.yaml')
    .option('--name <name>', 'app name (default: from package.json / pyproject.toml / folder name)')
    .option('--force', 'overwrite an existing spec', false)
    .addOption(outputOption())
    .addHelpText('after', examples('slipway init', 'slipway init --dir ./my-app --name shop'))
    .action((o: { dir: string; file: string; name?: string; force: boolean; output: string }) =>
      run(
        async () =>
          (await import('./commands/init.ts')).initCommand(
            { dir: o.dir, file: o.file, force: o.force, ...(o.name ? { name: o.name } : {}) },
            ioFor(o.output),
          ),
        o.output,
      ),
    );

  return program;
}

/** Run the CLI; resolves to the exit code. Never throws. */
export async function main(argv: string[]): Promise<number> {
  // `slipway plan … | head` closes the pipe early: that is the reader's choice, not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  let code: number = EXIT.ok;
  const run = async (fn: () => Promise<number> | number, format: string) => {
    code = await handle(fn, ioFor(format));
  };
  const program = buildProgram(run);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.code === 'commander.help'
      )
        return EXIT.ok;
      // Commander has already printed its message (with a suggestion where it has one).
      return EXIT.invalid;
    }
    return handleError(e, ioFor('text'));
  }
  return code;
}

async function handle(fn: () => Promise<number> | number, io: Io): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    return handleError(e, io);
  }
}

function handleError(e: unknown, io: Io): number {
  if (e instanceof ValidationError) {
    if (io.format === 'json') io.out(json({ valid: false, diagnostics: e.diagnostics }));
    else io.err(`${formatDiagnostics(e.diagnostics, io)}\n`);
    return EXIT.invalid;
  }
  if (e instanceof UsageError) {
    if (io.format === 'json') io.out(json({ error: { kind: 'usage', message: e.message, hint: e.hint } }));
    else
      io.err(
        `${paint(io, ['bold', 'red'], 'error')}: ${e.message}${e.hint ? `\n  ${paint(io, 'cyan', '= hint:')} ${e.hint}` : ''}\n`,
      );
    return EXIT.invalid;
  }
  if (e instanceof EngineError) {
    if (io.format === 'json')
      io.out(json({ error: { kind: 'engine', message: e.message, detail: e.detail } }));
    else io.err(`${paint(io, ['bold', 'red'], 'error')}: ${e.message}${e.detail ? `\n${e.detail}` : ''}\n`);
    return EXIT.engine;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  io.err(
    `${paint(io, ['bold', 'red'], 'internal error')}: ${err.message}\nThis is a bug in Slipway. Please report it with the command you ran` +
      `${process.env.SLIPWAY_DEBUG ? `\n${err.stack}` : ' (set SLIPWAY_DEBUG=1 for details)'}.\n`,
  );
  return EXIT.internal;
}
