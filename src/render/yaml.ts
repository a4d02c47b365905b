/** The one YAML emitter configuration for everything Slipway writes. */
import { stringify } from 'yaml';

/**
 * lineWidth 0: never fold long strings, so a changed value changes one line in a diff.
 * aliasDuplicateObjects false: never emit anchors/aliases, which many tools mishandle.
 */
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, aliasDuplicateObjects: false, indent: 2 });
}
