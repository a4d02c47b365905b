/**
 * Drawing diagnostics and results for people (text, colour only on a TTY without NO_COLOR) and
 * for programs (`--output json`, the same records).
 */
import { styleText } from 'node:util';
import type { Diagnostic } from '../spec/diagnostics.ts';
import type { Finding } from '../verify/index.ts';

/** What the text formatter draws: a spec diagnostic, or a finding in a rendered file. */
export type Reportable = Omit<Diagnostic, 'code'> & { code: string };

/** A verify finding, drawn like a diagnostic, located in the rendered file under `dir`. */
export function findingToReportable(f: Finding, dir: string): Reportable {
  return {
    code: f.rule,
    severity: f.severity,
    message: `${f.object.kind}/${f.object.name}: ${f.message}`,
    location: { file: `${dir}/${f.file}`, line: f.line, column: f.column },
    sourceLine: f.sourceLine,
  };
}

export type OutputFormat = 'text' | 'json';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  color: boolean;
  format: OutputFormat;
}

export function colorEnabled(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if ('NO_COLOR' in env && env.NO_COLOR !== undefined) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

type Style = Parameters<typeof styleText>[0];
export function paint(io: Pick<Io, 'color'>, style: Style, s: string): string {
  return io.color ? styleText(style, s, { validateStream: false }) : s;
}

const SEVERITY_STYLE: Record<Diagnostic['severity'], Style> = {
  error: ['bold', 'red'],
  warning: ['bold', 'yellow'],
  info: ['bold', 'blue'],
};

/** rustc-style: the message, `file:line:col`, the source line with a caret run, then the hint. */
export function formatDiagnostic(d: Reportable, io: Pick<Io, 'color'>): string {
  const head = `${paint(io, SEVERITY_STYLE[d.severity], `${d.severity}[${d.code}]`)}: ${paint(io, 'bold', d.message)}`;
  const lines = [head];
  const loc = d.location;
  if (loc) {
    const gutter = ' '.repeat(String(loc.line).length);
    lines.push(`${gutter}${paint(io, 'blue', '-->')} ${loc.file}:${loc.line}:${loc.column}`);
    if (d.sourceLine !== undefined) {
      const src = d.sourceLine.replace(/\t/g, ' ');
      const shown = src.length > 160 ? `${src.slice(0, 160)}…` : src;
      const width =
        loc.endLine === loc.line && loc.endColumn !== undefined
          ? Math.max(1, loc.endColumn - loc.column)
          : Math.max(1, tokenLength(src, loc.column - 1));
      const caretStart = Math.min(loc.column - 1, shown.length);
      lines.push(`${gutter} ${paint(io, 'blue', '|')}`);
      lines.push(`${paint(io, 'blue', `${loc.line} |`)} ${shown}`);
      lines.push(
        `${gutter} ${paint(io, 'blue', '|')} ${' '.repeat(caretStart)}${paint(io, SEVERITY_STYLE[d.severity], '^'.repeat(Math.min(width, Math.max(1, shown.length - caretStart))))}`,
      );
    }
  }
  if (d.hint)
    lines.push(`${loc ? ' '.repeat(String(loc.line).length) : ''} ${paint(io, 'cyan', '= hint:')} ${d.hint}`);
  return lines.join('\n');
}

function tokenLength(line: string, from: number): number {
  const m = /^[^\s:,\]}]+/.exec(line.slice(from));
  return m ? m[0].length : 1;
}

export function formatDiagnostics(ds: readonly Reportable[], io: Pick<Io, 'color'>): string {
  if (ds.length === 0) return '';
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.filter((d) => d.severity === 'warning').length;
  const summary = [
    errors ? `${errors} error${errors > 1 ? 's' : ''}` : '',
    warnings ? `${warnings} warning${warnings > 1 ? 's' : ''}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${ds.map((d) => formatDiagnostic(d, io)).join('\n\n')}\n\n${summary}`;
}

/** Stable JSON: two-space indent, trailing newline. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
