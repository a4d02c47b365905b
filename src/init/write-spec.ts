/**
 * Writing a first spec from what `detect.ts` found. Values are YAML made by the `yaml` package;
 * the comments around them explain each block and point at docs/spec.md, because this file is
 * most people's first contact with the format.
 */
import { posix } from 'node:path';
import { Document, isMap, isScalar, isSeq, stringify } from 'yaml';
import { parseSpec } from '../spec/loader.ts';
import { API_VERSION, type DependencySpec, type ServiceSpec, type Spec } from '../spec/schema.ts';
import type { DetectedDependency, DetectedService, Detection } from './detect.ts';

export const SCHEMA_COMMENT =
  'yaml-language-server: $schema=https://slipway.dev/schema/v1/slipway.schema.json';

export interface RenderOptions {
  /** The spec's file name, for the commands suggested in the header. */
  specFile?: string;
  /** The app folder relative to the spec's folder, when the spec is written elsewhere: build contexts follow it. */
  appDir?: string;
}

/** The spec object a detection describes, without comments. */
export function specFromDetection(d: Detection, opts: RenderOptions = {}): Spec {
  const appDir = opts.appDir && opts.appDir !== '.' ? opts.appDir : undefined;
  const services: Record<string, ServiceSpec> = {};
  for (const s of d.services) services[s.name] = serviceSpec(s, appDir);
  const main = d.mainService;
  // A volume is ReadWriteOnce: two replicas on different nodes could not both mount it.
  const replicas = main !== undefined && !keepsVolume(d, main);
  // Key order is the order of the written file: what runs, what it needs, where it goes.
  return {
    apiVersion: API_VERSION,
    app: { name: d.name },
    services,
    ...(d.dependencies.length > 0
      ? { dependencies: Object.fromEntries(d.dependencies.map((x) => [x.name, dependencySpec(x)])) }
      : {}),
    ...(d.secrets.length > 0
      ? { secrets: Object.fromEntries(d.secrets.map((x) => [x.name, { description: x.description }])) }
      : {}),
    environments: {
      dev: { target: 'compose', secrets: { source: 'env-file', file: '.env' } },
      prod: {
        target: 'kubernetes',
        secrets: { source: 'existing' },
        hosts: [`${d.name}.example.com`],
        ...(main
          ? {
              ingress: { routes: [{ path: '/', service: main }] },
              ...(replicas ? { services: { [main]: { replicas: 2 } } } : {}),
            }
          : {}),
      },
    },
  };
}

function serviceSpec(s: DetectedService, appDir: string | undefined): ServiceSpec {
  const out: ServiceSpec = { kind: s.kind };
  if (s.build) {
    out.build = { ...s.build };
    if (appDir) out.build.context = posix.join(appDir, s.build.context ?? '.');
  } else if (s.image) out.image = s.image;
  if (s.command) out.command = s.command;
  if (s.args) out.args = s.args;
  if (s.ports.length > 0) {
    out.ports = Object.fromEntries(
      s.ports.map((p) => [p.name, p.protocol ? { port: p.port, protocol: p.protocol } : p.port]),
    );
  }
  if (s.healthPath && s.ports.length > 0) out.health = { http: { path: s.healthPath } };
  if (Object.keys(s.env).length > 0) out.env = { ...s.env };
  if (Object.keys(s.volumes).length > 0) out.volumes = { ...s.volumes };
  if (s.uses.length > 0) out.uses = [...s.uses];
  if (s.hook) out.hook = { phase: s.hook };
  return out;
}

function dependencySpec(d: DetectedDependency): DependencySpec {
  return {
    type: d.type,
    version: d.version,
    ...(d.image ? { image: d.image } : {}),
    ...(d.database ? { database: d.database } : {}),
    ...(d.user ? { user: d.user } : {}),
  };
}

