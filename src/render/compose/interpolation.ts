/**
 * Compose interpolates `${VAR}` everywhere in compose.yaml, from the shell and from the env file
 * given with `--env-file` (or `.env` beside compose.yaml). Secrets use exactly that: each is a
 * required variable, so its value lives only in the never-committed env file and a missing one
 * stops `docker compose up` with a message saying where to set it. Every other `$` Slipway writes
 * is escaped as `$$`, so nothing else is ever interpolated.
 */
import type { Model } from '../../model/types.ts';

/** A literal value: `$` doubled so compose passes it through unchanged. */
export function literal(value: string): string {
  return value.split('$').join('$$');
}

/** The env-file variable of a secret key: upper case, `-` and `.` as `_` (as the kubectl command names them). */
export function secretVariable(key: string): string {
  return key.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Key of a declared secret (defaults to its name). */
export function secretKey(model: Model, secret: string): string {
  return model.secrets.find((s) => s.name === secret)?.key ?? secret;
}

/** Path of the env file relative to the spec, as the environment declares it. */
export function envFileName(model: Model): string {
  return model.environment.secretSource.file ?? '.env';
}

/** `${VAR:?set VAR in .env}`: required, never defaulted, never written here. */
export function secretReference(model: Model, secret: string): string {
  const v = secretVariable(secretKey(model, secret));
  return `\${${v}:?set ${v} in ${envFileName(model).replace(/[}$]/g, '')}}`;
}
