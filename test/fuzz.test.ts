/**
 * Property-based fuzzing of the loader: every valid spec we have (fixtures, and the examples
 * when present) is mutated thousands of ways, and whatever comes out, loading must not throw and
 * must say what is wrong, where, with a code from the closed list and a hint.
 *
 * The bytes go through `decodeSpecBytes` then `parseSpec`, in-process, as `loadSpecFile` does
 * after reading a file. Seeds are fixed so a failure reproduces; fast-check prints the seed, the
 * path and the shrunk counterexample, and the failing text is quoted in the assertion message.
 * FUZZ_SEED and FUZZ_RUNS override the seed and the total number of runs (for bug hunting).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES, type Diagnostic } from '../src/spec/diagnostics.ts';
import { parseSpec } from '../src/spec/loader.ts';
import { decodeSpecBytes } from '../src/spec/source.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20_240_611);
/** Runs over the whole suite; split across the corpus files, plus the token-soup property. */
const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? 4_000);
/** One load taking longer than this is a hang in the making (a valid spec loads in ~5 ms). */
const HANG_MS = 2_000;

function corpus(): { name: string; text: string }[] {
  const files: string[] = [];
  const fixtures = 'test/fixtures/valid';
  for (const f of readdirSync(fixtures).sort()) if (/\.ya?ml$/.test(f)) files.push(join(fixtures, f));
  // The examples are written alongside this suite: take whatever exists when the tests run.
  let examples: string[] = [];
  try {
    examples = readdirSync('examples').sort();
  } catch {
    examples = [];
  }
  for (const d of examples) {
    const f = join('examples', d, 'slipway.yaml');
    try {
      readFileSync(f);
      files.push(f);
    } catch {
      // A folder without a spec (yet): nothing to mutate.
    }
  }
  return files.map((f) => ({ name: f, text: readFileSync(f, 'utf8') }));
}

// --- mutations, on a latin1 string so that one character is one byte ---

const TOKENS = [
  '*alias',
  '&anchor ',
  '*a',
  '&a ',
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  '\t',
  '\0',
  ':',
  ': ',
  '- ',
  '? ',
  '#',
  ',',
  '|',
  '>-',
  '!!str ',
  '!!binary ',
  '!custom ',
  '%YAML 1.2\n',
  '---\n',
  '...\n',
  '\r',
  '\r\n',
  '\n',
  '<<: *a\n',
  '${',
  '${secrets.',
  '$${',
  '\\',
  '@',
  '`',
  '\u00ff',
  '\u00c3',
  '\u00ef\u00bb\u00bf', // a UTF-8 BOM, mid-file
];

const KEYS = [
  'apiVersion',
  'app',
  'name',
  'services',
  'environments',
  'dependencies',
  'ingress',
  'routes',
  'ports',
  'env',
  'image',
  'build',
  'kind',
  'target',
  'secrets',
  'uses',
  'replicas',
  'imgae',
  'servics',
  'Name',
  'value',
  '0',
  '"quoted key"',
  'a b',
  '<<',
  'true',
  '~',
  '-',
];

const VALUES = [
  '',
  '~',
  'null',
  '[]',
  '{}',
  '[a, b]',
  '{a: 1}',
  '0',
  '-1',
  '42',
  '0.5',
  '1e400',
  '.nan',
  '.inf',
  '0x1F',
  '99999999999999999999999',
  'true',
  'false',
  'yes',
  '"text"',
  "'text'",
  '|\n  block',
  '>-\n  folded',
  '*a',
  '&a value',
  '!!binary aGVsbG8=',
  '!!int "12"',
  '${secrets.nope}',
  '${dependencies.db}',
  '${services.web.url',
  'ghcr.io/acme/app:latest',
  'kubernetes',
  '65536',
  'x'.repeat(300),
];

