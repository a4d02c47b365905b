/**
 * Slipway's Compose output passes its own audit too: every example's Compose environment, as the
 * renderer writes it (the goldens under test/golden/<example>/<env>.compose/), has no warning or error.
 */
import { globSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditSources } from '../../src/audit/engine.ts';

const files = globSync('test/golden/*/*.compose/compose.yaml.golden').sort();

describe('audit of every example Compose render', () => {
  it('finds the renders', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s: no warning or error', (file) => {
    const result = auditSources([{ path: 'compose.yaml', text: readFileSync(file, 'utf8') }]);
    expect(result.objects).toBeGreaterThan(1);
    const findings = result.findings.filter((f) => f.severity !== 'info');
    expect(findings.map((f) => `${f.rule} ${f.line}:${f.column} ${f.message}`)).toEqual([]);
  });
});
