/**
 * SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps): every rule of the registry and every
 * engine diagnostic as `tool.driver.rules`, every finding as a result with a physical location whose
 * region has startLine/startColumn (and the end), relative to the folder the audit ran in.
 */
import { ENGINE_DIAGNOSTICS } from '../diagnostics.ts';
import { RULES } from '../registry.ts';
import type { AuditResult, Severity } from '../types.ts';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

export interface SarifOptions {
  toolVersion: string;
  /** Input that could not be read: reported as tool execution notifications. */
  notifications?: readonly { path: string; message: string }[];
  /** Where rule docs live, e.g. a repository URL ending in `/docs/rules/`; `<id>.md` is appended. */
  rulesDocBase?: string;
}

/** A relative POSIX path as a URI reference (each segment percent-encoded). */
function uriOf(file: string): string {
  if (file === '<stdin>') return 'stdin';
  return file
    .split('/')
    .map((s) => (s === '..' || s === '.' ? s : encodeURIComponent(s)))
    .join('/');
}

export function toSarif(result: AuditResult, options: SarifOptions): object {
  const rules = [
    ...RULES.map((r) => ({
      id: r.id,
      shortDescription: { text: r.description },
      fullDescription: { text: [r.description, r.docs?.rationale].filter(Boolean).join(' ') },
      help: { text: r.remediation, markdown: r.remediation },
      ...(options.rulesDocBase ? { helpUri: `${options.rulesDocBase}${r.id}.md` } : {}),
      defaultConfiguration: { level: LEVEL[r.severity] },
      properties: { tags: [r.kinds.some((k) => k.startsWith('Compose')) ? 'compose' : 'kubernetes'] },
    })),
    ...ENGINE_DIAGNOSTICS.map((d) => ({
      id: d.id,
      shortDescription: { text: d.description },
      fullDescription: { text: d.description },
      help: { text: d.remediation, markdown: d.remediation },
      defaultConfiguration: { level: LEVEL[d.severity] },
      properties: { tags: ['input'] },
    })),
  ];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = result.findings.map((f) => ({
    ruleId: f.rule,
    ...(index.has(f.rule) ? { ruleIndex: index.get(f.rule) } : {}),
    level: LEVEL[f.severity],
    message: {
      text: `${f.object ? `${f.object.kind}/${f.object.name || '(unnamed)'}: ` : ''}${f.message}`,
    },
    locations: [
      {
        physicalLocation: {
          artifactLocation: {
            uri: uriOf(f.file),
            ...(f.file === '<stdin>' ? {} : { uriBaseId: '%SRCROOT%' }),
          },
          region: {
            startLine: f.line,
            startColumn: f.column,
            endLine: Math.max(f.endLine, f.line),
            endColumn: f.endLine > f.line ? f.endColumn : Math.max(f.endColumn, f.column + 1),
            ...(f.sourceLine !== '' ? { snippet: { text: f.sourceLine } } : {}),
          },
        },
        ...(f.object
          ? {
              logicalLocations: [
                {
                  name: f.object.name,
                  fullyQualifiedName: `${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.kind}/${f.object.name}${f.path}`,
                  kind: 'object',
                },
              ],
            }
          : {}),
      },
    ],
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'slipway',
            semanticVersion: options.toolVersion,
            version: options.toolVersion,
            rules,
          },
        },
        invocations: [
          {
            executionSuccessful: (options.notifications ?? []).length === 0,
            toolExecutionNotifications: (options.notifications ?? []).map((n) => ({
              level: 'error',
              message: { text: `${n.path}: ${n.message}` },
            })),
          },
        ],
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The folder slipway audit ran in.' } } },
        results,
      },
    ],
  };
}

export function formatSarif(result: AuditResult, options: SarifOptions): string {
  return `${JSON.stringify(toSarif(result, options), null, 2)}\n`;
}
