/**
 * `slipway plan <spec>`: resolve every environment (or one), render what the renderers know,
 * and write it under the output folder (./deploy by default), with a summary per environment:
 * what will run, what the cluster needs first, which secrets to create. No engine is touched.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RULES } from '../../audit/registry.ts';
import { resolveEnvironment } from '../../model/resolve.ts';
import { renderEnvironment, renderersFor } from '../../render/index.ts';
import { verifyEnvironment } from '../../verify/index.ts';
import { renderApp } from '../_app.ts';
import { readRenderInputs } from '../_inputs.ts';
import { loadOrThrow, pickEnvironments } from '../_load.ts';
import { problemsToDiagnostics } from '../_problems.ts';
import { ValidationError } from '../errors.ts';
import { findingToReportable, formatDiagnostics, type Io, json, paint } from '../output.ts';

export function planCommand(
  file: string,
  opts: { env?: string; out: string; failOn?: 'error' | 'warning' },
  io: Io,
): number {
  const failOn = opts.failOn ?? 'error';
  const { loaded, warnings } = loadOrThrow(file, io);
  const envs = pickEnvironments(loaded, opts.env);
  const rendered = envs.map((env) => {
    const model = resolveEnvironment(loaded.spec, env);
    const inputs = readRenderInputs(loaded, model, join(opts.out, env));
    return { env, model, inputs, result: renderEnvironment(model, inputs) };
  });
  // One output for the whole app (workflows, docs, chart), from every environment's model.
  const app = opts.env
    ? []
    : renderApp(
        loaded,
        rendered.map((r) => r.model),
        opts.out,
        undefined,
        new Map(rendered.map((r) => [r.env, r.inputs])),
      );
  const problems = problemsToDiagnostics(loaded, [
    ...rendered.flatMap((r) => r.result.problems),
    ...app.flatMap((a) => a.problems),
  ]);
  if (problems.length > 0) throw new ValidationError(problems);

  const summaries = rendered.map(({ env, model, result }) => {
    const dir = join(opts.out, env);
    // Each plan replaces the environment's folder, so files of removed services do not linger.
    rmSync(dir, { recursive: true, force: true });
    for (const a of result.files) {
      const path = join(dir, a.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, a.content);
    }
    const k = result.kubernetes;
    const findings = verifyEnvironment(model, result);
    if (findings.length > 0 && io.format === 'text')
      io.err(
        `${formatDiagnostics(
          findings.map((f) => findingToReportable(f, dir)),
          io,
        )}\n\n`,
      );
    return {
      findings,
      environment: env,
      target: model.environment.target,
      namespace: model.environment.namespace,
      kubernetesVersion: model.environment.kubernetesVersion,
      renderers: renderersFor(model).map((r) => r.id),
      services: model.services.map((s) => ({
        name: s.name,
        kind: s.kind,
        replicas: s.replicas,
        image: s.image,
      })),
      dependencies: model.dependencies.map((d) => ({ name: d.name, type: d.type, mode: d.mode })),
      hosts: model.environment.hosts,
      secrets: model.secrets.map((s) => s.name),
      secretSource: model.environment.secretSource.type,
      edges: model.graph.length,
      ...(k
        ? {
            objects: countBy(k.objects.map((o) => o.kind)),
            prerequisites: k.prerequisites,
            secretsHow: k.secrets.how,
          }
        : {}),
      notes: result.notes,
      out: dir,
      files: result.files.length,
    };
  });
  for (const a of app) {
    for (const f of a.files) {
      const path = join(a.dir, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content);
    }
  }
  const appSummary = app.map((a) => ({
    renderer: a.renderer.id,
    description: a.renderer.description,
    dir: a.dir,
    files: a.files.length,
    notes: a.notes,
  }));
  const failed = summaries.some((s) =>
    s.findings.some((f) => f.severity === 'error' || failOn === 'warning'),
  );
  if (io.format === 'json') {
    io.out(
      json({
        file,
        out: opts.out,
        environments: summaries,
        app: appSummary,
        diagnostics: warnings,
        verified: !failed,
      }),
    );
    return failed ? 1 : 0;
  }
  io.out(`${paint(io, 'green', '✓')} ${file}: ${envs.length} environment(s) resolved and validated\n\n`);
  for (const s of summaries) {
    io.out(
      `${paint(io, 'bold', s.environment)} → ${s.target} (${s.target === 'kubernetes' ? 'namespace' : 'project'} ${s.namespace})\n`,
    );
    for (const svc of s.services)
      io.out(
        `  ${svc.kind.padEnd(6)} ${svc.name.padEnd(22)} ×${String(svc.replicas).padEnd(3)} ${svc.image}\n`,
      );
    for (const d of s.dependencies)
      io.out(`  ${'dep'.padEnd(6)} ${d.name.padEnd(22)} ${d.type} (${d.mode})\n`);
    if (s.hosts.length) io.out(`  hosts: ${s.hosts.join(', ')}\n`);
    if (s.objects)
      io.out(
        `  objects: ${Object.entries(s.objects)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')}\n`,
      );
    {
      const errors = s.findings.filter((f) => f.severity === 'error').length;
      const warnings = s.findings.length - errors;
      const verdict = errors === 0 ? paint(io, 'green', 'no errors') : paint(io, 'red', `${errors} error(s)`);
      const against = s.objects
        ? `Kubernetes ${s.kubernetesVersion} schemas and ${RULES.length} audit rules`
        : `${RULES.length} audit rules`;
      io.out(`  verified against ${against}: ${verdict}${warnings > 0 ? `, ${warnings} warning(s)` : ''}\n`);
    }
    if (s.prerequisites?.length)
      io.out(`  cluster needs first:\n${s.prerequisites.map((p) => `    - ${p}\n`).join('')}`);
    if (s.secrets.length) io.out(`  secrets (${s.secretSource}): ${s.secrets.join(', ')}\n`);
    if (s.secretsHow && s.secrets.length) io.out(`${s.secretsHow.replace(/^/gm, '    ')}\n`);
    for (const n of s.notes ?? []) io.out(`  note: ${n}\n`);
    io.out(
      `  ${s.edges} communication edge(s); wrote ${s.files} file(s) under ${s.out}/ (${s.renderers.join(', ')})\n\n`,
    );
  }
  for (const a of appSummary) {
    io.out(`${paint(io, 'bold', a.renderer)}: wrote ${a.files} file(s) under ${a.dir}/ (${a.description})\n`);
    for (const n of a.notes) io.out(`  note: ${n}\n`);
  }
  if (failed)
    io.out(
      `${paint(io, 'red', '✗')} verification found ${failOn === 'warning' ? 'findings' : 'errors'} (shown above); the files are written for inspection\n`,
    );
  return failed ? 1 : 0;
}

function countBy(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i] = (out[i] ?? 0) + 1;
  return out;
}
