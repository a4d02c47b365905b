/**
 * kubeconform schemas, generated from the upstream documents along a path deliberately different from
 * Slipway's own verifier (which compiles the OpenAPI v3 documents with ajv, see scripts/derive-schemas.ts):
 * here the input is the OpenAPI **v2** document (`api/openapi-spec/swagger.json` of `k8s.io/kubernetes`),
 * converted the way kubeconform's schema repository is built — yannh/kubernetes-json-schema runs
 * openapi2jsonschema with `--expanded --kubernetes --stand-alone --strict` — and the validator is kubeconform
 * itself (santhosh-tekuri/jsonschema, draft 4). Two independent derivations and two validators: where they
 * disagree, one of them is wrong.
 *
 * Built-in kinds (openapi2jsonschema's Kubernetes processors):
 *   - `IntOrString` → `oneOf: [string, integer]`; `Quantity` → `oneOf: [string, number]`;
 *   - every `$ref` inlined (stand-alone): one self-contained file per kind, no network, no relative refs;
 *   - strict: every schema that lists `properties` and has no `additionalProperties` gets
 *     `additionalProperties: false`, the root included;
 *   - optional fields accept null (openapi2jsonschema's `allow_null_optional_fields`): a property not listed in
 *     its parent's `required` (and every list item, map value and oneOf branch) gets `"null"` added to its type;
 *   - `apiVersion` and `kind` get an `enum` of the file's own group-version and kind (`--expanded`);
 *   - descriptions and `x-kubernetes-*` annotations are dropped (they constrain nothing; a Deployment file
 *     shrinks from ~1 MB to ~150 KB); every other keyword is kept as upstream wrote it, `format` included
 *     (kubeconform asserts the formats its validator knows, such as `date-time`, and ignores `int32`/`byte`).
 *   - Definitions whose closure is recursive (the CRD kinds' JSONSchemaProps) cannot be inlined; like
 *     openapi2jsonschema in stand-alone mode, their kinds get no file (`skipped`).
 *   - API-machinery envelopes (DeleteOptions, WatchEvent, … declared under every group version) get no file:
 *     they are never manifests.
 *
 * Custom resources (kubeconform's scripts/openapi2jsonschema.py, strict): each **served** version's
 * `openAPIV3Schema` of the CRD manifests Slipway's bundle lists (read from the Go module cache), with
 *   - `additionalProperties: false` on every schema that lists `properties`, except where the schema says
 *     `x-kubernetes-preserve-unknown-fields: true` (the API server keeps unknown fields there), the root
 *     included (the script's DENY_ROOT_ADDITIONAL_PROPERTIES: the API server's strict field validation rejects
 *     unknown top-level fields of a custom resource too);
 *   - `format: int-or-string` / `x-kubernetes-int-or-string` → `oneOf: [string, integer]`;
 *   - OpenAPI's `nullable: true` → `"null"` added to the type (JSON Schema has no `nullable`);
 *   - `metadata` (the CRD says only `type: object`) → the version's strict ObjectMeta from swagger.json, which is
 *     what the API server validates a custom resource's metadata against;
 *   - `apiVersion`/`kind` enums as for built-in kinds.
 *
 * Layout (what kubeconform expects for `-schema-location <root>`):
 *   <root>/v<patch>-standalone-strict/<kind>-<group's first label>-<version>.json   (lower case; core: <kind>-<version>.json)
 * i.e. its default `{{ .ResourceKind }}{{ .KindSuffix }}.json` template. Two kinds mapping to one file name
 * stop the generator. The tree is cached under `$SLIPWAY_CACHE/kubeconform-schemas/<hash>/`, the hash covering
 * this file's source and the CRD sources; each version directory is written atomically.
 */

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { SLIPWAY_CACHE } from '../_engines.ts';
import { crdFilePath, crdSources, kubernetesModule, swaggerPath } from './upstream.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const ENVELOPES = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

export interface SchemaTree {
  /** What to pass to kubeconform's `-schema-location`. */
  root: string;
  /** What to pass to kubeconform's `-kubernetes-version`, e.g. `1.33.13`. */
  kubernetesVersion: string;
  /** The version directory: `<root>/v<patch>-standalone-strict`. */
  dir: string;
  /** `<apiVersion>/<kind>` → file name, for every kind that has a file. */
  files: Record<string, string>;
  /** Kinds without a file, and why. */
  skipped: Record<string, string>;
}

interface Index {
  files: Record<string, string>;
  skipped: Record<string, string>;
}

/** kubeconform's file name for a kind (registry.schemaPath: `{{ .ResourceKind }}{{ .KindSuffix }}.json`). */
export function kubeconformFileName(apiVersion: string, kind: string): string {
  const groupParts = apiVersion.split('/');
  const first = (groupParts[0] as string).split('.')[0] as string;
  let suffix = `-${first.toLowerCase()}`;
  if (groupParts.length > 1) suffix += `-${(groupParts[1] as string).toLowerCase()}`;
  return `${kind.toLowerCase()}${suffix}.json`;
}

