/**
 * `docker compose config -q` (the Compose v2 plugin's own model loader and validator) accepts
 * every compose environment of every example as `slipway plan` writes it. No daemon is needed.
 *
 * Each project is checked twice: with no env file, compose must refuse and name a required secret
 * variable (secrets are never defaulted); with an env file filled from the generated `.env.example`,
 * it must accept the file and print no warning (an obsolete `version:` key would warn).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { loadSpecFile } from '../../src/spec/loader.ts';
import { runCli } from '../_helpers.ts';
import { run } from './_engines.ts';
import { composeCli } from './support/docker.ts';

const compose = composeCli();
const WORK = mkdtempSync(join(tmpdir(), 'slipway-compose-config-'));
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

const ENVS = readdirSync('examples', { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => {
    const spec = join('examples', d.name, 'slipway.yaml');
    const { loaded } = loadSpecFile(spec);
    if (!loaded) throw new Error(`${spec} does not load`);
    return Object.entries(loaded.spec.environments)
      .filter(([, e]) => e.target === 'compose')
      .map(([env]) => ({ example: d.name, spec, env }));
  });

describe('docker compose config -q accepts every example compose environment', () => {
  compose.it('the examples have compose environments', () => {
    expect(ENVS.length).toBeGreaterThanOrEqual(5);
  });

  for (const { example, spec, env } of ENVS) {
    compose.it(`${example}/${env}`, async () => {
      const out = join(WORK, example);
      const plan = runCli(['plan', spec, '--env', env, '--out', out], { timeoutMs: 60_000 });
      expect(plan.code, plan.stderr).toBe(0);
      const dir = join(out, env);
      const example_ = readFileSync(join(dir, '.env.example'), 'utf8');
      const variables = [...example_.matchAll(/^([A-Z0-9_]+)=$/gm)].map((m) => m[1] as string);
      const compose = readFileSync(join(dir, 'compose.yaml'), 'utf8');
      expect(compose).not.toMatch(/^version:/m);

      const required = [...compose.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1] as string);
      const empty = join(WORK, `${example}-${env}.empty.env`);
      writeFileSync(empty, '');
      if (required.length > 0) {
        const refused = await run('docker', ['compose', '--env-file', empty, 'config', '-q'], { cwd: dir });
        expect(refused.code, 'a missing secret must stop compose').not.toBe(0);
        expect(refused.stderr).toMatch(new RegExp(`required variable (${required.join('|')}) is missing`));
      }

      // Every variable the compose file requires is in the template the user copies.
      for (const v of required) expect(variables, `.env.example lacks ${v}`).toContain(v);
      const filled = join(WORK, `${example}-${env}.env`);
      writeFileSync(filled, variables.map((v) => `${v}=placeholder-${v.toLowerCase()}\n`).join(''));
      const r = await run('docker', ['compose', '--env-file', filled, 'config', '-q'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.trim()).toBe('');
      const names = await run('docker', ['compose', '--env-file', filled, 'config', '--services'], {
        cwd: dir,
      });
      expect(names.code, names.stderr).toBe(0);
      expect(names.stdout.trim().split('\n').length).toBeGreaterThan(0);
    });
  }
});
