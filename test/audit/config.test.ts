import { describe, expect, it } from 'vitest';
import { matchesGlob } from '../../src/audit/_glob.ts';
import { parseConfig } from '../../src/audit/config.ts';
import { where, y } from './_audit.ts';

describe('.slipway/audit.yaml', () => {
  it('reads a valid configuration', () => {
    const r = parseConfig(
      '.slipway/audit.yaml',
      y`
        kubernetesVersion: 1.30
        failOn: warning
        exclude: [no-anti-affinity]
        severity: { latest-tag: error }
        ignorePaths: ["charts/**"]
      `,
    );
    expect(r.findings).toEqual([]);
    expect(r.config).toEqual({
      kubernetesVersion: '1.30',
      failOn: 'warning',
      selection: { exclude: ['no-anti-affinity'], severity: { 'latest-tag': 'error' } },
      ignorePaths: ['charts/**'],
    });
  });

  it('reports every problem at once, located: unknown key, bad value, unknown rule ids with a suggestion', () => {
    const text = y`
      failOn: fatal
      exclude: [latest-tags]
      severity: { no-anti-affinty: info }
      ignorePath: []
    `;
    const r = parseConfig('c.yaml', text);
    expect(r.config).toBeUndefined();
    expect(r.findings.map((f) => `${f.rule} ${f.line}:${f.column}`).sort()).toEqual(
      [`invalid-config ${where(text, 'ignorePath')}`, `invalid-config ${where(text, 'fatal')}`].sort(),
    );
    const ids = parseConfig('c.yaml', 'exclude: [latest-tags]\nseverity: { no-anti-affinty: info }\n');
    expect(ids.findings.map((f) => f.message)).toEqual([
      '"latest-tags" is not a rule id — did you mean "latest-tag"?',
      '"no-anti-affinty" is not a rule id — did you mean "no-anti-affinity"?',
    ]);
    expect(ids.findings.map((f) => `${f.line}:${f.column}`)).toEqual(['1:11', '2:13']);
  });

  it('reports malformed YAML in the configuration', () => {
    const r = parseConfig('c.yaml', 'exclude: [a\n');
    expect(r.findings.map((f) => f.rule)).toContain('invalid-config');
  });
});

describe('ignorePaths globs', () => {
  it.each([
    ['charts/web/templates/a.yaml', 'charts/**', true],
    ['charts/web/a.yaml', 'charts', true],
    ['deploy/legacy/a.yaml', 'legacy', true],
    ['deploy/a.yaml', '*.yaml', true],
    ['deploy/a.yaml', 'deploy/*.yml', false],
    ['deploy/prod/a.yaml', 'deploy/*/a.{yaml,yml}', true],
    ['deploy/prod/a.yaml', 'deploy/**/a.yaml', true],
    ['deploy/a.yaml', 'deploy/**/a.yaml', true],
    ['other/a.yaml', 'deploy/**', false],
  ])('%s vs %s → %s', (path, glob, expected) => {
    expect(matchesGlob(path, glob)).toBe(expected);
  });
});
