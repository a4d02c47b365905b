/**
 * A scripted HTTP server the real @kubernetes/client-node talks to: each test says how the API
 * server answers (an error status, a dropped connection), which a live cluster cannot be made to do.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Cluster, connect } from '../../../src/deploy/kubernetes/cluster.ts';

export interface FakeRequest {
  method: string;
  path: string;
  body: unknown;
}
/** A JSON answer, or `reset` to drop the connection (an API server restarting). */
export type FakeAnswer = { status: number; body?: unknown } | 'reset';

export interface FakeApi {
  cluster: Cluster;
  kubeconfig: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

/** A Kubernetes Status body, as the API server sends with an error. */
export const status = (code: number, reason: string, message: string): FakeAnswer => ({
  status: code,
  body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message },
});

export async function fakeApi(answer: (r: FakeRequest) => FakeAnswer | undefined): Promise<FakeApi> {
  const requests: FakeRequest[] = [];
  const read = async (req: IncomingMessage) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    return text ? JSON.parse(text) : undefined;
  };
  const server: Server = createServer(async (req, res) => {
    const r = { method: req.method as string, path: req.url as string, body: await read(req) };
    requests.push(r);
    const a = answer(r) ?? status(404, 'NotFound', `${r.path} not found`);
    if (a === 'reset') {
      req.socket.destroy();
      return;
    }
    res.writeHead(a.status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(a.body ?? {}));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'slipway-fake-api-')), 'config');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'fake', cluster: { server: `http://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } },
      ],
      users: [{ name: 'fake', user: { token: 'x' } }],
      contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
      'current-context': 'fake',
    }),
  );
  return {
    cluster: connect({ kubeconfig }),
    kubeconfig,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
