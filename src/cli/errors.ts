/**
 * The CLI's small error hierarchy. Commands throw these; one top-level handler maps them to
 * exit codes (documented in docs/cli.md): 0 ok, 1 findings, 2 invalid input or usage,
 * 3 engine or deploy failure. Anything else is a bug and says so.
 */
import type { Diagnostic } from '../spec/diagnostics.ts';

export const EXIT = { ok: 0, findings: 1, invalid: 2, engine: 3, internal: 70 } as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

/** Input that failed to load or validate; carries every diagnostic found. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    super(`${diagnostics.length} problem(s)`);
    this.diagnostics = diagnostics;
  }
}

/** A Docker or Kubernetes engine refused or failed; keeps what the engine said. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  readonly detail: string | undefined;
  constructor(message: string, detail?: string) {
    super(message);
    this.detail = detail;
  }
}