function cacheRoot(): string {
  const self = readFileSync(fileURLToPath(import.meta.url), 'utf8');
  const crds = JSON.stringify(crdSources());
  const hash = createHash('sha256').update(self).update(crds).digest('hex').slice(0, 16);
  return join(SLIPWAY_CACHE, 'kubeconform-schemas', hash);
}

/** The strict standalone schema tree of a supported minor (`1.33`), generated on first use and cached. */
export function kubeconformSchemas(minor: string): SchemaTree {
  const { version } = kubernetesModule(minor);
  const patch = version.replace(/^v/, '');
  const root = cacheRoot();
  const dir = join(root, `v${patch}-standalone-strict`);
  const indexFile = join(dir, '_index.json');
  if (!existsSync(indexFile)) generate(minor, root, dir);
  const index = JSON.parse(readFileSync(indexFile, 'utf8')) as Index;
  return { root, kubernetesVersion: patch, dir, files: index.files, skipped: index.skipped };
}

function generate(minor: string, root: string, dir: string): void {
  mkdirSync(root, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const files: Record<string, string> = {};
  const skipped: Record<string, string> = {};
  const byName = new Map<string, string>();
  const write = (apiVersion: string, kind: string, schema: Obj) => {
    const gvk = `${apiVersion}/${kind}`;
    const name = kubeconformFileName(apiVersion, kind);
    const other = byName.get(name);
    if (other !== undefined && other !== gvk) {
      throw new Error(`${gvk} and ${other} both map to kubeconform's file name ${name}`);
    }
    byName.set(name, gvk);
    files[gvk] = name;
    writeFileSync(join(tmp, name), JSON.stringify(schema));
  };

  const swagger = JSON.parse(readFileSync(swaggerPath(minor), 'utf8')) as {
    definitions: Record<string, Obj>;
  };
  const defs = new Map(Object.entries(swagger.definitions));
  defs.set(INT_OR_STRING, { oneOf: [{ type: 'string' }, { type: 'integer' }] });
  defs.set(QUANTITY, { oneOf: [{ type: 'string' }, { type: 'number' }] });
  const inliner = new Inliner(defs);

  for (const [name, def] of defs) {
    const gvks = def['x-kubernetes-group-version-kind'];
    if (!Array.isArray(gvks) || name.startsWith(ENVELOPES)) continue;
    for (const g of gvks) {
      if (!isObj(g)) continue;
      const apiVersion = g.group ? `${String(g.group)}/${String(g.version)}` : String(g.version);
      const kind = String(g.kind);
      let inlined: Obj;
      try {
        inlined = inliner.inline(name);
      } catch (e) {
        if (!(e instanceof RecursiveSchema)) throw e;
        skipped[`${apiVersion}/${kind}`] = e.message;
        continue;
      }
      const schema = finishBuiltin(inlined, true) as Obj;
      pinGvk(schema, apiVersion, kind);
      write(apiVersion, kind, schema);
    }
  }

  const objectMeta = finishBuiltin(inliner.inline(OBJECT_META), false) as Obj;
  for (const source of crdSources()) {
    const where = `${source.module}@${source.version} ${source.file}`;
    const text = readFileSync(crdFilePath(source), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(`${where}: ${doc.errors[0]?.message}`);
      const crd = doc.toJS() as Json;
      if (!isObj(crd) || crd.kind !== 'CustomResourceDefinition' || !isObj(crd.spec)) continue;
      const spec = crd.spec;
      const group = String(spec.group);
      const kind = String(isObj(spec.names) ? spec.names.kind : '');
      for (const v of Array.isArray(spec.versions) ? spec.versions : []) {
        if (!isObj(v) || v.served !== true) continue;
        const apiVersion = `${group}/${String(v.name)}`;
        const raw = isObj(v.schema) ? v.schema.openAPIV3Schema : undefined;
        if (!isObj(raw)) throw new Error(`${where}: ${apiVersion} ${kind} has no openAPIV3Schema`);
        const schema = convertCrd(raw) as Obj;
        const props = schema.properties;
        if (!isObj(props)) throw new Error(`${where}: ${apiVersion} ${kind} lists no properties`);
        props.metadata = objectMeta;
        pinGvk(schema, apiVersion, kind);
        write(apiVersion, kind, schema);
      }
    }
  }

  writeFileSync(join(tmp, '_index.json'), JSON.stringify({ files, skipped }, null, 1));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

function pinGvk(schema: Obj, apiVersion: string, kind: string): void {
  const props = schema.properties;
  if (!isObj(props)) throw new Error(`${apiVersion} ${kind}: no properties`);
  props.apiVersion = {
    ...(isObj(props.apiVersion) ? props.apiVersion : { type: 'string' }),
    enum: [apiVersion],
  };
  props.kind = { ...(isObj(props.kind) ? props.kind : { type: 'string' }), enum: [kind] };
}

// ---------------------------------------------------------------------------------------------------------
// swagger.json definitions: inline every $ref

class RecursiveSchema extends Error {}

class Inliner {
  private readonly done = new Map<string, Obj>();
  private readonly stack: string[] = [];
  private readonly defs: Map<string, Obj>;

  constructor(defs: Map<string, Obj>) {
    this.defs = defs;
  }

  /** The definition with every `$ref` replaced by the (shared, immutable) inlined definition. */
  inline(name: string): Obj {
    const hit = this.done.get(name);
    if (hit !== undefined) return hit;
    if (this.stack.includes(name)) {
      throw new RecursiveSchema(
        `${[...this.stack.slice(this.stack.indexOf(name)), name].join(' → ')} is recursive`,
      );
    }
    const def = this.defs.get(name);
    if (def === undefined) throw new Error(`$ref to unknown definition ${name}`);
    this.stack.push(name);
    try {
      const out = this.walk(def) as Obj;
      this.done.set(name, out);
      return out;
    } finally {
      this.stack.pop();
    }
  }

  private walk(node: Json): Json {
    if (Array.isArray(node)) return node.map((n) => this.walk(n));
    if (!isObj(node)) return node;
    if (typeof node.$ref === 'string') {
      const prefix = '#/definitions/';
      if (!node.$ref.startsWith(prefix)) throw new Error(`unsupported $ref ${node.$ref}`);
      return this.inline(node.$ref.slice(prefix.length));
    }
    const out: Obj = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'description' || k.startsWith('x-')) continue;
      // `properties` maps names to schemas; `enum`/`required` are data, not schemas.
      if (k === 'properties' && isObj(v)) {
        const props: Obj = {};
        for (const [p, s] of Object.entries(v)) props[p] = this.walk(s);
        out[k] = props;
      } else if (k === 'enum' || k === 'required') {
        out[k] = v;
      } else {
        out[k] = this.walk(v);
      }
    }
    return out;
  }
}

