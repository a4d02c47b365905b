/**
 * Offline, strict validation of Kubernetes objects against the official schemas of a Kubernetes minor
 * (and the CRDs Slipway emits), from the bundle that `scripts/derive-schemas.ts` derives.
 *
 *   validateObjects(objects, { kubernetesVersion: '1.29' }) → findings
 *
 * Rules:
 *   - `schema`: the object does not match its kind's schema (unknown field, wrong type, missing required
 *     field, value outside an enum, bad format, …). Unknown fields are errors (strict mode).
 *   - `unknown-kind`: the apiVersion/kind is not served by that Kubernetes version, nor one of the custom
 *     resources the bundle carries.
 *   - `removed-api`: the apiVersion/kind was removed (an error from the release that removed it on; a
 *     warning before, while it is only deprecated), or is a custom resource version its CRD no longer serves.
 *
 * Validators are compiled with ajv once per Kubernetes version and kind, and cached for the process.
 */

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standalone from 'ajv/dist/standalone/index.js';
import { closest, listOf } from '../../spec/_suggest.ts';
import { bundleBytes, loadBundle } from './bundle.ts';
import { FORMATS, INT32_MAX, INT32_MIN } from './formats.ts';

const AJV_VERSION: string = createRequire(import.meta.url)('ajv/package.json').version;

import { compareMinor, findRemovedApi } from './removed-apis.ts';
import { isSupportedKubernetesVersion, SUPPORTED_KUBERNETES_VERSIONS } from './versions.ts';

export { locateFinding } from './locate.ts';
export { DEFAULT_KUBERNETES_VERSION, SUPPORTED_KUBERNETES_VERSIONS } from './versions.ts';

export type SchemaRule = 'schema' | 'unknown-kind' | 'removed-api';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface SchemaFinding {
  rule: SchemaRule;
  severity: 'error' | 'warning';
  /** Position of the object in the list given to `validateObjects`. */
  index: number;
  object: ObjectRef;
  /** JSON pointer (RFC 6901) inside the object; `''` is the object itself. */
  path: string;
  message: string;
}

export interface ValidateOptions {
  /** A supported minor: `1.29`, `v1.29` or a patch such as `1.29.4`. */
  kubernetesVersion: string;
}

// ---------------------------------------------------------------------------------------------------------
// Versions

/** `v1.29.4` / `1.29` → `1.29`; throws on an unsupported version. */
export function normalizeKubernetesVersion(version: string): string {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(version.trim());
  const minor = m ? `${m[1]}.${m[2]}` : version;
  if (!isSupportedKubernetesVersion(minor)) {
    const first = SUPPORTED_KUBERNETES_VERSIONS[0];
    const last = SUPPORTED_KUBERNETES_VERSIONS[SUPPORTED_KUBERNETES_VERSIONS.length - 1];
    throw new RangeError(`Kubernetes ${version} is not supported: the schemas cover ${first} to ${last}`);
  }
  return minor;
}

// ---------------------------------------------------------------------------------------------------------
// Formats: the bundle keeps these (see scripts/derive-schemas.ts, transformation 8)

const FORMAT_MESSAGES: Record<string, string> = {
  int32: `a 32-bit integer (${INT32_MIN} to ${INT32_MAX})`,
  int64: 'a 64-bit integer',
  double: 'a finite number',
  float: 'a finite number',
  byte: 'base64-encoded data',
  'date-time': 'an RFC 3339 date-time such as 2024-01-31T12:00:00Z',
};

/** The formats this validator registers (a test checks the bundle uses no other). */
export const REGISTERED_FORMATS: readonly string[] = Object.keys(FORMATS).sort();

// ---------------------------------------------------------------------------------------------------------
// Compiled validators, per version

interface Engine {
  readonly version: string;
  readonly kinds: ReadonlySet<string>;
  readonly validators: Map<string, ValidateFunction>;
  /** Created only when a validator must be compiled: a disk-cached validator needs none. */
  ajv?: Ajv2020;
}

const engines = new Map<string, Engine>();

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

const KIND_PREFIX = 'kind:';

function engineFor(version: string): Engine {
  const existing = engines.get(version);
  if (existing) return existing;
  const v = loadBundle().versions[version];
  if (v === undefined) throw new Error(`the schema bundle has no Kubernetes ${version}; re-derive it`);
  const engine: Engine = { version, kinds: new Set(Object.keys(v.kinds)), validators: new Map() };
  engines.set(version, engine);
  return engine;
}

