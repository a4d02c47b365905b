/**
 * Every renderer, in one explicit list. `slipway plan` runs each that applies to an environment's
 * target; `slipway render --target <id>` runs one.
 */
import type { Model } from '../model/types.ts';
import type { FileArtifact } from './artifact.ts';
import {
  type KubernetesInputs,
  type KubernetesRender,
  kubernetesFiles,
  type RenderProblem,
  renderKubernetes,
} from './kubernetes/index.ts';
import { renderModelFile } from './model-file.ts';

export type RenderInputs = KubernetesInputs;

export interface EnvironmentRender {
  files: FileArtifact[];
  problems: RenderProblem[];
  kubernetes?: KubernetesRender;
}

export interface Renderer {
  id: string;
  description: string;
  /** Which environment targets it applies to. */
  targets: readonly Model['environment']['target'][];
  render: (model: Model, inputs: RenderInputs) => EnvironmentRender;
}

export const RENDERERS: readonly Renderer[] = [
  {
    id: 'model',
    description: 'the resolved model (model.yaml)',
    targets: ['compose', 'kubernetes'],
    render: (m) => ({ files: renderModelFile(m), problems: [] }),
  },
  {
    id: 'kubernetes',
    description: 'Kubernetes manifests, one file per object, in apply order',
    targets: ['kubernetes'],
    render: (m, inputs) => {
      const k = renderKubernetes(m, inputs);
      return { files: kubernetesFiles(k), problems: k.problems, kubernetes: k };
    },
  },
];

export function renderersFor(model: Model): Renderer[] {
  return RENDERERS.filter((r) => r.targets.includes(model.environment.target));
}

/** Run every renderer that applies to the model's target. */
export function renderEnvironment(model: Model, inputs: RenderInputs): EnvironmentRender {
  const out: EnvironmentRender = { files: [], problems: [] };
  for (const r of renderersFor(model)) {
    const res = r.render(model, inputs);
    out.files.push(...res.files);
    out.problems.push(...res.problems);
    if (res.kubernetes) out.kubernetes = res.kubernetes;
  }
  return out;
}
