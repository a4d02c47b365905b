/**
 * The escape hatch, applied last: JSON merge patches (RFC 7386) and JSON patches (RFC 6902,
 * through fast-json-patch) on rendered objects chosen by kind and name. A patch that matches
 * nothing, or fails to apply, is a problem reported against the spec line that wrote it.
 */
import jsonpatch from 'fast-json-patch';
import type { Model } from '../../model/types.ts';
import { closest } from '../../spec/_suggest.ts';
import type { KubeObject } from './_object.ts';

export interface RenderProblem {
  /** Spec path of what caused it, e.g. `environments.prod.patches.kubernetes[0]`. */
  specPath: string;
  message: string;
  hint: string;
}

export function applyPatches(
  model: Model,
  objects: KubeObject[],
): { objects: KubeObject[]; problems: RenderProblem[] } {
  const problems: RenderProblem[] = [];
  let out = objects;
  for (const patch of model.patches.kubernetes) {
    const { kind, name } = patch.target;
    const matches = (o: KubeObject) =>
      o.kind === kind &&
      (name === undefined || o.metadata.name === name || o.metadata.name === `${model.app.name}-${name}`);
    if (!out.some(matches)) {
      problems.push({
        specPath: patch.source,
        message: `patch target ${kind}${name ? `/${name}` : ''} matches no rendered object`,
        hint: patchHint(out, kind, name),
      });
      continue;
    }
    out = out.map((o) => {
      if (!matches(o)) return o;
      let next: unknown = o;
      if (patch.merge) next = mergePatch(next, patch.merge);
      if (patch.jsonPatch) {
        try {
          next = jsonpatch.applyPatch(
            structuredClone(next),
            patch.jsonPatch as jsonpatch.Operation[],
            true,
            false,
          ).newDocument;
        } catch (e) {
          problems.push({
            specPath: patch.source,
            message: `JSON patch failed on ${o.kind}/${o.metadata.name}: ${(e as Error).message.split('\n')[0]}`,
            hint: 'check the op and path against the rendered object (slipway render)',
          });
          return o;
        }
      }
      return next as KubeObject;
    });
  }
  return { objects: out, problems };
}

function patchHint(objects: KubeObject[], kind: string, name: string | undefined): string {
  const same = objects.filter((o) => o.kind === kind).map((o) => o.metadata.name);
  if (same.length === 0) {
    const guess = closest(kind, new Set(objects.map((o) => o.kind)));
    return guess
      ? `no ${kind} is rendered; did you mean kind "${guess}"?`
      : `no ${kind} is rendered; see slipway render for the objects`;
  }
  const guess = name ? closest(name, same) : undefined;
  return guess ? `did you mean "${guess}"?` : `rendered ${kind} objects: ${same.join(', ')}`;
}

/** RFC 7386: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
