/** Slipway's library surface, by pipeline stage. */

export { resolveEnvironment } from './model/resolve.ts';
export type * from './model/types.ts';
export { RENDERERS, renderEnvironment } from './render/index.ts';
export { type KubernetesRender, kubernetesFiles, renderKubernetes } from './render/kubernetes/index.ts';
export { toYaml } from './render/yaml.ts';
export type { Diagnostic, DiagnosticCode, Severity, SourcePosition } from './spec/diagnostics.ts';
export { DIAGNOSTIC_CODES, hasErrors } from './spec/diagnostics.ts';
export { specJsonSchema } from './spec/json-schema.ts';
export { type LoadedSpec, type LoadResult, loadSpecFile, parseSpec } from './spec/loader.ts';
export { effectiveSpec, Provenance } from './spec/overlay.ts';
export { type Spec, specSchema } from './spec/schema.ts';
export { type Finding, verifyKubernetes } from './verify/index.ts';
export { validateObjects } from './verify/schema/kubernetes.ts';
