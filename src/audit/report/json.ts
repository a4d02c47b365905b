/** Findings for programs: the same records as the text output, one JSON document. */
import type { AuditResult, Severity } from '../types.ts';
import { severityRank } from '../types.ts';

export interface JsonReport {
  kubernetesVersion: string;
  failOn: Severity;
  passed: boolean;
  summary: {
    files: number;
    objects: number;
    errors: number;
    warnings: number;
    info: number;
    suppressed: number;
  };
  findings: AuditResult['findings'];
  skipped: AuditResult['skipped'];
}

export function toJsonReport(result: AuditResult, failOn: Severity): JsonReport {
  const count = (s: Severity) => result.findings.filter((f) => f.severity === s).length;
  return {
    kubernetesVersion: result.kubernetesVersion,
    failOn,
    passed: !result.findings.some((f) => severityRank(f.severity) >= severityRank(failOn)),
    summary: {
      files: result.files,
      objects: result.objects,
      errors: count('error'),
      warnings: count('warning'),
      info: count('info'),
      suppressed: result.suppressed,
    },
    findings: result.findings,
    skipped: result.skipped,
  };
}

export function formatJson(result: AuditResult, failOn: Severity): string {
  return `${JSON.stringify(toJsonReport(result, failOn), null, 2)}\n`;
}
