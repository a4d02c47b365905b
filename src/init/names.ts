/** Turning names found in a project (package names, compose services, env variables) into spec names. */
import { isSecretLookingValue, isSecretName } from '../spec/secret-patterns.ts';

/** Longest app name `init` writes: leaves room for `-<service>` within the 54-character object base name. */
export const MAX_APP_NAME = 30;
/** Longest service or dependency name: app (≤ 30) + `-` + this stays within 54. */
export const MAX_PART_NAME = 23;

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Whether a name is a DNS-1123 label of at most `max` characters that starts with a letter. */
export function isDnsLabel(name: string, max = 63): boolean {
  return DNS_LABEL.test(name) && name.length <= max;
}

/** A DNS-1123 label of at most `max` characters made from any text, or undefined when nothing usable is left. */
export function toDnsLabel(raw: string, max: number): string | undefined {
  let s = raw
    .toLowerCase()
    .replace(/^@/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (s === '') return undefined;
  if (!/^[a-z]/.test(s)) s = `app-${s}`;
  s = s.slice(0, max).replace(/-+$/, '');
  return s === '' ? undefined : s;
}

/** `base`, or `base-2`, `base-3`, … — the first not in `taken`; adds it to `taken`. */
export function uniqueName(base: string, taken: Set<string>, max: number): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) {
    const suffix = `-${n}`;
    name = `${base.slice(0, max - suffix.length).replace(/-+$/, '')}${suffix}`;
  }
  taken.add(name);
  return name;
}

/** The declared secret that holds an environment variable: JWT_SECRET → jwt-secret. */
export function secretNameFor(envName: string): string {
  return toDnsLabel(envName, 63) ?? 'secret';
}

/** Credential-like names beyond the spec checks' list: a bare KEY, PASS or SALT part, a DSN. */
const MORE_SECRET_NAMES = /(^|_)(KEYS?|PASS|PWD|SALT|DSN|PRIVATE|SIGNING_KEY|ENCRYPTION_KEY)(_|$)/i;
/** Values that are credentials whatever they are called, beyond the spec checks' list (Stripe-style keys). */
const MORE_SECRET_VALUES = /\b[sr]k_(live|test)_[A-Za-z0-9]+/;

/** Whether a variable should become a declared secret: init errs on the side of never copying a value. */
export function looksLikeSecret(name: string, value: unknown): boolean {
  if (isSecretName(name) || MORE_SECRET_NAMES.test(name)) return true;
  return typeof value === 'string' && (isSecretLookingValue(value) || MORE_SECRET_VALUES.test(value));
}
