/**
 * `slipway audit <files|dirs|->… [--fail-on error|warning|info] [--output text|json|sarif]
 * [--config path] [--kubernetes-version 1.xx]`: policy rules on any Kubernetes YAML and Compose file.
 * Exit 0 clean, 1 when a finding reaches --fail-on, 2 when input is unreadable, malformed YAML, or the
 * configuration is invalid.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { type AuditConfig, parseConfig } from '../../audit/config.ts';
import { auditSources, normalizeMinor } from '../../audit/engine.ts';
import { formatJson } from '../../audit/report/json.ts';
import { formatSarif } from '../../audit/report/sarif.ts';
import { auditFindingToReportable, formatText } from '../../audit/report/text.ts';
import { readSources } from '../../audit/sources.ts';
import { type AuditFinding, type Severity, severityRank } from '../../audit/types.ts';
import { UsageError } from '../errors.ts';
import { formatDiagnostic, type Io, json, paint } from '../output.ts';

export interface AuditCommandOptions {
  failOn?: Severity;
  output: 'text' | 'json' | 'sarif';
  config?: string;
  kubernetesVersion?: string;
  /** Defaults to the process's working folder and standard input (tests pass their own). */
  cwd?: string;
  readStdin?: () => string;
  toolVersion?: string;
}

const DEFAULT_CONFIG = '.slipway/audit.yaml';
const INPUT_ERRORS = new Set(['invalid-yaml', 'invalid-object']);

export function auditCommand(paths: readonly string[], opts: AuditCommandOptions, io: Io): number {
  const cwd = opts.cwd ?? process.cwd();
  const configPath = opts.config ?? (existsSync(resolve(cwd, DEFAULT_CONFIG)) ? DEFAULT_CONFIG : undefined);
  let config: AuditConfig = { selection: {}, ignorePaths: [] };
  let root = cwd;
  if (configPath !== undefined) {
    const abs = resolve(cwd, configPath);
    let text: string;
    try {
      text = readFileSync(abs, 'utf8');
    } catch {
      throw new UsageError(`cannot read the audit configuration ${configPath}`, 'check the --config path');
    }
    const parsed = parseConfig(configPath, text);
    if (parsed.config === undefined)
      return report(parsed.findings, opts, io, 'the audit configuration is invalid');
    config = parsed.config;
    // Globs are relative to the project: the folder that holds `.slipway/`, else the config's folder.
    root = basename(dirname(abs)) === '.slipway' ? dirname(dirname(abs)) : dirname(abs);
  }

  let kubernetesVersion: string;
  try {
    kubernetesVersion = normalizeMinor(opts.kubernetesVersion ?? config.kubernetesVersion ?? '1.34');
  } catch (e) {
    throw new UsageError((e as Error).message, 'pass --kubernetes-version as major.minor, e.g. 1.31');
  }
  const failOn: Severity = opts.failOn ?? config.failOn ?? 'error';

  const read = readSources(paths, {
    cwd,
    root,
    ignorePaths: config.ignorePaths,
    readStdin: opts.readStdin ?? (() => readFileSync(0, 'utf8')),
  });
  const result = auditSources(read.sources, { kubernetesVersion, selection: config.selection });

  if (opts.output === 'sarif') {
    io.out(formatSarif(result, { toolVersion: opts.toolVersion ?? '0.0.0', notifications: read.problems }));
  } else if (opts.output === 'json') {
    const body = JSON.parse(formatJson(result, failOn));
    io.out(json({ ...body, problems: read.problems, skippedPaths: read.skipped }));
  } else {
    for (const p of read.problems)
      io.err(`${paint(io, ['bold', 'red'], 'error')}: cannot read ${p.path}: ${p.message}\n`);
    io.out(formatText(result, io, failOn));
  }

  if (read.problems.length > 0 || result.findings.some((f) => INPUT_ERRORS.has(f.rule))) return 2;
  if (read.sources.length === 0 && read.problems.length === 0 && paths.length > 0 && result.files === 0) {
    io.err(`${paint(io, ['bold', 'yellow'], 'warning')}: no YAML file found in ${paths.join(', ')}\n`);
  }
  return result.findings.some((f) => severityRank(f.severity) >= severityRank(failOn)) ? 1 : 0;
}

/** Configuration findings: drawn like the others; the run stops with exit 2. */
function report(findings: AuditFinding[], opts: AuditCommandOptions, io: Io, headline: string): number {
  if (opts.output === 'sarif')
    io.out(
      formatSarif(
        { findings, files: 1, objects: 0, skipped: [], suppressed: 0, kubernetesVersion: '' },
        { toolVersion: opts.toolVersion ?? '0.0.0' },
      ),
    );
  else if (opts.output === 'json') io.out(json({ error: { kind: 'config', message: headline }, findings }));
  else
    io.err(
      `${findings.map((f) => formatDiagnostic(auditFindingToReportable(f), io)).join('\n\n')}\n\n${headline}\n`,
    );
  return 2;
}
