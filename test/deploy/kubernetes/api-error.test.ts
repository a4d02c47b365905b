import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/cli/errors.ts';
import type { Driver } from '../../../src/deploy/driver.ts';
import { asEngineError, withEngineErrors } from '../../../src/deploy/kubernetes/_api-error.ts';

const busy = () =>
  new ApiException(
    429,
    'HTTP-Code: 429\nMessage: Unsuccessful HTTP Request\nBody: …\nHeaders: {"audit-id":"x"}',
    JSON.stringify({ kind: 'Status', reason: 'TooManyRequests', message: 'storage is (re)initializing' }),
    { 'audit-id': 'x' },
  );

describe('API errors nobody explained', () => {
  it('become an EngineError (exit 3) with the server’s message on one line, no header dump', () => {
    const e = asEngineError(busy());
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).message).toBe(
      'the Kubernetes API refused a request: HTTP 429 TooManyRequests: storage is (re)initializing',
    );
    expect((e as EngineError).message).not.toContain('audit-id');
  });

  it('leave every other error as it is', () => {
    const other = new Error('boom');
    expect(asEngineError(other)).toBe(other);
  });

  it('are converted for every driver command, results passed through', async () => {
    const noop = async () => 0;
    const driver = withEngineErrors({
      deploy: async () => {
        throw busy();
      },
      rollback: noop,
      history: async () => 7,
      status: noop,
      diff: noop,
      down: noop,
      promote: noop,
      abort: noop,
    } as Driver);
    await expect(driver.deploy({} as never, {} as never)).rejects.toBeInstanceOf(EngineError);
    await expect(driver.history({} as never, {} as never)).resolves.toBe(7);
  });
});
