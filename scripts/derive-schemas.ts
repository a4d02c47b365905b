/**
 * Derives the offline Kubernetes schema bundle used by `src/verify/schema/kubernetes.ts`.
 *
 *   node scripts/derive-schemas.ts                 # download (Go module proxy), derive, write the bundle
 *   node scripts/derive-schemas.ts --check         # derive and compare with the committed bundle, write nothing
 *   node scripts/derive-schemas.ts --check-latest  # list newer patch/module versions on the proxy than the pins below
 *
 * Inputs — nothing here is written by hand, every schema comes from an upstream document:
 *   - the OpenAPI v3 documents that ship in the Go module `k8s.io/kubernetes` of every supported minor,
 *     under `api/openapi-spec/v3/` (one document per group-version, plus the shared meta definitions);
 *   - the CustomResourceDefinition manifests that the operators Slipway targets ship in their own Go
 *     modules (`spec.versions[].schema.openAPIV3Schema` of every served version).
 * Modules are fetched with `go mod download -json` (the Go module cache), run under `nice`.
 *
 * Output: `src/verify/schema/data/kubernetes-schemas.json.gz` (+ `SOURCES.md` beside it):
 *
 *   {
 *     format: 1,
 *     formats: [...],                 // every `format` value left in the schemas (the validator registers each)
 *     defs: { <hash>: <JSON Schema> }, // every definition once, keyed by the hash of its content
 *     versions: { "1.29": {
 *       kubernetes: "v1.29.15",
 *       defs:  { <definition name>: <hash> },  // what `$ref: "#/$defs/<name>"` means in this version
 *       kinds: { "<apiVersion>/<kind>": <hash> },  // the root schema of every GVK served in this version
 *     } },
 *     unserved: { "<apiVersion>/<kind>": { replacement, source } }, // CRD versions that exist but are not served
 *     sources: [...]
 *   }
 *
 * Definitions keep their upstream names in `$ref`s and are resolved per version through `versions[v].defs`,
 * so a definition whose own content did not change between minors is stored once even when something it
 * references did change. Only definitions reachable from a kind are kept.
 *
 * Transformations from OpenAPI v3 (Kubernetes dialect) to JSON Schema draft 2020-12, in `convert` below:
 *   1. `$ref: "#/components/schemas/X"` → `$ref: "#/$defs/X"`; OpenAPI ignores a `$ref`'s siblings, and so do we.
 *   2. `allOf: [{ $ref }]` — the wrapper the generator puts around a reference to carry a description or a
 *      default — becomes the bare `{ $ref }`.
 *   3. `x-kubernetes-int-or-string: true` → `type: ["integer", "string"]` (its `anyOf` of the two types goes);
 *      likewise any `oneOf`/`anyOf` whose branches are only `{ type }` becomes a type list: the built-in
 *      IntOrString (`format: int-or-string`) → integer or string, Quantity → string or number.
 *   4. `x-kubernetes-preserve-unknown-fields: true` → an open object: no `additionalProperties: false` here
 *      (only this node; as in the API server, it is not inherited by nested schemas that list properties).
 *   5. Strict mode: every schema that lists `properties` and has neither `additionalProperties` nor
 *      preserve-unknown-fields gets `additionalProperties: false` — what kubectl's client-side validation,
 *      kubeconform `-strict` and openapi2jsonschema `--strict` do (kubeconform's CRD converter exempts the root
 *      unless DENY_ROOT_ADDITIONAL_PROPERTIES is set; we do not exempt it, as the API server's strict field
 *      validation rejects unknown top-level fields of custom resources too). Schemas without `properties`
 *      (`{ type: object }`, e.g. FieldsV1, RawExtension, `x-kubernetes-embedded-resource` bodies) stay open.
 *   6. `nullable: true` → `"null"` added to `type` (and to `enum`, when there is one).
 *   7. The root schema of each GVK is a copy of its definition with `apiVersion` and `kind` turned into
 *      `const`s and both made required. For CRDs, whose schema says only `metadata: { type: object }`, the
 *      root's `metadata` becomes a reference to the ObjectMeta of each Kubernetes version (what the API server
 *      validates metadata against), keeping any extra constraints the CRD adds.
 *   8. Formats: `int32`, `int64`, `double`, `float`, `byte` and `date-time` are kept, and the validator registers
 *      each (integer ranges, base64, RFC 3339), so ajv neither rejects the schema nor ignores the format.
 *      `int-or-string` is expressed by the type list (3.). Any other format is dropped — the API server itself
 *      ignores formats it does not know; the list of kept formats is written into the bundle.
 *   9. Patterns are Go (RE2) regular expressions; ajv compiles them as JavaScript `u`-mode RegExps. A leading
 *      `(?i)` (case-insensitive flag, not JavaScript syntax) becomes per-letter classes (`[aA]`); any other
 *      pattern that JavaScript cannot compile stops the script, so a refresh never silently loses a check.
 *  10. Dropped, as they do not constrain a manifest or cannot be checked offline: description, title, default,
 *      example, externalDocs, deprecated, readOnly, writeOnly, discriminator and every other `x-` extension
 *      (`x-kubernetes-validations` — CEL rules —, list types and map keys, patch strategies, unions,
 *      group-version-kind, embedded-resource). Any keyword not listed here stops the script.
 *  11. OpenAPI 3.0 boolean `exclusiveMinimum`/`exclusiveMaximum` become the 2020-12 numeric form.
 *
 * Kinds: every GVK that the documents of a version declare (`x-kubernetes-group-version-kind`), except the
 * API-machinery envelopes defined in `io.k8s.apimachinery.pkg.apis.meta.v1` (DeleteOptions, WatchEvent,
 * Status, APIGroup, APIResourceList, …), which appear under every group version but are never manifests.
 *
 * Determinism: inputs are pinned below; JSON is written with sorted object keys; gzip runs at level 9 and
 * its header's mtime (0) and OS byte (255, "unknown") are fixed.
 */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import { SUPPORTED_KUBERNETES_VERSIONS } from '../src/verify/schema/versions.ts';