function ajvFor(engine: Engine): Ajv2020 {
  if (engine.ajv) return engine.ajv;
  const bundle = loadBundle();
  const v = bundle.versions[engine.version];
  if (v === undefined) throw new Error(`the schema bundle has no Kubernetes ${engine.version}`);
  const cache = validatorCache();
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    validateSchema: false,
    logger: false,
    formats: FORMATS,
    // source: keep the generated code, so it can be written to the disk cache.
    code: {
      optimize: false,
      ...(cache ? { source: true, formats: _`require(${cache.formatsModule}).FORMATS` } : {}),
    },
  });
  const $defs: Record<string, AnySchemaObject> = {};
  for (const [name, hash] of Object.entries(v.defs)) $defs[name] = definition(hash);
  for (const [gvk, hash] of Object.entries(v.kinds)) $defs[`${KIND_PREFIX}${gvk}`] = definition(hash);
  ajv.addSchema({ $id: schemaId(engine.version), $defs });
  engine.ajv = ajv;
  return ajv;

  function definition(hash: string): AnySchemaObject {
    const d = bundle.defs[hash];
    if (d === undefined) throw new Error(`the schema bundle is corrupt: no definition ${hash}`);
    return d;
  }
}

/**
 * Compiling a kind's validator takes 50–400 ms, every process. Compiled once, its code is kept in
 * `$SLIPWAY_CACHE/validators/` (default ~/.cache/slipway), keyed by the bundle's bytes, ajv's and
 * Slipway's versions, so later runs load it in milliseconds. Only from the built package (where the
 * formats module is plain JavaScript); `SLIPWAY_VALIDATOR_CACHE=0` turns it off.
 */
interface ValidatorCache {
  dir: string;
  formatsModule: string;
  key: string;
}

let validatorCacheState: ValidatorCache | null | undefined;

function validatorCache(): ValidatorCache | null {
  if (validatorCacheState !== undefined) return validatorCacheState;
  validatorCacheState = null;
  const formatsModule = fileURLToPath(new URL('./formats.js', import.meta.url));
  if (process.env.SLIPWAY_VALIDATOR_CACHE === '0' || !existsSync(formatsModule)) return null;
  const root =
    process.env.SLIPWAY_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'slipway');
  const key = createHash('sha256')
    .update(bundleBytes())
    .update(AJV_VERSION)
    .update(formatsModule)
    .update(require.resolve('ajv'))
    .digest('hex')
    .slice(0, 16);
  validatorCacheState = { dir: join(root, 'validators', key), formatsModule, key };
  return validatorCacheState;
}

const require = createRequire(import.meta.url);

function validatorFor(engine: Engine, gvk: string): ValidateFunction {
  let fn = engine.validators.get(gvk);
  if (fn !== undefined) return fn;
  const cache = validatorCache();
  const file = cache
    ? join(cache.dir, `${engine.version}-${createHash('sha256').update(gvk).digest('hex').slice(0, 16)}.cjs`)
    : undefined;
  if (file && existsSync(file)) {
    try {
      fn = require(file) as ValidateFunction;
    } catch (e) {
      if (process.env.SLIPWAY_DEBUG) console.error(`validator cache: ${file} does not load, recompiling:`, e);
      fn = undefined; // A damaged cache file is recompiled and rewritten below.
    }
  }
  if (fn === undefined) {
    const ajv = ajvFor(engine);
    fn = ajv.compile({ $ref: `${schemaId(engine.version)}#/$defs/${escapePointer(`${KIND_PREFIX}${gvk}`)}` });
    if (file && cache) {
      try {
        mkdirSync(cache.dir, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        // The generated code requires ajv's runtime helpers; resolve them here, since the cache
        // folder has no node_modules to find them from.
        const code = standalone
          .default(ajv, fn)
          .replace(
            /require\("(ajv\/[^"]+)"\)/g,
            (_m, mod: string) => `require(${JSON.stringify(require.resolve(mod))})`,
          );
        writeFileSync(tmp, code);
        renameSync(tmp, file); // atomic: a concurrent run sees the old file or the whole new one
      } catch (e) {
        // A read-only or full disk only costs speed.
        if (process.env.SLIPWAY_DEBUG) console.error(`validator cache: cannot write ${file}:`, e);
      }
    }
  }
  engine.validators.set(gvk, fn);
  return fn;
}

