/**
 * Meaning checks: what the schema cannot say. Names, references, cycles, clashes, inline secrets,
 * combinations that make no sense — checked per environment on the merged spec, and located at
 * the line of whichever layer (base or environment) wrote the offending value.
 */

import { SUPPORTED_KUBERNETES_VERSIONS } from '../model/presets.ts';
import { closest, listOf } from './_suggest.ts';
import type { Diagnostic, DiagnosticCode, Severity } from './diagnostics.ts';
import type { LoadedSpec } from './loader.ts';
import { type EffectiveSpec, effectiveSpec, Provenance } from './overlay.ts';
import { findNode, formatSpecPath, mapKeyOffsets, pointAt, type SpecPath } from './positions.ts';
import { parseTemplate, providedProperties } from './references.ts';
import type { ServiceSpec } from './schema.ts';
import { isSecretLookingValue, isSecretName } from './secret-patterns.ts';

const QUEUE_MAX_DEFAULT = 10;
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Room left in a 63-character object name for suffixes such as `-preview`. */
export const MAX_OBJECT_BASE_NAME = 54;

export function checkSemantics(loaded: LoadedSpec, fileExists: (rel: string) => boolean): Diagnostic[] {
  const out = new Collector(loaded);
  const { spec } = loaded;
  checkNames(loaded, out);

  const envNames = Object.keys(spec.environments);
  if (envNames.length === 0) {
    out.add(
      'no-environments',
      'error',
      ['environments'],
      'the spec has no environments',
      'add at least one, e.g. dev: { target: compose }',
      {
        prefer: 'key',
      },
    );
  }
  for (const [svc, s] of Object.entries(spec.services)) {
    for (const [key, value] of Object.entries(s.env ?? {})) {
      if (value === null) {
        out.add(
          'invalid-value',
          'warning',
          ['services', svc, 'env', key],
          `${key} is null in the base spec, where there is nothing to remove`,
          'null removes a variable in an environment overlay; in the base, delete the line',
        );
      }
    }
  }
  for (const env of envNames) {
    for (const name of Object.keys(spec.environments[env]?.services ?? {})) {
      if (!(name in spec.services)) {
        out.add(
          'unknown-overlay-target',
          'error',
          ['environments', env, 'services', name],
          `environment ${env} overrides service "${name}", which the spec does not define`,
          hintFor(name, Object.keys(spec.services), 'define it under services: first'),
          { prefer: 'key' },
        );
      }
    }
    for (const name of Object.keys(spec.environments[env]?.dependencies ?? {})) {
      if (!(name in (spec.dependencies ?? {}))) {
        out.add(
          'unknown-overlay-target',
          'error',
          ['environments', env, 'dependencies', name],
          `environment ${env} overrides dependency "${name}", which the spec does not define`,
          hintFor(name, Object.keys(spec.dependencies ?? {}), 'define it under dependencies: first'),
          { prefer: 'key' },
        );
      }
    }
    checkEnvironment(effectiveSpec(spec, env), new Provenance(loaded, env), out, fileExists);
  }
  return out.list();
}

/** Diagnostics keyed by what and where, so a base-spec problem seen in every environment is said once. */
class Collector {
  readonly #byKey = new Map<string, Diagnostic>();
  readonly loaded: LoadedSpec;

  constructor(loaded: LoadedSpec) {
    this.loaded = loaded;
  }

  add(
    code: DiagnosticCode,
    severity: Severity,
    path: SpecPath,
    message: string,
    hint: string,
    opts: { prefer?: 'key' | 'value'; at?: { start: number; end?: number } } = {},
  ): void {
    const at = opts.at ?? pointAt(findNode(this.loaded.doc, path), opts.prefer ?? 'value');
    this.#put(code, severity, path, message, hint, at);
  }

  addAt(
    code: DiagnosticCode,
    severity: Severity,
    path: SpecPath,
    at: { start: number; end?: number },
    message: string,
    hint: string,
  ) {
    this.#put(code, severity, path, message, hint, at);
  }