type Mutation =
  | { op: 'flip'; at: number; mask: number }
  | { op: 'delete-line'; line: number }
  | { op: 'duplicate-line'; line: number }
  | { op: 'indent'; line: number; count: number; delta: number }
  | { op: 'rename-key'; line: number; key: string }
  | { op: 'swap-value'; line: number; value: string }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; token: string }
  | { op: 'unicode'; at: number; text: string }
  | { op: 'anchor-alias'; from: number; to: number }
  | { op: 'crlf' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant('delete-line' as const), line: fc.nat() }),
  fc.record({ op: fc.constant('duplicate-line' as const), line: fc.nat() }),
  fc.record({
    op: fc.constant('indent' as const),
    line: fc.nat(),
    count: fc.integer({ min: 1, max: 8 }),
    delta: fc.integer({ min: -4, max: 4 }),
  }),
  fc.record({ op: fc.constant('rename-key' as const), line: fc.nat(), key: fc.constantFrom(...KEYS) }),
  fc.record({ op: fc.constant('swap-value' as const), line: fc.nat(), value: fc.constantFrom(...VALUES) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), token: fc.constantFrom(...TOKENS) }),
  fc.record({
    op: fc.constant('unicode' as const),
    at: fc.nat(),
    text: fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }),
  }),
  fc.record({ op: fc.constant('anchor-alias' as const), from: fc.nat(), to: fc.nat() }),
  fc.constant({ op: 'crlf' as const }),
);

