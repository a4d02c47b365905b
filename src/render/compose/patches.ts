/**
 * The escape hatch, applied last: the spec's `patches.compose`, JSON merge patches (RFC 7386) on
 * one service or on the whole file. A patch naming a service that is not rendered is a problem
 * reported at the spec line that wrote it.
 */
import type { Model } from '../../model/types.ts';
import { closest } from '../../spec/_suggest.ts';
import { mergePatch, type RenderProblem } from '../kubernetes/patches.ts';

export type ComposeFile = Record<string, unknown> & { services: Record<string, unknown> };

export function applyComposePatches(
  model: Model,
  file: ComposeFile,
): { file: ComposeFile; problems: RenderProblem[] } {
  const problems: RenderProblem[] = [];
  let out = file;
  for (const patch of model.patches.compose) {
    if (patch.service === undefined) {
      out = mergePatch(out, patch.merge) as ComposeFile;
      continue;
    }
    const names = Object.keys(out.services ?? {});
    if (!names.includes(patch.service)) {
      const guess = closest(patch.service, names);
      problems.push({
        specPath: patch.source,
        message: `compose patch names service "${patch.service}", which is not rendered`,
        hint: guess ? `did you mean "${guess}"?` : `rendered services: ${names.join(', ')}`,
      });
      continue;
    }
    out = {
      ...out,
      services: { ...out.services, [patch.service]: mergePatch(out.services[patch.service], patch.merge) },
    };
  }
  return { file: out, problems };
}