  #put(
    code: DiagnosticCode,
    severity: Severity,
    path: SpecPath,
    message: string,
    hint: string,
    at: { start: number; end?: number },
  ) {
    const d = this.loaded.source.at(code, at.start, message, hint, {
      ...(at.end !== undefined ? { endOffset: at.end } : {}),
      path: formatSpecPath(path),
      severity,
    });
    const key = `${code}|${at.start}|${message}`;
    if (!this.#byKey.has(key)) this.#byKey.set(key, d);
  }

  list(): Diagnostic[] {
    return [...this.#byKey.values()];
  }
}

function checkNames(loaded: LoadedSpec, out: Collector): void {
  const { spec, doc } = loaded;
  const appName = spec.app.name;
  if (!DNS_LABEL.test(appName) || appName.length > 53) {
    out.add(
      'invalid-name',
      'error',
      ['app', 'name'],
      `app name "${appName}" is not a valid name`,
      'use at most 53 lowercase letters, digits and -, starting with a letter (it prefixes every object name)',
    );
  }
  const keyCheck = (
    path: SpecPath,
    what: string,
    re: RegExp,
    rule: string,
    maxLen: number,
    fullName?: (k: string) => string,
  ) => {
    for (const [key, at] of mapKeyOffsets(doc, path)) {
      const full = fullName ? fullName(key) : key;
      if (!re.test(key) || full.length > maxLen) {
        const tooLong = re.test(key);
        out.addAt(
          'invalid-name',
          'error',
          [...path, key],
          at,
          tooLong
            ? `${what} name "${key}" makes the object name "${full}" ${full.length} characters long`
            : `${what} name "${key}" is not valid`,
          tooLong ? `keep the app and ${what} names together within ${maxLen} characters` : rule,
        );
      }
    }
  };
  const labelRule =
    'use lowercase letters, digits and -, starting with a letter and ending with a letter or digit';
  keyCheck(['services'], 'service', DNS_LABEL, labelRule, MAX_OBJECT_BASE_NAME, (k) => `${appName}-${k}`);
  keyCheck(
    ['dependencies'],
    'dependency',
    DNS_LABEL,
    labelRule,
    MAX_OBJECT_BASE_NAME,
    (k) => `${appName}-${k}`,
  );
  keyCheck(['secrets'], 'secret', DNS_LABEL, labelRule, 63);
  keyCheck(['environments'], 'environment', DNS_LABEL, labelRule, 63);
  const services = spec.services;
  for (const [svc, s] of Object.entries(services)) {
    for (const [port] of Object.entries(s.ports ?? {})) {
      if (!PORT_NAME.test(port) || port.length > 15 || !/[a-z]/.test(port)) {
        const at = mapKeyOffsets(doc, ['services', svc, 'ports']).get(port) ?? { start: 0 };
        out.addAt(
          'invalid-name',
          'error',
          ['services', svc, 'ports', port],
          at,
          `port name "${port}" is not valid`,
          'port names are at most 15 lowercase letters, digits and -, with at least one letter (e.g. http, metrics)',
        );
      }
    }
  }
  for (const name of Object.keys(spec.dependencies ?? {})) {
    if (name in services) {
      out.add(
        'invalid-name',
        'error',
        ['dependencies', name],
        `"${name}" names both a service and a dependency`,
        'rename one: references and `uses` would be ambiguous',
        { prefer: 'key' },
      );
    }
  }
}

function checkEnvironment(
  eff: EffectiveSpec,
  prov: Provenance,
  out: Collector,
  fileExists: (rel: string) => boolean,
): void {
  const env = eff.env;
  const target = eff.environment.target;
  const loc = (path: SpecPath, prefer: 'key' | 'value' = 'value') => prov.locate(path, prefer);
  const err = (
    code: DiagnosticCode,
    path: SpecPath,
    message: string,
    hint: string,
    severity: Severity = 'error',
    prefer: 'key' | 'value' = 'value',
  ) => out.addAt(code, severity, path, loc(path, prefer), message, hint);

  if (target === undefined) {
    out.addAt(
      'missing-field',
      'error',
      ['environments', env, 'target'],
      loc(['environment'], 'key'),
      `environment ${env} is missing "target"`,
      'add target: compose (Docker Compose) or target: kubernetes',
    );
  }
  const isK8s = target === 'kubernetes';
  const enabledServices = Object.entries(eff.services).filter(([, s]) => s.enabled !== false);
  const serviceNames = new Set(enabledServices.map(([n]) => n));
  const allServiceNames = Object.keys(eff.services);
  const deps = Object.entries(eff.dependencies).filter(([, d]) => d.enabled !== false);
  const depNames = new Set(deps.map(([n]) => n));
  const secretNames = Object.keys(eff.secrets);

  // Secrets source fits the target.
  const source = eff.environment.secrets?.source;
  if (source === 'env-file' && isK8s) {
    err(
      'unsupported-combination',
      ['environment', 'secrets', 'source'],
      `environment ${env} targets kubernetes but reads secrets from an env file`,
      'use sealed-secrets, external-secrets or existing for kubernetes environments',
    );
  }
  if ((source === 'sealed-secrets' || source === 'external-secrets') && target === 'compose') {
    err(
      'unsupported-combination',
      ['environment', 'secrets', 'source'],
      `environment ${env} targets compose, where ${source} has no controller`,
      'use source: env-file for compose environments',
    );
  }

  const version = eff.environment.kubernetesVersion;
  if (version !== undefined && !(SUPPORTED_KUBERNETES_VERSIONS as readonly string[]).includes(version)) {
    err(
      'invalid-value',
      ['environment', 'kubernetesVersion'],
      `Kubernetes ${version} is not supported`,
      `use one of ${SUPPORTED_KUBERNETES_VERSIONS.join(', ')}`,
    );
  }
  for (const [role, image] of Object.entries(eff.images.baseImages ?? {}))
    checkImage(image, ['images', 'baseImages', role], err);
  if (source === 'external-secrets' && !eff.environment.secrets?.store) {
    err(
      'missing-field',
      ['environment', 'secrets'],
      `environment ${env} reads secrets through external-secrets but names no store`,
      'add store: <your SecretStore or ClusterSecretStore name>',
    );
  }
  if (source === 'existing' && target === 'compose') {
    err(
      'unsupported-combination',
      ['environment', 'secrets', 'source'],
      `environment ${env} targets compose, which has no Secret objects to read`,
      'use source: env-file for compose environments',
    );
  }
  const caps = new Set(eff.environment.capabilities ?? []);
  const needs = (capability: string, path: SpecPath, what: string) => {
    if (isK8s && !caps.has(capability as never)) {
      err(
        'unsupported-combination',
        path,
        `${what} in environment ${env}, whose capabilities do not list ${capability}`,
        `install ${capability} in the cluster and add it to environments.${env}.capabilities`,
        'warning',
      );
    }
  };

  // Dependencies.
  for (const [name, d] of deps) {
    const p = ['dependencies', name];
    if (d.type === undefined) {
      err(
        'missing-field',
        [...p],
        `dependency ${name} is missing "type"`,
        'add type: postgres or type: redis',
      );
      continue;
    }
    const mode = d.mode ?? 'self-hosted';
    if (mode === 'sqlite' && d.type !== 'postgres') {
      err(
        'unsupported-combination',
        [...p, 'mode'],
        `mode sqlite is only for postgres dependencies, not ${d.type}`,
        'use self-hosted',
      );
    }
    if (mode === 'ha' && target === 'compose') {
      err(
        'unsupported-combination',
        [...p, 'mode'],
        `dependency ${name} is ha in environment ${env}, but compose has no operator to run it`,
        `override it in environments.${env}.dependencies.${name}: { mode: self-hosted }`,
      );
    }
    if (mode === 'external' && !d.external?.secret) {
      err(
        'missing-field',
        [...p, 'mode'],
        `dependency ${name} is external in environment ${env} but has no connection secret`,
        `add external: { secret: ${name}-url } and declare that secret under secrets:`,
      );
    }
    if (d.external?.secret && !secretNames.includes(d.external.secret)) {
      err(
        'unknown-reference',
        [...p, 'external', 'secret'],
        `dependency ${name} reads its connection from secret "${d.external.secret}", which is not declared`,
        hintFor(d.external.secret, secretNames, `declare it under secrets: ${d.external.secret}: {}`),
      );
    }
    if (d.sentinels !== undefined && d.type !== 'redis') {
      err(
        'unsupported-combination',
        [...p, 'sentinels'],
        `sentinels apply to redis, not ${d.type}`,
        'remove sentinels',
      );
    }
    if (d.image) checkImage(d.image, [...p, 'image'], err);
    checkLimits(name, d.resources, p, err);
    if (mode === 'ha')
      needs(
        d.type === 'postgres' ? 'cloudnative-pg' : 'redis-operator',
        [...p, 'mode'],
        `${name} is ha (operator-managed)`,
      );
    if (mode === 'sqlite' && isK8s) {
      err(
        'unsupported-combination',
        [...p, 'mode'],
        `${name} is sqlite in kubernetes environment ${env}: each replica gets its own database, lost on restart`,
        'use self-hosted, ha or external in clusters',
        'warning',
      );
    }
  }

  // Services.
  for (const [name, s] of enabledServices) {
    const p = ['services', name];
    const kind = s.kind ?? 'web';
    checkServiceSource(name, s, p, err);
    if (s.imageFrom) {
      const from = eff.services[s.imageFrom];
      if (!from || from.enabled === false) {
        err(
          'unknown-reference',
          [...p, 'imageFrom'],
          `${name} takes its image from "${s.imageFrom}", which is ${from ? `disabled in environment ${env}` : 'not a service'}`,
          hintFor(s.imageFrom, [...serviceNames], 'name a service that has image or build'),
        );
      } else if (from.imageFrom || (!from.image && !from.build)) {
        err(
          'invalid-reference',
          [...p, 'imageFrom'],
          `${name} takes its image from ${s.imageFrom}, which has no image or build of its own`,
          'point imageFrom at the service that builds or pins the image',
        );
      }
    }
    for (const [vn, v] of Object.entries(s.volumes ?? {})) {
      if (v.path === undefined)
        err('missing-field', [...p, 'volumes', vn], `volume ${vn} of ${name} has no path`, 'add path: /data');
    }
    if (s.image) checkImage(s.image, [...p, 'image'], err);

    // Ports: numbers unique within a service.
    const ports = new Map<string, number>();
    for (const [pn, spec] of Object.entries(s.ports ?? {})) {
      const num = typeof spec === 'number' ? spec : spec.port;
      const clash = [...ports].find(([, n]) => n === num);
      if (clash) {
        err(
          'port-clash',
          [...p, 'ports', pn],
          `ports "${clash[0]}" and "${pn}" of service ${name} are both ${num}`,
          'give each port its own number',
        );
      }
      ports.set(pn, num);
    }
    const checkPortRef = (ref: string | number | undefined, path: SpecPath) => {
      if (ref === undefined) {
        if (ports.size === 0) {
          err(
            'unknown-port',
            path,
            `service ${name} has no ports to point this at`,
            `add ports: { http: 8080 } to service ${name}`,
          );
        }
        return;
      }
      if (typeof ref === 'string' && !ports.has(ref)) {
        err(
          'unknown-port',
          path,
          `service ${name} has no port named "${ref}"`,
          hintFor(ref, [...ports.keys()], 'name one of its ports, or a number'),
        );
      }
    };

    // Kind-specific rules.
    if (kind === 'web' && ports.size === 0) {
      err(
        'missing-field',
        [...p, 'ports'],
        `web service ${name} has no ports`,
        'add ports: { http: 8080 }, or use kind: worker for a service that serves nothing',
      );
    }
    if (kind === 'cron' && !s.schedule) {
      err(
        'missing-field',
        [...p, 'kind'],
        `cron service ${name} has no schedule`,
        'add schedule: "0 2 * * *" (minute hour day month weekday)',
      );
    }
    if (s.schedule && kind !== 'cron') {
      err(
        'unsupported-combination',
        [...p, 'schedule'],
        `service ${name} has a schedule but is kind ${kind}`,
        'use kind: cron, or remove schedule',
      );
    }
    if (s.schedule && s.schedule.trim().split(/\s+/).length !== 5 && !s.schedule.startsWith('@')) {
      err(
        'invalid-value',
        [...p, 'schedule'],
        `schedule "${s.schedule}" is not a 5-field cron expression`,
        'write minute hour day-of-month month day-of-week, e.g. "0 2 * * *"',
      );
    }
    if (s.hook && kind !== 'job') {
      err(
        'unsupported-combination',
        [...p, 'hook'],
        `service ${name} is kind ${kind}; only jobs can be deploy hooks`,
        'use kind: job for migrations and other hooks',
      );
    }
    const strategy = s.rollout?.strategy ?? 'rolling';
    if (s.queueScaling && s.queueScaling.enabled !== false)
      needs('keda', [...p, 'queueScaling'], `${name} scales on queue depth (KEDA)`);
    if (strategy === 'blue-green' && kind !== 'web') {
      err(
        'unsupported-combination',
        [...p, 'rollout', 'strategy'],
        `blue-green needs a web service with traffic to switch; ${name} is a ${kind}`,
        'use strategy: rolling for workers, jobs and cron jobs',
      );
    }
    if (strategy === 'blue-green' && s.rollout?.scaleDownDelay && seconds(s.rollout.scaleDownDelay) < 30) {
      err(
        'invalid-value',
        [...p, 'rollout', 'scaleDownDelay'],
        'the old colour must stay at least 30s after a switch',
        'use 30s or more, so in-flight requests finish',
      );
    }
    if (
      (kind === 'job' || kind === 'cron') &&
      (s.replicas !== undefined || s.autoscaling || s.queueScaling)
    ) {
      const key = s.replicas !== undefined ? 'replicas' : s.autoscaling ? 'autoscaling' : 'queueScaling';
      err(
        'unsupported-combination',
        [...p, key],
        `${kind} ${name} runs to completion; ${key} does not apply`,
        `remove ${key}`,
      );
    }
    if (s.queueScaling && s.queueScaling.enabled !== false) {
      const q = s.queueScaling;
      if (kind !== 'worker') {
        err(
          'unsupported-combination',
          [...p, 'queueScaling'],
          `queue-depth scaling is for workers; ${name} is a ${kind}`,
          'use kind: worker, or autoscaling for web services',
        );
      }
      if (!q.dependency)
        err(
          'missing-field',
          [...p, 'queueScaling'],
          `queueScaling of ${name} names no dependency`,
          'add dependency: <your redis dependency>',
        );
      else if (!depNames.has(q.dependency)) {
        err(
          'unknown-reference',
          [...p, 'queueScaling', 'dependency'],
          `queueScaling of ${name} names unknown dependency "${q.dependency}"`,
          hintFor(q.dependency, [...depNames], 'name a redis dependency'),
        );
      } else if (eff.dependencies[q.dependency]?.type !== 'redis') {
        err(
          'unsupported-combination',
          [...p, 'queueScaling', 'dependency'],
          `queueScaling reads queue depth from Redis; ${q.dependency} is not redis`,
          'name a redis dependency',
        );
      }
      if (!q.queue && !q.list)
        err(
          'missing-field',
          [...p, 'queueScaling'],
          `queueScaling of ${name} names no queue`,
          'add queue: <BullMQ queue name>',
        );
      if (q.min !== undefined && q.min > (q.max ?? QUEUE_MAX_DEFAULT)) {
        err(
          'invalid-value',
          [...p, 'queueScaling', 'min'],
          `queueScaling min (${q.min}) is above max (${q.max ?? `${QUEUE_MAX_DEFAULT}, the default`})`,
          'make min at most max',
        );
      }
    }
    // An empty autoscaling block (e.g. one that only says enabled: true) asks for nothing yet.
    const hpaAsked =
      s.autoscaling &&
      (['min', 'max', 'cpu', 'memory', 'behavior'] as const).some((k) => s.autoscaling?.[k] !== undefined);
    if (s.autoscaling && s.autoscaling.enabled !== false && hpaAsked) {
      const a = s.autoscaling;
      if (a.max === undefined)
        err(
          'missing-field',
          [...p, 'autoscaling'],
          `autoscaling of ${name} has no max`,
          'add max: <most replicas>',
        );
      if (a.min !== undefined && a.max !== undefined && a.min > a.max) {
        err(
          'invalid-value',
          [...p, 'autoscaling', 'min'],
          `autoscaling min (${a.min}) is above max (${a.max})`,
          'make min at most max',
        );
      }
      if (s.queueScaling && s.queueScaling.enabled !== false) {
        err(
          'unsupported-combination',
          [...p, 'autoscaling'],
          `${name} has both autoscaling and queueScaling; two scalers would fight`,
          'keep one of them',
        );
      }
    }

    // Health.
    const h = s.health;
    if (h && h.enabled !== false) {
      const checks = (['http', 'tcp', 'exec'] as const).filter((k) => h[k] !== undefined);
      if (checks.length > 1) {
        err(
          'invalid-value',
          [...p, 'health', checks[1] ?? 'http'],
          `health of ${name} has ${listOf(checks, 'and')}; one check only`,
          'keep exactly one of http, tcp or exec',
        );
      }
      if (h.http) checkPortRef(h.http.port, [...p, 'health', 'http', 'port']);
      if (h.tcp) checkPortRef(h.tcp.port, [...p, 'health', 'tcp', 'port']);
      if ((kind === 'job' || kind === 'cron') && checks.length > 0) {
        err(
          'unsupported-combination',
          [...p, 'health'],
          `${kind} ${name} runs to completion; health checks do not apply`,
          'remove health',
          'warning',
        );
      }
    }
    for (const probe of ['liveness', 'startup'] as const) {
      const st = h?.[probe]?.successThreshold;
      if (st !== undefined && st !== 1) {
        err(
          'invalid-value',
          [...p, 'health', probe, 'successThreshold'],
          `Kubernetes requires successThreshold 1 for ${probe} probes`,
          'remove it, or set it on readiness',
        );
      }
    }
    checkLimits(name, s.resources, p, err);
    const v = s.vpa;
    if (v && v.mode !== undefined && v.mode !== 'off') {
      if (kind === 'job' || kind === 'cron') {
        err(
          'unsupported-combination',
          [...p, 'vpa'],
          `${kind} ${name} runs to completion; a VPA has nothing to resize`,
          'remove vpa',
        );
      }
      if (
        v.mode === 'auto' &&
        hpaAsked &&
        s.autoscaling?.enabled !== false &&
        (s.autoscaling?.cpu !== undefined ||
          s.autoscaling?.memory !== undefined ||
          s.autoscaling?.max !== undefined)
      ) {
        err(
          'unsupported-combination',
          [...p, 'vpa', 'mode'],
          `${name} has a VPA in auto mode and an HPA on CPU/memory: they would fight over the same pods`,
          'use vpa mode recommend, or scale horizontally only',
          'warning',
        );
      }
      needs('vpa', [...p, 'vpa'], `${name} asks for a VerticalPodAutoscaler`);
      for (const r of ['cpu', 'memory'] as const) {
        const lo = v.min?.[r];
        const hi = v.max?.[r];
        if (lo !== undefined && hi !== undefined && quantityValue(lo) > quantityValue(hi)) {
          err(
            'invalid-value',
            [...p, 'vpa', 'min', r],
            `vpa min ${r} (${lo}) is above max (${hi})`,
            'make min at most max',
          );
        }
      }
    }
    if (
      kind === 'worker' &&
      ports.size === 0 &&
      (h === undefined || (h.enabled !== false && !h.http && !h.tcp && !h.exec))
    ) {
      err(
        'missing-field',
        [...p, 'kind'],
        `worker ${name} has no health check: a stuck worker is never restarted`,
        'add health: { exec: { command: [...] } } (e.g. check a heartbeat file the worker touches), or health: { enabled: false } to say it is deliberate',
        'warning',
      );
    }
    if (s.metrics) checkPortRef(s.metrics.port, [...p, 'metrics', 'port']);

    // Files and volumes.
    const targets = new Set<string>();
    (s.files ?? []).forEach((f, i) => {
      if (!fileExists(f.source)) {
        err(
          'missing-config-file',
          [...p, 'files', i, 'source'],
          `config file "${f.source}" does not exist next to the spec`,
          'create it, or fix the path (it is relative to the spec file)',
        );
      }
      if (targets.has(f.target))
        err(
          'invalid-value',
          [...p, 'files', i, 'target'],
          `two files of ${name} are mounted at ${f.target}`,
          'give each file its own target path',
        );
      targets.add(f.target);
    });
    const replicas =
      s.autoscaling?.enabled !== false && s.autoscaling?.max ? s.autoscaling.max : (s.replicas ?? 1);
    for (const [vn, v] of Object.entries(s.volumes ?? {})) {
      if (isK8s && replicas > 1 && (v.accessMode ?? 'ReadWriteOnce') === 'ReadWriteOnce') {
        err(
          'unsupported-combination',
          ['services', name, 'volumes', vn],
          `${name} may run ${replicas} replicas, but volume ${vn} is ReadWriteOnce: replicas on different nodes cannot share it`,
          'use accessMode: ReadWriteMany (a storage class that supports it), or run one replica',
          'warning',
        );
      }
    }

    // uses and egress.
    (s.uses ?? []).forEach((u, i) => {
      if (u === name)
        err('uses-cycle', [...p, 'uses', i], `service ${name} lists itself in uses`, 'remove it');
      else if (!serviceNames.has(u) && !depNames.has(u)) {
        const disabled = allServiceNames.includes(u) || u in eff.dependencies;
        err(
          'unknown-reference',
          [...p, 'uses', i],
          disabled
            ? `${name} uses "${u}", which is disabled in environment ${env}`
            : `${name} uses "${u}", which is neither a service nor a dependency`,
          disabled
            ? `enable ${u} in environments.${env}, or remove it from uses`
            : hintFor(u, [...serviceNames, ...depNames], 'name a service or dependency of this spec'),
        );
      }
    });
    (s.egress ?? []).forEach((e, i) => {
      if (!e.host && !e.cidr)
        err(
          'missing-field',
          [...p, 'egress', i],
          `egress rule of ${name} names no host or cidr`,
          'add host: api.example.com or cidr: 10.0.0.0/8',
        );
    });

    // Env values: names, references, inline secrets.
    for (const [key, raw] of Object.entries(s.env ?? {})) {
      const ep = [...p, 'env', key];
      if (!ENV_NAME.test(key)) {
        out.addAt(
          'invalid-name',
          'error',
          ep,
          loc(ep, 'key'),
          `environment variable name "${key}" is not valid`,
          'use letters, digits and _, not starting with a digit',
        );
      }
      if (typeof raw !== 'string') continue;
      const parsed = parseTemplate(raw);
      const at = loc(ep);
      const quote = /^["']/.test(prov.loaded.source.text.charAt(at.start)) ? 1 : 0;
      for (const e of parsed.errors) {
        out.addAt('invalid-reference', 'error', ep, { start: at.start + quote + e.index }, e.message, e.hint);
      }
      const refs = parsed.parts.filter((x) => 'ref' in x);
      const literal = parsed.parts
        .filter((x) => 'text' in x)
        .map((x) => ('text' in x ? x.text : ''))
        .join('');
      for (const part of refs) {
        const { ref, index } = part;
        const refAt = { start: at.start + quote + index, end: at.start + quote + index + part.raw.length };
        if (ref.kind === 'secrets') {
          if (!secretNames.includes(ref.name)) {
            out.addAt(
              'unknown-reference',
              'error',
              ep,
              refAt,
              `${key} references secret "${ref.name}", which is not declared`,
              hintFor(ref.name, secretNames, `declare it: secrets: { ${ref.name}: {} }`),
            );
          } else if (parsed.parts.length > 1) {
            out.addAt(
              'invalid-reference',
              'error',
              ep,
              refAt,
              `${key} mixes secret "${ref.name}" with other text`,
              'a secret must be the whole value; build the combined value in the secret itself',
            );
          }
        } else if (ref.kind === 'dependencies') {
          if (!depNames.has(ref.name)) {
            const disabled = ref.name in eff.dependencies;
            out.addAt(
              'unknown-reference',
              'error',
              ep,
              refAt,
              disabled
                ? `${key} references dependency "${ref.name}", disabled in environment ${env}`
                : `${key} references unknown dependency "${ref.name}"`,
              hintFor(ref.name, [...depNames], 'declare it under dependencies:'),
            );
          } else {
            const d = eff.dependencies[ref.name];
            const mode = d?.mode ?? 'self-hosted';
            const available = providedProperties(
              d?.type ?? 'postgres',
              mode,
              d?.external?.host !== undefined,
            );
            if (!available.includes(ref.property)) {
              out.addAt(
                'unsupported-combination',
                'error',
                ep,
                refAt,
                `${key} needs the ${ref.property} of ${ref.name}, which a ${mode} ${d?.type ?? ''} does not provide in environment ${env}`,
                `available here: ${available.join(', ')}${mode === 'external' ? ' (external dependencies are reached through their URL secret; add external.host for host and port)' : ''}`,
              );
            }
          }
        } else if (!serviceNames.has(ref.name)) {
          out.addAt(
            'unknown-reference',
            'error',
            ep,
            refAt,
            `${key} references unknown or disabled service "${ref.name}"`,
            hintFor(ref.name, [...serviceNames], 'name a service of this spec'),
          );
        } else if (
          (eff.services[ref.name]?.ports ?? {}) &&
          Object.keys(eff.services[ref.name]?.ports ?? {}).length === 0
        ) {
          out.addAt(
            'unsupported-combination',
            'error',
            ep,
            refAt,
            `${key} needs the address of ${ref.name}, which has no ports`,
            `add ports to ${ref.name}`,
          );
        }
      }
      if (/:\/\/[^/\s:@]+:[^@\s$]+@/.test(literal)) {
        err(
          'inline-secret',
          ep,
          `${key} embeds a password in a URL`,
          'put the whole URL in a secret, or use ${dependencies.NAME.url}',
        );
      } else if (refs.length === 0 && raw !== '') {
        if (isSecretLookingValue(raw)) {
          err(
            'inline-secret',
            ep,
            `${key} holds what looks like a credential, written in the spec`,
            `declare a secret (secrets: { ${kebab(key)}: {} }) and write ${key}: \${secrets.${kebab(key)}}`,
          );
        } else if (isSecretName(key) && !/^(true|false|\d+)$/i.test(raw)) {
          err(
            'inline-secret',
            ep,
            `${key} looks like a secret but its value is written in the spec`,
            `declare a secret (secrets: { ${kebab(key)}: {} }) and write ${key}: \${secrets.${kebab(key)}}`,
          );
        }
      }
    }
  }

  // Cycles in `uses` among services: compose starts services in that order, so a cycle cannot start.
  const cycle = findCycle(
    enabledServices.map(([n, s]) => [n, (s.uses ?? []).filter((u) => serviceNames.has(u) && u !== n)]),
  );
  if (cycle) {
    const first = cycle[0] ?? '';
    const idx = (eff.services[first]?.uses ?? []).indexOf(cycle[1] ?? '');
    err(
      'uses-cycle',
      ['services', first, 'uses', Math.max(0, idx)],
      `services use each other in a cycle: ${cycle.join(' → ')}`,
      target === 'compose'
        ? 'compose starts a service after those it uses: break the cycle by removing one entry'
        : 'startup order is undefined; remove one entry if one side can start without the other',
      target === 'compose' ? 'error' : 'warning',
    );
  }

  // Ingress.
  const ing = eff.ingress;
  if (ing.enabled !== false && (ing.routes?.length ?? 0) > 0) {
    const seenRoutes = new Map<string, number>();
    (ing.routes ?? []).forEach((r, i) => {
      const rp = ['ingress', 'routes', i];
      const key = `${r.host ?? '*'} ${r.pathType ?? 'Prefix'} ${r.path.replace(/\/+$/, '') || '/'}`;
      const prev = seenRoutes.get(key);
      if (prev !== undefined) {
        err(
          'ingress-path-conflict',
          [...rp, 'path'],
          `route ${r.path} is already routed by route ${prev + 1}`,
          'each path may go to one service only; remove or change one route',
        );
      }
      seenRoutes.set(key, i);
      const svc = eff.services[r.service];
      if (!svc || svc.enabled === false) {
        err(
          'unknown-reference',
          [...rp, 'service'],
          `route ${r.path} goes to "${r.service}", which is ${svc ? `disabled in environment ${env}` : 'not a service'}`,
          hintFor(r.service, [...serviceNames], 'name a web service'),
        );
        return;
      }
      const kind = svc.kind ?? 'web';
      if (kind !== 'web')
        err(
          'unsupported-combination',
          [...rp, 'service'],
          `route ${r.path} goes to ${r.service}, a ${kind} that serves no traffic`,
          'route to a web service',
        );
      const sp = Object.keys(svc.ports ?? {});
      const numbers = Object.values(svc.ports ?? {}).map((x) => (typeof x === 'number' ? x : x.port));
      if (typeof r.port === 'number' && !numbers.includes(r.port)) {
        err(
          'unknown-port',
          [...rp, 'port'],
          `service ${r.service} has no port ${r.port}`,
          `use one of its ports: ${sp.join(', ') || 'none'}`,
        );
      }
      if (typeof r.port === 'string' && !sp.includes(r.port)) {
        err(
          'unknown-port',
          [...rp, 'port'],
          `service ${r.service} has no port named "${r.port}"`,
          hintFor(r.port, sp, 'name one of its ports'),
        );
      }
    });
    if (isK8s && (ing.hosts?.length ?? 0) === 0) {
      err(
        'missing-field',
        ['ingress'],
        `environment ${env} routes traffic but names no host`,
        `add hosts: [app.example.com] to environments.${env} or ingress`,
      );
    }
    if (typeof ing.tls === 'object' && ing.tls.issuer && ing.tls.secret) {
      err(
        'invalid-value',
        ['ingress', 'tls'],
        'tls names both an issuer and a secret',
        'use issuer (cert-manager issues the certificate) or secret (you provide it), not both',
      );
    }
  }

  // Backup credentials and patches.
  const cred = eff.backup.destination?.credentials;
  if (cred && !secretNames.includes(cred)) {
    err(
      'unknown-reference',
      ['backup', 'destination', 'credentials'],
      `backup credentials secret "${cred}" is not declared`,
      hintFor(cred, secretNames, `declare it under secrets: ${cred}: {}`),
    );
  }
  if (eff.backup.destination?.type === 's3' && !eff.backup.destination.bucket) {
    err(
      'missing-field',
      ['backup', 'destination'],
      'an s3 backup destination needs a bucket',
      'add bucket: my-backups',
    );
  }
  (eff.patches.kubernetes ?? []).forEach((pt, i) => {
    if (!pt.merge && !pt.jsonPatch)
      err(
        'missing-field',
        ['patches', 'kubernetes', i],
        'a patch needs merge or jsonPatch',
        'add merge: {…} (RFC 7386) or jsonPatch: […] (RFC 6902)',
      );
  });
}

function checkLimits(
  name: string,
  r: ServiceSpec['resources'],
  p: SpecPath,
  err: (c: DiagnosticCode, p: SpecPath, m: string, h: string) => void,
) {
  for (const kind of ['cpu', 'memory'] as const) {
    if (typeof r !== 'object' || r[kind] === undefined || r.limits?.[kind] === undefined) continue;
    if (quantityValue(r[kind]) > quantityValue(r.limits[kind])) {
      err(
        'invalid-value',
        [...p, 'resources', 'limits', kind],
        `${name}'s ${kind} limit (${r.limits[kind]}) is below its request (${r[kind]})`,
        'a limit must be at least the request',
      );
    }
  }
}

function checkServiceSource(
  name: string,
  s: ServiceSpec,
  p: SpecPath,
  err: (
    c: DiagnosticCode,
    p: SpecPath,
    m: string,
    h: string,
    sev?: Severity,
    prefer?: 'key' | 'value',
  ) => void,
) {
  if (s.image && s.build) {
    err(
      'image-or-build',
      [...p, 'build'],
      `service ${name} has both image and build`,
      'keep image for a prebuilt image, or build to build one, not both',
      'error',
      'key',
    );
  } else if (s.imageFrom && (s.image || s.build)) {
    err(
      'image-or-build',
      [...p, 'imageFrom'],
      `service ${name} has imageFrom and also ${s.image ? 'image' : 'build'}`,
      'keep one source of the image',
      'error',
      'key',
    );
  } else if (s.imageFrom) {
    // imageFrom is checked against the other services in checkEnvironment.
  } else if (!s.image && !s.build) {
    err(
      'image-or-build',
      p,
      `service ${name} has neither image nor build`,
      'add image: repo/name:1.2.3, or build: { preset: node }',
    );
  } else if (s.build && !s.build.preset && !s.build.dockerfile) {
    err(
      'missing-field',
      [...p, 'build'],
      `build of ${name} names no preset and no Dockerfile`,
      'add preset: node | nextjs | python | static, or dockerfile: Dockerfile',
    );
  } else if (s.build?.preset && s.build.dockerfile) {
    err(
      'image-or-build',
      [...p, 'build', 'dockerfile'],
      `build of ${name} has both a preset and a Dockerfile`,
      'keep one: the preset generates a Dockerfile',
    );
  }
}

/** `:latest`, no tag at all, or an empty tag. Digests are pinned by definition. */
export function imageProblem(image: string): string | undefined {
  if (image.includes('@sha256:')) return undefined;
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon === -1) return 'has no tag, so it means :latest';
  const tag = image.slice(colon + 1);
  if (tag === '' || tag === 'latest') return 'uses the :latest tag';
  return undefined;
}

function checkImage(
  image: string,
  path: SpecPath,
  err: (c: DiagnosticCode, p: SpecPath, m: string, h: string) => void,
) {
  const problem = imageProblem(image);
  if (problem) {
    err(
      'image-unpinned',
      path,
      `image "${image}" ${problem}, which changes under you`,
      'pin a version tag (repo/name:1.2.3) or a digest (@sha256:…)',
    );
  }
}

function findCycle(graph: [string, string[]][]): string[] | undefined {
  const adj = new Map(graph);
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const dfs = (n: string): string[] | undefined => {
    state.set(n, 'visiting');
    stack.push(n);
    for (const m of adj.get(n) ?? []) {
      if (state.get(m) === 'visiting') return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const c = dfs(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const [n] of [...graph].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!state.has(n)) {
      const c = dfs(n);
      if (c) return c;
    }
  }
  return undefined;
}

function hintFor(name: string, candidates: Iterable<string>, otherwise: string): string {
  const guess = closest(name, candidates);
  return guess ? `did you mean "${guess}"?` : otherwise;
}

function kebab(envName: string): string {
  return envName.toLowerCase().replace(/_/g, '-');
}

/** A CPU or memory quantity as a number (cores or bytes), for comparisons only. */
export function quantityValue(q: string | number): number {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(String(q));
  if (!m) return Number.NaN;
  const unit =
    { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, K: 1e3, M: 1e6, G: 1e9, T: 1e12 }[
      m[2] ?? ''
    ] ?? 1;
  return Number(m[1]) * unit;
}

/** Seconds in a duration such as 1h30m. */
export function seconds(d: string): number {
  let total = 0;
  for (const m of d.matchAll(/(\d+)(ms|s|m|h|d)/g)) {
    const n = Number(m[1]);
    total +=
      m[2] === 'ms'
        ? n / 1000
        : m[2] === 's'
          ? n
          : m[2] === 'm'
            ? n * 60
            : m[2] === 'h'
              ? n * 3600
              : n * 86400;
  }
  return total;
}
