/** Every rule is registered once, kebab-case, documented, tested, and its docs are current. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENGINE_DIAGNOSTICS } from '../../src/audit/diagnostics.ts';
import { ruleDocFiles } from '../../src/audit/docs.ts';
import { RULES } from '../../src/audit/registry.ts';

const root = new URL('../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, root), 'utf8');

describe('the rule registry', () => {
  const ids = RULES.map((r) => r.id);

  it('has unique, kebab-case ids, distinct from the engine diagnostics', () => {
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    for (const d of ENGINE_DIAGNOSTICS) expect(ids).not.toContain(d.id);
  });

  it('lists every rule file, and each file exports the rule of its name', async () => {
    const files = readdirSync(new URL('src/audit/rules/', root))
      .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
      .map((f) => f.slice(0, -3))
      .sort();
    expect([...ids].sort()).toEqual(files);
    for (const id of files) {
      const mod = (await import(`../../src/audit/rules/${id}.ts`)) as Record<string, { id?: string }>;
      expect(
        Object.values(mod).some((v) => v?.id === id),
        `src/audit/rules/${id}.ts exports rule ${id}`,
      ).toBe(true);
    }
  });

  it.each(RULES.map((r) => [r.id, r] as const))(
    '%s has a description, a remediation, messages and kinds',
    (_, r) => {
      expect(r.description.length).toBeGreaterThan(10);
      expect(r.remediation.length).toBeGreaterThan(10);
      expect(Object.keys(r.messages).length).toBeGreaterThan(0);
      expect(r.kinds.length).toBeGreaterThan(0);
    },
  );

  it.each(ids)('%s has a test with firing and non-firing fixtures', (id) => {
    const path = `test/audit/rules/${id}.test.ts`;
    expect(existsSync(new URL(path, root)), path).toBe(true);
    const text = read(path);
    expect(text).toContain(`'${id}'`);
    expect(text, `${path} asserts a location`).toMatch(/where\(/);
    expect(text, `${path} has a non-firing case`).toContain('.toEqual([])');
  });

  it.each(ids)('%s has a doc page', (id) => {
    expect(existsSync(new URL(`docs/rules/${id}.md`, root))).toBe(true);
  });
});

describe('docs/rules/', () => {
  it('is what scripts/gen-rule-docs.ts generates (run `node scripts/gen-rule-docs.ts`)', () => {
    const expected = ruleDocFiles();
    const actual = readdirSync(new URL('docs/rules/', root)).filter((f) => f.endsWith('.md'));
    expect(actual.sort()).toEqual([...expected.keys()].sort());
    for (const [name, content] of expected) expect(read(`docs/rules/${name}`), name).toBe(content);
  });

  it('docs/audit.md names every engine finding and links the rule index', () => {
    const doc = read('docs/audit.md');
    for (const d of ENGINE_DIAGNOSTICS) expect(doc).toContain(`\`${d.id}\``);
    expect(doc).toContain('rules/README.md');
  });
});
