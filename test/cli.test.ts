/** The CLI as users run it: the built binary, real files, exit codes, text and JSON output. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const NODE = join(process.cwd(), 'node_modules/.bin/node');
const BIN = join(process.cwd(), 'bin/slipway.js');

function slipway(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(NODE, [BIN, ...args], {
    cwd: opts.cwd ?? process.cwd(),
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SPEC = `apiVersion: slipway.dev/v1
app:
  name: shop
services:
  web:
    image: acme/web:1.2.3
    ports: { http: 3000 }
    env:
      DATABASE_URL: \${dependencies.db.url}
    replicas: 1
dependencies:
  db: { type: postgres }
ingress:
  hosts: [shop.example.com]
  routes: [{ path: /, service: web }]
environments:
  dev:
    target: compose
  prod:
    target: kubernetes
    namespace: shop
    services:
      web: { replicas: 3 }
`;

function specFile(text = SPEC): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-cli-'));
  const file = join(dir, 'slipway.yaml');
  writeFileSync(file, text);
  return file;
}

describe('slipway CLI', () => {
  it('prints its version and exits 0', () => {
    const r = slipway(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('has help with examples for every command', () => {
    for (const cmd of ['validate', 'plan', 'envs', 'explain', 'schema', 'init']) {
      const r = slipway([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toContain('Examples:');
    }
  });

  it('exits 2 on an unknown command, with a suggestion', () => {
    const r = slipway(['valdate', 'x.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('validate');
  });

  it('exits 2 on an unknown option', () => {
    expect(slipway(['validate', '--frobnicate', 'x']).code).toBe(2);
  });

  it('validate: 0 for a valid spec, 2 with located diagnostics for an invalid one', () => {
    const ok = slipway(['validate', specFile()]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('is valid');
    const file = specFile(SPEC.replace('replicas: 1', 'replicas: one'));
    const bad = slipway(['validate', file]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${file}:10:15`);
    expect(bad.stderr).toContain('^^^');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });

  it('validate --output json gives the same diagnostics as data', () => {
    const file = specFile(SPEC.replace('replicas: 1', 'replicas: one'));
    const r = slipway(['validate', file, '--output', 'json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout);
    expect(out.valid).toBe(false);
    expect(out.diagnostics[0]).toMatchObject({
      code: 'invalid-type',
      severity: 'error',
      location: { file, line: 10, column: 15 },
    });
  });

  it('colours only when asked by the terminal, never with NO_COLOR', () => {
    const file = specFile(SPEC.replace('replicas: 1', 'replicas: one'));
    expect(slipway(['validate', file]).stderr).not.toContain('\u001b[');
    expect(slipway(['validate', file], { env: { FORCE_COLOR: '1', NO_COLOR: '' } }).stderr).toBeDefined();
  });

  it('envs lists each environment with its target', () => {
    const r = slipway(['envs', specFile(), '--output', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((e: { name: string; target: string }) => [e.name, e.target])).toEqual([
      ['dev', 'compose'],
      ['prod', 'kubernetes'],
    ]);
    const text = slipway(['envs', specFile()]);
    expect(text.stdout).toMatch(/^ENVIRONMENT\s+TARGET/);
  });

  it('explain names the layer and line that set a value', () => {
    const file = specFile();
    const r = slipway(['explain', file, '--env', 'prod', 'services.web.replicas', '--output', 'json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.value).toBe(3);
    expect(out.setBy).toMatchObject({ layer: 'environments.prod', line: 23 });
    expect(out.overrides).toMatchObject([{ layer: 'base', line: 10 }]);
    const dflt = JSON.parse(
      slipway(['explain', file, '--env', 'prod', 'services.web.rollout.maxUnavailable', '--output', 'json'])
        .stdout,
    );
    expect(dflt).toMatchObject({ value: 0, setBy: { layer: 'default' } });
  });

  it('explain refuses an unknown environment and a path that does not exist', () => {
    const file = specFile();
    const env = slipway(['explain', file, '--env', 'staging', 'services.web.replicas']);
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('unknown-environment');
    expect(slipway(['explain', file, '--env', 'prod', 'services.nope.replicas']).code).toBe(2);
    expect(slipway(['explain', file, 'services.web.replicas']).code).toBe(2);
  });

  it('schema prints a JSON Schema', () => {
    const r = slipway(['schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
    });
  });

  it('plan writes each environment under --out and summarises it', () => {
    const file = specFile();
    const out = mkdtempSync(join(tmpdir(), 'slipway-plan-'));
    const r = slipway(['plan', file, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 environment(s) resolved and validated');
    expect(existsSync(join(out, 'dev/model.yaml'))).toBe(true);
    expect(readFileSync(join(out, 'prod/model.yaml'), 'utf8')).toContain('namespace: shop');
    const again = slipway(['plan', file, '--out', out, '--env', 'prod', '--output', 'json']);
    expect(JSON.parse(again.stdout).environments.map((e: { environment: string }) => e.environment)).toEqual([
      'prod',
    ]);
  });

  it('plan is deterministic: the same spec gives the same bytes', () => {
    const file = specFile();
    const a = mkdtempSync(join(tmpdir(), 'slipway-plan-'));
    const b = mkdtempSync(join(tmpdir(), 'slipway-plan-'));
    slipway(['plan', file, '--out', a]);
    slipway(['plan', file, '--out', b]);
    for (const env of ['dev', 'prod']) {
      expect(readFileSync(join(a, env, 'model.yaml'), 'utf8')).toBe(
        readFileSync(join(b, env, 'model.yaml'), 'utf8'),
      );
    }
  });

  it('never writes or logs secret values, even when they are exported in the environment', () => {
    const marker = 'SLIPWAY-MARKER-8c1f0e';
    const out = mkdtempSync(join(tmpdir(), 'slipway-plan-'));
    const env: Record<string, string> = {};
    for (const name of [
      'DATABASE_URL',
      'DB_PASSWORD',
      'GITHUB_CLIENT_SECRET',
      'NEXTAUTH_SECRET',
      'OPENAI_API_KEY',
    ])
      env[name] = marker;
    const r = slipway(['plan', 'examples/vibeyard/slipway.yaml', '--out', out], { env });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(marker);
    const files = readdirSync(out, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) expect(readFileSync(join(f.parentPath, f.name), 'utf8')).not.toContain(marker);
  });

  it('verify finds the same problems with compiled validators cached on disk as without', () => {
    const cache = mkdtempSync(join(tmpdir(), 'slipway-cache-'));
    const file = specFile(
      `${SPEC}    patches:\n      kubernetes:\n        - target: { kind: Deployment, name: web }\n          merge: { spec: { replcas: 2, template: { spec: { terminationGracePeriodSeconds: "30" } } } }\n`,
    );
    const run = (env: Record<string, string>) =>
      slipway(['verify', file, '--env', 'prod', '--output', 'json'], {
        env: { SLIPWAY_CACHE: cache, ...env },
      });
    const cold = run({});
    const cached = readdirSync(join(cache, 'validators'), { recursive: true }).filter((f) =>
      String(f).endsWith('.cjs'),
    );
    const warm = run({});
    const off = run({ SLIPWAY_VALIDATOR_CACHE: '0' });
    expect(cold.code).toBe(1);
    expect(cached.length).toBeGreaterThan(3);
    const findings = (r: { stdout: string }) =>
      JSON.parse(r.stdout).environments[0].findings.map(
        (f: { rule: string; path: string }) => `${f.rule} ${f.path}`,
      );
    expect(findings(cold)).toEqual([
      'schema /spec/replcas',
      'schema /spec/template/spec/terminationGracePeriodSeconds',
    ]);
    expect(warm.stdout).toBe(cold.stdout);
    expect(off.stdout).toBe(cold.stdout);
  });

  it('deploy refuses a render that fails verification before it touches any engine', () => {
    const file = specFile(
      `${SPEC}    patches:\n      kubernetes:\n        - target: { kind: Deployment, name: web }\n          merge: { spec: { replcas: 2 } }\n`,
    );
    // A kubeconfig that does not exist: reaching the Kubernetes driver would fail with exit 3.
    const env = { KUBECONFIG: join(tmpdir(), 'slipway-no-such-kubeconfig') };
    const r = slipway(['deploy', file, '--env', 'prod'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[schema\].*replcas/);
    expect(r.stderr).toMatch(/--> deploy\/prod\/\S+\.yaml:\d+:\d+/);
    expect(r.stderr).toContain('nothing was deployed');
    const unpatched = slipway(['deploy', specFile(), '--env', 'prod'], { env });
    expect(unpatched.code).toBe(3);
    expect(unpatched.stderr).toContain('kubeconfig');
  });

  it('a missing file is a clean error, never a stack trace', () => {
    const r = slipway(['plan', '/nonexistent/slipway.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('file-not-found');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
