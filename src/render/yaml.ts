/** The one YAML emitter configuration for everything Slipway writes. */
import { stringify } from 'yaml';

/**
 * version 1.1: the Go tools that read our output (kubectl, helm, kubeconform) parse YAML 1.1, where
 * plain `yes`, `off`, `on`, `no` are booleans; emitting as 1.1 quotes such strings, so a value like
 * `updateMode: Off` or `args: [--appendonly, yes]` stays a string for every reader.
 * lineWidth 0: never fold long strings, so a changed value changes one line in a diff.
 * aliasDuplicateObjects false: never emit anchors/aliases, which many tools mishandle.
 */
export function toYaml(value: unknown): string {
  return stringify(value, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false, indent: 2 });
}
