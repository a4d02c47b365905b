/**
 * Oracles for the rendered Kubernetes manifests: the ecosystem's own tools judge what Slipway writes, for every
 * Kubernetes environment of every example.
 *
 *   - YAML 1.1:        the CLI's files read back, as Go tools read YAML, to exactly the rendered objects
 *   - kubeconform:     strict, against schemas generated here from the upstream swagger.json (OpenAPI v2) and CRD
 *                      manifests — independent of Slipway's own verifier (OpenAPI v3 + ajv) — and in agreement
 *                      with that verifier on every test/fixtures/broken-k8s document
 *   - kube-apiserver:  a real control plane (build-kube.sh's pinned version), the upstream CRDs installed from the
 *                      Go module cache, `kubectl apply --dry-run=server --validate=strict` with no warning
 *   - kube-score, checkov: no finding outside the commented ignore maps below
 *   - promtool:        `check rules` on every PrometheusRule's spec
 *
 * kubeconform and kube-apiserver read the files the CLI writes (what users apply); the linters and promtool read
 * the rendered objects, written YAML-1.1-safe, so a serialization defect (caught above) does not hide what they
 * have to say about the content.
 */

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { KubeObject } from '../../src/render/kubernetes/_object.ts';
import { SUPPORTED_KUBERNETES_VERSIONS, validateObjects } from '../../src/verify/schema/kubernetes.ts';
import { renderExamples } from '../render/_examples.ts';
import {
  controlPlaneEngines,
  kubeVersion,
  needs,
  requireEngine,
  run,
  tool,
  withControlPlane,
} from './_engines.ts';
import { customResourceKinds, installCrds, upstreamDocuments } from './support/crds.ts';
import { kubeconformSchemas, type SchemaTree } from './support/kubeconform-schemas.ts';
import { crdSourceOf } from './support/upstream.ts';

// ---------------------------------------------------------------------------------------------------------
// The environments, rendered twice: through the library (objects) and through the CLI (files)

const NODE = join(process.cwd(), 'node_modules/.bin/node');
const CLI = join(process.cwd(), 'bin/slipway.js');
const DEFAULT_VERSION = '1.33';

interface Env {
  id: string;
  example: string;
  env: string;
  /** The minor the environment pins (`kubernetesVersion`), else DEFAULT_VERSION. */
  minor: string;
  namespace: string;
  objects: KubeObject[];
  /** The CLI's output directory: one file per object. */
  cliDir: string;
  /** The rendered objects written YAML-1.1-safe, one file per object, for the linters. */
  objectsDir: string;
  /** objectsDir file name → object. */
  objectFiles: Map<string, KubeObject>;
}

const WORK = mkdtempSync(join(tmpdir(), 'slipway-oracles-'));
const ENVS: Env[] = renderExamples().map((r) => {
  const id = `${r.example}/${r.env}`;
  const dirName = `${r.example}-${r.env}`;
  return {
    id,
    example: r.example,
    env: r.env,
    minor: r.model.environment.kubernetesVersion || DEFAULT_VERSION,
    namespace: r.model.environment.namespace,
    objects: r.render.objects,
    cliDir: join(WORK, 'cli', dirName),
    objectsDir: join(WORK, 'objects', dirName),
    objectFiles: new Map(),
  };
});

const gvkOf = (o: { apiVersion: string; kind: string }) => `${o.apiVersion}/${o.kind}`;
const keyOf = (o: KubeObject) => `${gvkOf(o)} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const EMITTED_GVKS = [...new Set(ENVS.flatMap((e) => e.objects.map(gvkOf)))].sort();

/** YAML as sigs.k8s.io/yaml (go-yaml v2, YAML 1.1) reads it into JSON: y/yes/on/off are booleans, 0755 is
 * octal; timestamps stay strings and there are no base-60 numbers (go-yaml v2 does not resolve those). */
function parseAsGo(text: string): unknown {
  return parse(text, {
    version: '1.1',
    customTags: (tags) =>
      tags.filter(
        (t) => typeof t === 'string' || (t.format !== 'TIME' && t.tag !== 'tag:yaml.org,2002:timestamp'),
      ),
  });
}

/** YAML that every YAML 1.1 and 1.2 reader reads the same. */
function safeYaml(value: unknown): string {
  return stringify(value, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
}

function plain<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** The first JSON pointer where a and b differ. */
function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference((a as any)[k], (b as any)[k], `${path}/${k}`);
      if (d !== undefined) return d;
    }
  }
  return `${path || '/'}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
}