// ---------------------------------------------------------------------------------------------------------
// Inputs

/** The latest patch of each supported minor that the Go module proxy serves (checked with --check-latest). */
const KUBERNETES_PATCHES: Record<string, string> = {
  '1.29': 'v1.29.15',
  '1.30': 'v1.30.14',
  '1.31': 'v1.31.14',
  '1.32': 'v1.32.13',
  '1.33': 'v1.33.13',
  '1.34': 'v1.34.4',
};

interface CrdSource {
  module: string;
  version: string;
  /** Files inside the module; every CustomResourceDefinition document in them is taken. */
  files: string[];
  note?: string;
}

const CRD_SOURCES: CrdSource[] = [
  {
    module: 'github.com/prometheus-operator/prometheus-operator',
    version: 'v0.85.0',
    files: [
      'example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml',
      'example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml',
      'example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml',
      'example/prometheus-operator-crd/monitoring.coreos.com_probes.yaml',
    ],
  },
  {
    module: 'github.com/argoproj/argo-rollouts',
    version: 'v1.10.1',
    files: [
      'manifests/crds/rollout-crd.yaml',
      'manifests/crds/analysis-template-crd.yaml',
      'manifests/crds/cluster-analysis-template-crd.yaml',
      'manifests/crds/analysis-run-crd.yaml',
      'manifests/crds/experiment-crd.yaml',
    ],
    note: 'v1.10.2 is on the proxy, but its go.mod needs go ≥ 1.26.10, so `go mod download` refuses it with the local toolchain.',
  },
  {
    module: 'github.com/kedacore/keda/v2',
    version: 'v2.21.0',
    files: [
      'config/crd/bases/keda.sh_scaledobjects.yaml',
      'config/crd/bases/keda.sh_scaledjobs.yaml',
      'config/crd/bases/keda.sh_triggerauthentications.yaml',
      'config/crd/bases/keda.sh_clustertriggerauthentications.yaml',
    ],
  },
  {
    module: 'github.com/cloudnative-pg/cloudnative-pg',
    version: 'v1.30.0',
    files: [
      'config/crd/bases/postgresql.cnpg.io_clusters.yaml',
      'config/crd/bases/postgresql.cnpg.io_scheduledbackups.yaml',
      'config/crd/bases/postgresql.cnpg.io_backups.yaml',
      'config/crd/bases/postgresql.cnpg.io_poolers.yaml',
      'config/crd/bases/postgresql.cnpg.io_databases.yaml',
    ],
    note: "the proxy refuses this module's version list; v1.30.0 (released 2026-06-29) is pinned from the project's release notes.",
  },
  {
    module: 'github.com/external-secrets/external-secrets',
    version: 'v1.3.2',
    files: [
      'config/crds/bases/external-secrets.io_externalsecrets.yaml',
      'config/crds/bases/external-secrets.io_clusterexternalsecrets.yaml',
      'config/crds/bases/external-secrets.io_secretstores.yaml',
      'config/crds/bases/external-secrets.io_clustersecretstores.yaml',
      'config/crds/bases/external-secrets.io_pushsecrets.yaml',
    ],
  },
  {
    module: 'github.com/bitnami-labs/sealed-secrets',
    version: 'v0.40.0',
    files: ['helm/sealed-secrets/crds/bitnami.com_sealedsecrets.yaml'],
  },
  {
    module: 'k8s.io/autoscaler/vertical-pod-autoscaler',
    version: 'v1.8.1',
    files: ['deploy/vpa-v1-crd-gen.yaml'],
  },
  {
    module: 'github.com/spotahome/redis-operator',
    version: 'v1.2.4',
    files: ['manifests/databases.spotahome.com_redisfailovers.yaml'],
    note: "the proxy refuses this module's version list; v1.2.4 is the project's latest stable release (1.3.0 never left release candidates).",
  },
];

