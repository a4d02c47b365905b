/** Test helpers: run one rule on inline YAML, and find where a piece of text is (independently of the engine). */
import { type AuditOptions, type AuditSource, auditSources } from '../../src/audit/engine.ts';
import type { AuditFinding } from '../../src/audit/types.ts';

/** Template tag: drops the first newline and the common indentation, so fixtures can be indented. */
export function y(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = raw
    .replace(/^\n/, '')
    .replace(/\n[ \t]*$/, '\n')
    .split('\n');
  const indent = Math.min(
    ...lines.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length),
  );
  return lines.map((l) => l.slice(indent)).join('\n');
}

type Input = string | readonly AuditSource[];

function sources(input: Input, path = 'manifest.yaml'): AuditSource[] {
  return typeof input === 'string' ? [{ path, text: input }] : [...input];
}

/** Findings of one rule (only that rule runs). */
export function findingsOf(
  rule: string,
  input: Input,
  opts: Omit<AuditOptions, 'selection'> & { path?: string } = {},
): AuditFinding[] {
  const { path, ...rest } = opts;
  return auditSources(sources(input, path), { ...rest, selection: { include: [rule] } }).findings.filter(
    (f) => f.rule === rule,
  );
}

/** `line:col` of each finding of one rule. */
export function run(
  rule: string,
  input: Input,
  opts: Omit<AuditOptions, 'selection'> & { path?: string } = {},
): string[] {
  return findingsOf(rule, input, opts).map((f) => `${f.line}:${f.column}`);
}

/** `line:col` (1-based) of the nth occurrence of `needle` in `text`. */
export function where(text: string, needle: string, nth = 1): string {
  let index = -1;
  for (let i = 0; i < nth; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`"${needle}" occurs fewer than ${nth} time(s)`);
  }
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  const column = index - before.lastIndexOf('\n');
  return `${line}:${column}`;
}

/** A minimal Deployment around a container block (given as YAML lines at container indentation). */
export function deployment(container: string, podExtra = '', specExtra = ''): string {
  const indent = (s: string, n: number) =>
    s
      .trim()
      .split('\n')
      .map((l) => ' '.repeat(n) + l)
      .join('\n');
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    '  namespace: shop',
    'spec:',
    ...(specExtra ? [indent(specExtra, 2)] : []),
    '  selector:',
    '    matchLabels: { app: web }',
    '  template:',
    '    metadata:',
    '      labels: { app: web }',
    '    spec:',
    ...(podExtra ? [indent(podExtra, 6)] : []),
    '      containers:',
    indent(container, 8),
    '',
  ].join('\n');
}