function schemaId(version: string): string {
  return `https://slipway.invalid/kubernetes/${version}`;
}

/** Compiles the validators of the given kinds (all of the version's kinds when none are given) ahead of use. */
export function warmUp(kubernetesVersion: string, gvks?: readonly string[]): void {
  const engine = engineFor(normalizeKubernetesVersion(kubernetesVersion));
  for (const gvk of gvks ?? engine.kinds) validatorFor(engine, gvk);
}

/** The `<apiVersion>/<kind>` keys a version knows, built-in kinds and custom resources alike. */
export function knownKinds(kubernetesVersion: string): string[] {
  return [...engineFor(normalizeKubernetesVersion(kubernetesVersion)).kinds].sort();
}

// ---------------------------------------------------------------------------------------------------------
// Validation

type Plain = Record<string, unknown>;

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasNullField(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasNullField);
  if (!isPlain(v)) return false;
  for (const x of Object.values(v)) if (x === null || x === undefined || hasNullField(x)) return true;
  return false;
}

/**
 * A copy without the fields whose value is null (or undefined, which JSON cannot even carry). The API server
 * treats `field: null` as an absent field (Go's JSON decoding leaves the field unset; for custom resources,
 * nulls are pruned unless the schema says `nullable`), so `creationTimestamp: null` or an empty `key:` in
 * YAML is not an error — but a required field set to null is still missing. Nulls inside lists are kept.
 */
function withoutNullFields(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNullFields);
  if (!isPlain(v)) return v;
  const out: Plain = {};
  for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = withoutNullFields(x);
  return out;
}

function objectRef(obj: unknown): ObjectRef {
  const o = isPlain(obj) ? obj : {};
  const meta = isPlain(o.metadata) ? o.metadata : {};
  const ref: ObjectRef = {
    apiVersion: typeof o.apiVersion === 'string' ? o.apiVersion : '',
    kind: typeof o.kind === 'string' ? o.kind : '',
    name:
      typeof meta.name === 'string'
        ? meta.name
        : typeof meta.generateName === 'string'
          ? meta.generateName
          : '',
  };
  if (typeof meta.namespace === 'string') ref.namespace = meta.namespace;
  return ref;
}

/**
 * Validates plain objects (`{ apiVersion, kind, metadata, … }`, e.g. the documents of a YAML file) against
 * the schemas of `kubernetesVersion`. Findings come in input order; `index` is the object's position, so
 * entries that are null or undefined (empty YAML documents) are skipped without shifting the others.
 * Throws a RangeError for an unsupported version.
 */
export function validateObjects(objects: readonly unknown[], options: ValidateOptions): SchemaFinding[] {
  const version = normalizeKubernetesVersion(options.kubernetesVersion);
  const engine = engineFor(version);
  const findings: SchemaFinding[] = [];
  objects.forEach((obj, index) => {
    if (obj !== null && obj !== undefined) validateOne(engine, obj, index, findings);
  });
  return findings;
}

