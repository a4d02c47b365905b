/** Render problems (e.g. a patch that matches nothing) as diagnostics located at the spec line that caused them. */
import type { RenderProblem } from '../render/kubernetes/index.ts';
import type { Diagnostic } from '../spec/diagnostics.ts';
import type { LoadedSpec } from '../spec/loader.ts';
import { findNode, pointAt } from '../spec/positions.ts';

export function problemsToDiagnostics(loaded: LoadedSpec, problems: readonly RenderProblem[]): Diagnostic[] {
  return problems.map((p) => {
    const path = p.specPath
      .replace(/\[(\d+)\]/g, '.$1')
      .split('.')
      .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const at = pointAt(findNode(loaded.doc, path), 'key');
    return loaded.source.at('patch-failed', at.start, p.message, p.hint, {
      endOffset: at.end,
      path: p.specPath,
    });
  });
}
