/**
 * `slipway verify <spec> [--env e] [--fail-on error|warning]`: render in memory and verify —
 * every Kubernetes object against the official schema of the environment's Kubernetes version,
 * strictly, and removed APIs. Exit 1 when a finding reaches --fail-on, 0 otherwise.
 */
import { join } from 'node:path';
import { resolveEnvironment } from '../../model/resolve.ts';
import { renderKubernetes } from '../../render/kubernetes/index.ts';
import { type Finding, verifyKubernetes } from '../../verify/index.ts';
import { readRenderInputs } from '../_inputs.ts';
import { loadOrThrow, pickEnvironments } from '../_load.ts';
import { problemsToDiagnostics } from '../_problems.ts';
import { ValidationError } from '../errors.ts';
import { findingToReportable, formatDiagnostics, type Io, json, paint } from '../output.ts';

export function verifyCommand(
  file: string,
  opts: { env?: string; out: string; failOn: 'error' | 'warning' },
  io: Io,
): number {
  const { loaded } = loadOrThrow(file, io);
  const results: { env: string; kubernetesVersion: string; objects: number; findings: Finding[] }[] = [];
  for (const env of pickEnvironments(loaded, opts.env)) {
    const model = resolveEnvironment(loaded.spec, env);
    // Only what is verified is rendered: no files are written, so no YAML text is built.
    if (model.environment.target !== 'kubernetes') continue;
    const kubernetes = renderKubernetes(model, readRenderInputs(loaded, model, join(opts.out, env)));
    const problems = problemsToDiagnostics(loaded, kubernetes.problems);
    if (problems.length > 0) throw new ValidationError(problems);
    results.push({
      env,
      kubernetesVersion: model.environment.kubernetesVersion,
      objects: kubernetes.objects.length,
      findings: verifyKubernetes(model, kubernetes),
    });
  }
  const failing = results
    .flatMap((r) => r.findings)
    .filter((f) => f.severity === 'error' || opts.failOn === 'warning');
  if (io.format === 'json') {
    io.out(json({ file, environments: results, passed: failing.length === 0 }));
  } else {
    for (const r of results) {
      if (r.findings.length > 0)
        io.err(
          `${formatDiagnostics(
            r.findings.map((f) => findingToReportable(f, join(opts.out, r.env))),
            io,
          )}\n\n`,
        );
      const mark = r.findings.length === 0 ? paint(io, 'green', '✓') : paint(io, 'red', '✗');
      io.out(
        `${mark} ${r.env}: ${r.objects} objects against Kubernetes ${r.kubernetesVersion} schemas, ${r.findings.length} finding(s)\n`,
      );
    }
    if (results.length === 0)
      io.out(
        'nothing to verify: no kubernetes environment (compose checks arrive with the compose renderer)\n',
      );
  }
  return failing.length > 0 ? 1 : 0;
}
