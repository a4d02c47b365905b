/**
 * Slipway's own output passes its own audit: every environment of every example (Kubernetes and
 * Compose), rendered as `plan` renders it, has ZERO audit findings — through verify's path (decoded
 * objects, text built only to locate) and as the files plan writes (text, parsed like `slipway audit`
 * reads them). A finding here means the render is wrong: fix the renderer, never weaken the rule.
 */
import { globSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditSources } from '../../src/audit/engine.ts';
import { readRenderInputs } from '../../src/cli/_inputs.ts';
import { resolveEnvironment } from '../../src/model/resolve.ts';
import { renderEnvironment } from '../../src/render/index.ts';
import { loadSpecFile } from '../../src/spec/loader.ts';
import { verifyEnvironment } from '../../src/verify/index.ts';

const environments = globSync('examples/*/slipway.yaml')
  .sort()
  .flatMap((file) => {
    const r = loadSpecFile(file);
    if (!r.loaded) throw new Error(`${file} does not load: ${JSON.stringify(r.diagnostics)}`);
    const loaded = r.loaded;
    return Object.keys(loaded.spec.environments).map((env) => {
      const model = resolveEnvironment(loaded.spec, env);
      const render = renderEnvironment(model, readRenderInputs(loaded, model, join('deploy', env)));
      return { name: `${file.split('/')[1]}/${env}`, model, render };
    });
  });

describe('audit of every example render', () => {
  it('covers Kubernetes and Compose environments', () => {
    const targets = new Set(environments.map((e) => e.model.environment.target));
    expect([...targets].sort()).toEqual(['compose', 'kubernetes']);
  });

  it.each(environments.map((e) => [e.name, e] as const))('%s: no finding in verify', (_, e) => {
    expect(e.render.problems).toEqual([]);
    const findings = verifyEnvironment(e.model, e.render);
    expect(findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column} ${f.message}`)).toEqual([]);
  });

  it.each(environments.map((e) => [e.name, e] as const))(
    '%s: no finding in the files plan writes',
    (_, e) => {
      const yamlFiles = e.render.files.filter(
        (f) => /\.ya?ml$/.test(f.path) && (f.renderer === 'kubernetes' || f.renderer === 'compose'),
      );
      expect(yamlFiles.length).toBeGreaterThan(0);
      const result = auditSources(
        yamlFiles.map((f) => ({ path: f.path, text: f.content })),
        { kubernetesVersion: e.model.environment.kubernetesVersion },
      );
      expect(result.skipped).toEqual([]);
      expect(result.objects).toBeGreaterThan(1);
      expect(result.findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column} ${f.message}`)).toEqual(
        [],
      );
    },
  );
});
