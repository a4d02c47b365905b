import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RETRY, retryDelayMs } from '../../../src/deploy/kubernetes/_retry.ts';
import { connect } from '../../../src/deploy/kubernetes/cluster.ts';

describe('retryDelayMs', () => {
  it('retries a 429 after Retry-After, capped, and 1 s when the header is missing or odd', () => {
    expect(retryDelayMs(429, '1', DEFAULT_RETRY)).toBe(1000);
    expect(retryDelayMs(429, '120', DEFAULT_RETRY)).toBe(DEFAULT_RETRY.maxDelayMs);
    expect(retryDelayMs(429, undefined, DEFAULT_RETRY)).toBe(1000);
    expect(retryDelayMs(429, 'soon', DEFAULT_RETRY)).toBe(1000);
    expect(retryDelayMs(429, '0', DEFAULT_RETRY)).toBe(0);
  });
  it('never retries anything else (a 500, a 409 or a 503 may have been processed)', () => {
    for (const s of [200, 404, 409, 500, 503]) expect(retryDelayMs(s, '1', DEFAULT_RETRY)).toBeUndefined();
  });
});

describe('a cluster connection on an API server answering 429', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  /** A plain-HTTP "API server" whose /version answers 429 `busy` times first; returns a kubeconfig for it. */
  async function apiServer(busy: number): Promise<{ kubeconfig: string; hits: () => number }> {
    let hits = 0;
    server = createServer((req, res) => {
      hits++;
      if (req.url?.startsWith('/version') && hits <= busy) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '0' });
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            message: 'storage is (re)initializing',
            reason: 'TooManyRequests',
            code: 429,
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ major: '1', minor: '34', gitVersion: 'v1.34.4' }));
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'slipway-retry-')), 'config');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'c', cluster: { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } },
        ],
        users: [{ name: 'u', user: {} }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    return { kubeconfig, hits: () => hits };
  }

  it('sends the request again until it is served, counting every attempt', async () => {
    const api = await apiServer(2);
    const cluster = connect({ kubeconfig: api.kubeconfig });
    const v = await cluster.version.getCode();
    expect(v.gitVersion).toBe('v1.34.4');
    expect(api.hits()).toBe(3);
    expect(cluster.requests).toEqual({ count: 3, byVerb: { GET: 3 } });
  });

  it('gives up after the policy’s attempts with the server’s own error', async () => {
    const api = await apiServer(1000);
    const cluster = connect({ kubeconfig: api.kubeconfig });
    await expect(cluster.version.getCode()).rejects.toMatchObject({ code: 429 });
    expect(api.hits()).toBe(DEFAULT_RETRY.attempts);
  });
});
