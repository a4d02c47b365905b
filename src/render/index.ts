/**
 * Every renderer, in one explicit list. `slipway plan` runs each that applies to an environment's
 * target; later issues add kubernetes, compose, docker, helm, ci and docs here.
 */
import type { Model } from '../model/types.ts';
import type { FileArtifact } from './artifact.ts';
import { renderModelFile } from './model-file.ts';

export interface Renderer {
  id: string;
  /** Which environment targets it applies to. */
  targets: readonly Model['environment']['target'][];
  render: (model: Model) => FileArtifact[];
}

export const RENDERERS: readonly Renderer[] = [
  { id: 'model', targets: ['compose', 'kubernetes'], render: renderModelFile },
];

export function renderEnvironment(model: Model): FileArtifact[] {
  return RENDERERS.filter((r) => r.targets.includes(model.environment.target)).flatMap((r) =>
    r.render(model),
  );
}
