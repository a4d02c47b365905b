/**
 * Glob patterns for `ignorePaths`, gitignore-style: `*` and `?` stay inside a path segment, `**` spans
 * segments, `{a,b}` is either; a pattern without `/` matches a file or folder name anywhere, and a
 * pattern that matches a folder matches everything under it.
 */

function toRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more folders; a trailing `**` matches everything.
        if (glob[i + 2] === '/') {
          re += '(?:.*/)?';
          i += 2;
        } else {
          re += '.*';
          i += 1;
        }
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${glob
          .slice(i + 1, end)
          .split(',')
          .map((alt) => alt.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
          .join('|')})`;
        i = end;
      }
    } else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Does `path` (relative, POSIX) match `glob`, or lie under a folder that does? */
export function matchesGlob(path: string, glob: string): boolean {
  const g = glob.replace(/^\.\//, '').replace(/\/+$/, '');
  const re = toRegExp(g.includes('/') ? g : `**/${g}`);
  const parts = path.split('/');
  for (let i = parts.length; i > 0; i--) if (re.test(parts.slice(0, i).join('/'))) return true;
  return false;
}
