/** Reading the client's ApiException: HTTP status and the API server's own message (a Status object). */
import { ApiException } from '@kubernetes/client-node';

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
