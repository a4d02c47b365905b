/**
 * `.slipway/audit.yaml`: which rules run, how severe they are, which paths are not audited. Validated
 * strictly (unknown keys and rule ids are errors), every problem reported at once with its position.
 *
 * ```yaml
 * kubernetesVersion: "1.31"   # default for --kubernetes-version
 * failOn: warning             # default for --fail-on
 * include: []                 # only these rules (empty: all)
 * exclude: [no-anti-affinity]
 * severity: { latest-tag: error }
 * ignorePaths: ["charts/**", "legacy/*.yaml"]
 * ```
 */
import { isScalar } from 'yaml';
import { z } from 'zod';
import { closest } from '../spec/_suggest.ts';
import { locate, parseFile, sourceLine } from './_yaml.ts';
import { engineDiagnostic } from './diagnostics.ts';
import { normalizeMinor, type RuleSelection } from './engine.ts';
import { RULES } from './registry.ts';
import type { AuditFinding, Severity } from './types.ts';

export interface AuditConfig {
  kubernetesVersion?: string;
  failOn?: Severity;
  selection: RuleSelection;
  /** Globs, relative to the folder that holds `.slipway/` (or the config file's folder). */
  ignorePaths: string[];
}

const severity = z.enum(['error', 'warning', 'info']);

const schema = z.strictObject({
  kubernetesVersion: z
    .union([z.string(), z.number()])
    .transform((v) => String(v))
    .refine((v) => /^v?\d+\.\d+(\.\d+)?$/.test(v), 'must be a Kubernetes version such as "1.31"')
    .optional(),
  failOn: severity.optional(),
  include: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
  severity: z.record(z.string(), severity).optional(),
  ignorePaths: z.array(z.string().min(1)).optional(),
});

export interface ConfigResult {
  config?: AuditConfig;
  findings: AuditFinding[];
}

/** Parses and validates a configuration text; `file` is how findings name it. */
export function parseConfig(file: string, text: string): ConfigResult {
  const parsed = parseFile(file, text);
  const d = engineDiagnostic('invalid-config');
  const at = (pointer: string, message: string, value = false): AuditFinding => {
    const pos = locate(parsed, 0, pointer, value ? 'value' : 'key');
    return {
      rule: d.id,
      severity: d.severity,
      message,
      file,
      line: pos.line,
      column: pos.column,
      endLine: pos.endLine,
      endColumn: pos.endColumn,
      sourceLine: sourceLine(parsed, pos.line),
      path: pointer,
      remediation: d.remediation,
    };
  };
  const doc = parsed.docs[0];
  if (parsed.docs.length > 1)
    return { findings: [at('', 'the configuration must be a single YAML document')] };
  const errors = doc?.errors ?? [];
  if (errors.length > 0) {
    return {
      findings: errors.map((e) => {
        const a = parsed.lines.linePos(e.pos[0]);
        return {
          ...at('', e.message.split('\n')[0] ?? e.message),
          line: a.line,
          column: a.col,
          endLine: a.line,
          endColumn: a.col + 1,
          sourceLine: sourceLine(parsed, a.line),
        };
      }),
    };
  }
  const value = doc?.toJS() ?? {};
  // `kubernetesVersion: 1.30` is the number 1.3 to YAML: keep the digits as written.
  const versionNode = doc?.get('kubernetesVersion', true);
  if (
    isObjectLike(value) &&
    typeof value.kubernetesVersion === 'number' &&
    isScalar(versionNode) &&
    versionNode.range
  )
    value.kubernetesVersion = text.slice(versionNode.range[0], versionNode.range[1]).trim();
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    return {
      findings: result.error.issues.map((issue) => {
        const pointer = issue.path
          .map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`)
          .join('');
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
        if (keys.length > 0)
          return at(
            `${pointer}/${keys[0]}`,
            `unknown key ${keys.map((k) => `"${k}"`).join(', ')} (allowed: ${Object.keys(schema.shape).join(', ')})`,
          );
        const where = issue.path.length > 0 ? issue.path.join('.') : 'the configuration';
        return at(pointer, `${where}: ${issue.message}`, true);
      }),
    };
  }
  const c = result.data;
  const ids = new Set(RULES.map((r) => r.id));
  const findings: AuditFinding[] = [];
  const checkIds = (list: readonly string[] | undefined, key: string) =>
    list?.forEach((id, i) => {
      if (!ids.has(id))
        findings.push(at(`/${key}/${i}`, `"${id}" is not a rule id${suggest(id, ids)}`, true));
    });
  checkIds(c.include, 'include');
  checkIds(c.exclude, 'exclude');
  for (const id of Object.keys(c.severity ?? {}))
    if (!ids.has(id)) findings.push(at(`/severity/${id}`, `"${id}" is not a rule id${suggest(id, ids)}`));
  if (findings.length > 0) return { findings };
  return {
    config: {
      ...(c.kubernetesVersion !== undefined
        ? { kubernetesVersion: normalizeMinor(c.kubernetesVersion) }
        : {}),
      ...(c.failOn !== undefined ? { failOn: c.failOn } : {}),
      selection: {
        ...(c.include ? { include: c.include } : {}),
        ...(c.exclude ? { exclude: c.exclude } : {}),
        ...(c.severity ? { severity: c.severity } : {}),
      },
      ignorePaths: c.ignorePaths ?? [],
    },
    findings: [],
  };
}

function isObjectLike(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** ` — did you mean "x"?` for a near rule id, else ''. */
function suggest(id: string, ids: ReadonlySet<string>): string {
  const best = closest(id, ids);
  return best ? ` — did you mean "${best}"?` : '';
}
