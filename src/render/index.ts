/**
 * Every renderer, in one explicit list. `slipway plan` runs each that applies to an environment's
 * target; `slipway render --target <id>` runs one.
 */
import type { Model } from '../model/types.ts';
import type { FileArtifact } from './artifact.ts';
import { renderWorkflows } from './ci/index.ts';
import { renderCompose } from './compose/index.ts';
import { renderDockerfiles } from './docker/index.ts';
import { renderArchitectureDocs } from './docs/index.ts';
import { renderHelmChart } from './helm/index.ts';
import {
  type KubernetesInputs,
  type KubernetesRender,
  kubernetesFiles,
  type RenderProblem,
  renderKubernetes,
} from './kubernetes/index.ts';
import { renderModelFile } from './model-file.ts';

/** What renderers read besides the model, gathered at the edge (files on disk, where output goes). */
export interface RenderInputs extends KubernetesInputs {
  /** The spec folder, relative to the environment's output folder (POSIX). */
  specDirFromOutput?: string;
  /** The environment's output folder, relative to the spec folder (POSIX). */
  outputDirFromSpec?: string;
}

export interface EnvironmentRender {
  files: FileArtifact[];
  problems: RenderProblem[];
  /** Things a person should know or do, shown by plan. */
  notes: string[];
  kubernetes?: KubernetesRender;
}

export interface Renderer {
  id: string;
  description: string;
  /** Which environment targets it applies to. */
  targets: readonly Model['environment']['target'][];
  render: (model: Model, inputs: RenderInputs) => EnvironmentRender;
}

const paths = (inputs: RenderInputs) => ({
  ...(inputs.specDirFromOutput !== undefined ? { specDirFromOutput: inputs.specDirFromOutput } : {}),
  ...(inputs.outputDirFromSpec !== undefined ? { outputDirFromSpec: inputs.outputDirFromSpec } : {}),
});

export const RENDERERS: readonly Renderer[] = [
  {
    id: 'model',
    description: 'the resolved model (model.yaml)',
    targets: ['compose', 'kubernetes'],
    render: (m) => ({ files: renderModelFile(m), problems: [], notes: [] }),
  },
  {
    id: 'kubernetes',
    description: 'Kubernetes manifests, one file per object, in apply order',
    targets: ['kubernetes'],
    render: (m, inputs) => {
      const k = renderKubernetes(m, inputs);
      return { files: kubernetesFiles(k), problems: k.problems, notes: k.notes, kubernetes: k };
    },
  },
  {
    id: 'compose',
    description: 'compose.yaml, .env.example and the reverse proxy config',
    targets: ['compose'],
    render: (m, inputs) => {
      const c = renderCompose(m, { files: inputs.files, ...paths(inputs) });
      return { files: c.files, problems: c.problems, notes: c.notes };
    },
  },
  {
    id: 'docker',
    description: 'Dockerfiles for services built from a runtime preset',
    targets: ['compose', 'kubernetes'],
    render: (m, inputs) => ({ files: renderDockerfiles(m, paths(inputs)), problems: [], notes: [] }),
  },
];

/** What app-level renderers (one output for all environments) read besides the models. */
export interface AppInputs {
  /** The spec's path relative to the repository root (POSIX), as workflows and docs name it. */
  specPath: string;
  /** Per environment, what its renderers read. */
  perEnvironment: ReadonlyMap<string, RenderInputs>;
}

/** A renderer of one artifact for the whole app (CI workflows, docs, the Helm chart). */
export interface AppRenderer {
  id: string;
  description: string;
  /** The folder under the output folder its files go to. */
  folder: string;
  render: (models: Model[], inputs: AppInputs) => Omit<EnvironmentRender, 'kubernetes'>;
}

export const APP_RENDERERS: readonly AppRenderer[] = [
  {
    id: 'helm',
    description:
      'a Helm chart with values-<env>.yaml per kubernetes environment (helm template equals the Kubernetes render)',
    folder: 'helm',
    render: (models, inputs) => renderHelmChart(models, inputs.perEnvironment),
  },
  {
    id: 'ci',
    description: 'GitHub Actions workflows (ci.yml, deploy.yml) — copy .github/ to the repository root',
    folder: 'ci',
    render: (models, inputs) => ({
      files: renderWorkflows(models, { specPath: inputs.specPath }),
      problems: [],
      notes: [],
    }),
  },
  {
    id: 'docs',
    description: 'architecture documents with diagrams, environment matrix and runbooks',
    folder: '.',
    render: (models, inputs) => ({
      files: renderArchitectureDocs(models, { specPath: inputs.specPath }),
      problems: [],
      notes: [],
    }),
  },
];

export function renderersFor(model: Model): Renderer[] {
  return RENDERERS.filter((r) => r.targets.includes(model.environment.target));
}

/** Run every renderer that applies to the model's target. */
export function renderEnvironment(model: Model, inputs: RenderInputs): EnvironmentRender {
  const out: EnvironmentRender = { files: [], problems: [], notes: [] };
  for (const r of renderersFor(model)) {
    const res = r.render(model, inputs);
    out.files.push(...res.files);
    out.problems.push(...res.problems);
    out.notes.push(...res.notes.filter((n) => !out.notes.includes(n)));
    if (res.kubernetes) out.kubernetes = res.kubernetes;
  }
  return out;
}
