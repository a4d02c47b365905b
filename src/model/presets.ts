/**
 * Named defaults, each taken from what the seed documents sized by hand, so a spec can say
 * `resources: medium` and mean what a team would have written.
 */
import type { ProbeModel, ResourcesModel, RuntimePreset, ServiceKind } from './types.ts';

/** requests → limits. Sizes follow seed 000's sizing table (dev/small/medium/large) and seed 003's frontend (nano). */
export const RESOURCE_PRESETS: Record<string, Omit<ResourcesModel, 'preset'>> = {
  nano: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '100m', memory: '128Mi' } },
  micro: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
  dev: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '500m', memory: '1Gi' } },
  small: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '2Gi' } },
  medium: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } },
  large: { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '4', memory: '8Gi' } },
  xlarge: { requests: { cpu: '4', memory: '8Gi' }, limits: { cpu: '8', memory: '16Gi' } },
};

export function defaultResourcePreset(kind: ServiceKind, preset: RuntimePreset | undefined): string {
  if (preset === 'static') return 'nano';
  return kind === 'web' ? 'small' : 'micro';
}

export const PROBE_DEFAULTS: Record<'readiness' | 'liveness' | 'startup', ProbeModel> = {
  readiness: {
    initialDelaySeconds: 0,
    periodSeconds: 10,
    timeoutSeconds: 3,
    failureThreshold: 3,
    successThreshold: 1,
  },
  liveness: {
    initialDelaySeconds: 0,
    periodSeconds: 20,
    timeoutSeconds: 3,
    failureThreshold: 3,
    successThreshold: 1,
  },
  // Thirty chances five seconds apart: a slow starter (seed 000 waited 30–60 s) gets 150 s.
  startup: {
    initialDelaySeconds: 0,
    periodSeconds: 5,
    timeoutSeconds: 3,
    failureThreshold: 30,
    successThreshold: 1,
  },
};

export const RUNTIME_DEFAULTS: Record<
  RuntimePreset,
  { runtimeVersion: string; install: string; outputDir: string; build?: string }
> = {
  node: { runtimeVersion: '24', install: 'npm ci', outputDir: 'dist' },
  nextjs: { runtimeVersion: '24', install: 'npm ci', outputDir: '.next', build: 'npm run build' },
  python: {
    runtimeVersion: '3.12',
    install: 'pip install --no-cache-dir -r requirements.txt',
    outputDir: '.',
  },
  static: { runtimeVersion: '24', install: 'npm ci', outputDir: 'dist', build: 'npm run build' },
};

export const DEPENDENCY_DEFAULTS = {
  postgres: {
    version: '17',
    port: 5432,
    storage: '10Gi',
    resources: 'small',
    image: (v: string) => `postgres:${v}`,
  },
  redis: {
    version: '7.4',
    port: 6379,
    storage: '2Gi',
    resources: 'micro',
    image: (v: string) => `redis:${v}`,
  },
} as const;

/** Sent by the ingress (or the compose proxy) when `securityHeaders: true`. CSP is left to the app: a wrong one breaks it. */
export const SECURITY_HEADERS: Record<string, string> = {
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

export const DEFAULT_KUBERNETES_VERSION = '1.33';
/** The versions whose official schemas ship with Slipway: one list, kept with the schema bundle. */
export { SUPPORTED_KUBERNETES_VERSIONS } from '../verify/schema/versions.ts';

/** Twice a quantity, in the same unit family ("250m" → "500m", "1Gi" → "2Gi"). */
export function doubleQuantity(q: string | number): string {
  const s = String(q);
  const m = /^(\d+(?:\.\d+)?)(.*)$/.exec(s);
  if (!m) return s;
  const n = Number(m[1]) * 2;
  // 500m doubled is written 1, as a person would.
  if (m[2] === 'm' && n % 1000 === 0) return String(n / 1000);
  return `${Number.isInteger(n) ? n : Number(n.toFixed(3))}${m[2]}`;
}
