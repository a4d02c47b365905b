/**
 * `slipway verify <spec> [--env e] [--fail-on error|warning]`: render in memory and verify —
 * every Kubernetes object against the official schema of the environment's Kubernetes version,
 * strictly, and removed APIs; and the audit rules (`slipway audit`'s) on every Kubernetes object
 * and Compose file. Exit 1 when a finding reaches --fail-on, 0 otherwise.
 */
import { join } from 'node:path';
import { RULES } from '../../audit/registry.ts';
import { resolveEnvironment } from '../../model/resolve.ts';
import { type EnvironmentRender, renderEnvironment } from '../../render/index.ts';
import { renderKubernetes } from '../../render/kubernetes/index.ts';
import { type Finding, verifyEnvironment } from '../../verify/index.ts';
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
  const results: {
    env: string;
    target: 'kubernetes' | 'compose';
    kubernetesVersion?: string;
    objects: number;
    findings: Finding[];
  }[] = [];
  for (const env of pickEnvironments(loaded, opts.env)) {
    const model = resolveEnvironment(loaded.spec, env);
    const inputs = readRenderInputs(loaded, model, join(opts.out, env));
    // Kubernetes: only what is verified is rendered (no files are written, so no YAML text is built);
    // Compose: the environment's renderers, for its compose.yaml.
    const kubernetes = model.environment.target === 'kubernetes';
    let render: EnvironmentRender;
    if (kubernetes) {
      const k = renderKubernetes(model, inputs);
      render = { files: [], problems: k.problems, notes: [], kubernetes: k };
    } else render = renderEnvironment(model, inputs);
    const problems = problemsToDiagnostics(loaded, render.problems);
    if (problems.length > 0) throw new ValidationError(problems);
    results.push({
      env,
      target: kubernetes ? 'kubernetes' : 'compose',
      ...(kubernetes ? { kubernetesVersion: model.environment.kubernetesVersion } : {}),
      // For Compose, the files audited (compose.yaml).
      objects:
        render.kubernetes?.objects.length ?? render.files.filter((f) => f.path === 'compose.yaml').length,
      findings: verifyEnvironment(model, render),
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
      const what =
        r.target === 'kubernetes'
          ? `${r.objects} objects against Kubernetes ${r.kubernetesVersion} schemas and ${RULES.length} audit rules`
          : `compose.yaml against ${RULES.length} audit rules`;
      io.out(`${mark} ${r.env}: ${what}, ${r.findings.length} finding(s)\n`);
    }
  }
  return failing.length > 0 ? 1 : 0;
}
