/**
 * `slipway verify <spec> [--env e] [--fail-on error|warning]`: render in memory and verify —
 * every Kubernetes object against the official schema of the environment's Kubernetes version,
 * strictly, and removed APIs; and the audit rules (`slipway audit`'s) on every Kubernetes object
 * and Compose file. Exit 1 when a finding reaches --fail-on, 0 otherwise.
 */
import { join } from 'node:path';
import { RULES } from '../../audit/registry.ts';
import { loadOrThrow, pickEnvironments } from '../_load.ts';
import { type EnvironmentVerdict, verifyOne } from '../_verify.ts';
import { findingToReportable, formatDiagnostics, type Io, json, paint } from '../output.ts';

export function verifyCommand(
  file: string,
  opts: { env?: string; out: string; failOn: 'error' | 'warning' },
  io: Io,
): number {
  const { loaded } = loadOrThrow(file, io);
  const results: EnvironmentVerdict[] = [];
  for (const env of pickEnvironments(loaded, opts.env)) results.push(verifyOne(loaded, env, opts.out));
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