function validateOne(engine: Engine, obj: unknown, index: number, out: SchemaFinding[], prefix = ''): void {
  const object = objectRef(obj);
  const add = (rule: SchemaRule, severity: 'error' | 'warning', path: string, message: string) => {
    out.push({ rule, severity, index, object, path: `${prefix}${path}`, message });
  };
  if (!isPlain(obj)) {
    add('schema', 'error', '', `a Kubernetes object must be a mapping, not ${typeName(obj)}`);
    return;
  }
  let incomplete = false;
  for (const field of ['apiVersion', 'kind'] as const) {
    const v = obj[field];
    if (v === undefined || v === null || v === '') {
      add('schema', 'error', `/${field}`, `missing required field ${field}`);
      incomplete = true;
    } else if (typeof v !== 'string') {
      add('schema', 'error', `/${field}`, `${field} must be string, not ${typeName(v)}`);
      incomplete = true;
    }
  }
  if (incomplete) return;
  const apiVersion = obj.apiVersion as string;
  const kind = obj.kind as string;
  const gvk = `${apiVersion}/${kind}`;
  const version = engine.version;

  // kubectl's `v1/List` (what `kubectl get -o yaml` prints) is not an API kind: its items are the objects.
  if (gvk === 'v1/List' && Array.isArray(obj.items)) {
    obj.items.forEach((item, i) => {
      validateOne(engine, item, index, out, `${prefix}/items/${i}`);
    });
    return;
  }

  const removed = findRemovedApi(apiVersion, kind);
  if (removed !== undefined) {
    const gone = compareMinor(removed.removedIn, version) <= 0;
    const instead =
      removed.replacement !== null
        ? `use ${removed.replacement} ${kind}${removed.note ? ` (${removed.note})` : ''}`
        : (removed.note ?? 'it has no replacement');
    if (gone) {
      add(
        'removed-api',
        'error',
        '/apiVersion',
        `${apiVersion} ${kind} was removed in Kubernetes ${removed.removedIn} and is not served by ${version}: ${instead}`,
      );
      return;
    }
    add(
      'removed-api',
      'warning',
      '/apiVersion',
      `${apiVersion} ${kind} is deprecated and will be removed in Kubernetes ${removed.removedIn}: ${instead}`,
    );
  }

  if (!engine.kinds.has(gvk)) {
    const unserved = loadBundle().unserved[gvk];
    if (unserved !== undefined) {
      add(
        'removed-api',
        'error',
        '/apiVersion',
        `${apiVersion} ${kind} is no longer served by its CustomResourceDefinition (${unserved.source}): use ${unserved.replacement} ${kind}`,
      );
      return;
    }
    add(
      'unknown-kind',
      'error',
      unknownKindPath(engine, apiVersion),
      unknownKindMessage(engine, apiVersion, kind),
    );
    return;
  }

  const validate = validatorFor(engine, gvk);
  const data = hasNullField(obj) ? withoutNullFields(obj) : obj;
  if (validate(data)) return;
  const seen = new Set<string>();
  for (const f of describeErrors(validate.errors ?? [])) {
    const key = `${f.path}\u0000${f.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    add('schema', 'error', f.path, f.message);
  }
}

function unknownKindPath(engine: Engine, apiVersion: string): string {
  // Point at what is wrong: the kind when its apiVersion is known, else the apiVersion.
  for (const k of engine.kinds) if (k.startsWith(`${apiVersion}/`)) return '/kind';
  return '/apiVersion';
}

function unknownKindMessage(engine: Engine, apiVersion: string, kind: string): string {
  const version = engine.version;
  const head = `Kubernetes ${version} does not serve ${apiVersion} ${kind}`;
  const all = [...engine.kinds];
  const sameApi = all
    .filter((k) => k.startsWith(`${apiVersion}/`))
    .map((k) => k.slice(apiVersion.length + 1));
  if (sameApi.length > 0) {
    const suggestion = closest(kind, sameApi);
    return `${head}: ${apiVersion} has no kind ${kind}${suggestion ? ` — did you mean ${suggestion}?` : ''}`;
  }
  const sameKind = all.filter((k) => k.endsWith(`/${kind}`)).map((k) => k.slice(0, -(kind.length + 1)));
  if (sameKind.length > 0) return `${head}: ${kind} is served as ${listOf(sameKind)}`;
  return `${head}, and it is not one of the custom resources Slipway has schemas for`;
}

// ---------------------------------------------------------------------------------------------------------
// ajv errors → findings

interface Described {
  path: string;
  message: string;
}

function pointerSegments(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map(unescapePointer);
}

/** `/spec/template/spec/containers/0/image` → `spec.template.spec.containers[0].image`. */
export function dottedPath(pointer: string): string {
  let out = '';
  for (const seg of pointerSegments(pointer)) {
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out === '' ? '(the object)' : out;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

function show(v: unknown): string {
  if (typeof v === 'string') {
    const s = v.length > 60 ? `${v.slice(0, 57)}…` : v;
    return JSON.stringify(s);
  }
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return 'a list';
  return 'a mapping';
}

/** ` (value)` for scalars, nothing for lists and mappings. */
function valueSuffix(v: unknown): string {
  return typeof v === 'object' && v !== null ? '' : ` (${show(v)})`;
}

const MAX_ALLOWED_LISTED = 20;

function allowedList(names: string[]): string {
  if (names.length === 0) return 'none';
  const sorted = [...names].sort();
  if (sorted.length <= MAX_ALLOWED_LISTED) return sorted.join(', ');
  return `${sorted.slice(0, MAX_ALLOWED_LISTED).join(', ')}, … ${sorted.length - MAX_ALLOWED_LISTED} more`;
}

function describeErrors(errors: readonly ErrorObject[]): Described[] {
  // Errors inside a failed anyOf/oneOf branch are summarised by the combinator's own error.
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  const inBranch = (e: ErrorObject) =>
    combinators.some((c) => c !== e && e.schemaPath.startsWith(`${c.schemaPath}/`));
  // Once a value has the wrong type, its format, pattern or range says nothing more: one finding.
  const wrongType = new Set(errors.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const out: Described[] = [];
  for (const e of errors) {
    if (inBranch(e)) continue;
    if (e.keyword !== 'type' && wrongType.has(e.instancePath)) continue;
    out.push(describe(e, errors));
  }
  return out;
}

function describe(e: ErrorObject, all: readonly ErrorObject[]): Described {
  const path = e.instancePath;
  const field = dottedPath(path);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(p.additionalProperty);
      const childPath = `${path}/${escapePointer(name)}`;
      const props = isPlain(e.parentSchema?.properties) ? Object.keys(e.parentSchema.properties) : [];
      const suggestion = closest(name, props);
      const hint = suggestion ? ` — did you mean "${suggestion}"?` : '';
      return {
        path: childPath,
        message: `unknown field ${dottedPath(childPath)}${hint} (allowed: ${allowedList(props)})`,
      };
    }
    case 'required': {
      const childPath = `${path}/${escapePointer(String(p.missingProperty))}`;
      return { path: childPath, message: `missing required field ${dottedPath(childPath)}` };
    }
    case 'type': {
      const types = String(p.type).split(',');
      const wanted = listOf(types).replace(/"/g, '');
      return { path, message: `${field} must be ${wanted}, not ${typeName(e.data)}${valueSuffix(e.data)}` };
    }
    case 'enum': {
      const allowed = Array.isArray(p.allowedValues) ? p.allowedValues : [];
      const suggestion =
        typeof e.data === 'string'
          ? closest(
              e.data,
              allowed.filter((a) => typeof a === 'string'),
            )
          : undefined;
      return {
        path,
        message:
          `${field} must be one of ${listOf(allowed)}, not ${show(e.data)}` +
          (suggestion ? ` — did you mean "${suggestion}"?` : ''),
      };
    }
    case 'const':
      return { path, message: `${field} must be ${show(p.allowedValue)}, not ${show(e.data)}` };
    case 'format': {
      const what = FORMAT_MESSAGES[String(p.format)] ?? `in the ${String(p.format)} format`;
      return { path, message: `${field} must be ${what}, not ${show(e.data)}` };
    }
    case 'pattern':
      return { path, message: `${field} must match the pattern ${String(p.pattern)}, not ${show(e.data)}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        path,
        message: `${field} must be ${String(p.comparison)} ${String(p.limit)}, not ${show(e.data)}`,
      };
    case 'multipleOf':
      return { path, message: `${field} must be a multiple of ${String(p.multipleOf)}, not ${show(e.data)}` };
    case 'minLength':
      return {
        path,
        message: `${field} must be at least ${String(p.limit)} characters long${valueSuffix(e.data)}`,
      };
    case 'maxLength':
      return {
        path,
        message: `${field} must be at most ${String(p.limit)} characters long${valueSuffix(e.data)}`,
      };
    case 'minItems':
      return { path, message: `${field} must have at least ${String(p.limit)} item(s)` };
    case 'maxItems':
      return { path, message: `${field} must have at most ${String(p.limit)} item(s)` };
    case 'minProperties':
      return { path, message: `${field} must have at least ${String(p.limit)} field(s)` };
    case 'maxProperties':
      return { path, message: `${field} must have at most ${String(p.limit)} field(s)` };
    case 'uniqueItems':
      return {
        path,
        message: `${field} must not repeat items (items ${String(p.j)} and ${String(p.i)} are equal)`,
      };
    case 'anyOf':
    case 'oneOf': {
      if (e.keyword === 'oneOf' && Array.isArray(p.passingSchemas)) {
        return {
          path,
          message: `${field} matches more than one of the allowed forms; it must match exactly one`,
        };
      }
      const branches = all
        .filter((x) => x !== e && x.schemaPath.startsWith(`${e.schemaPath}/`))
        .map((x) => describe(x, []).message);
      const unique = [...new Set(branches)];
      return {
        path,
        message: `${field} matches none of the allowed forms${unique.length ? `: ${unique.join('; or ')}` : ''}`,
      };
    }
    default:
      return { path, message: `${field} ${e.message ?? 'is invalid'}` };
  }
}