const KEY_LINE = /^(\s*(?:- )?)([^\s:#'"-][^:#]*?|"[^"]*"|'[^']*')(\s*:)(?=\s|$)(.*)$/;

function apply(latin1: string, m: Mutation): string {
  const lines = latin1.split('\n');
  const pick = (n: number) => n % Math.max(1, lines.length);
  const pos = (n: number) => n % (latin1.length + 1);
  switch (m.op) {
    case 'flip': {
      if (latin1.length === 0) return latin1;
      const i = m.at % latin1.length;
      return latin1.slice(0, i) + String.fromCharCode(latin1.charCodeAt(i) ^ m.mask) + latin1.slice(i + 1);
    }
    case 'delete-line':
      lines.splice(pick(m.line), 1);
      return lines.join('\n');
    case 'duplicate-line': {
      const i = pick(m.line);
      lines.splice(i, 0, lines[i] ?? '');
      return lines.join('\n');
    }
    case 'indent': {
      const start = pick(m.line);
      for (let i = start; i < Math.min(lines.length, start + m.count); i++) {
        const l = lines[i] ?? '';
        lines[i] = m.delta >= 0 ? ' '.repeat(m.delta) + l : l.replace(new RegExp(`^ {0,${-m.delta}}`), '');
      }
      return lines.join('\n');
    }
    case 'rename-key':
    case 'swap-value': {
      // The first line at or after the chosen one that has a key.
      for (let k = 0; k < lines.length; k++) {
        const i = (pick(m.line) + k) % lines.length;
        const match = KEY_LINE.exec(lines[i] ?? '');
        if (!match) continue;
        const [, lead = '', key = '', colon = ':', rest = ''] = match;
        lines[i] =
          m.op === 'rename-key'
            ? `${lead}${m.key}${colon}${rest}`
            : `${lead}${key}${colon} ${m.value.replace(/\n/g, `\n${' '.repeat(lead.length + 2)}`)}`;
        return lines.join('\n');
      }
      return latin1;
    }
    case 'truncate':
      return latin1.slice(0, pos(m.at));
    case 'insert': {
      const i = pos(m.at);
      return latin1.slice(0, i) + m.token + latin1.slice(i);
    }
    case 'unicode': {
      const i = pos(m.at);
      return latin1.slice(0, i) + Buffer.from(m.text, 'utf8').toString('latin1') + latin1.slice(i);
    }
    case 'anchor-alias': {
      // Anchor one value and alias it from another: real anchors make real (and recursive) structures.
      const a = pick(m.from);
      const b = pick(m.to);
      const ma = KEY_LINE.exec(lines[a] ?? '');
      const mb = KEY_LINE.exec(lines[b] ?? '');
      if (!ma || !mb) return latin1;
      lines[a] = `${ma[1]}${ma[2]}${ma[3]} &x${ma[4]}`;
      lines[b] = `${mb[1]}${mb[2]}${mb[3]} *x`;
      return lines.join('\n');
    }
    case 'crlf':
      return latin1.replace(/\r?\n/g, '\r\n');
  }
}

// --- the property ---

const CODES = new Set<string>(DIAGNOSTIC_CODES);

/** Load bytes as `loadSpecFile` does after reading them; returns what must hold, or throws. */
function loadBytes(bytes: Buffer): { diagnostics: Diagnostic[]; loaded: boolean; text: string } {
  const decoded = decodeSpecBytes('fuzz.yaml', bytes);
  if (!decoded.ok) return { diagnostics: [decoded.diagnostic], loaded: false, text: bytes.toString('utf8') };
  const r = parseSpec('fuzz.yaml', decoded.text);
  return { diagnostics: r.diagnostics, loaded: r.loaded !== undefined, text: decoded.text };
}

function problemsOf(bytes: Buffer): string[] {
  // Process warnings (yaml emits one for keys it must stringify) go straight to the user's terminal.
  const warnings: string[] = [];
  const emitWarning = process.emitWarning;
  process.emitWarning = ((w: string | Error) => void warnings.push(String(w))) as typeof process.emitWarning;
  const started = performance.now();
  let r: ReturnType<typeof loadBytes>;
  try {
    r = loadBytes(bytes);
  } finally {
    process.emitWarning = emitWarning;
  }
  const ms = performance.now() - started;
  const problems: string[] = warnings.map((w) => `emitted a process warning: ${w}`);
  if (ms > HANG_MS) problems.push(`loading took ${ms.toFixed(0)} ms`);
  if (!r.loaded && !r.diagnostics.some((d) => d.severity === 'error')) {
    problems.push('no spec was loaded, yet no error says why');
  }
  if (r.loaded && r.diagnostics.some((d) => d.severity === 'error')) problems.push('loaded despite errors');
  // The position just past the end is on line (number of \n) + 1: no location may lie beyond it
  // (stricter than "lines + 1" when the file ends with a newline).
  const lastLine = bytes.toString('latin1').split('\n').length;
  const lines = r.text.split('\n');
  for (const d of r.diagnostics) {
    const what = `[${d.code}] ${JSON.stringify(d.message)}`;
    if (!CODES.has(d.code)) problems.push(`${what}: code not in DIAGNOSTIC_CODES`);
    if (typeof d.message !== 'string' || d.message.trim() === '') problems.push(`${what}: empty message`);
    if (d.severity === 'error' && !d.hint?.trim()) problems.push(`${what}: error without a hint`);
    const loc = d.location;
    if (!loc) {
      problems.push(`${what}: no location`);
      continue;
    }
    const { line, column } = loc;
    if (!Number.isInteger(line) || line < 1 || line > lastLine) {
      problems.push(`${what}: line ${line} outside 1..${lastLine}`);
    }
    const lineText = lines[line - 1];
    if (!Number.isInteger(column) || column < 1 || (lineText !== undefined && column > lineText.length + 1)) {
      problems.push(`${what}: column ${column} outside 1..${(lineText?.length ?? 0) + 1} on line ${line}`);
    }
    if (loc.file !== 'fuzz.yaml') problems.push(`${what}: file ${loc.file}`);
  }
  return problems;
}

function check(bytes: Buffer): void {
  let problems: string[];
  try {
    problems = problemsOf(bytes);
  } catch (e) {
    problems = [`threw ${(e as Error).stack ?? String(e)}`];
  }
  if (problems.length > 0) {
    const shown =
      bytes.length > 3000 ? `${bytes.subarray(0, 3000).toString('latin1')}…` : bytes.toString('latin1');
    expect.fail(
      `${problems.join('\n')}\n--- input (${bytes.length} bytes, latin1) ---\n${JSON.stringify(shown)}`,
    );
  }
}

const files = corpus();
const perFile = Math.max(300, Math.ceil((TOTAL_RUNS * 0.85) / Math.max(1, files.length)));
const soupRuns = Math.max(300, Math.ceil(TOTAL_RUNS * 0.15));

describe('loader fuzzing', () => {
  it('has a corpus of valid specs that load cleanly', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const r = parseSpec(f.name, f.text);
      expect(
        r.diagnostics.filter((d) => d.severity === 'error'),
        f.name,
      ).toEqual([]);
      expect(r.loaded, f.name).toBeDefined();
    }
  });

  it.each(files.map((f, i) => [f.name, f.text, i] as const))(
    'mutations of %s never crash and always explain themselves',
    (_name, text, index) => {
      const original = Buffer.from(text, 'utf8').toString('latin1');
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => {
          check(Buffer.from(ms.reduce(apply, original), 'latin1'));
        }),
        { seed: SEED + index, numRuns: perFile },
      );
    },
    60_000,
  );

  it('token soup never crashes and always explains itself', () => {
    const piece = fc.oneof(
      fc.constantFrom(...TOKENS),
      fc.constantFrom(...KEYS).map((k) => `${k}: `),
      fc.constantFrom(...VALUES),
      fc.constantFrom('\n', '\n  ', '\n    ', '\n- ', ' '),
      fc.string({ unit: 'binary', maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
        check(Buffer.from(`apiVersion: slipway.dev/v1\n${pieces.join('')}`, 'utf8'));
      }),
      { seed: SEED - 1, numRuns: soupRuns },
    );
  }, 60_000);
});
