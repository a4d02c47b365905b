/**
 * compose.yaml as text, through the one YAML emitter, with comments that say why: a header, and
 * a line above the parts a reader would otherwise wonder about. Strings that YAML 1.1 readers
 * take for booleans or base-60 numbers (`no`, `on`, `22:22`) are quoted, so every compose
 * implementation reads the same values.
 */
import { Document, isMap, isScalar, type Scalar, visit } from 'yaml';
import { toYaml } from '../yaml.ts';

/** Comments keyed by a path of map keys, e.g. `['services', 'proxy']`. */
export type Comments = { path: string[]; text: string; spaceBefore?: boolean }[];

/** YAML 1.1 booleans and nulls, and digit groups joined by colons (base 60 there: `22:22`, and `user: 1000:1000`). */
const YAML11_AMBIGUOUS = /^(?:y|n|yes|no|on|off|true|false|null|~|[-+]?\d[\d_]*(?::\d+)+(?:\.\d*)?)$/i;

export function composeText(value: unknown, header: string, comments: Comments): string {
  const doc = new Document(value, { aliasDuplicateObjects: false, version: '1.1' });
  doc.commentBefore = header;
  for (const c of comments) {
    let node: unknown = doc.contents;
    let key: Scalar | undefined;
    for (const k of c.path) {
      if (!isMap(node)) {
        key = undefined;
        break;
      }
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === k);
      key = pair && isScalar(pair.key) ? pair.key : undefined;
      node = pair?.value;
    }
    // A patch may have removed what the comment was about.
    if (key) {
      key.commentBefore = c.text;
      if (c.spaceBefore) key.spaceBefore = true;
    }
  }
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && YAML11_AMBIGUOUS.test(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return toYaml(doc);
}
