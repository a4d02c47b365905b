/**
 * Putting spec-derived text into a workflow safely: GitHub evaluates `${{ … }}` anywhere in a
 * workflow, and `run:` scripts are shell. Every string that comes from the spec goes through
 * `literal` (YAML values) or `shellWord` (scripts), so no spec value becomes an expression or a
 * shell command it was not meant to be.
 */

/** A spec string as a literal in a workflow value: `${{` written so GitHub prints it verbatim. */
export function literal(s: string): string {
  return s.replaceAll('${{', "${{ '${{' }}");
}

/** One shell word: unquoted when it is plain, single-quoted otherwise. Never expands anything. */
export function shellWord(s: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(s)) return s;
  return literal(`'${s.replaceAll("'", `'\\''`)}'`);
}

/** A string literal inside a GitHub expression. */
export function exprString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** A job, step or service-container id: letters, digits, `-` and `_`, starting with a letter or `_`. */
export function id(s: string): string {
  const clean = s.replace(/[^A-Za-z0-9_-]/g, '-');
  return /^[A-Za-z_]/.test(clean) ? clean : `_${clean}`;
}

/** The suffix of per-environment secret names: `prod` → `PROD`, `eu-west` → `EU_WEST`. */
export function secretSuffix(env: string): string {
  return env.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Lines of a shell script, joined with a trailing newline (a YAML block scalar). */
export function script(...lines: (string | false | undefined)[]): string {
  return `${lines.filter((l): l is string => typeof l === 'string').join('\n')}\n`;
}
