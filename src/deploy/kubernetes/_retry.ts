/**
 * Retrying what the API server asks to be retried: a 429 (API Priority and Fairness rejected the
 * request, or a CRD's storage is still initializing just after it was installed) was not processed,
 * so it is safe to send again for every verb. client-go does the same (it honours `Retry-After`,
 * up to 10 times); without it a deploy right after a CRD install ended in an internal error.
 */
import {
  type HttpLibrary,
  IsomorphicFetchHttpLibrary,
  type RequestContext,
  type ResponseContext,
  wrapHttpLibrary,
} from '@kubernetes/client-node';
import { sleep } from './_sleep.ts';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Upper bound of one wait, whatever `Retry-After` says. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 10, maxDelayMs: 5_000 };

/** How long to wait before sending again, or undefined when the response is not to be retried (pure). */
export function retryDelayMs(
  status: number,
  retryAfter: string | undefined,
  policy: RetryPolicy,
): number | undefined {
  if (status !== 429) return undefined;
  const seconds = retryAfter?.trim() ? Number(retryAfter) : Number.NaN;
  const ms = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000;
  return Math.min(ms, policy.maxDelayMs);
}

/** `inner` (default: the client's fetch library), sending a request again while the server answers 429. */
export function retryingHttpLibrary(
  o: {
    inner?: HttpLibrary;
    policy?: RetryPolicy;
    /** Called before each resend (the request count). */
    onRetry?: (request: RequestContext) => void;
    wait?: (ms: number) => Promise<void>;
  } = {},
): HttpLibrary {
  const inner = o.inner ?? new IsomorphicFetchHttpLibrary();
  const policy = o.policy ?? DEFAULT_RETRY;
  const wait = o.wait ?? ((ms: number) => sleep(ms));
  return wrapHttpLibrary({
    async send(request: RequestContext): Promise<ResponseContext> {
      for (let attempt = 1; ; attempt++) {
        const response = await inner.send(request).toPromise();
        const delay = retryDelayMs(response.httpStatusCode, response.headers['retry-after'], policy);
        if (delay === undefined || attempt >= policy.attempts) return response;
        await response.body.text().catch(() => ''); // free the connection
        await wait(delay);
        o.onRetry?.(request);
      }
    },
  });
}
