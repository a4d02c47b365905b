/**
 * What a deploy wants the cluster to hold: the environment rendered in memory with the same
 * renderer `slipway render` uses (no files written), image overrides applied, hook Jobs told apart.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { readRenderInputs } from '../../cli/_inputs.ts';
import { problemsToDiagnostics } from '../../cli/_problems.ts';
import { ValidationError } from '../../cli/errors.ts';
import { resolveEnvironment } from '../../model/resolve.ts';
import type { Model } from '../../model/types.ts';
import { type KubeObject, renderKubernetes } from '../../render/kubernetes/index.ts';
import type { DeployTarget } from '../driver.ts';
import { HOOK_ANNOTATION, type HookPhase, JOB_HASH_ANNOTATION, jobHash } from './hooks.ts';

export interface Desired {
  model: Model;
  /** Every rendered object, in apply order (the renderer's kind rank). */
  objects: KubeObject[];
  /** What the renderer says the cluster needs first (ingress controller, operators…). */
  prerequisites: string[];
  images: Record<string, string>;
  specHash: string;
}

export function hookPhase(o: KubernetesObject): HookPhase | undefined {
  const p = o.metadata?.annotations?.[HOOK_ANNOTATION];
  return p === 'pre-deploy' || p === 'post-deploy' ? p : undefined;
}

/** Hook Jobs carry the content hash runJobs stamps on them, so the applied Job matches the plan. */
function stampHook<T extends KubernetesObject>(o: T): T {
  if (o.kind !== 'Job' || !hookPhase(o)) return o;
  return {
    ...o,
    metadata: {
      ...o.metadata,
      annotations: { ...o.metadata?.annotations, [JOB_HASH_ANNOTATION]: jobHash(o) },
    },
  };
}

export function renderDesired(
  target: DeployTarget,
  overrides: { imageTag?: string | undefined; registry?: string | undefined } = {},
): Desired {
  const { loaded, env } = target;
  let model = target.model;
  if (overrides.imageTag || overrides.registry) {
    // Built images are named from the environment's images.registry/tag: override there and resolve
    // again, so prebuilt `image:` references stay as written.
    const spec = structuredClone(loaded.spec);
    const e = spec.environments[env];
    if (e) {
      e.images = {
        ...(e.images ?? {}),
        ...(overrides.imageTag ? { tag: overrides.imageTag } : {}),
        ...(overrides.registry ? { registry: overrides.registry } : {}),
      };
    }
    model = resolveEnvironment(spec, env);
  }
  const inputs = readRenderInputs(loaded, model, join(loaded.dir, 'deploy', env));
  const rendered = renderKubernetes(model, inputs);
  const problems = problemsToDiagnostics(loaded, rendered.problems);
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    model,
    objects: rendered.objects.map(stampHook),
    prerequisites: rendered.prerequisites,
    images: Object.fromEntries(model.services.map((s) => [s.name, s.image])),
    specHash: createHash('sha256').update(loaded.source.text).update(`\0${env}`).digest('hex'),
  };
}