/** The commented spec text for a detection. */
export function renderSpec(d: Detection, opts: RenderOptions = {}): string {
  const spec = specFromDetection(d, opts);
  const file = opts.specFile ?? 'slipway.yaml';
  const doc = new Document(spec);

  doc.commentBefore = comment([
    SCHEMA_COMMENT,
    '',
    `Slipway spec for ${d.name}, written by \`slipway init\`${d.sources.length ? ` from ${d.sources.join(', ')}` : ''}.`,
    `Detected: ${d.summary}.`,
    'This one file describes the whole deployment: services, backing services, secrets and',
    'environments. Every field is explained in docs/spec.md.',
    `Next: \`slipway validate ${file}\`, then \`slipway plan ${file}\` to see what it renders.`,
  ]);

  keyComment(
    doc,
    ['app'],
    [
      'The app. Its name prefixes every object Slipway creates (lowercase letters, digits and -).',
      'Add registry: ghcr.io/you to push built images there. docs/spec.md#app',
    ],
  );
  keyComment(
    doc,
    ['services'],
    [
      'What runs. Each service is built from a runtime preset (Slipway writes the Dockerfile), from',
      'your own Dockerfile, or pulled as a pinned image. kind: web serves traffic on its ports,',
      'worker runs in the background, job runs to completion. docs/spec.md#services',
    ],
  );
  let refExplained = false;
  for (const s of d.services) {
    keyComment(doc, ['services', s.name], [`${s.origin}.`, ...s.todos.map((t) => `TODO: ${t}`)], false);
    for (const key of ['build', 'ports', 'health', 'hook', 'volumes']) flow(doc, ['services', s.name, key]);
    for (const key of ['command', 'args', 'uses']) flow(doc, ['services', s.name, key]);
    if (!refExplained && Object.values(s.env).some((v) => typeof v === 'string' && v.includes('${'))) {
      refExplained = true;
      keyComment(
        doc,
        ['services', s.name, 'env'],
        ['${…} references are filled in per environment. docs/spec.md#references'],
        false,
      );
    }
    if (s.queueDependency) {
      const suggestion = {
        queueScaling: { dependency: s.queueDependency, queue: 'your-queue-name', min: 0, max: 10 },
      };
      mapComment(
        doc,
        ['services', s.name],
        [
          'Scale on queue depth (KEDA on Kubernetes): set your BullMQ queue name, then uncomment.',
          'docs/spec.md#queuescaling',
          ...yamlLines(suggestion),
        ],
      );
    }
  }
  if (d.skipped.length > 0) {
    mapComment(
      doc,
      ['services'],
      d.skipped.flatMap((s) => [
        '',
        `TODO pin a version: ${s.reason}.`,
        'The spec only accepts pinned images: set a version tag (or @sha256 digest), then uncomment.',
        ...yamlLines({ [s.name]: s.service }),
      ]),
    );
  }

  keyComment(
    doc,
    ['dependencies'],
    [
      'Backing services. Self-hosted by default: a container under compose, a StatefulSet on Kubernetes.',
      'Services reach them through ${dependencies.NAME.url}; switch to mode: ha or mode: external per',
      'environment. docs/spec.md#dependencies',
    ],
  );
  keyComment(
    doc,
    ['secrets'],
    [
      'Secrets the app needs: names only, never values. Each environment says where the values',
      'come from (its secrets: source). docs/spec.md#secrets',
    ],
  );
  for (const s of d.secrets) flow(doc, ['secrets', s.name]);

  keyComment(
    doc,
    ['environments'],
    [
      'Where it deploys. An environment can override anything above (services, dependencies,',
      'ingress, …) for itself. docs/spec.md#environments',
    ],
  );
  keyComment(
    doc,
    ['environments', 'dev'],
    [
      'Local development with Docker Compose. Secret values come from .env next to this file',
      '(keep it out of git).',
    ],
    false,
  );
  keyComment(
    doc,
    ['environments', 'prod'],
    [
      `Production on Kubernetes. Secret values come from an existing Secret (${d.name}-secrets by`,
      'default) that you create; replace the host with your domain. docs/spec.md#environments',
    ],
  );
  for (const env of ['dev', 'prod']) flow(doc, ['environments', env, 'secrets']);
  flow(doc, ['environments', 'prod', 'hosts']);
  const routes = doc.getIn(['environments', 'prod', 'ingress', 'routes'], true);
  if (isSeq(routes)) for (const r of routes.items) if (isMap(r)) r.flow = true;
  if (d.mainService) {
    keyComment(
      doc,
      ['environments', 'prod', 'ingress'],
      ['Traffic for the hosts above goes to the main web service. docs/spec.md#ingress'],
      false,
    );
    keyComment(
      doc,
      ['environments', 'prod', 'services'],
      ['Two replicas of the web service, so a deploy or a lost node does not take it down.'],
      false,
    );
    if (keepsVolume(d, d.mainService)) {
      mapComment(
        doc,
        ['environments', 'prod'],
        [
          `${d.mainService} keeps data on a volume (ReadWriteOnce), so it runs one replica here.`,
          'For more, give the volume accessMode: ReadWriteMany. docs/spec.md#volumes',
        ],
      );
    }
  }

  return doc.toString({ lineWidth: 0 });
}

function keepsVolume(d: Detection, service: string): boolean {
  return Object.keys(d.services.find((s) => s.name === service)?.volumes ?? {}).length > 0;
}

/** Throw (a bug, not a user mistake) unless the text is a spec that loads without errors. */
export function assertValidSpec(
  file: string,
  text: string,
  fileExists: (rel: string) => boolean = () => true,
): void {
  const result = parseSpec(file, text, { fileExists });
  const errors = result.diagnostics.filter((x) => x.severity === 'error');
  if (!result.loaded || errors.length > 0) {
    const list = errors.map((x) => `${x.code} at line ${x.location?.line ?? '?'}: ${x.message}`).join('; ');
    throw new Error(`slipway init produced a spec that does not validate (${list || 'no spec loaded'})`);
  }
}

/** Comment text for the yaml package: one line each, `#` added by it; newlines in found names flattened. */
function comment(lines: string[]): string {
  return lines.map((l) => (l === '' ? '' : ` ${l.replace(/[\r\n]+/g, ' ')}`)).join('\n');
}

/** YAML for a suggestion that is written commented out. */
function yamlLines(value: unknown): string[] {
  return stringify(value, { lineWidth: 0 }).trimEnd().split('\n');
}

function keyComment(doc: Document, path: (string | number)[], lines: string[], blankBefore = true): void {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return;
  const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]);
  if (!pair || !isScalar(pair.key)) return;
  pair.key.commentBefore = comment(lines);
  if (blankBefore) pair.key.spaceBefore = true;
}

/** A comment after the last entry of a mapping, at its indentation. */
function mapComment(doc: Document, path: string[], lines: string[]): void {
  const node = doc.getIn(path, true);
  if (isMap(node)) node.comment = [node.comment, comment(lines)].filter(Boolean).join('\n');
}

function flow(doc: Document, path: string[]): void {
  const node = doc.getIn(path, true);
  if (isMap(node) || isSeq(node)) node.flow = true;
}
