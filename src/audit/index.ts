/**
 * The audit engine's public surface: audit YAML sources, read the configuration, format the findings.
 * `verify` and `plan` can audit Slipway's own renders with `auditSources(kubernetesFiles(render)…)`.
 */
export { type AuditConfig, parseConfig } from './config.ts';
export { ENGINE_DIAGNOSTICS } from './diagnostics.ts';
export { type AuditOptions, type AuditSource, auditSources, type RuleSelection } from './engine.ts';
export { RULES, ruleById } from './registry.ts';
export { formatJson, toJsonReport } from './report/json.ts';
export { formatSarif, toSarif } from './report/sarif.ts';
export { auditFindingToReportable, formatText } from './report/text.ts';
export { readSources } from './sources.ts';
export type { AuditFinding, AuditObject, AuditResult, Rule, Severity } from './types.ts';
