/** Slipway's library surface, by pipeline stage. */
export type { Diagnostic, DiagnosticCode, Severity, SourcePosition } from './spec/diagnostics.ts';
export { DIAGNOSTIC_CODES, hasErrors } from './spec/diagnostics.ts';
export { type LoadedSpec, type LoadResult, loadSpecFile, parseSpec } from './spec/loader.ts';
export { effectiveSpec, Provenance } from './spec/overlay.ts';
export { specSchema, type Spec } from './spec/schema.ts';
export { specJsonSchema } from './spec/json-schema.ts';
export { resolveEnvironment } from './model/resolve.ts';
export type * from './model/types.ts';
export { renderEnvironment, RENDERERS } from './render/index.ts';
