/**
 * Findings the engine itself reports, outside any rule: input that cannot be audited, and annotations
 * that cannot be honoured. They carry the same fields as rule findings, so every output shows them;
 * they cannot be excluded or ignored by annotation (malformed YAML is never silently passed).
 */
import type { Severity } from './types.ts';

export interface EngineDiagnostic {
  readonly id: string;
  readonly severity: Severity;
  readonly description: string;
  readonly remediation: string;
}

export const ENGINE_DIAGNOSTICS = [
  {
    id: 'invalid-yaml',
    severity: 'error',
    description: 'A YAML document does not parse (syntax error, duplicate key, bad indentation).',
    remediation: 'Fix the YAML at the position shown; `kubectl apply` would reject the file as well.',
  },
  {
    id: 'invalid-object',
    severity: 'error',
    description:
      'A document looks like a Kubernetes object but is not one: not a mapping, or its apiVersion or kind is missing, empty or not a string.',
    remediation: 'Give the object a string `apiVersion` and `kind`, or remove the document.',
  },
  {
    id: 'invalid-config',
    severity: 'error',
    description:
      'The audit configuration (`.slipway/audit.yaml` or `--config`) is not valid: malformed YAML, an unknown key, a wrong type, or a rule id that does not exist.',
    remediation: 'Fix the configuration at the position shown; `docs/audit.md` lists its keys.',
  },
  {
    id: 'invalid-ignore',
    severity: 'error',
    description:
      'A `slipway.dev/ignore` annotation cannot be honoured: an entry without a reason, or naming a rule that does not exist.',
    remediation:
      'Write each entry as `<rule-id> — <reason>` (one per line, or separated by `;`), with an existing rule id and a reason a reviewer can judge.',
  },
  {
    id: 'rule-failed',
    severity: 'error',
    description:
      'A rule threw while checking an object; the other rules still ran. This is a bug in Slipway.',
    remediation: 'Report the object and the message; meanwhile exclude the rule in `.slipway/audit.yaml`.',
  },
] as const satisfies readonly EngineDiagnostic[];

export type EngineDiagnosticId = (typeof ENGINE_DIAGNOSTICS)[number]['id'];

export function engineDiagnostic(id: EngineDiagnosticId): EngineDiagnostic {
  const d = ENGINE_DIAGNOSTICS.find((x) => x.id === id);
  if (d === undefined) throw new Error(`unknown engine diagnostic ${id}`);
  return d;
}
