/**
 * Loading a spec: bytes → text → YAML document (with positions) → shape-checked Spec → meaning
 * checked per environment. Problems are collected, never thrown; every one is located.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import {
  type Document,
  isAlias,
  isCollection,
  isScalar,
  Lexer,
  type Node,
  parseDocument,
  visit,
  type YAMLError,
} from 'yaml';
import { type Diagnostic, type DiagnosticCode, hasErrors, sortDiagnostics } from './diagnostics.ts';
import type { Spec } from './schema.ts';
import { checkSemantics } from './semantics.ts';
import { validateShape } from './shape.ts';
import { decodeSpecBytes, MAX_SPEC_BYTES, SourceText } from './source.ts';

export interface LoadedSpec {
  /** The path as the user gave it. */
  file: string;
  /** Absolute folder of the spec: config files and build contexts are relative to it. */
  dir: string;
  source: SourceText;
  doc: Document;
  spec: Spec;
}

export interface LoadResult {
  loaded?: LoadedSpec;
  diagnostics: Diagnostic[];
}

export interface LoadOptions {
  /** Whether a file exists, relative to the spec's folder. Injected so parsing stays pure. */
  fileExists?: (relativePath: string) => boolean;
}

/** Read and check a spec file. */
export function loadSpecFile(file: string): LoadResult {
  const noFile = (code: DiagnosticCode, message: string, hint: string): LoadResult => ({
    diagnostics: [{ code, severity: 'error', message, hint, location: { file, line: 1, column: 1 } }],
  });
  let size: number;
  try {
    const st = statSync(file);
    if (st.isDirectory()) {
      const inside = resolvePath(file, 'slipway.yaml');
      return noFile(
        'not-a-file',
        `${file} is a directory`,
        existsSync(inside)
          ? `did you mean ${file.replace(/\/$/, '')}/slipway.yaml?`
          : 'give the path of a slipway.yaml file',
      );
    }
    if (!st.isFile())
      return noFile('not-a-file', `${file} is not a regular file`, 'give the path of a slipway.yaml file');
    size = st.size;
  } catch (e) {
    // Only a missing path "does not exist"; a folder on the way that we may not enter (EACCES)
    // or a path too long (ENAMETOOLONG) exists or not, but cannot be read: say so.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      return noFile(
        'not-a-file',
        `${file} cannot be read: ${code ?? 'error'}`,
        'check its permissions and path',
      );
    }
    return noFile(
      'file-not-found',
      `${file} does not exist`,
      'check the path, or create one with `slipway init`',
    );
  }
  if (size > MAX_SPEC_BYTES) {
    return noFile(
      'file-too-large',
      `${file} is ${(size / 1048576).toFixed(1)} MiB; a spec is at most ${MAX_SPEC_BYTES / 1048576} MiB`,
      'check that this is your slipway.yaml and not a data file',
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return noFile(
      'not-a-file',
      `${file} cannot be read: ${(e as NodeJS.ErrnoException).code ?? 'error'}`,
      'check its permissions',
    );
  }
  const decoded = decodeSpecBytes(file, bytes);
  if (!decoded.ok) return { diagnostics: [decoded.diagnostic] };
  const dir = dirname(resolvePath(file));
  return parseSpec(file, decoded.text, { fileExists: (rel) => existsSync(resolvePath(dir, rel)) }, dir);
}

const YAML_CODES: Record<string, { code: DiagnosticCode; hint: string }> = {
  DUPLICATE_KEY: { code: 'duplicate-key', hint: 'remove one of the two entries, or merge them' },
  TAB_AS_INDENT: {
    code: 'tab-indentation',
    hint: 'YAML indents with spaces only: replace the tab with spaces',
  },
  RESOURCE_EXHAUSTION: {
    code: 'nesting-too-deep',
    hint: 'a spec is never this deeply nested; check the file',
  },
  MULTIPLE_DOCS: {
    code: 'multiple-documents',
    hint: 'a spec is one YAML document: remove the --- separator',
  },
};

/** yaml's own wording names its API ("please use YAML.parseAllDocuments()"); say it in the user's terms. */
const YAML_MESSAGES: Record<string, string> = {
  MULTIPLE_DOCS: 'the file holds more than one YAML document',
};

