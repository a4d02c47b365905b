/**
 * SARIF output validates against the official SARIF 2.1.0 JSON schema (shipped in the npm package
 * @microsoft/jest-sarif), and every result has the region GitHub code scanning needs.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { auditSources } from '../../src/audit/engine.ts';
import { RULES } from '../../src/audit/registry.ts';
import { toSarif } from '../../src/audit/report/sarif.ts';
import { deployment, y } from './_audit.ts';

const SCHEMA = new URL(
  '../../node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json',
  import.meta.url,
);

function validator() {
  // The schema is draft-04: its root `id` is draft-07's `$id`; nothing else it uses differs.
  const { $schema: _, id, ...schema } = JSON.parse(readFileSync(SCHEMA, 'utf8'));
  // unicodeRegExp off: the schema's language pattern has a stray ']' that only non-unicode regexps accept.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addFormat(
    'uri-reference',
    (s: string) => URL.canParse(s, 'file:///root/') && !/[\s<>"{}|\\^`]/.test(s),
  );
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  return ajv.compile({ $id: id, ...schema });
}

const sources = [
  {
    path: 'k8s/app.yaml',
    text: deployment(
      '- name: app\n  image: nginx:latest\n  securityContext: { privileged: true }',
      'hostNetwork: true',
    ),
  },
  { path: 'k8s/broken.yaml', text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n' },
  {
    path: 'docker compose.yaml',
    text: y`
      version: "3"
      services:
        web: { image: "nginx", privileged: true }
  `,
  },
  { path: '<stdin>', text: 'apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: { name: p }\n' },
];

describe('SARIF 2.1.0 output', () => {
  const result = auditSources(sources);
  const log = toSarif(result, {
    toolVersion: '0.1.0',
    notifications: [{ path: 'gone.yaml', message: 'no such file' }],
  }) as any;

  it('validates against the official schema', () => {
    const validate = validator();
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('has a result per finding, each with a region start line and column', () => {
    const results = log.runs[0].results;
    expect(results.length).toBe(result.findings.length);
    expect(results.length).toBeGreaterThan(5);
    for (const r of results) {
      const region = r.locations[0].physicalLocation.region;
      expect(region.startLine).toBeGreaterThanOrEqual(1);
      expect(region.startColumn).toBeGreaterThanOrEqual(1);
      expect(r.locations[0].physicalLocation.artifactLocation.uri).not.toMatch(/^\//);
    }
  });

  it('describes every rule: description, help (remediation), default level', () => {
    const rules = log.runs[0].tool.driver.rules;
    for (const rule of RULES) {
      const r = rules.find((x: any) => x.id === rule.id);
      expect(r.shortDescription.text).toBe(rule.description);
      expect(r.help.text).toBe(rule.remediation);
      expect(r.defaultConfiguration.level).toBe(
        { error: 'error', warning: 'warning', info: 'note' }[rule.severity],
      );
    }
    for (const r of log.runs[0].results) expect(rules[r.ruleIndex].id).toBe(r.ruleId);
  });

  it('points at the same field as the other formats', () => {
    const f = result.findings.find((x) => x.rule === 'latest-tag');
    const r = log.runs[0].results.find((x: any) => x.ruleId === 'latest-tag');
    expect(r.locations[0].physicalLocation.region).toMatchObject({
      startLine: f?.line,
      startColumn: f?.column,
    });
    expect(r.locations[0].physicalLocation.artifactLocation.uri).toBe('k8s/app.yaml');
    const compose = log.runs[0].results.find((x: any) => x.ruleId === 'compose-privileged');
    expect(compose.locations[0].physicalLocation.artifactLocation.uri).toBe('docker%20compose.yaml');
  });
});
