/** `slipway audit` as a command: inputs, configuration, output formats and exit codes. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditCommand } from '../../src/cli/commands/audit.ts';
import type { Io } from '../../src/cli/output.ts';
import { deployment } from './_audit.ts';

function io(): Io & { stdout: string; stderr: string } {
  const o = {
    stdout: '',
    stderr: '',
    color: false,
    format: 'text' as const,
    out: (s: string) => {
      o.stdout += s;
    },
    err: (s: string) => {
      o.stderr += s;
    },
  };
  return o;
}

const clean = deployment(
  [
    '- name: app',
    '  image: nginx:1.27',
    '  ports: [{ name: http, containerPort: 8080 }]',
    '  resources: { requests: { cpu: 100m, memory: 64Mi }, limits: { memory: 64Mi } }',
    '  readinessProbe: { tcpSocket: { port: http } }',
    '  livenessProbe: { tcpSocket: { port: http } }',
    '  securityContext:',
    '    allowPrivilegeEscalation: false',
    '    readOnlyRootFilesystem: true',
    '    capabilities: { drop: [ALL] }',
  ].join('\n'),
  'securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: RuntimeDefault } }',
);
const policy =
  'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: all, namespace: shop }\nspec: { podSelector: {} }\n';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-audit-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('slipway audit', () => {
  it('exits 0 on clean input, walking folders for YAML (hidden folders and chart templates skipped)', () => {
    const cwd = project({
      'k8s/app.yaml': clean,
      'k8s/policy.yml': policy,
      'k8s/.hidden/bad.yaml': 'x: [',
      'k8s/notes.txt': 'x: [',
      'chart/Chart.yaml': 'apiVersion: v2\nname: c\nversion: 0.1.0\n',
      'chart/templates/d.yaml': 'metadata:\n  name: {{ .Release.Name }}\n',
    });
    const o = io();
    expect(auditCommand(['k8s', 'chart'], { output: 'text', cwd }, o)).toBe(0);
    expect(o.stdout).toContain('0 errors, 0 warnings, 0 info — 2 objects in 3 files');
  });

  it('exits 1 on findings at or above --fail-on, 0 below it', () => {
    const cwd = project({ 'app.yaml': clean.replace('nginx:1.27', 'nginx:latest'), 'p.yaml': policy });
    expect(auditCommand(['.'], { output: 'text', cwd }, io())).toBe(0);
    const o = io();
    expect(auditCommand(['.'], { output: 'text', cwd, failOn: 'warning' }, o)).toBe(1);
    expect(o.stdout).toMatch(/warning\[latest-tag\]: Deployment\/web: .*\n +--> app\.yaml:\d+:\d+/);
  });

  it('exits 2 on malformed YAML and on unreadable input, still reporting the rest', () => {
    const cwd = project({ 'bad.yaml': 'a: [\n', 'app.yaml': clean });
    const o = io();
    expect(auditCommand(['bad.yaml', 'app.yaml', 'missing.yaml'], { output: 'text', cwd }, o)).toBe(2);
    expect(o.stdout).toContain('error[invalid-yaml]');
    expect(o.stderr).toContain('cannot read missing.yaml: no such file or folder');
  });

  it('reads standard input with -', () => {
    const o = io();
    const code = auditCommand(
      ['-'],
      { output: 'json', cwd: tmpdir(), readStdin: () => `${clean}---\n${policy}` },
      o,
    );
    expect(code).toBe(0);
    const report = JSON.parse(o.stdout);
    expect(report.summary.objects).toBe(2);
    expect(report.passed).toBe(true);
  });

  it('applies .slipway/audit.yaml: failOn, severity, ignorePaths', () => {
    const cwd = project({
      '.slipway/audit.yaml': 'failOn: warning\nseverity: { latest-tag: info }\nignorePaths: [legacy]\n',
      'app.yaml': clean.replace('nginx:1.27', 'nginx:latest'),
      'p.yaml': policy,
      'legacy/old.yaml': 'a: [\n',
    });
    const o = io();
    expect(auditCommand(['.'], { output: 'json', cwd }, o)).toBe(0);
    const report = JSON.parse(o.stdout);
    expect(report.findings.map((f: { rule: string; severity: string }) => `${f.rule}:${f.severity}`)).toEqual(
      ['latest-tag:info'],
    );
    expect(report.skippedPaths).toEqual([{ path: 'legacy', reason: 'matches ignorePaths' }]);
  });

  it('exits 2 with located findings on an invalid configuration', () => {
    const cwd = project({ 'audit.yaml': 'exclud: [latest-tag]\n', 'app.yaml': clean });
    const o = io();
    expect(auditCommand(['app.yaml'], { output: 'text', cwd, config: 'audit.yaml' }, o)).toBe(2);
    expect(o.stderr).toContain('--> audit.yaml:1:1');
  });

  it('writes SARIF', () => {
    const cwd = project({ 'app.yaml': clean.replace('nginx:1.27', 'nginx') });
    const o = io();
    auditCommand(['app.yaml'], { output: 'sarif', cwd, toolVersion: '9.9.9' }, o);
    const log = JSON.parse(o.stdout);
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].tool.driver.version).toBe('9.9.9');
    expect(log.runs[0].results.some((r: { ruleId: string }) => r.ruleId === 'latest-tag')).toBe(true);
  });
});

describe('slipway audit, through the command line parser', () => {
  async function cli(args: string[]): Promise<{ code: number; stdout: string }> {
    const { main } = await import('../../src/cli/main.ts');
    let stdout = '';
    const write = process.stdout.write.bind(process.stdout);
    const errWrite = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((s: string) => {
      stdout += s;
      return true;
    }) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      return { code: await main(args), stdout };
    } finally {
      process.stdout.write = write;
      process.stderr.write = errWrite;
    }
  }

  it('parses its options and returns the exit code', async () => {
    const cwd = project({ 'app.yaml': clean.replace('nginx:1.27', 'nginx:latest'), 'p.yaml': policy });
    const file = join(cwd, 'app.yaml');
    expect((await cli(['audit', file, join(cwd, 'p.yaml')])).code).toBe(0);
    const r = await cli([
      'audit',
      file,
      '--fail-on',
      'warning',
      '--output',
      'json',
      '--kubernetes-version',
      '1.30',
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).kubernetesVersion).toBe('1.30');
    expect((await cli(['audit', file, '--output', 'xml'])).code).toBe(2);
    expect((await cli(['audit', file, '--kubernetes-version', 'latest'])).code).toBe(2);
  });
});
