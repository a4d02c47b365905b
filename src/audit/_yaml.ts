/**
 * YAML text → documents that remember where every node is. Same pointer semantics as verify's
 * `locateFinding` (the deepest node of the pointer that exists; a mapping entry by its key), but on
 * documents already parsed once per file, and with an end position for SARIF regions and carets.
 */
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
} from 'yaml';

export interface ParsedFile {
  readonly file: string;
  readonly text: string;
  readonly docs: readonly Document.Parsed[];
  readonly lines: LineCounter;
}

export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** Parses every document of a file; errors stay on each document (`doc.errors`). */
export function parseFile(file: string, text: string): ParsedFile {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  return { file, text, docs: Array.isArray(docs) ? docs : [], lines };
}

function unescapeSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** JSON pointer segment for a key or index. */
export function seg(s: string | number): string {
  return String(s).replace(/~/g, '~0').replace(/\//g, '~1');
}

function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function span(lines: LineCounter, start: number, end: number): Span {
  const a = lines.linePos(start);
  const b = lines.linePos(Math.max(start, end));
  return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

/** Start and end of a node as drawn: a scalar whole, a collection by its first character. */
function nodeSpan(lines: LineCounter, node: Node, fallback: number): Span {
  const [start = fallback, valueEnd = start] = node.range ?? [];
  if (isScalar(node)) return span(lines, start, valueEnd);
  return span(lines, start, start + 1);
}

/**
 * Where `pointer` is in document `docIndex`: the key of a mapping entry (or its value with `at: 'value'`),
 * a list item; when part of the pointer does not exist, the deepest part that does.
 */
export function locate(
  parsed: ParsedFile,
  docIndex: number,
  pointer: string,
  at: 'key' | 'value' = 'key',
  innerLine?: number,
): Span {
  const doc = parsed.docs[docIndex];
  if (doc === undefined) return { line: 1, column: 1, endLine: 1, endColumn: 2 };
  let node: unknown = doc.contents;
  let here: Node | null = (doc.contents as Node | null) ?? null;
  let keyNode: Node | null = null;
  const fallback = doc.range[0];
  const segments = pointer === '' ? [] : pointer.slice(1).split('/').map(unescapeSegment);
  let complete = true;
  for (const s of segments) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === s);
      if (pair === undefined) {
        complete = false;
        break;
      }
      keyNode = (pair.key as Node | null) ?? null;
      node = pair.value;
      here = (pair.value as Node | null) ?? keyNode;
    } else if (isSeq(node)) {
      const item = /^\d+$/.test(s) ? (node.items[Number(s)] as Node | undefined) : undefined;
      if (item === undefined || item === null) {
        complete = false;
        break;
      }
      keyNode = null;
      node = item;
      here = item;
    } else {
      complete = false;
      break;
    }
  }
  // A missing field is shown at its parent's key; a present one at its key, or its value when asked.
  const target = complete && (at === 'value' || innerLine !== undefined) ? here : (keyNode ?? here);
  if (target === null) return span(parsed.lines, fallback, fallback + 1);
  if (complete && innerLine !== undefined && isScalar(target)) {
    const inner = innerSpan(parsed, target, innerLine);
    if (inner) return inner;
  }
  return nodeSpan(parsed.lines, target, fallback);
}

/** A line inside a block scalar (`|`, `>`): its content lines follow the header line one to one. */
function innerSpan(parsed: ParsedFile, node: Node, innerLine: number): Span | undefined {
  if (!isScalar(node) || (node.type !== 'BLOCK_LITERAL' && node.type !== 'BLOCK_FOLDED')) return undefined;
  const [start = 0, valueEnd = start] = node.range ?? [];
  const header = parsed.lines.linePos(start).line;
  const line = header + 1 + innerLine;
  if (line > parsed.lines.linePos(valueEnd).line) return undefined;
  const text = sourceLine(parsed, line);
  const indent = text.length - text.trimStart().length;
  return {
    line,
    column: indent + 1,
    endLine: line,
    endColumn: Math.max(indent + 2, text.trimEnd().length + 1),
  };
}

/** The text of line `line` (1-based). */
export function sourceLine(parsed: ParsedFile, line: number): string {
  const starts = parsed.lines.lineStarts;
  const start = starts[line - 1];
  if (start === undefined) return '';
  const end = starts[line] ?? parsed.text.length;
  return parsed.text.slice(start, end).replace(/\r?\n$/, '');
}