beforeAll(async () => {
  for (const e of ENVS) {
    mkdirSync(e.objectsDir, { recursive: true });
    e.objects.forEach((o, i) => {
      const file = `${String(i).padStart(2, '0')}-${o.kind.toLowerCase()}-${o.metadata.name}.yaml`;
      const text = safeYaml(o);
      // The linters' copy must itself mean exactly the object to a YAML 1.1 reader.
      const diff = firstDifference(parseAsGo(text), plain(o));
      if (diff !== undefined) throw new Error(`${e.id} ${file}: the YAML-1.1-safe copy differs at ${diff}`);
      writeFileSync(join(e.objectsDir, file), text);
      e.objectFiles.set(file, o);
    });
  }
  // The CLI, as users run it (two at a time: two cores).
  const queue = [...ENVS];
  const worker = async () => {
    for (let e = queue.shift(); e !== undefined; e = queue.shift()) {
      const spec = join('examples', e.example, 'slipway.yaml');
      const r = await run(
        NODE,
        [CLI, 'render', spec, '--env', e.env, '--target', 'kubernetes', '-o', e.cliDir],
        {
          env: { NO_COLOR: '1' },
          timeoutMs: 60_000,
        },
      );
      if (r.code !== 0) throw new Error(`slipway render ${spec} --env ${e.env} failed:\n${r.stderr}`);
    }
  };
  await Promise.all([worker(), worker()]);
}, 120_000);

afterAll(() => {
  if (process.env.SLIPWAY_E2E_KEEP) console.info(`kept the oracles' files in ${WORK}`);
  else rmSync(WORK, { recursive: true, force: true });
});

const yamlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

describe('the examples', () => {
  it('have Kubernetes environments to judge, each with objects', () => {
    expect(ENVS.length).toBeGreaterThanOrEqual(5);
    for (const e of ENVS) expect(e.objects.length, e.id).toBeGreaterThan(5);
  });
});

// ---------------------------------------------------------------------------------------------------------
// YAML 1.1: what kubectl, kubeconform, kube-score, Helm and friends (sigs.k8s.io/yaml) read

describe('the CLI files, read as Go tools read YAML (1.1)', () => {
  for (const e of ENVS) {
    it(`${e.id}: one file per rendered object, each meaning exactly that object`, () => {
      const files = yamlFiles(e.cliDir);
      const byKey = new Map(e.objects.map((o) => [keyOf(o), plain(o)]));
      expect(files.length, 'one file per object').toBe(e.objects.length);
      const problems: string[] = [];
      for (const f of files) {
        const text = readFileSync(join(e.cliDir, f), 'utf8');
        const asJs = parse(text) as KubeObject;
        const asGo = parseAsGo(text);
        const want = byKey.get(keyOf(asJs));
        if (want === undefined) {
          problems.push(`${f}: ${keyOf(asJs)} is not a rendered object`);
          continue;
        }
        const diff = firstDifference(asGo, want);
        if (diff !== undefined) problems.push(`${f}: ${diff}`);
      }
      expect(
        problems,
        'values a YAML 1.1 reader (kubectl) reads differently from what Slipway rendered',
      ).toEqual([]);
    });
  }
});

// ---------------------------------------------------------------------------------------------------------
// kubeconform

const kubeconform = requireEngine('kubeconform', () => tool('kubeconform'));
const upstream = requireEngine(
  'upstream documents (Go module cache: k8s.io/kubernetes, CRD modules)',
  upstreamDocuments,
);
const kubeconformIt = needs(kubeconform, upstream);

interface KubeconformResult {
  filename: string;
  kind: string;
  name: string;
  version: string;
  status: 'statusValid' | 'statusInvalid' | 'statusError' | 'statusSkipped' | 'statusEmpty';
  msg: string;
  validationErrors?: { path: string; msg: string }[];
}

interface KubeconformOutput {
  resources: KubeconformResult[];
  summary: { valid: number; invalid: number; errors: number; skipped: number };
}

async function runKubeconform(
  tree: SchemaTree,
  paths: string[],
  verbose = false,
): Promise<KubeconformOutput> {
  const args = ['-strict', '-summary', '-output', 'json', '-schema-location', tree.root];
  args.push('-kubernetes-version', tree.kubernetesVersion, '-n', '2');
  if (verbose) args.push('-verbose');
  const r = await run(kubeconform.value, [...args, ...paths], { timeoutMs: 300_000 });
  try {
    return JSON.parse(r.stdout) as KubeconformOutput;
  } catch {
    throw new Error(`kubeconform (exit ${r.code}) printed no JSON:\n${r.stdout}\n${r.stderr}`);
  }
}

function describeResults(results: KubeconformResult[]): string {
  return results
    .map((r) => {
      const errors = r.validationErrors?.map((v) => `\n    ${v.path}: ${v.msg}`).join('') ?? '';
      return `${basename(r.filename)} ${r.version} ${r.kind} ${r.name}: ${r.status} ${errors || r.msg}`;
    })
    .join('\n');
}

