/**
 * From a path in the spec (`['services', 'web', 'ports', 'http']`) back to the YAML node that
 * wrote it, so that every diagnostic and every resolved value can name its line and column.
 */
import { type Document, isMap, isPair, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';

export type SpecPath = readonly (string | number)[];

/** `['services', 'web', 'files', 0]` → `services.web.files[0]`, as diagnostics show paths. */
export function formatSpecPath(path: SpecPath): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : p))
    .join('.')
    .replace(/\.\[/g, '[');
}

/** The reverse of formatSpecPath: `services.web.files[0]` → `['services', 'web', 'files', 0]`. */
export function parseSpecPath(path: string): (string | number)[] {
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

export interface NodeSpan {
  /** Offsets of the key (for map entries) and of the value. */
  keyStart?: number;
  keyEnd?: number;
  valueStart?: number;
  valueEnd?: number;
  /** How many path segments were found; less than the path length when it runs past the file. */
  depth: number;
}

/** Find the node at `path`; when part of the path does not exist, the deepest node that does. */
export function findNode(doc: Document, path: SpecPath): NodeSpan {
  let node: unknown = doc.contents;
  let span: NodeSpan = rangeOf(node as Node | null, undefined, 0);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = pairOf(node, String(seg));
      if (!pair) return span;
      node = pair.value;
      span = rangeOf(pair.value as Node | null, pair, i + 1);
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) return span;
      node = item;
      span = rangeOf(item as Node, undefined, i + 1);
    } else {
      return span;
    }
  }
  return span;
}

/** Offset best suited to point at: the value, or the key when asked (or when the value is empty). */
export function pointAt(span: NodeSpan, prefer: 'key' | 'value' = 'value'): { start: number; end?: number } {
  if (prefer === 'key' && span.keyStart !== undefined) {
    return span.keyEnd === undefined ? { start: span.keyStart } : { start: span.keyStart, end: span.keyEnd };
  }
  if (span.valueStart !== undefined) {
    return span.valueEnd === undefined
      ? { start: span.valueStart }
      : { start: span.valueStart, end: span.valueEnd };
  }
  if (span.keyStart !== undefined) {
    return span.keyEnd === undefined ? { start: span.keyStart } : { start: span.keyStart, end: span.keyEnd };
  }
  return { start: 0 };
}

/** Every key of the map at `path` with its offset (for unknown-key diagnostics). */
export function mapKeyOffsets(doc: Document, path: SpecPath): Map<string, { start: number; end: number }> {
  const out = new Map<string, { start: number; end: number }>();
  let node: unknown = doc.contents;
  for (const seg of path) {
    if (isMap(node)) node = pairOf(node, String(seg))?.value;
    else if (isSeq(node) && typeof seg === 'number') node = node.items[seg];
    else return out;
  }
  if (!isMap(node)) return out;
  for (const pair of node.items) {
    const k = pair.key as Node | null;
    if (k?.range) out.set(keyText(pair), { start: k.range[0], end: k.range[1] });
  }
  return out;
}

/**
 * The pair of `map` with key `key` (the first, as a scan would find). Indexed once per map:
 * a scan per lookup made a spec with 20,000 services, one diagnostic each, take seconds (n²).
 * The document is never modified after loading, so the index stays true.
 */
const keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>();
function pairOf(map: YAMLMap, key: string): Pair | undefined {
  let index = keyIndex.get(map);
  if (index === undefined) {
    index = new Map();
    for (const p of map.items) {
      const k = keyText(p);
      if (!index.has(k)) index.set(k, p);
    }
    keyIndex.set(map, index);
  }
  return index.get(key);
}

function keyText(pair: Pair): string {
  const k = pair.key;
  if (isScalar(k)) return String(k.value);
  return String(k);
}

function rangeOf(node: Node | null | undefined, pair: Pair | undefined, depth: number): NodeSpan {
  const span: NodeSpan = { depth };
  const key = pair && isPair(pair) ? (pair.key as Node | null) : undefined;
  if (key?.range) {
    span.keyStart = key.range[0];
    span.keyEnd = key.range[1];
  }
  if (node?.range) {
    span.valueStart = node.range[0];
    span.valueEnd = node.range[1];
  }
  return span;
}
