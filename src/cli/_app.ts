/** Running the app-level renderers (CI workflows, docs, Helm) for a loaded spec: the I/O edge. */
import { join, relative, resolve, sep } from 'node:path';
import type { Model } from '../model/types.ts';
import {
  APP_RENDERERS,
  type AppRenderer,
  type EnvironmentRender,
  type RenderInputs,
} from '../render/index.ts';
import type { LoadedSpec } from '../spec/loader.ts';
import { readRenderInputs } from './_inputs.ts';

/** The spec path as workflows and docs name it: relative to the working folder (the repository root). */
export function specPathForApp(loaded: LoadedSpec): string {
  const rel = relative(process.cwd(), resolve(loaded.file)).split(sep).join('/');
  // Outside the working folder the relative path would climb out of the repository: name the file only.
  return rel.startsWith('../') || rel === '' ? (loaded.file.split(/[\\/]/).pop() ?? 'slipway.yaml') : rel;
}

export interface AppOutput extends Omit<EnvironmentRender, 'kubernetes'> {
  renderer: AppRenderer;
  /** Where its files go, under the output folder. */
  dir: string;
}

/** `known`: inputs the caller already read, by environment; the rest are read here. */
export function renderApp(
  loaded: LoadedSpec,
  models: Model[],
  out: string,
  only?: string,
  known: ReadonlyMap<string, RenderInputs> = new Map(),
): AppOutput[] {
  const perEnvironment = new Map<string, RenderInputs>(
    models.map((m) => [
      m.environment.name,
      known.get(m.environment.name) ?? readRenderInputs(loaded, m, join(out, m.environment.name)),
    ]),
  );
  const inputs = { specPath: specPathForApp(loaded), perEnvironment };
  return APP_RENDERERS.filter((r) => only === undefined || r.id === only).map((renderer) => ({
    renderer,
    dir: join(out, renderer.folder),
    ...renderer.render(models, inputs),
  }));
}
