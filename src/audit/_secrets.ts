/**
 * When a literal in a manifest is a secret written in plain text. Names and value patterns come from
 * `spec/secret-patterns.ts`, shared with the spec checks; this adds what separates a secret from a
 * reference to one (`${VAR}`, `$(VAR)`, `{{ .Values.x }}`, a file path, a Secret's name).
 */
import { isSecretLookingValue, isSecretName } from '../spec/secret-patterns.ts';

/** A placeholder or reference, not a value: interpolation, templating, empty or a lone dash. */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  return (
    v === '' ||
    /^\$\{[^}]*\}$/.test(v) || // ${VAR}, ${VAR:-default}
    /^\$\([^)]*\)$/.test(v) || // $(VAR), Kubernetes env expansion
    /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(v) || // $VAR
    /^\{\{.*\}\}$/s.test(v) || // {{ .Values.x }}
    /^<[^<>]*>$/.test(v) || // <your-token>
    /^(true|false|yes|no|on|off|null|none|~)$/i.test(v)
  );
}

// Names that hold a reference to a secret, not the secret: SECRET_NAME, TOKEN_FILE, API_KEY_PATH…
const REFERENCE_NAME =
  /(_|-|\.|^)(NAME|REF|FILE|PATH|DIR|ID|ARN|URL|URI|ENDPOINT|HEADER|TYPE|KIND|LENGTH|TTL)$|Name$|Ref$|File$|Path$/i;

/** Credentials in a URL: `scheme://user:password@host`, unless the password is a placeholder. */
export function hasUrlCredentials(value: string): boolean {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:([^@\s/]+)@/i.exec(value.trim());
  return m?.[1] !== undefined && !isPlaceholder(m[1]) && !/^\*+$/.test(m[1]);
}

/**
 * Why a name/value pair is a plain-text secret, or undefined: the value looks like a credential (a
 * private key, a token format, a URL with a password), or the name says secret and the value is a
 * literal rather than a reference.
 */
export function plainSecret(name: string, value: string): 'value' | 'name' | 'url' | undefined {
  if (isSecretLookingValue(value)) return 'value';
  if (hasUrlCredentials(value)) return 'url';
  if (
    isSecretName(name) &&
    !REFERENCE_NAME.test(name) &&
    !isPlaceholder(value) &&
    !value.trim().startsWith('/')
  )
    return 'name';
  return undefined;
}

const LAST_WORD = new Set([
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'credential',
  'credentials',
]);
const LAST_TWO = new Set([
  'apikey',
  'privatekey',
  'accesskey',
  'authkey',
  'secretkey',
  'rolekey',
  'anonkey',
  'signingkey',
  'encryptionkey',
  'masterkey',
]);

/**
 * For keys inside config files (`clientSecret`, `db_password`, `apiKey`): the last word names a secret.
 * Stricter than the variable-name check, since config keys such as `passwordPolicy` or `tokenExpiry`
 * mention a secret without holding one.
 */
export function endsWithSecretWord(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  const last = words[words.length - 1] ?? '';
  const lastTwo = `${words[words.length - 2] ?? ''}${last}`;
  return LAST_WORD.has(last) || LAST_TWO.has(lastTwo);
}
