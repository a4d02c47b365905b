/**
 * Loading a spec: bytes → text → YAML document (with positions) → shape-checked Spec → meaning
 * checked per environment. Problems are collected, never thrown; every one is located.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { type Document, isAlias, parseDocument, visit } from 'yaml';
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
  } catch {
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

/** Parse and check spec text. Pure apart from the injected `fileExists`. */
export function parseSpec(file: string, text: string, options: LoadOptions = {}, dir = '.'): LoadResult {
  const source = new SourceText(file, text);
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, keepSourceTokens: false });
  const diagnostics: Diagnostic[] = [];

  let deepReported = false;
  for (const err of [...doc.errors, ...doc.warnings]) {
    const known = YAML_CODES[err.code];
    if (known?.code === 'nesting-too-deep') {
      if (deepReported) continue;
      deepReported = true;
    }
    const message = err.message.split('\n')[0]?.replace(/ at line \d+, column \d+$/, '') ?? err.message;
    diagnostics.push(
      source.at(
        known?.code ?? 'yaml-syntax',
        err.pos[0],
        known?.code === 'nesting-too-deep'
          ? 'the document is nested too deeply to read'
          : lowerFirst(message),
        known?.hint ??
          'fix the YAML syntax at this point (an unclosed bracket or quote, or wrong indentation)',
        { endOffset: err.pos[1], severity: err.name === 'YAMLWarning' ? 'warning' : 'error' },
      ),
    );
  }
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

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