const OUT_DIR = new URL('../src/verify/schema/data/', import.meta.url);
const BUNDLE_FILE = new URL('kubernetes-schemas.json.gz', OUT_DIR);
const SOURCES_FILE = new URL('SOURCES.md', OUT_DIR);
const COMMAND = 'node scripts/derive-schemas.ts';

/** Formats kept in the schemas; `src/verify/schema/kubernetes.ts` registers exactly these with ajv. */
const KEPT_FORMATS = new Set(['byte', 'date-time', 'double', 'float', 'int32', 'int64']);

// ---------------------------------------------------------------------------------------------------------
// Types

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class DeriveError extends Error {}

function fail(message: string): never {
  throw new DeriveError(message);
}

// ---------------------------------------------------------------------------------------------------------
// Go modules

let goWorkDir: string | undefined;

function goEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' };
}

/** `go mod download -json module@version` from a throwaway module directory; returns the module's Dir. */
function downloadModule(module: string, version: string): string {
  if (goWorkDir === undefined) {
    goWorkDir = mkdtempSync(join(tmpdir(), 'slipway-derive-'));
    writeFileSync(join(goWorkDir, 'go.mod'), 'module slipway.invalid/derive\n\ngo 1.22\n');
  }
  let out: string;
  try {
    out = execFileSync('nice', ['-n', '10', 'go', 'mod', 'download', '-json', `${module}@${version}`], {
      cwd: goWorkDir,
      env: goEnv(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    out = err.stdout ?? '';
    if (!out.includes('"Error"')) fail(`go mod download ${module}@${version} failed: ${err.stderr ?? e}`);
  }
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (info.Error !== undefined || info.Dir === undefined) {
    fail(`go mod download ${module}@${version}: ${info.Error ?? 'no Dir'}`);
  }
  return info.Dir;
}

function listVersions(module: string): string[] {
  try {
    const out = execFileSync('go', ['list', '-m', '-versions', module], {
      cwd: goWorkDir ?? tmpdir(),
      env: goEnv(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return out.trim().split(/\s+/).slice(1);
  } catch (e) {
    const err = e as { stderr?: string };
    return [`(version list unavailable: ${(err.stderr ?? String(e)).trim().split('\n').pop()})`];
  }
}

function compareSemver(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split(/[.-]/);
  const pb = b.replace(/^v/, '').split(/[.-]/);
  for (let i = 0; i < 3; i++) {
    const d = Number(pa[i] ?? 0) - Number(pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function checkLatest(): void {
  const stable = (v: string) => /^v\d+\.\d+\.\d+$/.test(v);
  const k8s = listVersions('k8s.io/kubernetes').filter(stable);
  for (const [minor, pinned] of Object.entries(KUBERNETES_PATCHES)) {
    const newer = k8s.filter((v) => v.startsWith(`v${minor}.`) && compareSemver(v, pinned) > 0);
    console.log(
      `k8s.io/kubernetes ${minor}: pinned ${pinned}${newer.length ? `; newer: ${newer.join(' ')}` : ''}`,
    );
  }
  for (const src of CRD_SOURCES) {
    const versions = listVersions(src.module);
    const newer = versions.filter((v) => stable(v) && compareSemver(v, src.version) > 0);
    const note = versions.length === 1 && versions[0]?.startsWith('(') ? ` ${versions[0]}` : '';
    console.log(
      `${src.module}: pinned ${src.version}${newer.length ? `; newer: ${newer.join(' ')}` : ''}${note}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// OpenAPI v3 → JSON Schema 2020-12

/** Keywords copied as they are (their values are not schemas). */
const PLAIN_KEYWORDS = new Set([
  'type',
  'enum',
  'required',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
]);

/** Keywords dropped on purpose (transformation 10). */
const DROPPED_KEYWORDS = new Set([
  'description',
  'title',
  'default',
  'example',
  'externalDocs',
  'deprecated',
  'readOnly',
  'writeOnly',
  'discriminator',
]);

/** Keywords read by the conversion itself. */
const HANDLED_KEYWORDS = new Set([
  '$ref',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'properties',
  'additionalProperties',
  'items',
  'format',
  'nullable',
  'exclusiveMinimum',
  'exclusiveMaximum',
]);

interface ConvertContext {
  /** Where we are, for error messages. */
  where: string;
  /** Every format seen and kept. */
  formats: Set<string>;
}

function refName(ref: string, where: string): string {
  const prefix = '#/components/schemas/';
  if (!ref.startsWith(prefix)) fail(`${where}: unsupported $ref ${ref}`);
  return ref.slice(prefix.length);
}

/** A `oneOf`/`anyOf` whose branches are all bare `{ type: T }`: returns the type list. */
function pureTypeBranches(branches: Json | undefined): string[] | undefined {
  if (!Array.isArray(branches) || branches.length === 0) return undefined;
  const types: string[] = [];
  for (const b of branches) {
    if (!isObject(b) || Object.keys(b).length !== 1 || typeof b.type !== 'string') return undefined;
    types.push(b.type);
  }
  return types;
}

/**
 * Transformation 9: Go's `(?i)` flag group (case-insensitive from there to the end of the enclosing group)
 * → per-letter classes; anything else JavaScript cannot compile stops us.
 */
function convertPattern(pattern: string, where: string): string {
  let out = '';
  let inClass = false;
  let depth = 0;
  // The group depth at which `(?i)` was switched on, or -1.
  let foldFrom = -1;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    const fold = foldFrom >= 0;
    if (c === '\\') {
      out += c + (pattern[i + 1] ?? '');
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += fold && /[a-z]/i.test(c) ? c.toLowerCase() + c.toUpperCase() : c;
      continue;
    }
    if (pattern.startsWith('(?i)', i)) {
      if (foldFrom < 0) foldFrom = depth;
      i += 3;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (foldFrom > depth) foldFrom = -1;
    }
    out += fold && /[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
  }
  try {
    new RegExp(out, 'u');
  } catch (e) {
    fail(`${where}: pattern ${JSON.stringify(pattern)} is not a JavaScript regular expression (${e})`);
  }
  return out;
}

function convert(node: Json, ctx: ConvertContext): JsonObject {
  if (!isObject(node)) fail(`${ctx.where}: a schema must be an object, got ${JSON.stringify(node)}`);
  const where = ctx.where;
  const child = (suffix: string): ConvertContext => ({ ...ctx, where: `${where}${suffix}` });

  // 1. References: OpenAPI 3.0 ignores the siblings of `$ref`.
  if (typeof node.$ref === 'string') return { $ref: `#/$defs/${refName(node.$ref, where)}` };

  // 2. `allOf: [{ $ref }]` wrappers around a reference.
  if (Array.isArray(node.allOf) && node.allOf.length === 1) {
    const only = node.allOf[0];
    const constraining = Object.keys(node).filter(
      (k) => k !== 'allOf' && !DROPPED_KEYWORDS.has(k) && !k.startsWith('x-'),
    );
    if (isObject(only) && typeof only.$ref === 'string' && constraining.length === 0) {
      return { $ref: `#/$defs/${refName(only.$ref, where)}` };
    }
  }

  const out: JsonObject = {};
  for (const key of Object.keys(node)) {
    if (PLAIN_KEYWORDS.has(key) || HANDLED_KEYWORDS.has(key) || DROPPED_KEYWORDS.has(key)) continue;
    if (key.startsWith('x-')) continue;
    fail(`${where}: unknown keyword ${JSON.stringify(key)} — teach scripts/derive-schemas.ts what it means`);
  }
  for (const key of PLAIN_KEYWORDS) {
    if (node[key] !== undefined) out[key] = node[key];
  }
  if (typeof node.pattern === 'string') out.pattern = convertPattern(node.pattern, where);

  // 3. int-or-string, and unions of bare types.
  let anyOf = node.anyOf;
  let oneOf = node.oneOf;
  if (node['x-kubernetes-int-or-string'] === true) {
    out.type = ['integer', 'string'];
    if (pureTypeBranches(anyOf)) anyOf = undefined;
    if (pureTypeBranches(oneOf)) oneOf = undefined;
  }
  for (const [name, branches] of [
    ['anyOf', anyOf],
    ['oneOf', oneOf],
  ] as const) {
    const types = pureTypeBranches(branches);
    if (types && out.type === undefined) {
      out.type = [...new Set(types)].sort();
      if (name === 'anyOf') anyOf = undefined;
      else oneOf = undefined;
    }
  }
  const combinators: [string, Json | undefined][] = [
    ['allOf', node.allOf],
    ['anyOf', anyOf],
    ['oneOf', oneOf],
  ];
  for (const [name, branches] of combinators) {
    if (branches === undefined) continue;
    if (!Array.isArray(branches)) fail(`${where}: ${name} must be a list`);
    out[name] = branches.map((b, i) => convert(b, child(`/${name}/${i}`)));
  }
  if (node.not !== undefined) out.not = convert(node.not, child('/not'));

  // 8. Formats.
  if (typeof node.format === 'string') {
    if (KEPT_FORMATS.has(node.format)) {
      out.format = node.format;
      ctx.formats.add(node.format);
    }
  }

  // 11. Boolean exclusive bounds (OpenAPI 3.0) → numeric (2020-12).
  for (const [excl, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    const v = node[excl];
    if (v === undefined || v === false) continue;
    if (v === true) {
      if (typeof node[bound] !== 'number') fail(`${where}: ${excl} without ${bound}`);
      out[excl] = node[bound];
      delete out[bound];
    } else if (typeof v === 'number') {
      out[excl] = v;
    } else {
      fail(`${where}: ${excl} must be a boolean or a number`);
    }
  }

  // Structure.
  if (node.properties !== undefined) {
    if (!isObject(node.properties)) fail(`${where}: properties must be an object`);
    const props: JsonObject = {};
    for (const [name, schema] of Object.entries(node.properties)) {
      props[name] = convert(schema, child(`/properties/${name}`));
    }
    out.properties = props;
  }
  if (node.items !== undefined) {
    if (Array.isArray(node.items)) fail(`${where}: tuple items are not supported`);
    out.items = convert(node.items, child('/items'));
  }
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node.additionalProperties !== undefined) {
    const ap = node.additionalProperties;
    if (typeof ap === 'boolean') out.additionalProperties = ap;
    else out.additionalProperties = convert(ap, child('/additionalProperties'));
  } else if (node.properties !== undefined && !preserve) {
    // 5. Strict mode.
    out.additionalProperties = false;
  }

  // 6. nullable.
  if (node.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Canonical JSON and hashing

function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k] as Json);
    return out;
  }
  return v;
}

function canonical(v: Json): string {
  return JSON.stringify(sortKeys(v));
}

const HASH_LENGTH = 12;

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, HASH_LENGTH);
}

/** Every definition, by content hash; a collision between different contents stops the script. */
class DefStore {
  readonly byHash = new Map<string, string>();

  add(schema: JsonObject): string {
    const text = canonical(schema);
    const h = hashOf(text);
    const seen = this.byHash.get(h);
    if (seen !== undefined && seen !== text) fail(`hash collision on ${h}; raise HASH_LENGTH`);
    this.byHash.set(h, text);
    return h;
  }
}

function collectRefs(v: Json, into: Set<string>): void {
  if (Array.isArray(v)) {
    for (const x of v) collectRefs(x, into);
  } else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') into.add(x.slice('#/$defs/'.length));
      else collectRefs(x, into);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Kubernetes documents

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const ENVELOPE_PREFIX = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

function apiVersionOf(g: { group: string; version: string }): string {
  return g.group === '' ? g.version : `${g.group}/${g.version}`;
}

/** The GVK root: the definition with apiVersion/kind pinned and required (transformation 7). */
function rootSchema(def: JsonObject, apiVersion: string, kind: string, where: string): JsonObject {
  const props = def.properties;
  if (!isObject(props) || !isObject(props.apiVersion) || !isObject(props.kind)) {
    fail(`${where}: a kind's schema must list apiVersion and kind`);
  }
  const required = Array.isArray(def.required) ? def.required.filter((r) => typeof r === 'string') : [];
  return {
    ...def,
    properties: {
      ...props,
      apiVersion: { const: apiVersion, type: 'string' },
      kind: { const: kind, type: 'string' },
    },
    required: [...new Set(['apiVersion', 'kind', ...required])].sort(),
  };
}

interface VersionOut {
  kubernetes: string;
  defs: Record<string, string>;
  kinds: Record<string, string>;
}

interface CrdKind {
  gvk: string;
  /** Root schema still referring to ObjectMeta by name. */
  root: JsonObject;
  source: string;
  file: string;
}

function deriveKubernetes(
  minor: string,
  patch: string,
  store: DefStore,
  formats: Set<string>,
  crdKinds: CrdKind[],
): VersionOut {
  const dir = downloadModule('k8s.io/kubernetes', patch);
  const specDir = join(dir, 'api', 'openapi-spec', 'v3');
  if (!existsSync(specDir)) fail(`${specDir} does not exist`);
  const raw = new Map<string, { text: string; node: JsonObject; file: string }>();
  for (const file of readdirSync(specDir).sort()) {
    if (!file.endsWith('_openapi.json')) continue;
    const doc = JSON.parse(readFileSync(join(specDir, file), 'utf8')) as JsonObject;
    const components = doc.components;
    const schemas = isObject(components) ? components.schemas : undefined;
    if (!isObject(schemas)) continue;
    for (const [name, schema] of Object.entries(schemas)) {
      if (!isObject(schema)) fail(`${file}: ${name} is not a schema`);
      const text = canonical(schema);
      const seen = raw.get(name);
      if (seen !== undefined && seen.text !== text) {
        // The same definition in two documents must agree at least on what validation sees.
        const a = canonical(convert(seen.node, { where: name, formats: new Set() }));
        const b = canonical(convert(schema, { where: name, formats: new Set() }));
        if (a !== b) fail(`${patch}: ${name} differs between ${seen.file} and ${file}`);
        continue;
      }
      if (seen === undefined) raw.set(name, { text, node: schema, file });
    }
  }

  const converted = new Map<string, JsonObject>();
  for (const [name, { node }] of [...raw].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    converted.set(name, convert(node, { where: `${patch} ${name}`, formats }));
  }

  // Roots: every declared GVK, except the API-machinery envelopes.
  const kinds: Record<string, string> = {};
  const rootRefs = new Set<string>();
  for (const [name, { node }] of raw) {
    const gvks = node['x-kubernetes-group-version-kind'];
    if (!Array.isArray(gvks) || name.startsWith(ENVELOPE_PREFIX)) continue;
    const def = converted.get(name) as JsonObject;
    for (const g of gvks as unknown as Gvk[]) {
      const apiVersion = apiVersionOf(g);
      const key = `${apiVersion}/${g.kind}`;
      if (kinds[key] !== undefined) fail(`${patch}: ${key} is declared twice`);
      const root = rootSchema(def, apiVersion, g.kind, `${patch} ${name}`);
      kinds[key] = store.add(root);
      collectRefs(root, rootRefs);
    }
  }
  for (const crd of crdKinds) {
    if (kinds[crd.gvk] !== undefined) fail(`${crd.gvk} (${crd.source}) is also a built-in kind of ${minor}`);
    kinds[crd.gvk] = store.add(crd.root);
    collectRefs(crd.root, rootRefs);
  }

  // Keep the definitions reachable from a root.
  const defs: Record<string, string> = {};
  const queue = [...rootRefs];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const name = queue.pop() as string;
    const def = converted.get(name);
    if (def === undefined) fail(`${patch}: $ref to unknown definition ${name}`);
    defs[name] = store.add(def);
    const refs = new Set<string>();
    collectRefs(def, refs);
    for (const r of refs) {
      if (!seen.has(r)) {
        seen.add(r);
        queue.push(r);
      }
    }
  }
  if (defs[OBJECT_META] === undefined) fail(`${patch}: no ${OBJECT_META}`);
  return { kubernetes: patch, defs, kinds };
}

// ---------------------------------------------------------------------------------------------------------
// CRDs

interface Unserved {
  replacement: string;
  source: string;
}

function deriveCrds(formats: Set<string>): { kinds: CrdKind[]; unserved: Record<string, Unserved> } {
  const kinds: CrdKind[] = [];
  const unserved: Record<string, Unserved> = {};
  for (const src of CRD_SOURCES) {
    const dir = downloadModule(src.module, src.version);
    const source = `${src.module}@${src.version}`;
    for (const file of src.files) {
      const path = join(dir, file);
      if (!existsSync(path)) fail(`${source}: no file ${file}`);
      let found = 0;
      for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
        if (doc.errors.length > 0) fail(`${source} ${file}: ${doc.errors[0]?.message}`);
        const crd = doc.toJS() as Json;
        if (!isObject(crd) || crd.kind !== 'CustomResourceDefinition') continue;
        found++;
        const spec = crd.spec;
        if (!isObject(spec) || typeof spec.group !== 'string' || !isObject(spec.names)) {
          fail(`${source} ${file}: a CRD without spec.group/spec.names`);
        }
        const group: string = spec.group;
        const kind = spec.names.kind;
        if (typeof kind !== 'string' || !Array.isArray(spec.versions))
          fail(`${source} ${file}: malformed CRD`);
        const versions = spec.versions.filter(isObject);
        const storage = versions.find((v) => v.storage === true);
        for (const v of versions) {
          const apiVersion: string = `${group}/${String(v.name)}`;
          const gvk = `${apiVersion}/${kind}`;
          if (v.served !== true) {
            const to = storage ? `${group}/${String(storage.name)}` : '';
            unserved[gvk] = { replacement: to, source };
            continue;
          }
          const schema = isObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
          if (!isObject(schema)) fail(`${source} ${file}: ${gvk} has no openAPIV3Schema`);
          const where = `${source} ${file} ${gvk}`;
          const def = convert(schema, { where, formats });
          const root = rootSchema(def, apiVersion, kind, where);
          const props = root.properties as JsonObject;
          const meta = props.metadata;
          // Transformation 7: CRD metadata is validated as the version's ObjectMeta.
          if (isObject(meta)) {
            const { type: _type, additionalProperties: _ap, ...extra } = meta;
            props.metadata = { $ref: `#/$defs/${OBJECT_META}`, ...extra };
          } else {
            props.metadata = { $ref: `#/$defs/${OBJECT_META}` };
          }
          if (kinds.some((k) => k.gvk === gvk)) fail(`${gvk} appears twice in the CRD sources`);
          kinds.push({ gvk, root, source, file });
        }
      }
      if (found === 0) fail(`${source} ${file}: no CustomResourceDefinition`);
    }
  }
  kinds.sort((a, b) => (a.gvk < b.gvk ? -1 : a.gvk > b.gvk ? 1 : 0));
  return { kinds, unserved };
}

// ---------------------------------------------------------------------------------------------------------
// Output

function gzipDeterministic(data: Buffer): Buffer {
  const gz = gzipSync(data, { level: 9, memLevel: 9 });
  // Header: ID1 ID2 CM FLG MTIME(4) XFL OS. Fix MTIME and OS so the bytes do not depend on the machine.
  gz.writeUInt32LE(0, 4);
  gz[9] = 255;
  return gz;
}

/** A Markdown table with padded cells, as the repository's formatter (Biome) writes them. */
function markdownTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 3)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

function sourcesMarkdown(
  versions: Record<string, VersionOut>,
  crdKinds: CrdKind[],
  jsonSha: string,
  gzSize: number,
  defCount: number,
): string {
  const lines: string[] = [];
  lines.push('# Sources of `kubernetes-schemas.json.gz`');
  lines.push('');
  lines.push(
    'Generated — do not edit. Every schema in the bundle is derived from the upstream documents below',
  );
  lines.push(`by \`${COMMAND}\` (see the comment at the top of the script for the transformations).`);
  lines.push('');
  lines.push('## Kubernetes (OpenAPI v3, `api/openapi-spec/v3/` of the Go module `k8s.io/kubernetes`)');
  lines.push('');
  lines.push(
    ...markdownTable(
      ['Kubernetes', 'module version', 'kinds'],
      Object.entries(versions).map(([minor, v]) => [
        minor,
        `\`k8s.io/kubernetes@${v.kubernetes}\``,
        String(Object.keys(v.kinds).length - crdKinds.length),
      ]),
    ),
  );
  lines.push('');
  lines.push('Kinds: every group-version-kind the documents declare, API-machinery envelopes excepted.');
  lines.push('');
  lines.push('## Custom resources (CustomResourceDefinitions shipped in the projects’ Go modules)');
  lines.push('');
  const crdRows: string[][] = [];
  for (const src of CRD_SOURCES) {
    const source = `${src.module}@${src.version}`;
    for (const file of src.files) {
      const kinds = crdKinds.filter((k) => k.source === source && k.file === file).map((k) => `\`${k.gvk}\``);
      crdRows.push([`\`${source}\``, `\`${file}\``, kinds.join(', ')]);
    }
  }
  lines.push(...markdownTable(['module', 'file', 'served kinds'], crdRows));
  const notes = CRD_SOURCES.filter((s) => s.note !== undefined);
  if (notes.length > 0) {
    lines.push('');
    for (const s of notes) lines.push(`- \`${s.module}\`: ${s.note}`);
  }
  lines.push('');
  lines.push('## Bundle');
  lines.push('');
  lines.push(`- definitions (deduplicated across versions): ${defCount}`);
  lines.push(`- compressed size: ${gzSize} bytes`);
  lines.push(`- sha256 of the uncompressed JSON: \`${jsonSha}\``);
  lines.push('');
  lines.push(
    'Refresh: bump the pins at the top of `scripts/derive-schemas.ts` (`--check-latest` lists newer',
  );
  lines.push(`versions on the Go module proxy), run \`${COMMAND}\`, then the schema tests.`);
  lines.push('');
  return lines.join('\n');
}

function main(): void {
  const args = new Set(process.argv.slice(2));
  if (args.has('--check-latest')) {
    checkLatest();
    return;
  }
  for (const minor of SUPPORTED_KUBERNETES_VERSIONS) {
    if (KUBERNETES_PATCHES[minor] === undefined) fail(`no pinned k8s.io/kubernetes patch for ${minor}`);
  }
  const store = new DefStore();
  const formats = new Set<string>();
  const crds = deriveCrds(formats);
  const versions: Record<string, VersionOut> = {};
  for (const minor of SUPPORTED_KUBERNETES_VERSIONS) {
    const patch = KUBERNETES_PATCHES[minor] as string;
    process.stderr.write(`deriving ${minor} from k8s.io/kubernetes@${patch}\n`);
    versions[minor] = deriveKubernetes(minor, patch, store, formats, crds.kinds);
  }
  const defs: JsonObject = {};
  for (const h of [...store.byHash.keys()].sort()) defs[h] = JSON.parse(store.byHash.get(h) as string);
  const bundle: JsonObject = {
    format: 1,
    formats: [...formats].sort(),
    defs,
    versions: versions as unknown as JsonObject,
    unserved: crds.unserved as unknown as JsonObject,
    sources: {
      kubernetes: Object.fromEntries(
        Object.entries(versions).map(([m, v]) => [m, `k8s.io/kubernetes@${v.kubernetes}`]),
      ),
      crds: CRD_SOURCES.map((s) => `${s.module}@${s.version}`),
    },
  };
  const json = Buffer.from(canonical(bundle), 'utf8');
  const gz = gzipDeterministic(json);
  const jsonSha = createHash('sha256').update(json).digest('hex');
  const md = sourcesMarkdown(versions, crds.kinds, jsonSha, gz.length, store.byHash.size);

  if (args.has('--check')) {
    const same =
      existsSync(BUNDLE_FILE) &&
      readFileSync(BUNDLE_FILE).equals(gz) &&
      existsSync(SOURCES_FILE) &&
      readFileSync(SOURCES_FILE, 'utf8') === md;
    console.log(same ? 'bundle is up to date' : 'bundle differs from what the script derives');
    process.exitCode = same ? 0 : 1;
    return;
  }
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(BUNDLE_FILE, gz);
  writeFileSync(SOURCES_FILE, md);
  console.log(
    `wrote ${BUNDLE_FILE.pathname} (${gz.length} bytes gzip, ${json.length} bytes JSON, ` +
      `${store.byHash.size} definitions, formats: ${[...formats].sort().join(', ')})`,
  );
}

try {
  main();
} catch (e) {
  if (e instanceof DeriveError) {
    console.error(`derive-schemas: ${e.message}`);
    process.exitCode = 1;
  } else {
    throw e;
  }
} finally {
  if (goWorkDir !== undefined) rmSync(goWorkDir, { recursive: true, force: true });
}
