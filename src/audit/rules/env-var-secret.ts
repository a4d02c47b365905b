import { arr, containersOf, isObject, POD_SPEC_KINDS, podSpecOf, str } from '../_k8s.ts';
import { plainSecret } from '../_secrets.ts';
import { defineRule } from '../types.ts';

export const envVarSecret = defineRule({
  id: 'env-var-secret',
  severity: 'error',
  kinds: POD_SPEC_KINDS,
  description:
    'A container environment variable holds a secret in plain text: a secret-like name (`*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*API_KEY*`…) with a literal value, or a value that looks like a credential (private key, token, URL with a password).',
  remediation:
    'Put the value in a Secret (created outside the manifests, or sealed) and reference it with `valueFrom.secretKeyRef`, or mount the Secret as a file.',
  messages: {
    name: 'container "{container}" sets {env} to a literal value: a secret in plain text in the manifest',
    value: 'container "{container}" sets {env} to a value that looks like a credential',
    url: 'container "{container}" sets {env} to a URL that embeds a password',
  },
  docs: {
    kubeLinter:
      '`env-var-secret` (default), broadened: kube-linter flags names matching `(?i)secret` with any value; this rule uses the shared secret-name list (password, token, API key…) and value patterns, and skips references (`$(VAR)`, `${VAR}`) and names that hold a reference (`*_SECRET_NAME`, `*_TOKEN_FILE`).',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod, true))
      for (const [i, e] of arr(c.c.env).entries()) {
        if (!isObject(e)) continue;
        const name = str(e.name);
        const value = typeof e.value === 'number' ? String(e.value) : str(e.value);
        if (name === undefined || value === undefined) continue;
        const why = plainSecret(name, value);
        if (why)
          yield {
            message: why,
            data: { container: c.name, env: name },
            path: `${c.path}/env/${i}/value`,
            at: 'value',
          };
      }
  },
});
