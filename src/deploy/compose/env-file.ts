/**
 * The env file read as `docker compose --env-file` reads it (compose-go's dotenv parser), so the
 * values Slipway masks are exactly the values compose interpolates into containers:
 *
 * - `KEY=value`, `export KEY=value`, `KEY: value`; blank lines and `#` lines skipped;
 * - unquoted: trimmed, cut at the last ` #` (an inline comment), `$VAR`/`${VAR}` expanded;
 * - single quotes: literal, may span lines;
 * - double quotes: may span lines, `\n` and `\r` become line breaks, `\x` becomes `x` (but `\$`
 *   stays), then `$VAR`/`${VAR}` expanded;
 * - after a closing quote the rest of the line (a comment) is ignored;
 * - expansion looks up keys defined earlier in the file, then the process environment;
 *   `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}` as in compose, `$$` is `$`.
 */

/** Parses env-file text; throws an Error naming the line of an unterminated quote. */
export function parseEnvFile(text: string, env: NodeJS.ProcessEnv = process.env): Map<string, string> {
  const vars = new Map<string, string>();
  const lookup = (k: string) => (vars.has(k) ? vars.get(k) : env[k]);
  const src = text.replace(/\r\n/g, '\n');
  let i = 0;
  while (i < src.length) {
    const lineEnd = src.indexOf('\n', i) === -1 ? src.length : src.indexOf('\n', i);
    const line = src.slice(i, lineEnd).replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) {
      i = lineEnd + 1;
      continue;
    }
    const start = i + (src.slice(i, lineEnd).length - line.length);
    const m = /^(?:export\s+)?([^=:\s#]+)\s*([=:])?/.exec(line);
    if (!m?.[1] || !m[2]) {
      // `KEY` alone takes the value from the environment; anything else is not an assignment.
      const bare = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:#.*)?$/.exec(line);
      if (bare?.[1] && env[bare[1]] !== undefined) vars.set(bare[1], env[bare[1]] ?? '');
      i = lineEnd + 1;
      continue;
    }
    const key = m[1];
    let p = start + m[0].length;
    while (p < src.length && (src[p] === ' ' || src[p] === '\t')) p++;
    const quote = src[p];
    if (quote === '"' || quote === "'") {
      let q = p + 1;
      while (q < src.length && !(src[q] === quote && src[q - 1] !== '\\')) q++;
      if (q >= src.length) {
        const lineNo = src.slice(0, start).split('\n').length;
        throw new Error(`line ${lineNo} (${key}): unterminated quoted value`);
      }
      const raw = src.slice(p + 1, q);
      vars.set(key, quote === "'" ? raw : expand(doubleQuoteEscapes(raw), lookup));
      const after = src.indexOf('\n', q);
      i = after === -1 ? src.length : after + 1;
      continue;
    }
    const end = src.indexOf('\n', p) === -1 ? src.length : src.indexOf('\n', p);
    let value = src.slice(p, end);
    for (let c = value.length - 1; c > 0; c--) {
      if (value[c] === '#' && /\s/.test(value[c - 1] ?? '')) {
        value = value.slice(0, c);
        break;
      }
    }
    vars.set(key, expand(value.trim(), lookup));
    i = end + 1;
  }
  return vars;
}

function doubleQuoteEscapes(s: string): string {
  return s.replace(/\\(.)/gs, (all, c: string) => {
    if (c === 'n') return '\n';
    if (c === 'r') return '\r';
    return c === '$' ? all : c;
  });
}

/** Compose's interpolation of `$VAR`, `${VAR}` and its `:-`, `-`, `:+`, `+` forms; `$$` is `$`. */
function expand(s: string, lookup: (k: string) => string | undefined): string {
  return s.replace(
    /\\\$|\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (
      all,
      braced: string | undefined,
      op: string | undefined,
      arg: string | undefined,
      bare: string | undefined,
    ) => {
      if (all === '$$') return '$';
      if (all === '\\$') return all;
      const name = braced ?? bare ?? '';
      const v = lookup(name);
      if (!op) return v ?? '';
      const unsetOrEmpty = op.startsWith(':') ? !v : v === undefined;
      if (op.endsWith('-')) return unsetOrEmpty ? expand(arg ?? '', lookup) : (v ?? '');
      if (op.endsWith('+')) return unsetOrEmpty ? '' : expand(arg ?? '', lookup);
      return v ?? '';
    },
  );
}
