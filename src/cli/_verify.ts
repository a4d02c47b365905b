/**
 * Render one environment in memory and verify it (schemas, removed APIs, audit rules): what
 * `slipway verify` reports per environment and what `slipway deploy` checks before it touches an
 * engine.
 */
import { join } from 'node:path';
import { resolveEnvironment } from '../model/resolve.ts';
import { type EnvironmentRender, renderEnvironment } from '../render/index.ts';
import { renderKubernetes } from '../render/kubernetes/index.ts';
import type { LoadedSpec } from '../spec/loader.ts';
import { type Finding, verifyEnvironment } from '../verify/index.ts';
import { readRenderInputs } from './_inputs.ts';
import { problemsToDiagnostics } from './_problems.ts';
import { ValidationError } from './errors.ts';

export interface EnvironmentVerdict {
  env: string;
  target: 'kubernetes' | 'compose';
  kubernetesVersion?: string;
  /** Kubernetes objects verified, or for Compose the files audited (compose.yaml). */
  objects: number;
  findings: Finding[];
}

/** `out` is the folder plan writes to, so findings name the files a user can open. */
export function verifyOne(loaded: LoadedSpec, env: string, out: string): EnvironmentVerdict {
  const model = resolveEnvironment(loaded.spec, env);
  const inputs = readRenderInputs(loaded, model, join(out, env));
  // Kubernetes: only what is verified is rendered (no files are written, so no YAML text is built);
  // Compose: the environment's renderers, for its compose.yaml.
  const kubernetes = model.environment.target === 'kubernetes';
  let render: EnvironmentRender;
  if (kubernetes) {
    const k = renderKubernetes(model, inputs);
    render = { files: [], problems: k.problems, notes: [], kubernetes: k };
  } else render = renderEnvironment(model, inputs);
  const problems = problemsToDiagnostics(loaded, render.problems);
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    env,
    target: kubernetes ? 'kubernetes' : 'compose',
    ...(kubernetes ? { kubernetesVersion: model.environment.kubernetesVersion } : {}),
    objects:
      render.kubernetes?.objects.length ?? render.files.filter((f) => f.path === 'compose.yaml').length,
    findings: verifyEnvironment(model, render),
  };
}