/** Parse and check spec text. Pure apart from the injected `fileExists`. */
export function parseSpec(file: string, text: string, options: LoadOptions = {}, dir = '.'): LoadResult {
  const source = new SourceText(file, text);
  const deep = tooDeepFlowOffset(text);
  if (deep !== undefined) {
    const hint = YAML_CODES.RESOURCE_EXHAUSTION?.hint;
    return {
      diagnostics: [source.at('nesting-too-deep', deep, 'the document is nested too deeply to read', hint)],
    };
  }
  // Duplicate keys are found by duplicateKeys() below: yaml's own check (uniqueKeys) compares
  // every key with every earlier one, and 100,000 keys (a 1 MB file) took minutes.
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false, keepSourceTokens: false });
  const diagnostics: Diagnostic[] = [];

  let deepReported = false;
  const openings = unclosedOpenings(doc);
  for (const err of [...doc.errors, ...doc.warnings]) {
    const known = YAML_CODES[err.code];
    if (known?.code === 'nesting-too-deep') {
      if (deepReported) continue;
      deepReported = true;
    }
    const message = err.message.split('\n')[0]?.replace(/ at line \d+, column \d+$/, '') ?? err.message;
    const opening = openings(err);
    diagnostics.push(
      source.at(
        known?.code ?? 'yaml-syntax',
        opening ?? err.pos[0],
        known?.code === 'nesting-too-deep'
          ? 'the document is nested too deeply to read'
          : (YAML_MESSAGES[err.code] ?? lowerFirst(message)),
        known?.hint ??
          (opening !== undefined
            ? `close the ${text.charAt(opening)} opened here (or indent the lines that continue it)`
            : 'fix the YAML syntax at this point (an unclosed bracket or quote, or wrong indentation)'),
        {
          endOffset: opening === undefined ? err.pos[1] : opening + 1,
          severity: err.name === 'YAMLWarning' ? 'warning' : 'error',
        },
      ),
    );
  }
  diagnostics.push(...duplicateKeys(doc, source));
  if (hasErrors(diagnostics)) return { diagnostics: sortDiagnostics(diagnostics) };

  if (doc.contents === null) {
    diagnostics.push(
      source.at(
        'empty-spec',
        0,
        'the spec is empty',
        'start from `slipway init`, or see examples/ for complete specs',
      ),
    );
    return { diagnostics };
  }

  // Keys are names; a mapping, list or alias as a key (`? [a]: 1`) is never meant. Converting
  // one to JS turns it into text, and nested ones (`? ? ? … v`) double in size at each level:
  // seconds then "Invalid string length" thrown from toJS or positions. Report it instead.
  // An alias inside the value it names (`a: &x { b: *x }`) makes toJS build a circular object,
  // which every later JSON.stringify and recursive walk chokes on: report that too.
  // yaml resolves each alias by scanning every anchor and alias before it (and, to count them,
  // the whole document): 30,000 aliases (1 MB) took 15 s. A spec needs a handful: cap them.
  const structural: Diagnostic[] = [];
  const anchors = new Map<string, Node>();
  let anchorsAndAliases = 0;
  const tooMany = (node: Node) => {
    if (++anchorsAndAliases <= MAX_ANCHORS_AND_ALIASES) return false;
    structural.push(
      source.at(
        'alias-limit',
        node.range?.[0] ?? 0,
        `the spec has more than ${MAX_ANCHORS_AND_ALIASES} anchors and aliases`,
        'write the values out; a spec needs a handful of aliases at most',
      ),
    );
    return true;
  };
  const anchored = (_: unknown, node: Node) => {
    if (!node.anchor) return undefined;
    anchors.set(node.anchor, node); // in document order: an alias names the latest anchor before it
    return tooMany(node) ? visit.BREAK : undefined;
  };
  visit(doc, {
    Map: anchored,
    Seq: anchored,
    Scalar: anchored,
    Pair(_, pair) {
      const key = pair.key;
      // A scalar key whose value is an object (`!!binary …`, `!!timestamp …`) is stringified too.
      if (key === null || (isScalar(key) && (key.value === null || typeof key.value !== 'object'))) return;
      const k = key as { range?: [number, number, number] };
      const what = isAlias(key)
        ? 'an alias'
        : isScalar(key)
          ? `a ${(key.tag ?? 'tagged').replace('tag:yaml.org,2002:', '!!')} value`
          : 'a mapping or a list';
      structural.push(
        source.at(
          'invalid-type',
          k.range?.[0] ?? 0,
          `a key must be plain text, not ${what}`,
          'write the key as a plain name, e.g. web:',
          k.range ? { endOffset: k.range[1] } : {},
        ),
      );
      return visit.SKIP;
    },
    Alias(_, alias, path) {
      if (tooMany(alias)) return visit.BREAK;
      const target = anchors.get(alias.source);
      if (target === undefined || !path.includes(target)) return undefined;
      structural.push(
        source.at(
          'alias-limit',
          alias.range?.[0] ?? 0,
          `alias *${alias.source} is inside the value it refers to, which would repeat forever`,
          `write the value out instead of *${alias.source}`,
          alias.range ? { endOffset: alias.range[1] } : {},
        ),
      );
      return undefined;
    },
  });
  if (structural.length > 0) return { diagnostics: sortDiagnostics(structural) };

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    if (e instanceof ReferenceError || e instanceof RangeError) {
      let aliasAt = 0;
      visit(doc, {
        Alias(_, node) {
          if (isAlias(node) && node.range) {
            aliasAt = node.range[0];
            return visit.BREAK;
          }
          return undefined;
        },
      });
      diagnostics.push(
        source.at(
          'alias-limit',
          aliasAt,
          'aliases expand to too much data (a "billion laughs" pattern)',
          'write the values out, or use fewer nested aliases',
        ),
      );
      return { diagnostics };
    }
    throw e;
  }

  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    const start = doc.contents.range?.[0] ?? 0;
    diagnostics.push(
      source.at(
        'not-a-mapping',
        start,
        `the spec must be a mapping of keys (apiVersion, app, services, …), not ${Array.isArray(raw) ? 'a list' : 'a single value'}`,
        'start from `slipway init`, or see examples/ for complete specs',
      ),
    );
    return { diagnostics };
  }

  const shape = validateShape(doc, raw, source);
  diagnostics.push(...shape.diagnostics);
  if (!shape.spec) return { diagnostics: sortDiagnostics(diagnostics) };

  const loaded: LoadedSpec = { file, dir, source, doc, spec: shape.spec };
  diagnostics.push(...checkSemantics(loaded, options.fileExists ?? (() => true)));
  return hasErrors(diagnostics)
    ? { diagnostics: sortDiagnostics(diagnostics) }
    : { loaded, diagnostics: sortDiagnostics(diagnostics) };
}

