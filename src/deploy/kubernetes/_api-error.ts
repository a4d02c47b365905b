/** Reading the client's ApiException: HTTP status and the API server's own message (a Status object). */
import { ApiException } from '@kubernetes/client-node';
import { EngineError } from '../../cli/errors.ts';
import type { Driver } from '../driver.ts';

/** The HTTP status of a failed API call, or undefined for network and other errors. */
export function apiCode(e: unknown): number | undefined {
  return e instanceof ApiException ? e.code : undefined;
}

/** One line: `HTTP 409 Conflict: <the server's message>` or the error's message. */
export function describeApiError(e: unknown): string {
  if (e instanceof ApiException) {
    let body: unknown = e.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // keep the text
      }
    }
    const msg =
      body && typeof body === 'object' && 'message' in body
        ? String((body as { message: unknown }).message)
        : String(body);
    const reason =
      body && typeof body === 'object' && 'reason' in body ? ` ${(body as { reason: unknown }).reason}` : '';
    return `HTTP ${e.code}${reason}: ${msg}`;
  }
  return e instanceof Error ? e.message : String(e);
}

/**
 * An API error no caller turned into an explanation becomes one: what the server said, in one line
 * (never the client's multi-line dump of headers), exit 3 — not an "internal error".
 */
export function asEngineError(e: unknown): unknown {
  if (!(e instanceof ApiException)) return e;
  return new EngineError(
    `the Kubernetes API refused a request: ${describeApiError(e)}`,
    '  = hint: nothing after the refused request was changed; run the same command again (a 429 or 5xx is often brief)',
  );
}

/** The driver, with every API error its commands throw turned into an EngineError. */
export function withEngineErrors(driver: Driver): Driver {
  const wrapped = Object.entries(driver).map(([name, fn]) => [
    name,
    async (...args: unknown[]) => {
      try {
        return await (fn as (...a: unknown[]) => Promise<number>)(...args);
      } catch (e) {
        throw asEngineError(e);
      }
    },
  ]);
  return Object.fromEntries(wrapped) as Driver;
}
