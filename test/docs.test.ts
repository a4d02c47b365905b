/** Documentation and generated files that must never drift from the code. */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { DIAGNOSTIC_CODES } from '../src/spec/diagnostics.ts';
import { specJsonSchema } from '../src/spec/json-schema.ts';

describe('docs/errors.md', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);

  it('has one row per diagnostic code, in the order of the code list', () => {
    expect(documented).toEqual([...DIAGNOSTIC_CODES]);
  });
});

describe('schema/slipway.schema.json', () => {
  const committed = JSON.parse(
    readFileSync(new URL('../schema/slipway.schema.json', import.meta.url), 'utf8'),
  );

  it('equals the schema generated from the source (run `npm run schema` after changing src/spec/schema.ts)', () => {
    expect(committed).toEqual(specJsonSchema());
  });

  // The JSON Schema is what editors check against; it must agree with Slipway's own shape check.
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const validate = ajv.compile(committed);
  const minimal = {
    apiVersion: 'slipway.dev/v1',
    app: { name: 'shop' },
    services: { web: { image: 'acme/web:1.0.0', ports: { http: 8080 } } },
    environments: { dev: { target: 'compose' } },
  };

  it('accepts a valid spec', () => {
    expect(validate(minimal), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    ['an unknown top-level key', { ...minimal, servcies: {} }],
    ['an unknown service key', { ...minimal, services: { web: { image: 'a/b:1', replcas: 2 } } }],
    ['a bad enum', { ...minimal, environments: { dev: { target: 'swarm' } } }],
    [
      'a missing apiVersion',
      { app: minimal.app, services: minimal.services, environments: minimal.environments },
    ],
    ['a bad duration', { ...minimal, services: { web: { image: 'a/b:1', terminationGrace: 'soon' } } }],
  ])('rejects %s', (_, value) => {
    expect(validate(value)).toBe(false);
  });

  it('accepts every valid example spec', async () => {
    const { globSync } = await import('node:fs');
    const files = globSync('examples/*/slipway.yaml');
    for (const f of files) {
      const value = parseDocument(readFileSync(f, 'utf8')).toJS();
      expect(validate(value), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});