/** Keys that repeat an earlier key of the same mapping (equal as yaml's uniqueKeys compares them). */
function duplicateKeys(doc: Document, source: SourceText): Diagnostic[] {
  const out: Diagnostic[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Map<unknown, number | undefined>();
      for (const pair of map.items) {
        const key = pair.key as Node | null;
        const id = isScalar(key) ? key.value : key;
        const start = key?.range?.[0];
        if (!seen.has(id)) {
          seen.set(id, start);
          continue;
        }
        const first = seen.get(id);
        const name = isScalar(key) ? JSON.stringify(String(key.value)) : 'this key';
        out.push(
          source.at(
            'duplicate-key',
            start ?? map.range?.[0] ?? 0,
            first === undefined
              ? `${name} is already a key of this mapping`
              : `${name} is already a key of this mapping, on line ${source.position(first).line}`,
            'remove one of the two entries, or merge them',
            key?.range ? { endOffset: key.range[1] } : {},
          ),
        );
      }
    },
  });
  return out;
}

/** Far more than any spec uses (yaml's alias resolution is quadratic in their number). */
const MAX_ANCHORS_AND_ALIASES = 1000;

/** Far deeper than any spec's `[` / `{` nesting (yaml itself overflows its stack from ~1,000). */
const MAX_FLOW_DEPTH = 256;

/**
 * Offset of the first `[` or `{` nested deeper than MAX_FLOW_DEPTH, from yaml's own tokens (so
 * brackets inside quotes, comments and plain text do not count). yaml takes over a second to
 * read a 100,000-deep `[[[…` and only notices through a stack overflow it catches mid-way; the
 * lexer alone is linear, flat, and stops at the limit.
 */
function tooDeepFlowOffset(text: string): number | undefined {
  let depth = 0;
  let offset = 0;
  let atScalar = false;
  for (const token of new Lexer().lex(text)) {
    // Control tokens that are not source text (see yaml's cst.ts): document mode, flow error
    // end, and the scalar marker, whose following token is the scalar's text whatever it holds.
    if (atScalar) atScalar = false;
    else if (token === '\x1f') {
      atScalar = true;
      continue;
    } else if (token === '\x02' || token === '\x18') continue;
    else if (token === '[' || token === '{') {
      depth++;
      if (depth > MAX_FLOW_DEPTH) return offset;
    } else if (token === ']' || token === '}') depth = Math.max(0, depth - 1);
    offset += token.length;
  }
  return undefined;
}

/**
 * yaml reports an unclosed `[`, `{` or quote where it stopped reading, after every line the value
 * swallowed: often lines below, past blank lines and comments. Like rustc's "unclosed delimiter",
 * point at the opening instead: the collection or quoted scalar whose range ends at the error.
 */
function unclosedOpenings(doc: Document): (err: YAMLError) => number | undefined {
  let candidates: { start: number; end: number; quote: boolean }[] | undefined;
  const used = new Set<number>();
  return (err) => {
    const bracket = /must (be sufficiently indented and )?end with a [\]}]$/.test(err.message);
    const quote = /^Missing closing .quote/.test(err.message);
    if (!bracket && !quote) return undefined;
    if (candidates === undefined) {
      const found: { start: number; end: number; quote: boolean }[] = [];
      visit(doc, {
        Node(_, node) {
          const r = node.range;
          if (!r) return;
          if (isCollection(node) && node.flow) found.push({ start: r[0], end: r[1], quote: false });
          if (isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE')) {
            found.push({ start: r[0], end: r[1], quote: true });
          }
        },
      });
      candidates = found.sort((a, b) => b.start - a.start); // innermost first
    }
    const hit = candidates.find((c) => c.end === err.pos[0] && c.quote === quote && !used.has(c.start));
    if (hit === undefined) return undefined;
    used.add(hit.start);
    return hit.start;
  };
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
