/**
 * Reading pyproject.toml through smol-toml (a complete TOML 1.0 parser), wrapped so `init` gets a
 * result instead of an exception and can skip a broken file with a warning naming its line.
 */
import { parse, TomlError } from 'smol-toml';

export type TomlValue = string | number | boolean | bigint | Date | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

export type TomlResult = { ok: true; value: TomlTable } | { ok: false; line: number; reason: string };

/** Parse TOML text; never throws. */
export function parseToml(text: string): TomlResult {
  try {
    return { ok: true, value: parse(text) as TomlTable };
  } catch (e) {
    if (!(e instanceof TomlError)) throw e;
    return { ok: false, line: e.line, reason: e.message.split('\n')[0] ?? 'invalid TOML' };
  }
}

/** The value at a dotted path, or undefined. */
export function tomlGet(root: TomlTable, ...path: string[]): TomlValue | undefined {
  let cur: TomlValue | undefined = root;
  for (const key of path) {
    if (cur === undefined || typeof cur !== 'object' || Array.isArray(cur) || cur instanceof Date)
      return undefined;
    cur = Object.hasOwn(cur, key) ? cur[key] : undefined;
  }
  return cur;
}
