/** Maps a finding's JSON pointer back to a line and column of the YAML text the object came from. */

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

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

interface Parsed {
  text: string;
  docs: Document.Parsed[];
  lines: LineCounter;
}

// Findings usually come in runs for the same file: keep the last parse.
let last: Parsed | undefined;

function parse(text: string): Parsed {
  if (last?.text === text) return last;
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
  last = { text, docs: Array.isArray(docs) ? docs : [], lines };
  return last;
}

function unescapeSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

/**
 * Where `jsonPointer` is in document `docIndex` (0-based, counting documents as `parseAllDocuments` does) of
 * a multi-document YAML text. Points at the deepest node of the pointer that exists: a mapping entry's key,
 * a list's item — so a missing field is reported at its parent, an unknown one at its key.
 */
export function locateFinding(yamlText: string, docIndex: number, jsonPointer: string): Position {
  const { docs, lines } = parse(yamlText);
  const doc = docs[docIndex];
  if (doc === undefined) {
    throw new RangeError(`the YAML text has ${docs.length} document(s); there is no document ${docIndex}`);
  }
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0] ?? doc.range[0];
  const segments = jsonPointer === '' ? [] : jsonPointer.slice(1).split('/').map(unescapeSegment);
  for (const seg of segments) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && keyText(p.key) === seg);
      if (pair === undefined) break;
      const key = pair.key as Node | null;
      offset = key?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node)) {
      if (!/^\d+$/.test(seg)) break;
      const item = node.items[Number(seg)] as Node | undefined;
      if (item === undefined || item === null) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      break;
    }
  }
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}
