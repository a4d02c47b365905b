/**
 * Golden files: every Kubernetes environment of every example, as one multi-document YAML per
 * environment under test/golden/<example>/<env>.yaml. Regenerate with UPDATE_GOLDEN=1 and
 * review the diff by eye: it is exactly what users will apply.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toYaml } from '../../src/render/yaml.ts';
import { renderExamples } from './_examples.ts';

const update = process.env.UPDATE_GOLDEN === '1';

describe('golden Kubernetes renders', () => {
  const rendered = renderExamples();

  it('covers at least one kubernetes environment of every example', () => {
    expect(new Set(rendered.map((r) => r.example))).toEqual(
      new Set(['autodevhub', 'codequal', 'devportal', 'plugin-portal', 'vibeyard']),
    );
  });

  it.each(rendered.map((r) => [`${r.example}/${r.env}`, r] as const))('%s', (_, r) => {
    const text = r.render.objects.map((o) => `---\n${toYaml(o)}`).join('');
    const file = join('test/golden', r.example, `${r.env}.yaml`);
    if (update || !existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    expect(text).toBe(readFileSync(file, 'utf8'));
    expect(r.render.problems).toEqual([]);
  });
});
