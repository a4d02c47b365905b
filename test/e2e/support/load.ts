/**
 * A bounded load generator on loopback: `concurrency` loops, each sending one GET at a time, until
 * stopped or `maxRequests` is reached — on a fresh connection per request (every request judged on
 * its own), or with `keepAlive` on connections kept open across requests, as browsers do. A request fails on any status other than 200, a connection error or
 * a timeout; the first failures are kept to say what went wrong.
 */
import { Agent, request } from 'node:http';

export interface LoadReport {
  ok: number;
  failed: number;
  /** The first few failures (status or error). */
  samples: string[];
  /** Distinct `version` fields seen in the JSON answers, in the order first seen. */
  versions: string[];
  ms: number;
}

export function startLoad(
  port: number,
  host: string,
  opts: { concurrency?: number; maxRequests?: number; timeoutMs?: number; keepAlive?: boolean } = {},
): { stop: () => Promise<LoadReport> } {
  const agent = opts.keepAlive ? new Agent({ keepAlive: true, maxSockets: opts.concurrency ?? 4 }) : false;
  const report: LoadReport = { ok: 0, failed: 0, samples: [], versions: [], ms: 0 };
  const started = performance.now();
  let stopping = false;
  const limit = opts.maxRequests ?? 200_000;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/',
          headers: agent ? { host } : { host, connection: 'close' },
          agent,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            body += d;
          });
          res.on('end', () => {
            if (res.statusCode === 200) {
              report.ok++;
              const v = /"version":"([^"]+)"/.exec(body)?.[1];
              if (v && !report.versions.includes(v)) report.versions.push(v);
            } else fail(`HTTP ${res.statusCode}: ${body.slice(0, 120)}`);
            resolve();
          });
          res.on('error', (e) => {
            fail(`response: ${e.message}`);
            resolve();
          });
        },
      );
      req.setTimeout(opts.timeoutMs ?? 5000, () => req.destroy(new Error('timeout')));
      req.on('error', (e) => {
        fail(`request: ${e.message}`);
        resolve();
      });
      req.end();
    });
  const fail = (why: string) => {
    report.failed++;
    if (report.samples.length < 5) report.samples.push(why);
  };
  const loop = async () => {
    while (!stopping && report.ok + report.failed < limit) await one();
  };
  const loops = Array.from({ length: opts.concurrency ?? 4 }, loop);
  return {
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
      report.ms = performance.now() - started;
      if (agent) agent.destroy();
      return report;
    },
  };
}

/** One GET through the proxy; resolves to the status and the parsed JSON body. */
export function getJson(port: number, host: string, path = '/'): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, headers: { host, connection: 'close' }, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
