/**
 * Health checks as commands run inside the container, shared by the Dockerfiles (`HEALTHCHECK`)
 * and compose (`healthcheck`). Slim runtime images have no curl or wget, so each runtime probes
 * with what it certainly has: Node's fetch and net, Python's urllib and socket, BusyBox's wget
 * and nc on Alpine nginx. For an image Slipway did not build, a shell chain tries each in turn.
 */
import type { HealthCheck, HealthModel, Model, ServiceModel } from '../../model/types.ts';

export type ProbeRuntime = 'node' | 'python' | 'nginx' | 'unknown';

/** What runs in the service's image: its preset's runtime, or that of the service whose image it runs. */
export function runtimeOf(model: Model, svc: ServiceModel): ProbeRuntime {
  const source = svc.imageFrom ? model.services.find((s) => s.name === svc.imageFrom) : svc;
  const b = source?.build;
  if (!b?.preset || b.dockerfile) return 'unknown';
  if (b.preset === 'python') return 'python';
  if (b.preset === 'static') return 'nginx';
  return 'node';
}

const LOOPBACK = '127.0.0.1';

function nodeHttp(url: string): string {
  // 2xx and 3xx are healthy, as for a Kubernetes httpGet probe; redirects are not followed.
  return `fetch('${url}',{redirect:'manual'}).then(r=>process.exit(r.status<400?0:1),()=>process.exit(1))`;
}
function nodeTcp(port: number): string {
  return `require('net').connect(${port},'${LOOPBACK}').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))`;
}
function pythonHttp(url: string, timeout: number): string {
  // urlopen raises on 4xx/5xx and on connection errors: a non-zero exit.
  return `import urllib.request; urllib.request.urlopen('${url}', timeout=${timeout})`;
}
function pythonTcp(port: number, timeout: number): string {
  return `import socket; socket.create_connection(('${LOOPBACK}', ${port}), timeout=${timeout}).close()`;
}

/** The check as a Docker health test: `["CMD", …]` (exec form) or `["CMD-SHELL", "…"]`. */
export function probeTest(runtime: ProbeRuntime, check: HealthCheck, timeoutSeconds: number): string[] {
  if (check.type === 'exec') return ['CMD', ...check.command];
  const port = check.port.port;
  const url = `http://${LOOPBACK}:${port}${check.type === 'http' ? check.path : '/'}`;
  const t = Math.max(1, timeoutSeconds);
  if (runtime === 'node') return ['CMD', 'node', '-e', check.type === 'http' ? nodeHttp(url) : nodeTcp(port)];
  if (runtime === 'python')
    return ['CMD', 'python', '-c', check.type === 'http' ? pythonHttp(url, t) : pythonTcp(port, t)];
  if (runtime === 'nginx')
    return check.type === 'http'
      ? ['CMD', 'wget', '-q', '-T', String(t), '--spider', url]
      : ['CMD', 'nc', '-z', LOOPBACK, String(port)];
  // Unknown image: the first probe the image has wins.
  const chain =
    check.type === 'http'
      ? [
          `wget -q -T ${t} --spider ${url}`,
          `curl -fsS -m ${t} -o /dev/null ${url}`,
          `node -e "${nodeHttp(url)}"`,
          `python3 -c "${pythonHttp(url, t)}"`,
        ]
      : [
          `nc -z ${LOOPBACK} ${port}`,
          `node -e "${nodeTcp(port)}"`,
          `python3 -c "${pythonTcp(port, t)}"`,
          `bash -c '</dev/tcp/${LOOPBACK}/${port}'`,
        ];
  return ['CMD-SHELL', chain.join(' || ')];
}

export interface HealthTimings {
  intervalSeconds: number;
  timeoutSeconds: number;
  retries: number;
  /** The startup probe's whole budget: failures in it do not count. */
  startPeriodSeconds: number;
  /** How often to check during the start period (the startup probe's period). */
  startIntervalSeconds: number;
}

/** Docker has one check: it follows the readiness probe, with the startup probe as its start period. */
export function healthTimings(h: HealthModel): HealthTimings {
  return {
    intervalSeconds: h.readiness.periodSeconds,
    timeoutSeconds: h.readiness.timeoutSeconds,
    retries: h.readiness.failureThreshold,
    startPeriodSeconds: h.startup.initialDelaySeconds + h.startup.periodSeconds * h.startup.failureThreshold,
    startIntervalSeconds: h.startup.periodSeconds,
  };
}
