import { isSecretLookingValue } from '../../spec/secret-patterns.ts';
import { get, isObject } from '../_k8s.ts';
import { endsWithSecretWord, isPlaceholder, plainSecret } from '../_secrets.ts';
import { seg } from '../_yaml.ts';
import { defineRule } from '../types.ts';

// `password: x`, `PASSWORD=x`, `"apiKey": "x"` inside an embedded config file.
const EMBEDDED = /^\s*(?:-\s+)?["']?([A-Za-z0-9_.-]+)["']?\s*[:=]\s*(.*?)\s*,?\s*$/;

function unquote(v: string): string {
  const m = /^(["'])(.*)\1$/.exec(v);
  return m?.[2] ?? v;
}

export const secretInConfigmap = defineRule({
  id: 'secret-in-configmap',
  severity: 'error',
  kinds: ['ConfigMap'],
  description:
    'A ConfigMap holds a secret: a key named like a password or token with a literal value, a credential-looking value (private key, token, URL with a password), or such a line inside an embedded config file.',
  remediation:
    'Move the value to a Secret (created outside the manifests, or sealed/external) and reference it; ConfigMaps are readable by anyone who can read the namespace and end up in logs and Git.',
  messages: {
    name: 'the key {key} holds a literal value: a secret in a ConfigMap',
    value: 'the value of {key} looks like a credential',
    url: 'the value of {key} is a URL that embeds a password',
    embedded: 'line {line} of {key} sets {name} to a literal value',
    embeddedValue: 'line {line} of {key} looks like a credential',
  },
  docs: {
    rationale:
      'Secrets in ConfigMaps are not encrypted at rest, not access-controlled separately, and shown by `kubectl describe`.',
  },
  *check(o) {
    const data = get(o.value, 'data');
    if (!isObject(data)) return;
    for (const [key, raw] of Object.entries(data)) {
      if (typeof raw !== 'string') continue;
      const path = `/data/${seg(key)}`;
      const lines = raw.split('\n');
      if (lines.length <= 1 || (lines.length === 2 && lines[1] === '')) {
        const why = plainSecret(key, raw);
        if (why) yield { message: why, data: { key }, path, at: 'value' };
        continue;
      }
      // A file: look line by line.
      for (const [i, line] of lines.entries()) {
        if (isSecretLookingValue(line)) {
          yield { message: 'embeddedValue', data: { key, line: i + 1 }, path, innerLine: i };
          continue;
        }
        const m = EMBEDDED.exec(line);
        if (!m) continue;
        const name = m[1] ?? '';
        const value = unquote(m[2] ?? '');
        if (value === '' || value === '|' || value === '>' || isPlaceholder(value)) continue;
        if (/^[{[]/.test(value)) continue;
        if (/^-?\d+(\.\d+)?$/.test(value)) continue;
        const why = plainSecret(name, value);
        if (why === 'url')
          yield { message: 'embeddedValue', data: { key, line: i + 1, name }, path, innerLine: i };
        else if (why === 'name' && endsWithSecretWord(name))
          yield { message: 'embedded', data: { key, line: i + 1, name }, path, innerLine: i };
      }
    }
  },
});
