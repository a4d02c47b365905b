/**
 * Switching the proxy's upstreams (the kamal-proxy model, with Caddy): the proxy's mounted
 * Caddyfile (`live/Caddyfile`) routes to container names, not to the compose service name (which
 * resolves to old and new containers alike during a switch). Switching rewrites that file in
 * place — a bind-mounted single file keeps its inode, so the container sees the new text — and
 * asks Caddy to reload it, which it does gracefully: listeners stay open, requests in flight
 * finish on the old upstream, new ones go to the new.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { EngineError } from '../../cli/errors.ts';
import type { Engine } from './engine.ts';

/** `reverse_proxy web:3000` (as the renderer writes it) → `reverse_proxy shop-web-2:3000 shop-web-3:3000`. */
export function liveCaddyfile(rendered: string, upstreams: ReadonlyMap<string, readonly string[]>): string {
  return rendered.replace(/^(\s*reverse_proxy )([A-Za-z0-9_.-]+):(\d+)\s*$/gm, (line, head, svc, port) => {
    const names = upstreams.get(svc);
    return names && names.length > 0 ? `${head}${names.map((n) => `${n}:${port}`).join(' ')}` : line;
  });
}

/** The services a Caddyfile routes to. */
export function routedServices(rendered: string): string[] {
  return [
    ...new Set(
      [...rendered.matchAll(/^\s*reverse_proxy ([A-Za-z0-9_.-]+):\d+\s*$/gm)].map((m) => m[1] as string),
    ),
  ];
}

/** The container names the live Caddyfile routes `service`'s traffic to (any of `candidates`). */
export function liveUpstreams(path: string, candidates: readonly string[]): string[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  return candidates.filter((c) =>
    new RegExp(`reverse_proxy .*\\b${c.replace(/[.]/g, '\\.')}:\\d+`).test(text),
  );
}

/** Writes the live Caddyfile in place; true when its text changed. */
export function writeLive(path: string, text: string): boolean {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return false;
  writeFileSync(path, text);
  return true;
}

/** Graceful reload inside the running proxy container. */
export async function reloadProxy(engine: Engine, container: string): Promise<void> {
  const r = await engine.exec(
    ['exec', container, 'caddy', 'reload', '--config', '/etc/caddy/Caddyfile', '--adapter', 'caddyfile'],
    { timeoutMs: 60_000 },
  );
  if (r.code !== 0)
    throw new EngineError(
      `the proxy (${container}) refused the new routes`,
      engine.tail(r.stderr || r.stdout),
    );
}