describe('kubeconform -strict, schemas from swagger.json (OpenAPI v2) and the upstream CRDs', () => {
  kubeconformIt(
    'the generated schemas cover every kind Slipway emits, for every version an environment pins',
    () => {
      for (const minor of new Set(ENVS.map((e) => e.minor))) {
        const tree = kubeconformSchemas(minor);
        const emitted = new Set(ENVS.filter((e) => e.minor === minor).flatMap((e) => e.objects.map(gvkOf)));
        const missing = [...emitted].filter((g) => tree.files[g] === undefined);
        expect(missing, `kinds without a kubeconform schema for ${minor}`).toEqual([]);
      }
    },
  );

  // The oracle must be able to say no: strictness reaches the root and metadata of every emitted kind,
  // custom resources included (their metadata is the version's ObjectMeta, as in the API server).
  kubeconformIt(
    'rejects an unknown top-level field and an unknown metadata field on every emitted kind',
    async () => {
      const dir = join(WORK, 'kubeconform-strictness');
      mkdirSync(dir, { recursive: true });
      const expected = new Map<string, string>();
      for (const gvk of EMITTED_GVKS) {
        const env = ENVS.find((e) => e.objects.some((o) => gvkOf(o) === gvk)) as Env;
        const obj = plain(env.objects.find((o) => gvkOf(o) === gvk) as KubeObject);
        const slug = gvk.replace(/[^a-zA-Z0-9]+/g, '-');
        const top = { ...obj, slipwayUnknownField: true };
        const meta = { ...obj, metadata: { ...obj.metadata, slipwayUnknownField: true } };
        writeFileSync(join(dir, `${slug}-top.yaml`), safeYaml(top));
        writeFileSync(join(dir, `${slug}-meta.yaml`), safeYaml(meta));
        expected.set(`${slug}-top.yaml`, gvk);
        expected.set(`${slug}-meta.yaml`, gvk);
      }
      const out = await runKubeconform(kubeconformSchemas(DEFAULT_VERSION), [dir], true);
      const accepted = out.resources
        .filter((r) => r.status !== 'statusInvalid')
        .map((r) => basename(r.filename));
      expect(accepted, 'mutants kubeconform did not reject as invalid').toEqual([]);
      expect(out.summary.invalid).toBe(expected.size);
    },
  );

  for (const e of ENVS) {
    kubeconformIt(`${e.id} (Kubernetes ${e.minor}): 0 invalid, 0 errors, 0 skipped`, async () => {
      const tree = kubeconformSchemas(e.minor);
      const out = await runKubeconform(tree, [e.cliDir]);
      expect(describeResults(out.resources), 'kubeconform findings').toBe('');
      expect(out.summary).toEqual({ valid: e.objects.length, invalid: 0, errors: 0, skipped: 0 });
    });
  }
});

// ---------------------------------------------------------------------------------------------------------
// kubeconform and Slipway's validateObjects agree on the broken-object corpus

type Verdict = 'valid' | 'invalid';

/**
 * Documents on which the two validators disagree on purpose, keyed `<file>#<document index>`. Everything
 * else must agree, every version the fixture names (`# kubernetes:`, default all supported versions).
 *
 * Not differences, for the record: deprecated-but-served APIs (flowcontrol v1beta3 before 1.32) get a
 * removed-api *warning* from Slipway, which kubeconform has no way to express — both call the object valid;
 * removed APIs and unserved CRD versions are errors in Slipway and "could not find schema" errors in kubeconform.
 */
const KUBECONFORM_DIFFERENCES: Record<string, { slipway: Verdict; kubeconform: Verdict; reason: string }> = {
  'container-port-overflow.yaml#0': {
    slipway: 'invalid',
    kubeconform: 'valid',
    reason:
      'containerPort is `type: integer, format: int32`; kubeconform’s validator (santhosh-tekuri/jsonschema) knows ' +
      'no int32 format and openapi2jsonschema adds no bounds, so 4294967296 passes. Slipway checks the int32 ' +
      'range, as the API server does (it cannot decode the number into an int32).',
  },
  'secret-not-base64.yaml#0': {
    slipway: 'invalid',
    kubeconform: 'valid',
    reason:
      'Secret.data values are `format: byte` (base64); kubeconform asserts no byte format. Slipway checks base64, ' +
      'as the API server does (it cannot decode the value into []byte).',
  },
};

interface BrokenDoc {
  file: string;
  index: number;
  text: string;
  object: unknown;
  versions: string[];
}

