/**
 * The offline schema bundle (`data/kubernetes-schemas.json.gz`), derived by `scripts/derive-schemas.ts`
 * from the upstream OpenAPI documents and CRD manifests. Read and gunzipped once per process, on first use.
 */

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { AnySchemaObject } from 'ajv';

export interface BundleVersion {
  /** The `k8s.io/kubernetes` module version the schemas come from, e.g. `v1.29.15`. */
  readonly kubernetes: string;
  /** Definition name → hash in `defs`: what `$ref: "#/$defs/<name>"` means in this version. */
  readonly defs: Readonly<Record<string, string>>;
  /** `<apiVersion>/<kind>` → hash of the kind's root schema. */
  readonly kinds: Readonly<Record<string, string>>;
}

export interface SchemaBundle {
  readonly format: 1;
  /** Every `format` the schemas use; the validator registers each. */
  readonly formats: readonly string[];
  readonly defs: Readonly<Record<string, AnySchemaObject>>;
  readonly versions: Readonly<Record<string, BundleVersion>>;
  /** Custom resource versions that exist in their CRD but are not served: `<apiVersion>/<kind>` → … */
  readonly unserved: Readonly<Record<string, { readonly replacement: string; readonly source: string }>>;
  readonly sources: {
    readonly kubernetes: Readonly<Record<string, string>>;
    readonly crds: readonly string[];
  };
}

const FILE = 'kubernetes-schemas.json.gz';

/**
 * Where the bundle is: beside this module when running from source (`src/verify/schema/data/`), and from
 * the compiled `dist/verify/schema/` either a copy of `data/` or, in a checkout, the source tree's.
 */
function candidates(): URL[] {
  return [
    new URL(`./data/${FILE}`, import.meta.url),
    new URL(`../../../src/verify/schema/data/${FILE}`, import.meta.url),
  ];
}

let cached: SchemaBundle | undefined;
let cachedBytes: Buffer | undefined;

/** The compressed bundle as it is on disk (its identity, for caches derived from it). */
export function bundleBytes(): Buffer {
  if (cachedBytes !== undefined) return cachedBytes;
  const found = candidates().find((u) => existsSync(fileURLToPath(u)));
  if (found === undefined)
    throw new Error(
      `the Kubernetes schema bundle ${FILE} is missing; run \`node scripts/derive-schemas.ts\``,
    );
  cachedBytes = readFileSync(found);
  return cachedBytes;
}

export function loadBundle(): SchemaBundle {
  if (cached !== undefined) return cached;
  const bundle = JSON.parse(gunzipSync(bundleBytes()).toString('utf8')) as SchemaBundle;
  if (bundle.format !== 1) throw new Error(`unsupported schema bundle format ${String(bundle.format)}`);
  cached = bundle;
  return bundle;
}
