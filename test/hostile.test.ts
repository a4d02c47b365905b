/**
 * Hostile input through the real CLI: each case is a file a user (or an attacker) could hand to
 * `slipway validate`. Whatever it is, Slipway must exit 2 (invalid input), print no stack trace,
 * name the problem with its code at `file:line:col`, in text and in JSON, and finish quickly.
 * The time limit is a hang guard, not a benchmark: a valid spec validates in ~0.2 s and the largest
 * hostile inputs here in 0.5–1 s on an idle machine; a hang would take far longer. It allows 3 s so a
 * machine busy with other suites does not fail it spuriously.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type CliRun, NODE, positionOf, runCli } from './_helpers.ts';

const HANG_MS = 3_000;
/** Diagnostics are for people: even for a 20 MB input, the report stays small. */
const MAX_OUTPUT = 64 * 1024;

const SHOP = readFileSync('test/fixtures/valid/shop.yaml', 'utf8');
const BLOG = readFileSync('test/fixtures/valid/blog.yaml', 'utf8');

interface Expected {
  code: string;
  line?: number;
  column?: number;
}

interface Case {
  name: string;
  /** Writes the input into `dir` and returns the path to give the CLI. */
  make: (dir: string) => string;
  /** The diagnostic that must be reported, and where (line/column checked when given). */
  expect: Expected;
  /** Further diagnostics that must all be reported too (several independent mistakes). */
  alsoExpect?: Expected[];
  /** Extra checks on the located diagnostic (e.g. what the column points at). */
  check?: (d: JsonDiagnostic, path: string) => void;
}

interface JsonDiagnostic {
  code: string;
  severity: string;
  message: string;
  hint?: string;
  location?: { file: string; line: number; column: number };
}

/** `text` with `find` replaced once; fails loudly if the fixture changed under the test. */
function edit(text: string, find: string, replace: string): string {
  const at = text.indexOf(find);
  if (at === -1) throw new Error(`fixture no longer contains ${JSON.stringify(find)}`);
  return text.slice(0, at) + replace + text.slice(at + find.length);
}

/** Position of `needle` in `text`, plus `delta` characters (to point inside it). */
function at(text: string, needle: string, delta = 0): { line: number; column: number } {
  const i = text.indexOf(needle);
  if (i === -1) throw new Error(`text does not contain ${JSON.stringify(needle)}`);
  return positionOf(text, i + delta);
}

function file(dir: string, name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Deterministic bytes (mulberry32), so a failure reproduces. */
function seededBytes(seed: number, length: number): Uint8Array {
  let s = seed >>> 0;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (t ^ (t >>> 14)) & 0xff;
  }
  return out;
}

/** Line and column (in UTF-16 units, as reported) of byte `index`, decoding leniently. */
function bytePosition(bytes: Uint8Array, index: number): { line: number; column: number } {
  const before = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, index));
  return positionOf(before, before.length);
}

// --- inputs built once (the large ones are written by their case) ---