function brokenDocs(): BrokenDoc[] {
  const dir = join(process.cwd(), 'test/fixtures/broken-k8s');
  const out: BrokenDoc[] = [];
  for (const file of yamlFiles(dir)) {
    const text = readFileSync(join(dir, file), 'utf8');
    const pinned = /^# kubernetes: (.+)$/m.exec(text)?.[1]?.trim().split(/\s+/);
    const versions = pinned ?? [...SUPPORTED_KUBERNETES_VERSIONS];
    let index = 0;
    for (const part of text.split(/^---[^\n]*$/m)) {
      const object = parse(part) as unknown;
      if (object === null || object === undefined) continue;
      out.push({ file, index, text: part, object, versions });
      index++;
    }
  }
  return out;
}

describe('kubeconform and validateObjects agree on test/fixtures/broken-k8s', () => {
  const docs = brokenDocs();
  const kubeconformVerdicts = new Map<string, Verdict>(); // `<version> <file>#<index>` → verdict
  const disagreements = new Set<string>();

  beforeAll(async () => {
    if (!kubeconform.ok || !upstream.ok) return;
    for (const v of SUPPORTED_KUBERNETES_VERSIONS) {
      const tree = kubeconformSchemas(v);
      const dir = join(WORK, 'broken', v);
      mkdirSync(dir, { recursive: true });
      const names = new Map<string, string>();
      for (const d of docs.filter((d) => d.versions.includes(v))) {
        const name = `${d.file.replace(/\.yaml$/, '')}--${d.index}.yaml`;
        writeFileSync(join(dir, name), d.text);
        names.set(name, `${d.file}#${d.index}`);
      }
      const out = await runKubeconform(tree, [dir], true);
      const invalid = new Set<string>();
      const seen = new Set<string>();
      for (const r of out.resources) {
        const id = names.get(basename(r.filename));
        if (id === undefined) throw new Error(`kubeconform reported an unknown file ${r.filename}`);
        if (r.status === 'statusSkipped') throw new Error(`kubeconform skipped ${id} on ${v}: ${r.msg}`);
        seen.add(id);
        if (r.status === 'statusInvalid' || r.status === 'statusError') invalid.add(id);
      }
      for (const id of names.values()) {
        if (!seen.has(id)) throw new Error(`kubeconform reported nothing for ${id} on ${v}`);
        kubeconformVerdicts.set(`${v} ${id}`, invalid.has(id) ? 'invalid' : 'valid');
      }
    }
  }, 300_000);

  it('has documents to compare', () => {
    expect(docs.length).toBeGreaterThanOrEqual(20);
  });

  for (const file of [...new Set(docs.map((d) => d.file))]) {
    kubeconformIt(`${file}: same verdict per document and version, or a documented difference`, () => {
      const problems: string[] = [];
      for (const d of docs.filter((x) => x.file === file)) {
        const id = `${d.file}#${d.index}`;
        for (const v of d.versions) {
          const errors = validateObjects([d.object], { kubernetesVersion: v }).filter(
            (f) => f.severity === 'error',
          );
          const slipway: Verdict = errors.length > 0 ? 'invalid' : 'valid';
          const kc = kubeconformVerdicts.get(`${v} ${id}`);
          if (kc === undefined) throw new Error(`no kubeconform verdict for ${id} on ${v}`);
          if (slipway === kc) continue;
          const documented = KUBECONFORM_DIFFERENCES[id];
          if (documented?.slipway === slipway && documented.kubeconform === kc) {
            disagreements.add(id);
            continue;
          }
          const why = errors.map((f) => `${f.rule} ${f.path}: ${f.message}`).join('; ');
          problems.push(
            `${id} on ${v}: Slipway says ${slipway}${why ? ` (${why})` : ''}, kubeconform says ${kc}`,
          );
        }
      }
      expect(problems).toEqual([]);
    });
  }

  kubeconformIt('every documented difference still occurs (no stale entries)', () => {
    expect(Object.keys(KUBECONFORM_DIFFERENCES).filter((id) => !disagreements.has(id))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// kube-score

interface KubeScoreCheck {
  check: { id: string; name: string };
  grade: number;
  skipped: boolean;
  comments: { path: string; summary: string; description: string }[] | null;
}

interface KubeScoreObject {
  object_name: string;
  type_meta: { apiVersion: string; kind: string };
  object_meta: { name: string; namespace?: string };
  checks: KubeScoreCheck[];
  file_name: string;
}

const GRADE_CRITICAL = 1;

interface FindingContext {
  object: KubeObject;
  objects: KubeObject[];
}

type Ignore = { reason: string; applies?: (ctx: FindingContext) => boolean };

/** The pod template of a workload (Deployment, StatefulSet, Job, CronJob, Rollout). */
function podSpecOf(o: KubeObject): any {
  const spec = o.spec as any;
  return spec?.jobTemplate?.spec?.template?.spec ?? spec?.template?.spec;
}

function containersOf(o: KubeObject): any[] {
  const pod = podSpecOf(o);
  return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])];
}

/** The container's readiness and liveness probes are the same httpGet (what kube-score compares: path and port). */
function identicalHttpProbes(c: any): boolean {
  const r = c.readinessProbe?.httpGet;
  const l = c.livenessProbe?.httpGet;
  return r !== undefined && l !== undefined && r.path === l.path && String(r.port) === String(l.port);
}

/** Every container runs as an explicit, non-root user and group (pod or container security context). */
function explicitNonRootIds(o: KubeObject): boolean {
  const pod = podSpecOf(o)?.securityContext ?? {};
  const containers = containersOf(o);
  return (
    containers.length > 0 &&
    containers.every((c) => {
      const sc = { ...pod, ...(c.securityContext ?? {}) };
      return sc.runAsNonRoot === true && sc.runAsUser > 0 && sc.runAsGroup > 0;
    })
  );
}

/**
 * Label sets of pods that controllers of custom resources create, which kube-score and checkov cannot see:
 * an Argo Rollout's pod template; CloudNativePG labels instance pods `cnpg.io/cluster: <Cluster name>`;
 * the spotahome redis-operator labels them `app.kubernetes.io/name: <RedisFailover name>`
 * (operator/redisfailover/service/client.go, generateSelectorLabels).
 */
function customResourcePodLabels(objects: KubeObject[]): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const o of objects) {
    const group = o.apiVersion.split('/')[0];
    if (group === 'argoproj.io' && o.kind === 'Rollout') {
      const labels = (o.spec as any)?.template?.metadata?.labels;
      if (labels) out.push(labels);
    } else if (group === 'postgresql.cnpg.io' && o.kind === 'Cluster') {
      out.push({ 'cnpg.io/cluster': o.metadata.name });
    } else if (group === 'databases.spotahome.com' && o.kind === 'RedisFailover') {
      out.push({ 'app.kubernetes.io/name': o.metadata.name });
    }
  }
  return out;
}

