/**
 * The env file read as docker compose reads it (compose-go's dotenv parser), and the values masked
 * from it. The cases follow compose-go's parser: inline comments, quotes, escapes, expansion.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redactor, secretValues } from '../../src/deploy/compose/bundle.ts';
import { parseEnvFile } from '../../src/deploy/compose/env-file.ts';

const TMP = mkdtempSync(join(tmpdir(), 'slipway-env-file-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const env = { FROM_ENV: 'outside', EMPTY_ENV: '' };

describe('parseEnvFile (compose-go dotenv rules)', () => {
  const cases: [string, string, Record<string, string>][] = [
    ['plain', 'A=abc', { A: 'abc' }],
    ['export and blanks', '  export A = abc  ', { A: 'abc' }],
    ['yaml-style colon', 'A: abc', { A: 'abc' }],
    ['comments and blank lines', '# c\n\n  # c2\nA=1', { A: '1' }],
    ['unquoted inline comment', 'A=abc123 # note', { A: 'abc123' }],
    ['unquoted # without space stays', 'A=abc#123', { A: 'abc#123' }],
    ['unquoted: cut at the last " #"', 'A=a #b #c', { A: 'a #b' }],
    ['double quotes then a comment', 'A="abc123" # note', { A: 'abc123' }],
    ['single quotes then a comment', "A='abc123' # note", { A: 'abc123' }],
    ['# inside quotes stays', 'A="a #b"', { A: 'a #b' }],
    ['double-quoted escapes', 'A="l1\\nl2\\rx\\"q\\\\z"', { A: 'l1\nl2\rx"q\\z' }],
    ['single quotes are literal', "A='l1\\n${FROM_ENV}'", { A: 'l1\\n${FROM_ENV}' }],
    ['multi-line double quotes', 'A="line one\nline two"\nB=x', { A: 'line one\nline two', B: 'x' }],
    ['multi-line single quotes', "A='-----BEGIN\nKEY\n-----END'", { A: '-----BEGIN\nKEY\n-----END' }],
    ['expansion from the file', 'A=pre\nB=${A}-x\nC="$A/y"', { A: 'pre', B: 'pre-x', C: 'pre/y' }],
    ['expansion from the environment', 'A=${FROM_ENV}', { A: 'outside' }],
    ['unset expands to empty', 'A=x${NOPE}y', { A: 'xy' }],
    ['defaults', 'A=${NOPE:-d1}\nB=${EMPTY_ENV:-d2}\nC=${EMPTY_ENV-d3}', { A: 'd1', B: 'd2', C: '' }],
    ['alternatives', 'A=${FROM_ENV:+alt}\nB=${NOPE:+alt}', { A: 'alt', B: '' }],
    ['$$ is a dollar', 'A=pa$$word', { A: 'pa$word' }],
    ['empty value', 'A=\nB=""', { A: '', B: '' }],
    ['CRLF', 'A=abc\r\nB="x"\r\n', { A: 'abc', B: 'x' }],
    ['a bare key takes the environment', 'FROM_ENV\nNOT_SET', { FROM_ENV: 'outside' }],
  ];
  it.each(cases)('%s', (_name, text, want) => {
    expect(Object.fromEntries(parseEnvFile(text, env))).toEqual(want);
  });

  it('names the line of an unterminated quote', () => {
    expect(() => parseEnvFile('A=1\nB="open', env)).toThrow('line 2 (B): unterminated quoted value');
  });
});

describe('secret values masked from the env file', () => {
  it('masks quoted values with a comment, expanded values, and each line of a multi-line value', () => {
    const file = join(TMP, '.env');
    writeFileSync(
      file,
      [
        'API_KEY="abc123" # rotated monthly',
        'TOKEN=tok-plain-value # note',
        'URL=https://u:${API_KEY}@host',
        'PEM="-----BEGIN KEY-----\\nMIIBOgIBAAJBAK\\n-----END KEY-----"',
        'SHORT=ab',
      ].join('\n'),
    );
    const values = secretValues(file, {});
    expect(values).toContain('abc123');
    expect(values).toContain('tok-plain-value');
    expect(values).toContain('https://u:abc123@host');
    expect(values).toContain('MIIBOgIBAAJBAK');
    expect(values).toContain('-----BEGIN KEY-----\nMIIBOgIBAAJBAK\n-----END KEY-----');
    expect(values).not.toContain('ab');
    const mask = redactor(values);
    expect(mask('key=abc123 token=tok-plain-value')).toBe('key=*** token=***');
    expect(mask('error: bad key line MIIBOgIBAAJBAK')).toBe('error: bad key line ***');
    expect(mask('a\n-----BEGIN KEY-----\nMIIBOgIBAAJBAK\n-----END KEY-----\nb')).toBe('a\n***\nb');
  });

  it('refuses an env file compose could not read, naming it', () => {
    const file = join(TMP, 'broken.env');
    writeFileSync(file, 'A="never closed\n');
    expect(() => secretValues(file, {})).toThrow(`the env file ${file} cannot be read: line 1 (A)`);
  });
});
