import { arr, isObject } from '../_k8s.ts';
import { plainSecret } from '../_secrets.ts';
import { seg } from '../_yaml.ts';
import { COMPOSE_SERVICE, defineRule } from '../types.ts';

export const composeInlineSecret = defineRule({
  id: 'compose-inline-secret',
  severity: 'error',
  kinds: [COMPOSE_SERVICE],
  description:
    'A Compose service sets a secret in plain text in `environment`: a password/token-like variable with a literal value, or a credential-looking value.',
  remediation:
    'Use interpolation from an untracked `.env` file (`PASSWORD: ${PASSWORD}`), or Compose `secrets:` mounted as files.',
  messages: {
    name: 'service "{service}" sets {env} to a literal value: a secret in plain text in the Compose file',
    value: 'service "{service}" sets {env} to a value that looks like a credential',
    url: 'service "{service}" sets {env} to a URL that embeds a password',
  },
  *check(o) {
    const env = o.value.environment;
    if (isObject(env)) {
      for (const [name, v] of Object.entries(env)) {
        if (typeof v !== 'string' && typeof v !== 'number') continue;
        const why = plainSecret(name, String(v));
        if (why)
          yield {
            message: why,
            data: { service: o.name, env: name },
            path: `/environment/${seg(name)}`,
            at: 'value',
          };
      }
      return;
    }
    for (const [i, item] of arr(env).entries()) {
      if (typeof item !== 'string') continue;
      const eq = item.indexOf('=');
      if (eq <= 0) continue;
      const why = plainSecret(item.slice(0, eq), item.slice(eq + 1));
      if (why)
        yield {
          message: why,
          data: { service: o.name, env: item.slice(0, eq) },
          path: `/environment/${i}`,
          at: 'value',
        };
    }
  },
});
