/** Reading what renderers need from disk (config files, a sealed secret): the I/O edge of rendering. */
import { readFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { parseDocument } from 'yaml';
import type { Model } from '../model/types.ts';
import type { RenderInputs } from '../render/index.ts';
import type { KubeObject } from '../render/kubernetes/index.ts';
import type { LoadedSpec } from '../spec/loader.ts';
import { UsageError } from './errors.ts';

/** Paths between the spec folder and an environment's output folder, as renderers write them (POSIX). */
export function outputPaths(
  loaded: LoadedSpec,
  envOutputDir: string,
): { specDirFromOutput: string; outputDirFromSpec: string } {
  const output = resolve(envOutputDir);
  const posix = (p: string) => (p === '' ? '.' : p.split(sep).join('/'));
  return {
    specDirFromOutput: posix(relative(output, loaded.dir)),
    outputDirFromSpec: posix(relative(loaded.dir, output)),
  };
}

/** `envOutputDir`: where this environment's files are written (compose paths are relative to it). */
export function readRenderInputs(loaded: LoadedSpec, model: Model, envOutputDir: string): RenderInputs {
  const paths = outputPaths(loaded, envOutputDir);
  const files = new Map<string, string>();
  for (const svc of model.services) {
    for (const f of svc.files)
      if (!files.has(f.source)) files.set(f.source, readFileSync(resolve(loaded.dir, f.source), 'utf8'));
  }
  const src = model.environment.secretSource;
  if (src.type === 'sealed-secrets' && src.file) {
    const path = resolve(loaded.dir, src.file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      throw new UsageError(
        `the sealed secret ${src.file} of environment ${model.environment.name} does not exist`,
        'seal your Secret with kubeseal into that file (slipway plan prints the command)',
      );
    }
    const obj = parseDocument(text).toJS() as KubeObject | null;
    if (obj?.kind !== 'SealedSecret') {
      throw new UsageError(
        `${src.file} is not a SealedSecret manifest`,
        'it must be the output of kubeseal -o yaml',
      );
    }
    return { files, sealedSecret: obj, ...paths };
  }
  return { files, ...paths };
}