function selectsCustomResourcePods(
  selector: Record<string, string> | undefined,
  objects: KubeObject[],
): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return customResourcePodLabels(objects).some((labels) =>
    Object.entries(selector).every(([k, v]) => labels[k] === v),
  );
}

/**
 * kube-score checks we do not hold Slipway's output to, and why. Each entry may be scoped (`applies`): a finding
 * outside the scope fails the test. Everything not listed must not be CRITICAL.
 */
const KUBE_SCORE_IGNORED: Record<string, Ignore> = {
  // Slipway writes the image reference the spec pins (a version tag or a digest) with IfNotPresent: a pod start
  // must not depend on the registry. kube-score's container-image-tag check (no :latest, no untagged image)
  // stays on.
  'container-image-pull-policy': { reason: 'tags are pinned by the spec; IfNotPresent is deliberate' },
  // Slipway sizes CPU and memory per service; scratch space (emptyDir for /tmp and writablePaths) has no sizing
  // input in the spec, and the kubelet evicts pods under disk pressure.
  'container-ephemeral-storage-request-and-limit': { reason: 'no ephemeral-storage sizing in the spec' },
  // kube-score wants UID/GID > 10000 (host-collision heuristic). Slipway's default is 10001; a lower id appears
  // only where the image requires it (999 for the official postgres/redis images, or the runAsUser the spec sets
  // to match the image's user). Scoped: the ids must be explicit and non-root, with runAsNonRoot.
  'container-security-context-user-group-id': {
    reason: 'non-root UID/GID dictated by the image',
    applies: ({ object }) => explicitNonRootIds(object),
  },
  // Identical readiness/liveness handlers are dangerous when the handler checks dependencies: a dependency outage
  // then restarts every replica. A tcpSocket or a local exec (pg_isready -h 127.0.0.1, redis-cli ping) checks
  // only the container's own process, and the timings differ (liveness has the longer period). Scoped to
  // those: identical httpGet probes are reported.
  'pod-probes-identical': {
    reason: 'identical tcpSocket/exec probes check only the local process',
    applies: ({ object }) => !containersOf(object).some(identicalHttpProbes),
  },
  // kube-score knows only built-in workloads: pods that an Argo Rollout, a CloudNativePG Cluster or a
  // RedisFailover creates are invisible to it. Scoped to selectors that match such pods, and to HPAs scaling a
  // Rollout of the same environment.
  'service-targets-pod': {
    reason: 'selects pods of a custom resource (Rollout, CNPG Cluster, RedisFailover)',
    applies: ({ object, objects }) => selectsCustomResourcePods((object.spec as any)?.selector, objects),
  },
  'networkpolicy-targets-pod': {
    reason: 'selects pods of a custom resource (Rollout, CNPG Cluster, RedisFailover)',
    applies: ({ object, objects }) => {
      const sel = (object.spec as any)?.podSelector;
      return !sel?.matchExpressions && selectsCustomResourcePods(sel?.matchLabels, objects);
    },
  },
  'horizontalpodautoscaler-has-target': {
    reason: 'scales an Argo Rollout',
    applies: ({ object, objects }) => {
      const ref = (object.spec as any)?.scaleTargetRef;
      return (
        ref?.kind === 'Rollout' &&
        String(ref.apiVersion).startsWith('argoproj.io/') &&
        objects.some((o) => o.kind === 'Rollout' && o.metadata.name === ref.name)
      );
    },
  },
};

