/**
 * The audit rules inside `verify` and `plan`: a spec whose patches make the render unsafe gets the
 * audit's findings, located at the line and column of the file plan writes, for Kubernetes and Compose
 * environments alike, and --fail-on decides whether warnings fail the run.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planCommand } from '../../src/cli/commands/plan.ts';
import { verifyCommand } from '../../src/cli/commands/verify.ts';
import type { Io } from '../../src/cli/output.ts';

function io(format: 'text' | 'json' = 'text'): Io & { stdout: string; stderr: string } {
  const o = {
    stdout: '',
    stderr: '',
    color: false,
    format,
    out: (s: string) => {
      o.stdout += s;
    },
    err: (s: string) => {
      o.stderr += s;
    },
  };
  return o;
}

/** A spec whose `prod` Deployment and `dev` Compose service get the given patches. */
function spec(kubernetesMerge: string, composeMerge: string): { file: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-verify-audit-'));
  const file = join(dir, 'slipway.yaml');
  writeFileSync(
    file,
    `apiVersion: slipway.dev/v1
app:
  name: shop
services:
  web:
    image: acme/web:1.2.3
    ports: { http: 3000 }
environments:
  dev:
    target: compose
    patches:
      compose:
        - service: web
          merge: ${composeMerge}
  prod:
    target: kubernetes
    namespace: shop
    patches:
      kubernetes:
        - target: { kind: Deployment, name: web }
          merge: ${kubernetesMerge}
`,
  );
  return { file, out: join(dir, 'deploy') };
}

interface JsonFinding {
  rule: string;
  severity: string;
  file: string;
  line: number;
  column: number;
  path: string;
}

/** `line:column` of the first occurrence of `needle` in a file (found by text, not by the engine). */
function where(path: string, needle: string): string {
  const lines = readFileSync(path, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`"${needle}" not in ${path}`);
  return `${i + 1}:${(lines[i] ?? '').indexOf(needle) + 1}`;
}

describe('verify and plan run the audit rules on the render', () => {
  it('finds an unsafe Kubernetes patch at the field of the file plan writes, and fails', () => {
    const { file, out } = spec('{ spec: { template: { spec: { hostNetwork: true } } } }', '{ init: true }');
    const json = io('json');
    expect(verifyCommand(file, { out, failOn: 'error' }, json)).toBe(1);
    const envs = JSON.parse(json.stdout).environments as {
      env: string;
      target: string;
      findings: JsonFinding[];
    }[];
    expect(envs.map((e) => [e.env, e.target, e.findings.length])).toEqual([
      ['dev', 'compose', 0],
      ['prod', 'kubernetes', 1],
    ]);
    const f = envs[1]?.findings[0] as JsonFinding;
    expect([f.rule, f.severity, f.path]).toEqual([
      'host-network',
      'error',
      '/spec/template/spec/hostNetwork',
    ]);

    const plan = io();
    expect(planCommand(file, { out }, plan)).toBe(1);
    expect(`${f.line}:${f.column}`).toBe(where(join(out, 'prod', f.file), 'hostNetwork: true'));
    expect(plan.stderr).toContain(`error[host-network]: Deployment/shop-web`);
    expect(plan.stderr).toContain(`${join(out, 'prod', f.file)}:${f.line}:${f.column}`);
    expect(plan.stdout).toMatch(/schemas and \d+ audit rules: 1 error\(s\)/);
  });

  it('finds an unsafe Compose patch in compose.yaml', () => {
    const { file, out } = spec('{ metadata: { labels: { tier: web } } }', '{ privileged: true }');
    const text = io();
    expect(verifyCommand(file, { out, failOn: 'error' }, text)).toBe(1);
    expect(text.stdout).toMatch(/✗ dev: compose\.yaml against \d+ audit rules, 1 finding\(s\)/);
    expect(text.stdout).toMatch(
      /✓ prod: \d+ objects against Kubernetes [\d.]+ schemas and \d+ audit rules, 0 finding/,
    );
    expect(planCommand(file, { out }, io())).toBe(1);
    const at = where(join(out, 'dev', 'compose.yaml'), 'privileged: true');
    expect(text.stderr).toContain(`error[compose-privileged]: ComposeService/web`);
    expect(text.stderr).toContain(`${join(out, 'dev', 'compose.yaml')}:${at}`);
  });

  it('a warning fails only with --fail-on warning', () => {
    const { file, out } = spec(
      '{ spec: { template: { spec: { serviceAccount: shop-web } } } }',
      '{ init: true }',
    );
    const json = io('json');
    expect(verifyCommand(file, { out, failOn: 'error' }, json)).toBe(0);
    const findings = (JSON.parse(json.stdout).environments as { findings: JsonFinding[] }[]).flatMap(
      (e) => e.findings,
    );
    expect(findings.map((f) => `${f.rule} ${f.severity}`)).toEqual([
      'deprecated-service-account-field warning',
    ]);
    expect(verifyCommand(file, { out, failOn: 'warning' }, io('json'))).toBe(1);
    expect(planCommand(file, { out }, io())).toBe(0);
    expect(planCommand(file, { out, failOn: 'warning' }, io())).toBe(1);
  });
});
