/**
 * Diagnostics are data: a code from a closed list, a severity, a message, a hint, and where.
 * Line and column are computed when a diagnostic is created from a source offset, so every
 * formatter (text, JSON, later SARIF) draws from the same record.
 */

/** Every diagnostic code Slipway can emit. `docs/errors.md` has one row per code (a test enforces it). */
export const DIAGNOSTIC_CODES = [
  // Reading the file
  'file-not-found',
  'not-a-file',
  'file-too-large',
  'encoding',
  'binary-content',
  // YAML
  'yaml-syntax',
  'duplicate-key',
  'tab-indentation',
  'alias-limit',
  'nesting-too-deep',
  'multiple-documents',
  'empty-spec',
  'not-a-mapping',
  // Shape
  'unknown-key',
  'missing-field',
  'invalid-type',
  'invalid-value',
  'unsupported-api-version',
  // Meaning
  'invalid-name',
  'image-unpinned',
  'image-or-build',
  'port-range',
  'port-clash',
  'unknown-port',
  'unknown-reference',
  'invalid-reference',
  'uses-cycle',
  'ingress-path-conflict',
  'unknown-overlay-target',
  'inline-secret',
  'unsupported-combination',
  'missing-config-file',
  'no-environments',
  'unknown-environment',
  // Rendering
  'patch-failed',
  // Commands
  'usage',
] as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];
export type Severity = 'error' | 'warning' | 'info';

export interface SourcePosition {
  /** Path as given by the user (relative paths stay relative, so output is stable). */
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  message: string;
  /** What to do about it. Every error carries one. */
  hint?: string;
  /** Dotted path in the spec, e.g. `services.web.ports.http`. */
  path?: string;
  location?: SourcePosition;
  /** The source line the location points at, kept so formatters need no file access. */
  sourceLine?: string;
}

export function isError(d: Diagnostic): boolean {
  return d.severity === 'error';
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some(isError);
}

/** Order for display: by file, line, column, then code, so output is stable across runs. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => {
    const fa = a.location?.file ?? '';
    const fb = b.location?.file ?? '';
    if (fa !== fb) return fa < fb ? -1 : 1;
    const la = a.location?.line ?? 0;
    const lb = b.location?.line ?? 0;
    if (la !== lb) return la - lb;
    const ca = a.location?.column ?? 0;
    const cb = b.location?.column ?? 0;
    if (ca !== cb) return ca - cb;
    return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
  });
}