const UNCLOSED = edit(SHOP, '    uses: [db, cache]', '    uses: [db, cache');
const UNCLOSED_QUOTE = edit(SHOP, '      NODE_ENV: production', '      NODE_ENV: "production');
const TABS = edit(SHOP, '    kind: worker', '\tkind: worker');
const DUPLICATE = edit(SHOP, '    replicas: 2\n', '    replicas: 2\n    resources: small\n    replicas: 3\n');
const MULTI_DOC = `${SHOP}---\n${BLOG}`;
const MANY_KEYS = edit(
  SHOP,
  '      LOG_LEVEL: info\n',
  `      LOG_LEVEL: info\n${Array.from({ length: 20_000 }, (_, i) => `      VAR_${i}: x\n`).join('')}      VAR_7: again\n`,
);
const BOMB = [
  'apiVersion: slipway.dev/v1',
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
  'app: *i',
  '',
].join('\n');
const MANY_ENV = edit(
  edit(
    SHOP,
    '      LOG_LEVEL: info\n',
    `      LOG_LEVEL: info\n${Array.from({ length: 6_000 }, (_, i) => `      VAR_${i}: x\n`).join('')}`,
  ),
  '      CONCURRENCY: 4',
  '      CONCURRENCY: ${secrets.concurrency}',
);
const MANY_ALIASES = `apiVersion: slipway.dev/v1\n${Array.from({ length: 8_000 }, (_, i) => `a${i}: &a${i} x\nb${i}: *a${i}\n`).join('')}`;
const DEEP_SEQ = `apiVersion: slipway.dev/v1\nservices: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
const DEEP_MAP = `apiVersion: slipway.dev/v1\nservices: ${'{a: '.repeat(100_000)}1${'}'.repeat(100_000)}\n`;
const DEEP_BLOCK = `apiVersion: slipway.dev/v1\nservices:\n  web:\n    command:\n      ${'- '.repeat(5_000)}x\n`;
const GARBAGE = (() => {
  const b = seededBytes(20_240_611, 64 * 1024);
  b[40_000] = 0; // a NUL for sure, whatever the seed gives
  return b;
})();
/** Four lines, then line 5 up to the bad byte; multi-byte text before it, so columns count characters. */
const UTF8_LINES =
  'apiVersion: slipway.dev/v1\n# the café\napp:\n  name: shop\n  description: crème brûlée caf';
const BAD_UTF8 = Buffer.concat([
  Buffer.from(UTF8_LINES),
  Buffer.from([0xe9]), // Latin-1 "é": not UTF-8
  Buffer.from(' menu\nservices: {}\nenvironments: {}\n'),
]);
const SURROGATE_UTF8 = Buffer.concat([
  Buffer.from(UTF8_LINES),
  Buffer.from([0xed, 0xa0, 0x80]), // an encoded UTF-16 surrogate (CESU-8): well-formed-looking, invalid
  Buffer.from(' menu\nservices: {}\nenvironments: {}\n'),
]);
const CRLF = edit(SHOP, '    replicas: 2\n', '    replicas: two\n').replace(/\n/g, '\r\n');
const JSON_SPEC = (() => {
  const spec = parseYaml(SHOP) as { services: { web: { replicas: unknown } } };
  spec.services.web.replicas = 'two';
  return JSON.stringify(spec, null, 2);
})();
const RECURSIVE_ALIAS = edit(
  edit(SHOP, 'services:\n', 'services: &all\n'),
  '    kind: worker',
  '    kind: *all',
);
const NESTED_KEYS = `${'? '.repeat(40)}v\n`;
const BINARY_KEY = edit(SHOP, '  owner: team-commerce', '  !!binary aGVsbG8=: team-commerce');
const HUGE_VALUE_AT = edit(SHOP, '    kind: worker', '    kind: HUGE_VALUE');
const SEVERAL_SHAPE = [
  ['  owner: team-commerce', '  ownr: team-commerce'],
  ['      http: 3000', '      http: 70000'],
  ['    replicas: 2\n', '    replicas: two\n'],
  ['    kind: worker', '    kind: wroker'],
].reduce((t, [a = '', b = '']) => edit(t, a, b), SHOP);
const SEVERAL_MEANING = [
  ['      ADMIN_TOKEN: ${secrets.admin-token}', '      ADMIN_TOKEN: ${secrets.admin-tokn}'],
  ['    image: ghcr.io/acme/blog-mailer:2.4.1', '    image: ghcr.io/acme/blog-mailer:latest'],
  ['    uses: [api]', '    uses: [apii]'],
  ['      service: frontend', '      service: frontnd'],
].reduce((t, [a = '', b = '']) => edit(t, a, b), BLOG);

// --- running a spec as another user (for permissions, which root ignores) ---

const NOBODY = 65_534;
const isRoot = process.getuid?.() === 0;
/** How to make permissions bite: as ourselves when not root, as `nobody` when root (if it can run Node). */
const permissionRunner: { uid?: number; gid?: number } | string = (() => {
  if (!isRoot) return {};
  const probe = spawnSync(NODE, ['-e', '0'], { uid: NOBODY, gid: NOBODY, timeout: 10_000 });
  if (probe.status === 0) return { uid: NOBODY, gid: NOBODY };
  return `running as root, and user ${NOBODY} cannot run ${NODE}: root reads every file, so an unreadable spec cannot be tested`;
})();
if (typeof permissionRunner === 'string') console.warn(`SKIPPING the permission cases: ${permissionRunner}`);

/** A folder anyone may enter (mkdtemp makes them 0700), so `nobody` reaches the file under test. */
function openDir(dir: string, name: string): string {
  const d = join(dir, name);
  mkdirSync(d, { mode: 0o755 });
  chmodSync(d, 0o755);
  return d;
}

const CASES: Case[] = [
  {
    name: 'an empty file',
    make: (d) => file(d, 'slipway.yaml', ''),
    expect: { code: 'empty-spec', line: 1, column: 1 },
  },
  {
    name: 'whitespace and comments only',
    make: (d) => file(d, 'slipway.yaml', '   \n\n# nothing here yet\n  # still nothing\n \t \n'),
    expect: { code: 'empty-spec', line: 1, column: 1 },
  },
  {
    name: 'a top-level list',
    make: (d) => file(d, 'slipway.yaml', '# services\n- web\n- worker\n'),
    expect: { code: 'not-a-mapping', line: 2, column: 1 },
  },
  {
    name: 'a bare scalar',
    make: (d) => file(d, 'slipway.yaml', 'slipway.dev/v1\n'),
    expect: { code: 'not-a-mapping', line: 1, column: 1 },
  },
  {
    name: 'an unclosed flow sequence (pointed at its [)',
    make: (d) => file(d, 'slipway.yaml', UNCLOSED),
    expect: { code: 'yaml-syntax', ...at(UNCLOSED, '[db, cache\n') },
  },
  {
    name: 'an unclosed double quote (pointed at the quote, not where the string ran out)',
    make: (d) => file(d, 'slipway.yaml', UNCLOSED_QUOTE),
    expect: { code: 'yaml-syntax', ...at(UNCLOSED_QUOTE, '"production') },
  },
  {
    name: 'tabs used for indentation',
    make: (d) => file(d, 'slipway.yaml', TABS),
    expect: { code: 'tab-indentation', ...at(TABS, '\tkind') },
  },
  {
    name: 'a duplicate key (at the second one)',
    make: (d) => file(d, 'slipway.yaml', DUPLICATE),
    expect: { code: 'duplicate-key', ...at(DUPLICATE, '    replicas: 3', 4) },
  },
  {
    name: '20,000 keys in one mapping, the last a duplicate (a per-key scan is quadratic)',
    make: (d) => file(d, 'slipway.yaml', MANY_KEYS),
    expect: { code: 'duplicate-key', ...at(MANY_KEYS, '      VAR_7: again', 6) },
  },
  {
    name: 'a billion-laughs alias bomb',
    make: (d) => file(d, 'slipway.yaml', BOMB),
    expect: { code: 'alias-limit', line: 3 },
  },
  {
    name: '6,000 environment variables and one bad reference (each is located: no scan per lookup)',
    make: (d) => file(d, 'slipway.yaml', MANY_ENV),
    expect: { code: 'unknown-reference', ...at(MANY_ENV, '${secrets.concurrency}') },
  },
  {
    name: '8,000 anchors and aliases (yaml resolves each by scanning all before it)',
    make: (d) => file(d, 'slipway.yaml', MANY_ALIASES),
    expect: { code: 'alias-limit' },
  },
  {
    name: 'a flow sequence nested 100,000 deep',
    make: (d) => file(d, 'slipway.yaml', DEEP_SEQ),
    expect: { code: 'nesting-too-deep', line: 2 },
    check: (diag) => expect(DEEP_SEQ.split('\n')[1]?.charAt((diag.location?.column ?? 0) - 1)).toBe('['),
  },
  {
    name: 'a flow mapping nested 100,000 deep',
    make: (d) => file(d, 'slipway.yaml', DEEP_MAP),
    expect: { code: 'nesting-too-deep', line: 2 },
    check: (diag) => expect(DEEP_MAP.split('\n')[1]?.charAt((diag.location?.column ?? 0) - 1)).toBe('{'),
  },
  {
    name: 'block sequences nested 5,000 deep',
    make: (d) => file(d, 'slipway.yaml', DEEP_BLOCK),
    expect: { code: 'nesting-too-deep', line: 5 },
    check: (diag) => expect(DEEP_BLOCK.split('\n')[4]?.charAt((diag.location?.column ?? 0) - 1)).toBe('-'),
  },
  {
    name: 'random binary garbage with NUL bytes',
    make: (d) => file(d, 'slipway.yaml', GARBAGE),
    expect: { code: 'binary-content', ...bytePosition(GARBAGE, GARBAGE.indexOf(0)) },
  },
  {
    name: 'UTF-16 LE with a BOM',
    make: (d) =>
      file(d, 'slipway.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SHOP, 'utf16le')])),
    expect: { code: 'encoding', line: 1, column: 1 },
  },
  {
    name: 'UTF-16 BE with a BOM',
    make: (d) =>
      file(
        d,
        'slipway.yaml',
        Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(SHOP, 'utf16le').swap16()]),
      ),
    expect: { code: 'encoding', line: 1, column: 1 },
  },
  {
    name: 'invalid UTF-8 (Latin-1) in the middle of line 5',
    make: (d) => file(d, 'slipway.yaml', BAD_UTF8),
    expect: { code: 'encoding', line: 5, column: (UTF8_LINES.split('\n')[4] ?? '').length + 1 },
  },
  {
    name: 'an encoded surrogate (invalid UTF-8 that looks well-formed) in the middle of line 5',
    make: (d) => file(d, 'slipway.yaml', SURROGATE_UTF8),
    expect: { code: 'encoding', line: 5, column: (UTF8_LINES.split('\n')[4] ?? '').length + 1 },
  },
  {
    name: 'a CRLF spec with one error at a known line and column',
    make: (d) => file(d, 'slipway.yaml', CRLF),
    expect: { code: 'invalid-type', ...at(CRLF, 'replicas: two', 'replicas: '.length) },
  },
  {
    name: 'a 20 MB file',
    make: (d) =>
      file(d, 'slipway.yaml', Buffer.alloc(20 * 1024 * 1024, '# padding padding padding padding\n')),
    expect: { code: 'file-too-large', line: 1, column: 1 },
  },
  {
    name: 'a missing file',
    make: (d) => join(d, 'nowhere', 'slipway.yaml'),
    expect: { code: 'file-not-found', line: 1, column: 1 },
  },
  {
    name: 'a directory',
    make: (d) => {
      mkdirSync(join(d, 'app'));
      return join(d, 'app');
    },
    expect: { code: 'not-a-file', line: 1, column: 1 },
  },
  {
    name: 'several YAML documents',
    make: (d) => file(d, 'slipway.yaml', MULTI_DOC),
    expect: { code: 'multiple-documents', ...at(MULTI_DOC, '\n---\n', 1) },
  },
  {
    name: 'JSON (valid YAML) with a wrong type',
    make: (d) => file(d, 'slipway.json', JSON_SPEC),
    expect: { code: 'invalid-type', ...at(JSON_SPEC, '"two"') },
  },
  {
    name: 'a 1.5 MB single-line value in an otherwise valid spec (just under the 2 MiB limit)',
    make: (d) => file(d, 'slipway.yaml', HUGE_VALUE_AT.replace('HUGE_VALUE', 'x'.repeat(1.5 * 1024 * 1024))),
    expect: { code: 'invalid-value', ...at(HUGE_VALUE_AT, 'HUGE_VALUE') },
  },
  {
    name: 'an alias inside the value it names (a loop)',
    make: (d) => file(d, 'slipway.yaml', RECURSIVE_ALIAS),
    expect: { code: 'alias-limit', ...at(RECURSIVE_ALIAS, '*all') },
  },
  {
    name: 'complex keys nested 40 deep (each level doubles when stringified)',
    make: (d) => file(d, 'slipway.yaml', NESTED_KEYS),
    expect: { code: 'invalid-type', line: 1, column: 3 },
  },
  {
    name: 'a !!binary key (yaml would print a warning to the terminal)',
    make: (d) => file(d, 'slipway.yaml', BINARY_KEY),
    expect: { code: 'invalid-type', ...at(BINARY_KEY, '!!binary', '!!binary '.length) },
  },
  {
    name: 'several shape mistakes in one file (all reported)',
    make: (d) => file(d, 'slipway.yaml', SEVERAL_SHAPE),
    expect: { code: 'unknown-key', ...at(SEVERAL_SHAPE, 'ownr') },
    alsoExpect: [
      { code: 'port-range', ...at(SEVERAL_SHAPE, '70000') },
      { code: 'invalid-type', ...at(SEVERAL_SHAPE, 'replicas: two', 'replicas: '.length) },
      { code: 'invalid-value', ...at(SEVERAL_SHAPE, 'wroker') },
    ],
  },
  {
    name: 'several meaning mistakes in one file (all reported)',
    make: (d) => file(d, 'slipway.yaml', SEVERAL_MEANING),
    expect: { code: 'unknown-reference', ...at(SEVERAL_MEANING, '${secrets.admin-tokn}') },
    alsoExpect: [
      { code: 'image-unpinned', ...at(SEVERAL_MEANING, 'ghcr.io/acme/blog-mailer:latest') },
      { code: 'unknown-reference', ...at(SEVERAL_MEANING, 'apii') },
      { code: 'unknown-reference', ...at(SEVERAL_MEANING, 'frontnd') },
    ],
  },
];

// --- the checks every case gets ---

const HEADER = /^(error|warning|info)\[([a-z-]+)\]: .*\n\s*--> (.*):(\d+):(\d+)$/gm;

function assertClean(r: CliRun, what: string): void {
  expect(r.signal, `${what}: killed`).toBeNull();
  expect(r.code, `${what}: exit code\n${r.stderr.slice(0, 2000)}`).toBe(2);
  expect(r.ms, `${what}: took ${r.ms.toFixed(0)} ms`).toBeLessThan(HANG_MS);
  expect(r.stderr, `${what}: stack trace`).not.toMatch(/^\s{4}at /m);
  expect(r.stderr, `${what}: internal error`).not.toMatch(/internal error/i);
  expect(r.stderr, `${what}: process warning`).not.toMatch(/\(node:\d+\) \w*Warning/);
  expect(r.stdout.length + r.stderr.length, `${what}: output size`).toBeLessThan(MAX_OUTPUT);
}

function matches(d: { code: string; line: number; column: number }, e: Expected): boolean {
  return (
    d.code === e.code &&
    (e.line === undefined || d.line === e.line) &&
    (e.column === undefined || d.column === e.column)
  );
}

function verify(c: Case, path: string, as: { uid?: number; gid?: number } = {}): void {
  const wanted = [c.expect, ...(c.alsoExpect ?? [])];

  const text = runCli(['validate', path], as);
  assertClean(text, 'text');
  const headers = [...text.stderr.matchAll(HEADER)].map((m) => ({
    severity: m[1] ?? '',
    code: m[2] ?? '',
    file: m[3] ?? '',
    line: Number(m[4]),
    column: Number(m[5]),
  }));
  const errorCount = (text.stderr.match(/^error\[/gm) ?? []).length;
  expect(errorCount, 'errors reported').toBeGreaterThan(0);
  expect(headers.filter((h) => h.severity === 'error').length, `every error has a --> file:line:col`).toBe(
    errorCount,
  );
  for (const h of headers) {
    expect(h.file).toBe(path);
    expect(h.line).toBeGreaterThanOrEqual(1);
    expect(h.column).toBeGreaterThanOrEqual(1);
  }
  for (const e of wanted) {
    expect(
      headers.some((h) => matches(h, e)),
      `text output lacks ${JSON.stringify(e)}; got ${JSON.stringify(headers)}`,
    ).toBe(true);
  }

  const json = runCli(['validate', path, '--output', 'json'], as);
  assertClean(json, 'json');
  const out = JSON.parse(json.stdout) as { valid: boolean; diagnostics: JsonDiagnostic[] };
  expect(out.valid).toBe(false);
  const first = out.diagnostics[0];
  expect(first?.location?.file).toBe(path);
  expect(first?.location?.line).toBeGreaterThanOrEqual(1);
  expect(first?.location?.column).toBeGreaterThanOrEqual(1);
  for (const d of out.diagnostics) {
    expect(d.location, `${d.code} has no location`).toBeDefined();
    if (d.severity === 'error') expect(d.hint, `${d.code} has no hint`).toBeTruthy();
  }
  const flat = out.diagnostics.map((d) => ({
    code: d.code,
    line: d.location?.line ?? 0,
    column: d.location?.column ?? 0,
  }));
  for (const e of wanted) {
    expect(
      flat.some((d) => matches(d, e)),
      `JSON output lacks ${JSON.stringify(e)}; got ${JSON.stringify(flat)}`,
    ).toBe(true);
  }
  const located = out.diagnostics.find(
    (d) => d.location && matches({ code: d.code, ...d.location }, c.expect),
  );
  if (c.check) {
    if (!located) throw new Error(`no ${c.expect.code} diagnostic to check`);
    c.check(located, path);
  }
}

describe('hostile input through `slipway validate`', () => {
  let root: string;
  beforeAll(() => {
    // The CLI runs dist/: make sure it is not older than the loader it is meant to test.
    const built = statSync('dist/spec/loader.js').mtimeMs;
    for (const f of readdirSync('src/spec').filter((n) => n.endsWith('.ts'))) {
      const src = join('src/spec', f);
      expect(statSync(src).mtimeMs, `${src} is newer than dist/: run npm run build`).toBeLessThanOrEqual(
        built,
      );
    }
    root = mkdtempSync(join(tmpdir(), 'slipway-hostile-'));
    // mkdtemp makes 0700 folders; the permission cases may run as another user, who must reach
    // the file under test so that only the permission being tested stands in the way.
    chmodSync(root, 0o755);
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const dir = mkdtempSync(join(root, 'case-'));
    verify(c, c.make(dir));
  });

  it.skipIf(typeof permissionRunner === 'string')(
    `a spec that cannot be read (permissions${isRoot ? `, run as uid ${NOBODY}` : ''})`,
    () => {
      const as = typeof permissionRunner === 'string' ? {} : permissionRunner;
      const dir = openDir(root, 'unreadable');
      const path = file(dir, 'slipway.yaml', SHOP);
      chmodSync(path, 0o000);
      verify(
        { name: 'unreadable', make: () => path, expect: { code: 'not-a-file', line: 1, column: 1 } },
        path,
        as,
      );
    },
  );

  it.skipIf(typeof permissionRunner === 'string')(
    'a spec inside a folder that cannot be entered is not reported as missing',
    () => {
      const as = typeof permissionRunner === 'string' ? {} : permissionRunner;
      const dir = openDir(root, 'closed');
      const path = file(dir, 'slipway.yaml', SHOP);
      chmodSync(dir, 0o000);
      try {
        verify(
          { name: 'closed', make: () => path, expect: { code: 'not-a-file', line: 1, column: 1 } },
          path,
          as,
        );
      } finally {
        chmodSync(dir, 0o755);
      }
    },
  );
});
