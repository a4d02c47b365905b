/**
 * What a credential looks like, by name and by value. Shared by the spec checks and (later) the
 * audit rules, so both agree on what counts as a secret written in plain text.
 */

/** Variable names that hold credentials. `_ID`, `_USER`, `_URL` alone do not. */
const SECRET_NAME =
  /(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?|AUTH_?KEY|SERVICE_ROLE_KEY|ANON_KEY)/i;

/** Values that are credentials whatever they are called. */
const SECRET_VALUE: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/, // PEM private keys
  /\bgh[pousr]_[A-Za-z0-9]{30,}\b/, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{40,}\b/,
  /\bAKIA[0-9A-Z]{16}\b/, // AWS access key id
  /\bsk-(ant-|proj-)?[A-Za-z0-9_-]{20,}\b/, // OpenAI / Anthropic keys
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/, // Slack tokens
  /\bAIza[0-9A-Za-z_-]{35}\b/, // Google API keys
  /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, // JWTs
];

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export function isSecretLookingValue(value: string): boolean {
  return SECRET_VALUE.some((re) => re.test(value));
}