/** Strict and null-tolerant copies (openapi2jsonschema's `--strict` and `allow_null_optional_fields`). */
function finishBuiltin(node: Json, required: boolean): Json {
  if (!isObj(node)) return node;
  const out: Obj = { ...node };
  if (!required) allowNull(out);
  if (isObj(node.properties)) {
    const req = Array.isArray(node.required) ? node.required : [];
    const props: Obj = {};
    for (const [p, s] of Object.entries(node.properties)) props[p] = finishBuiltin(s, req.includes(p));
    out.properties = props;
    if (node.additionalProperties === undefined) out.additionalProperties = false;
  }
  if (isObj(node.additionalProperties))
    out.additionalProperties = finishBuiltin(node.additionalProperties, false);
  if (node.items !== undefined) out.items = finishBuiltin(node.items, false);
  for (const k of ['oneOf', 'anyOf', 'allOf'] as const) {
    const branches = node[k];
    if (Array.isArray(branches)) out[k] = branches.map((b) => finishBuiltin(b, false));
  }
  return out;
}

function allowNull(schema: Obj): void {
  const t = schema.type;
  if (typeof t === 'string' && t !== 'null') schema.type = [t, 'null'];
}

// ---------------------------------------------------------------------------------------------------------
// CRD openAPIV3Schema → draft-4 JSON Schema, strict

function convertCrd(node: Json): Json {
  if (!isObj(node)) return node;
  const out: Obj = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'description' || k === 'nullable' || k === 'default' || k === 'example') continue;
    if (k.startsWith('x-')) continue;
    if (k === 'properties' && isObj(v)) {
      const props: Obj = {};
      for (const [p, s] of Object.entries(v)) props[p] = convertCrd(s);
      out[k] = props;
    } else if (k === 'items' || k === 'not' || (k === 'additionalProperties' && isObj(v))) {
      out[k] = convertCrd(v);
    } else if ((k === 'allOf' || k === 'anyOf' || k === 'oneOf') && Array.isArray(v)) {
      out[k] = v.map(convertCrd);
    } else {
      out[k] = v;
    }
  }
  if (node['x-kubernetes-int-or-string'] === true || node.format === 'int-or-string') {
    delete out.type;
    delete out.format;
    delete out.anyOf;
    out.oneOf = [{ type: 'string' }, { type: 'integer' }];
  }
  if (node.properties !== undefined && node.additionalProperties === undefined) {
    if (node['x-kubernetes-preserve-unknown-fields'] !== true) out.additionalProperties = false;
  }
  if (node.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.oneOf)) out.oneOf = [...out.oneOf, { type: 'null' }];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

/** For tests: every file of a generated tree, except the index. */
export function schemaFiles(tree: SchemaTree): string[] {
  return readdirSync(tree.dir).filter((f) => f.endsWith('.json') && f !== '_index.json');
}
