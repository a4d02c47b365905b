/** Every example's Kubernetes environments, rendered through the library as the CLI does. */
import { globSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { resolveEnvironment } from '../../src/model/resolve.ts';
import type { Model } from '../../src/model/types.ts';
import type { KubeObject } from '../../src/render/kubernetes/_object.ts';
import { type KubernetesRender, renderKubernetes } from '../../src/render/kubernetes/index.ts';
import { loadSpecFile } from '../../src/spec/loader.ts';

export interface RenderedEnvironment {
  example: string;
  env: string;
  model: Model;
  render: KubernetesRender;
}

export function renderExamples(): RenderedEnvironment[] {
  const out: RenderedEnvironment[] = [];
  for (const file of globSync('examples/*/slipway.yaml').sort()) {
    const r = loadSpecFile(file);
    if (!r.loaded) throw new Error(`${file} does not load: ${JSON.stringify(r.diagnostics)}`);
    const { spec } = r.loaded;
    for (const env of Object.keys(spec.environments)) {
      if ((spec.environments[env]?.target ?? 'compose') !== 'kubernetes') continue;
      const model = resolveEnvironment(spec, env);
      const files = new Map<string, string>();
      for (const s of model.services)
        for (const f of s.files) files.set(f.source, readFileSync(resolve(dirname(file), f.source), 'utf8'));
      const src = model.environment.secretSource;
      const sealedSecret =
        src.type === 'sealed-secrets' && src.file
          ? (parseDocument(readFileSync(resolve(dirname(file), src.file), 'utf8')).toJS() as KubeObject)
          : undefined;
      out.push({
        example: file.split('/')[1] ?? file,
        env,
        model,
        render: renderKubernetes(model, sealedSecret ? { files, sealedSecret } : { files }),
      });
    }
  }
  return out;
}
