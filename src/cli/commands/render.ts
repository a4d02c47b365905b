/**
 * `slipway render <spec> --env <e> --target <t> [-o <dir>]`: one renderer for one (or every
 * matching) environment. With -o, files are written there; without, Kubernetes objects are
 * streamed as one multi-document YAML (for `| kubectl apply -f -`) and other targets' files are
 * printed with a header each.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolveEnvironment } from '../../model/resolve.ts';
import { APP_RENDERERS, RENDERERS } from '../../render/index.ts';
import { toYaml } from '../../render/yaml.ts';
import type { LoadedSpec } from '../../spec/loader.ts';
import { renderApp } from '../_app.ts';
import { readRenderInputs } from '../_inputs.ts';
import { loadOrThrow, pickEnvironments } from '../_load.ts';
import { problemsToDiagnostics } from '../_problems.ts';
import { UsageError, ValidationError } from '../errors.ts';
import { type Io, json } from '../output.ts';

export function renderCommand(
  file: string,
  opts: { env?: string; target: string; out?: string },
  io: Io,
): number {
  const appRenderer = APP_RENDERERS.find((r) => r.id === opts.target);
  const renderer = RENDERERS.find((r) => r.id === opts.target);
  if (!renderer && !appRenderer) {
    throw new UsageError(
      `unknown target "${opts.target}"`,
      `targets: ${[...RENDERERS, ...APP_RENDERERS].map((r) => r.id).join(', ')}`,
    );
  }
  const { loaded } = loadOrThrow(file, io);
  if (appRenderer) return renderAppTarget(loaded, appRenderer.id, opts, io);
  if (!renderer) throw new UsageError(`unknown target "${opts.target}"`);
  const envs = pickEnvironments(loaded, opts.env).filter((e) => {
    const target = loaded.spec.environments[e]?.target ?? 'compose';
    return (renderer.targets as readonly string[]).includes(target);
  });
  if (envs.length === 0) {
    throw new UsageError(
      opts.env
        ? `environment ${opts.env} does not target ${renderer.targets.join(' or ')}`
        : `no environment targets ${renderer.targets.join(' or ')}`,
      'slipway envs lists each environment with its target',
    );
  }
  const dirFor = (env: string) =>
    opts.out ? (envs.length > 1 || !opts.env ? join(opts.out, env) : opts.out) : join('deploy', env);
  const results = envs.map((env) => {
    const model = resolveEnvironment(loaded.spec, env);
    return { env, model, result: renderer.render(model, readRenderInputs(loaded, model, dirFor(env))) };
  });
  const problems = results.flatMap((r) => problemsToDiagnostics(loaded, r.result.problems));
  if (problems.length > 0) throw new ValidationError(problems);

  if (opts.out) {
    for (const { env, result } of results) {
      const dir = dirFor(env);
      rmSync(dir, { recursive: true, force: true });
      for (const f of result.files) {
        const path = join(dir, f.path.replace(/^kubernetes\//, ''));
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, f.content);
      }
      if (io.format === 'text') io.err(`wrote ${result.files.length} file(s) for ${env} under ${dir}\n`);
    }
    if (io.format === 'json')
      io.out(
        json(
          results.map(({ env, result }) => ({ environment: env, files: result.files.map((f) => f.path) })),
        ),
      );
    return 0;
  }
  if (io.format === 'json') {
    io.out(
      json(
        results.map(({ env, result }) => ({
          environment: env,
          objects: result.kubernetes?.objects,
          files: result.kubernetes ? undefined : result.files,
        })),
      ),
    );
    return 0;
  }
  for (const { result } of results) {
    if (result.kubernetes) io.out(result.kubernetes.objects.map((o) => `---\n${toYaml(o)}`).join(''));
    else for (const f of result.files) io.out(`# ${f.path}\n${f.content}`);
  }
  return 0;
}

/** An app-level target: one output from every environment's model (`--env` is not used). */
function renderAppTarget(loaded: LoadedSpec, id: string, opts: { out?: string }, io: Io): number {
  const models = Object.keys(loaded.spec.environments).map((env) => resolveEnvironment(loaded.spec, env));
  const [result] = renderApp(loaded, models, opts.out ?? 'deploy', id);
  if (!result) throw new UsageError(`unknown target "${id}"`);
  const problems = problemsToDiagnostics(loaded, result.problems);
  if (problems.length > 0) throw new ValidationError(problems);
  if (opts.out) {
    for (const f of result.files) {
      const path = join(opts.out, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content);
    }
    if (io.format === 'json') io.out(json({ target: id, files: result.files.map((f) => f.path) }));
    else io.err(`wrote ${result.files.length} file(s) under ${opts.out}\n`);
    return 0;
  }
  if (io.format === 'json')
    io.out(json({ target: id, files: result.files.map((f) => ({ path: f.path, content: f.content })) }));
  else for (const f of result.files) io.out(`# ${f.path}\n${f.content}\n`);
  return 0;
}
