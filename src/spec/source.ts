/**
 * A spec file's text with the means to turn offsets into `file:line:col`. Reading bytes and
 * deciding whether they are text is done here, once, so the parser only ever sees clean UTF-8.
 */
import { LineCounter } from 'yaml';
import type { Diagnostic, DiagnosticCode, SourcePosition } from './diagnostics.ts';

/** Larger specs are certainly a mistake (a 500-service spec is ~300 KiB). */
// A 500-service spec is ~530 KiB; yaml parses a 2 MiB file of tiny items in about 5 s, 8 MiB in 20 s.
export const MAX_SPEC_BYTES = 2 * 1024 * 1024;

export class SourceText {
  readonly lineCounter = new LineCounter();
  readonly #lines: string[];

  readonly file: string;
  readonly text: string;

  constructor(file: string, text: string) {
    this.file = file;
    this.text = text;
    // The YAML parser fills the line counter while parsing; we fill it up-front instead so
    // positions also work for text the parser never reached (encoding errors, pre-checks).
    this.#lines = text.split('\n');
    let offset = 0;
    for (const line of this.#lines) {
      this.lineCounter.addNewLine(offset);
      offset += line.length + 1;
    }
  }

  position(offset: number, endOffset?: number): SourcePosition {
    const start = this.lineCounter.linePos(Math.max(0, Math.min(offset, this.text.length)));
    const pos: SourcePosition = { file: this.file, line: start.line, column: start.col };
    if (endOffset !== undefined && endOffset > offset) {
      const end = this.lineCounter.linePos(Math.min(endOffset, this.text.length));
      pos.endLine = end.line;
      pos.endColumn = end.col;
    }
    return pos;
  }

  /** The text of a 1-based line, without its line terminator. */
  line(n: number): string {
    return (this.#lines[n - 1] ?? '').replace(/\r$/, '');
  }

  /** A diagnostic located at `offset` (with the source line attached for display). */
  at(
    code: DiagnosticCode,
    offset: number,
    message: string,
    hint: string | undefined,
    extra: {
      endOffset?: number | undefined;
      path?: string | undefined;
      severity?: Diagnostic['severity'];
    } = {},
  ): Diagnostic {
    const location = this.position(offset, extra.endOffset);
    const d: Diagnostic = {
      code,
      severity: extra.severity ?? 'error',
      message: clip(message, MAX_MESSAGE),
      location,
      sourceLine: clip(this.line(location.line), MAX_SOURCE_LINE),
    };
    if (hint !== undefined) d.hint = clip(hint, MAX_MESSAGE);
    if (extra.path !== undefined) d.path = extra.path;
    return d;
  }
}

/**
 * Messages and hints quote the user's values, and a value (or a line) can be megabytes long:
 * keep diagnostics to a readable size instead of printing the value once per diagnostic.
 */
const MAX_MESSAGE = 400;
const MAX_SOURCE_LINE = 1000;

/** `s` cut in the middle when longer than `max`, keeping both ends (never splitting a surrogate pair). */
function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  let head = Math.floor(max * 0.7);
  let tail = s.length - (max - head - 1);
  const code = (i: number) => s.charCodeAt(i);
  if (code(head - 1) >= 0xd800 && code(head - 1) <= 0xdbff) head--;
  if (code(tail) >= 0xdc00 && code(tail) <= 0xdfff) tail++;
  return `${s.slice(0, head)}…${s.slice(tail)}`;
}

export type DecodeResult = { ok: true; text: string } | { ok: false; diagnostic: Diagnostic };

/**
 * Bytes to text, refusing what is not UTF-8 YAML: UTF-16/32 (by BOM), NUL-bearing binary,
 * and invalid UTF-8 (located at the first bad byte). A UTF-8 BOM is dropped.
 */
export function decodeSpecBytes(file: string, bytes: Uint8Array): DecodeResult {
  const fail = (code: DiagnosticCode, message: string, hint: string, offset = 0, text = ''): DecodeResult => {
    const src = new SourceText(file, text);
    return { ok: false, diagnostic: src.at(code, offset, message, hint) };
  };
  if (
    bytes.length >= 2 &&
    ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
  ) {
    return fail(
      'encoding',
      'the file is UTF-16 encoded; Slipway reads UTF-8 only',
      `convert it: iconv -f UTF-16 -t UTF-8 ${file} > ${file}.utf8 && mv ${file}.utf8 ${file}`,
    );
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    const before = safePrefix(bytes, nul);
    return fail(
      'binary-content',
      'the file contains NUL bytes: it is binary, not YAML',
      'point Slipway at your slipway.yaml text file',
      before.length,
      before,
    );
  }
  try {
    let text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { ok: true, text };
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const before = safePrefix(bytes, bad);
    return fail(
      'encoding',
      `invalid UTF-8 at byte ${bad} (0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')})`,
      'save the file as UTF-8; a Latin-1 editor setting is the usual cause',
      before.length,
      before,
    );
  }
}

function safePrefix(bytes: Uint8Array, end: number): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, end));
}

/** Index of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] ?? 0;
    const need =
      c < 0x80
        ? 0
        : c >= 0xc2 && c <= 0xdf
          ? 1
          : c >= 0xe0 && c <= 0xef
            ? 2
            : c >= 0xf0 && c <= 0xf4
              ? 3
              : -1;
    if (need < 0) return i;
    // The second byte has a narrower range after E0, ED, F0 and F4 (Unicode table 3-7): without
    // this, overlong forms, surrogates and code points past U+10FFFF, which the decoder rejects,
    // were "found" at the last byte of the file instead of where they are.
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    const second = b[i + 1];
    if (need > 0 && (second === undefined || second < lo || second > hi)) return i;
    for (let k = 1; k <= need; k++) {
      const cc = b[i + k];
      if (cc === undefined || (cc & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return Math.max(0, b.length - 1);
}
