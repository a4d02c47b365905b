/** Render problems (e.g. a patch that matches nothing) as diagnostics located at the spec line that caused them. */
import type { RenderProblem } from '../render/kubernetes/index.ts';
import type { Diagnostic } from '../spec/diagnostics.ts';
import type { LoadedSpec } from '../spec/loader.ts';
import { findNode, parseSpecPath, pointAt } from '../spec/positions.ts';

export function problemsToDiagnostics(loaded: LoadedSpec, problems: readonly RenderProblem[]): Diagnostic[] {
  return problems.map((p) => {
    const at = pointAt(findNode(loaded.doc, parseSpecPath(p.specPath)), 'key');
    return loaded.source.at('patch-failed', at.start, p.message, p.hint, {
      endOffset: at.end,
      path: p.specPath,
    });
  });
}
