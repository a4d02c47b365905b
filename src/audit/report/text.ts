/**
 * Findings for people: grouped by file, each with `file:line:col`, the source line and a caret under the
 * offending field, the remediation as a hint; then one summary line.
 */
import { formatDiagnostic, paint, type Reportable } from '../../cli/output.ts';
import { type AuditFinding, type AuditResult, type Severity, severityRank } from '../types.ts';

/** A finding as the shared diagnostic formatter draws it. */
export function auditFindingToReportable(f: AuditFinding): Reportable {
  return {
    code: f.rule,
    severity: f.severity,
    message: f.object ? `${f.object.kind}/${f.object.name || '(unnamed)'}: ${f.message}` : f.message,
    location: {
      file: f.file,
      line: f.line,
      column: f.column,
      ...(f.endLine === f.line ? { endLine: f.endLine, endColumn: f.endColumn } : {}),
    },
    sourceLine: f.sourceLine,
    hint: f.remediation,
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function summaryLine(result: AuditResult): string {
  const count = (s: string) => result.findings.filter((f) => f.severity === s).length;
  const parts = [
    plural(count('error'), 'error'),
    plural(count('warning'), 'warning'),
    `${count('info')} info`,
  ];
  const extra = [
    `${plural(result.objects, 'object')} in ${plural(result.files, 'file')}`,
    `Kubernetes ${result.kubernetesVersion}`,
    ...(result.skipped.length > 0
      ? [`${plural(result.skipped.length, 'document')} skipped (not Kubernetes or Compose)`]
      : []),
    ...(result.suppressed > 0 ? [`${result.suppressed} suppressed by slipway.dev/ignore`] : []),
  ];
  return `${parts.join(', ')} — ${extra.join(', ')}`;
}

/** `failOn` decides the mark of the summary: ✓ when nothing reaches it. */
export function formatText(result: AuditResult, io: { color: boolean }, failOn: Severity = 'error'): string {
  const byFile = new Map<string, AuditFinding[]>();
  for (const f of result.findings) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  const blocks: string[] = [];
  for (const [file, findings] of byFile) {
    blocks.push(
      `${paint(io, ['bold', 'underline'], file)}\n\n${findings.map((f) => formatDiagnostic(auditFindingToReportable(f), io)).join('\n\n')}`,
    );
  }
  const ok = !result.findings.some((f) => severityRank(f.severity) >= severityRank(failOn));
  const summary = `${ok ? paint(io, 'green', '✓') : paint(io, 'red', '✗')} ${summaryLine(result)}`;
  return `${blocks.length > 0 ? `${blocks.join('\n\n')}\n\n` : ''}${summary}\n`;
}
