/**
 * Writes docs/rules/ from the audit rule registry (one page per rule and an index) and removes pages of
 * rules that no longer exist. Run after changing a rule: `node scripts/gen-rule-docs.ts`.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ruleDocFiles } from '../src/audit/docs.ts';

const dir = new URL('../docs/rules/', import.meta.url).pathname;
mkdirSync(dir, { recursive: true });
const files = ruleDocFiles();
for (const name of readdirSync(dir)) if (name.endsWith('.md') && !files.has(name)) rmSync(join(dir, name));
for (const [name, content] of files) writeFileSync(join(dir, name), content);
console.log(`docs/rules: ${files.size} files`);
