/**
 * `slipway plan <spec>`: resolve every environment (or one), render what the renderers know,
 * and write it under the output folder (./deploy by default), with a summary per environment.
 * No engine is touched.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolveEnvironment } from '../../model/resolve.ts';
import { RENDERERS, renderEnvironment } from '../../render/index.ts';
import { loadOrThrow, pickEnvironments } from '../_load.ts';
import { type Io, json, paint } from '../output.ts';

export function planCommand(file: string, opts: { env?: string; out: string }, io: Io): number {
  const { loaded, warnings } = loadOrThrow(file, io);
  const envs = pickEnvironments(loaded, opts.env);
  const summaries = [];
  for (const env of envs) {
    const model = resolveEnvironment(loaded.spec, env);
    const artifacts = renderEnvironment(model);
    const dir = join(opts.out, env);
    // Each plan replaces the environment's folder, so files of removed services do not linger.
    rmSync(dir, { recursive: true, force: true });
    for (const a of artifacts) {
      const path = join(dir, a.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, a.content);
    }
    summaries.push({
      environment: env,
      target: model.environment.target,
      namespace: model.environment.namespace,
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
      files: artifacts.map((a) => join(dir, a.path)),
    });
  }
  if (io.format === 'json') {
    io.out(
      json({
        file,
        out: opts.out,
        renderers: RENDERERS.map((r) => r.id),
        environments: summaries,
        diagnostics: warnings,
      }),
    );
    return 0;
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
    if (s.secrets.length) io.out(`  secrets (${s.secretSource}): ${s.secrets.join(', ')}\n`);
    io.out(`  ${s.edges} communication edge(s); wrote ${s.files.length} file(s): ${s.files.join(', ')}\n\n`);
  }
  io.out(`renderers: ${RENDERERS.map((r) => r.id).join(', ')}\n`);
  return 0;
}
