import { get, isObject, str } from '../_k8s.ts';
import { isPlaceholder } from '../_secrets.ts';
import { defineRule } from '../types.ts';

export const secretInManifest = defineRule({
  id: 'secret-in-manifest',
  severity: 'error',
  kinds: ['Secret'],
  description:
    'A Secret manifest carries its values (`data` or `stringData`) in plain text: base64 is an encoding, not encryption, so whoever reads the repository reads the secret.',
  remediation:
    'Keep Secret values out of the manifests: create the Secret from the environment (`kubectl create secret … --from-env-file`), or commit a SealedSecret, an ExternalSecret or a SOPS-encrypted file instead.',
  messages: {
    plain: 'the Secret carries {count} value(s) in plain text ({keys})',
  },
  docs: {
    rationale:
      'Secrets committed in manifests leak through Git history, CI logs and every clone; they cannot be rotated without rewriting history.',
  },
  *check(o) {
    if (isObject(o.value.sops)) return; // SOPS-encrypted
    if (str(get(o.value, 'type')) === 'kubernetes.io/service-account-token') return;
    for (const field of ['stringData', 'data'] as const) {
      const values = get(o.value, field);
      if (!isObject(values)) continue;
      const keys = Object.entries(values)
        .filter(([, v]) => typeof v === 'string' && !isPlaceholder(v) && !v.startsWith('ENC['))
        .map(([k]) => k);
      if (keys.length > 0)
        yield { message: 'plain', data: { count: keys.length, keys: keys.join(', ') }, path: `/${field}` };
    }
  },
});