const kubeScore = requireEngine('kube-score', () => tool('kube-score'));

async function kubeScoreFindings(files: string[]): Promise<KubeScoreObject[]> {
  const r = await run(kubeScore.value, ['score', '--output-format', 'json', ...files], {
    timeoutMs: 120_000,
  });
  try {
    return JSON.parse(r.stdout) as KubeScoreObject[];
  } catch {
    throw new Error(`kube-score (exit ${r.code}) printed no JSON:\n${r.stdout}\n${r.stderr}`);
  }
}

/** A rendered Deployment made bad on purpose: :latest image, no resources, privileged. */
function badDeployment(): KubeObject {
  const d = plain(ENVS.flatMap((e) => e.objects).find((o) => o.kind === 'Deployment') as KubeObject);
  for (const c of containersOf(d)) {
    c.image = 'nginx:latest';
    delete c.resources;
    c.securityContext = { ...(c.securityContext ?? {}), privileged: true, allowPrivilegeEscalation: true };
  }
  return d;
}

describe('kube-score', () => {
  const usedIgnores = new Set<string>();
  let scored = 0;

  kubeScore.it('control: a Deployment with a :latest image and no resources gets CRITICALs', async () => {
    const dir = join(WORK, 'kube-score-control');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'bad.yaml'), safeYaml(badDeployment()));
    const [obj] = await kubeScoreFindings([join(dir, 'bad.yaml')]);
    const critical = (obj?.checks ?? []).filter((c) => c.grade === GRADE_CRITICAL).map((c) => c.check.id);
    expect(critical).toContain('container-image-tag');
    expect(critical).toContain('container-resources');
  });

  for (const e of ENVS) {
    kubeScore.it(`${e.id}: no CRITICAL outside the ignore map`, async () => {
      const files = [...e.objectFiles.keys()].map((f) => join(e.objectsDir, f));
      const results = await kubeScoreFindings(files);
      expect(results.length, 'kube-score scored nothing').toBeGreaterThan(0);
      const problems: string[] = [];
      for (const r of results) {
        const object = e.objects.find(
          (o) =>
            o.kind === r.type_meta.kind &&
            o.metadata.name === r.object_meta.name &&
            (o.metadata.namespace ?? '') === (r.object_meta.namespace ?? ''),
        );
        if (object === undefined) throw new Error(`kube-score scored an unknown object ${r.object_name}`);
        for (const c of r.checks) {
          if (c.skipped || c.grade !== GRADE_CRITICAL) continue;
          const ignore = KUBE_SCORE_IGNORED[c.check.id];
          if (ignore && (ignore.applies?.({ object, objects: e.objects }) ?? true)) {
            usedIgnores.add(c.check.id);
            continue;
          }
          const comments = (c.comments ?? [])
            .map((x) => `${x.path ? `(${x.path}) ` : ''}${x.summary}`)
            .join('; ');
          problems.push(`${r.type_meta.kind} ${r.object_meta.name}: ${c.check.id}: ${comments}`);
        }
      }
      scored++;
      expect(problems, 'kube-score CRITICAL findings').toEqual([]);
    });
  }

  kubeScore.it('every ignore entry is still needed', () => {
    if (scored < ENVS.length) return; // some environments failed or were filtered out: nothing to conclude
    expect(Object.keys(KUBE_SCORE_IGNORED).filter((id) => !usedIgnores.has(id))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// checkov

interface CheckovFailure {
  check_id: string;
  check_name: string;
  resource: string;
  file_abs_path: string;
}

interface CheckovReport {
  check_type: string;
  results: { failed_checks: CheckovFailure[] };
  summary: { passed: number; failed: number; parsing_errors: number; resource_count: number };
}

/** checkov checks we do not hold Slipway's output to, and why (scoped like the kube-score map). */
const CHECKOV_IGNORED: Record<string, Ignore> = {
  // Same decision as kube-score's container-image-pull-policy.
  CKV_K8S_15: { reason: 'Image Pull Policy should be Always: tags are pinned; IfNotPresent is deliberate' },
  // Slipway renders the image reference the spec gives; it does not resolve tags to digests (that needs the
  // registry at render time). Pinning digests is the spec author's choice, and Slipway keeps it when given.
  CKV_K8S_43: { reason: 'Image should use digest: the spec pins the reference, Slipway renders it as given' },
  // Same decision and scope as kube-score's container-security-context-user-group-id.
  CKV_K8S_40: {
    reason: 'Containers should run as a high UID: non-root UID/GID dictated by the image',
    applies: ({ object }) => explicitNonRootIds(object),
  },
  // Slipway's contract with the application is environment variables (`${secrets.x}` in `env`, the same spec
  // renders to Compose); mounting secrets as files would need the applications to read files instead.
  CKV_K8S_35: { reason: 'secrets as environment variables: the spec’s env contract' },
};

const checkov = requireEngine('checkov', () => tool('checkov'));

let checkovRun: Promise<CheckovReport> | undefined;

/** One checkov run over every environment's objects (and the control), shared by the tests. */
function checkovReport(): Promise<CheckovReport> {
  checkovRun ??= (async () => {
    const control = join(WORK, 'objects', '_control');
    mkdirSync(control, { recursive: true });
    writeFileSync(join(control, 'bad.yaml'), safeYaml(badDeployment()));
    const r = await run(
      checkov.value,
      [
        '-d',
        join(WORK, 'objects'),
        '--framework',
        'kubernetes',
        '--output',
        'json',
        '--quiet',
        '--skip-download',
      ],
      { timeoutMs: 300_000 },
    );
    let parsed: CheckovReport | CheckovReport[];
    try {
      parsed = JSON.parse(r.stdout) as CheckovReport | CheckovReport[];
    } catch {
      throw new Error(`checkov (exit ${r.code}) printed no JSON:\n${r.stdout.slice(0, 4000)}\n${r.stderr}`);
    }
    const report = (Array.isArray(parsed) ? parsed : [parsed]).find((x) => x.check_type === 'kubernetes');
    if (report === undefined)
      throw new Error(`checkov ran no kubernetes checks:\n${r.stdout.slice(0, 4000)}`);
    return report;
  })();
  return checkovRun;
}

describe('checkov --framework kubernetes', () => {
  const usedIgnores = new Set<string>();
  let checked = 0;

  checkov.it('parses every file, and fails a privileged :latest Deployment (control)', async () => {
    const report = await checkovReport();
    expect(report.summary.parsing_errors).toBe(0);
    expect(report.summary.resource_count).toBeGreaterThan(0);
    const control = report.results.failed_checks.filter((f) => f.file_abs_path.includes('/_control/'));
    expect(control.map((f) => f.check_id)).toEqual(expect.arrayContaining(['CKV_K8S_16', 'CKV_K8S_14']));
  });

  for (const e of ENVS) {
    checkov.it(`${e.id}: no failed check outside the ignore map`, async () => {
      const report = await checkovReport();
      const problems: string[] = [];
      for (const f of report.results.failed_checks) {
        if (!f.file_abs_path.startsWith(`${e.objectsDir}/`)) continue;
        const object = e.objectFiles.get(basename(f.file_abs_path));
        if (object === undefined) throw new Error(`checkov reported an unknown file ${f.file_abs_path}`);
        const ignore = CHECKOV_IGNORED[f.check_id];
        if (ignore && (ignore.applies?.({ object, objects: e.objects }) ?? true)) {
          usedIgnores.add(f.check_id);
          continue;
        }
        problems.push(`${object.kind} ${object.metadata.name}: ${f.check_id} ${f.check_name}`);
      }
      checked++;
      expect(problems, 'checkov failed checks').toEqual([]);
    });
  }

  checkov.it('every ignore entry is still needed', () => {
    if (checked < ENVS.length) return;
    expect(Object.keys(CHECKOV_IGNORED).filter((id) => !usedIgnores.has(id))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// promtool

const promtool = requireEngine('promtool', () => tool('promtool'));

async function checkRules(file: string) {
  return run(promtool.value, ['check', 'rules', '--lint=all', '--lint-fatal', file], { timeoutMs: 60_000 });
}

describe('promtool check rules (PrometheusRule specs)', () => {
  const withRules = ENVS.filter((e) => e.objects.some((o) => o.kind === 'PrometheusRule'));

  it('some environments render PrometheusRules', () => {
    expect(withRules.length).toBeGreaterThan(0);
  });

  promtool.it('control: a rule with a broken expression is rejected', async () => {
    const file = join(WORK, 'broken-rules.yaml');
    writeFileSync(
      file,
      safeYaml({ groups: [{ name: 'x', rules: [{ alert: 'X', expr: 'sum(rate(x[5m])' }] }] }),
    );
    const r = await checkRules(file);
    expect(r.code).not.toBe(0);
  });

  for (const e of withRules) {
    promtool.it(`${e.id}: every PrometheusRule passes`, async () => {
      const dir = join(WORK, 'rules', `${e.example}-${e.env}`);
      mkdirSync(dir, { recursive: true });
      const failures: string[] = [];
      for (const rule of e.objects.filter((o) => o.kind === 'PrometheusRule')) {
        const file = join(dir, `${rule.metadata.name}.yaml`);
        writeFileSync(file, safeYaml(rule.spec));
        const r = await checkRules(file);
        if (r.code !== 0 || !/SUCCESS: [1-9]\d* rules found/.test(r.stdout)) {
          failures.push(`${rule.metadata.name}: exit ${r.code}\n${r.stdout}${r.stderr}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }
});

// ---------------------------------------------------------------------------------------------------------
// A real kube-apiserver

const controlPlane = controlPlaneEngines();
const kubeIt = needs(...controlPlane, upstream);

/** `Warning:` lines from the API server (unknown or duplicate fields, deprecations, PodSecurity) fail a test. */
function warnings(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^Warning:|unknown field|duplicate field/i.test(l.trim()));
}

describe(`kube-apiserver ${kubeVersion()} (real control plane): apply --dry-run=server --validate=strict`, () => {
  const kube = withControlPlane([...controlPlane, upstream]);
  const cacheDir = join(WORK, 'kube-cache');
  const kubectl = (args: string[], timeoutMs = 300_000) =>
    kube.kubectlRun([`--cache-dir=${cacheDir}`, ...args], { timeoutMs });

  /** Creates the environment's Namespace for real, from its rendered file. */
  async function ensureNamespace(e: Env): Promise<void> {
    const nsFile = yamlFiles(e.cliDir).find(
      (f) => parse(readFileSync(join(e.cliDir, f), 'utf8'))?.kind === 'Namespace',
    );
    const r = nsFile
      ? await kubectl(['apply', '-f', join(e.cliDir, nsFile)])
      : await kubectl(['create', 'namespace', e.namespace]);
    if (r.code !== 0) throw new Error(`creating the Namespace of ${e.id} failed: ${r.stderr}`);
  }

  beforeAll(async () => {
    if (controlPlane.some((g) => !g.ok) || !upstream.ok) return;
    // The CRDs of every custom resource kind the examples emit, from the upstream manifests in the module cache.
    await installCrds(kubectl, customResourceKinds(ENVS));
  }, 600_000);

  upstream.it('every custom resource kind the examples emit has an upstream CRD', () => {
    const kinds = customResourceKinds(ENVS);
    expect(kinds.length).toBeGreaterThan(0);
    expect(kinds.filter((g) => crdSourceOf(g) === undefined)).toEqual([]);
  });

  // The oracle must be able to say no: strict field validation is on, for built-in kinds and custom resources.
  kubeIt('control: unknown fields are rejected (a ConfigMap, and a custom resource)', async () => {
    const e = ENVS[0] as Env;
    await ensureNamespace(e);
    const dir = join(WORK, 'apiserver-control');
    mkdirSync(dir, { recursive: true });
    const cm = plain(e.objects.find((o) => o.kind === 'ConfigMap') as KubeObject);
    writeFileSync(join(dir, 'configmap.yaml'), safeYaml({ ...cm, slipwayUnknownField: true }));
    const cr = ENVS.flatMap((x) => x.objects).find((o) => o.kind === 'ServiceMonitor');
    const expected = cr ? 2 : 1;
    if (cr) {
      const bad = plain(cr) as any;
      bad.spec.slipwayUnknownField = true;
      bad.metadata.namespace = e.namespace;
      writeFileSync(join(dir, 'servicemonitor.yaml'), safeYaml(bad));
    }
    const r = await kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', dir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.match(/unknown field "(spec\.)?slipwayUnknownField"/g)?.length, r.stderr).toBe(expected);
  });

  for (const e of ENVS) {
    kubeIt(`${e.id}: Namespace created, every object accepted, no warning`, async () => {
      await ensureNamespace(e);
      const r = await kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', e.cliDir]);
      expect(
        r.stderr.split('\n').filter((l) => /^(error|Error)/.test(l)),
        'errors',
      ).toEqual([]);
      expect(warnings(r.stderr), 'API server warnings').toEqual([]);
      expect(r.code, r.stderr).toBe(0);
      const accepted = r.stdout.split('\n').filter((l) => /\(server dry run\)$/.test(l.trim()));
      expect(accepted.length, r.stdout).toBe(e.objects.length);
    });
  }
});
