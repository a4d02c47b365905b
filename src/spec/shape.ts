/**
 * Shape validation: the parsed YAML against the schema, every problem at once, each located at
 * the exact key or value and phrased as what is wrong plus how to fix it.
 */
import type { Document } from 'yaml';
import type { z } from 'zod';
import { closest, listOf } from './_suggest.ts';
import type { Diagnostic } from './diagnostics.ts';
import { findNode, formatSpecPath, mapKeyOffsets, pointAt, type SpecPath } from './positions.ts';
import { type Spec, specSchema } from './schema.ts';
import type { SourceText } from './source.ts';

type Issue = z.core.$ZodIssue;
type AnySchema = z.core.$ZodType;

export interface ShapeResult {
  spec?: Spec;
  diagnostics: Diagnostic[];
}

export function validateShape(doc: Document, raw: unknown, source: SourceText): ShapeResult {
  const parsed = specSchema.safeParse(raw, { reportInput: true });
  if (parsed.success) return { spec: parsed.data, diagnostics: [] };
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const issue of flatten(parsed.error.issues, raw)) {
    for (const d of toDiagnostics(issue, doc, source, raw)) {
      const k = `${d.code}|${d.location?.line}|${d.location?.column}|${d.message}`;
      if (!seen.has(k)) {
        seen.add(k);
        diagnostics.push(d);
      }
    }
  }
  return { diagnostics };
}

/**
 * Unions report one list of issues per branch. Keep the branch that got furthest into the
 * value (the user clearly meant that shape); when no branch got past the value itself,
 * keep a single summary issue at the union's path.
 */
function flatten(issues: readonly Issue[], raw: unknown): Issue[] {
  const out: Issue[] = [];
  for (const issue of issues) {
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) {
      out.push(issue);
      continue;
    }
    // Branch issues carry paths relative to the union.
    const branches = issue.errors.map((errs) => flatten(errs, raw));
    const progress = (errs: Issue[]) =>
      Math.max(
        0,
        ...errs.map((e) => (e.code === 'invalid_type' && e.path.length === 0 ? 0 : e.path.length + 1)),
      );
    const best = branches.reduce((a, b) => (progress(b) > progress(a) ? b : a));
    if (progress(best) > 0) {
      out.push(...best.map((e) => ({ ...e, path: [...issue.path, ...e.path] }) as Issue));
    } else {
      out.push(issue);
    }
  }
  return out;
}

function toDiagnostics(issue: Issue, doc: Document, source: SourceText, raw: unknown): Diagnostic[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) as (string | number)[];
  const where = formatSpecPath(path);
  const span = findNode(doc, path);
  const at = pointAt(span, 'value');
  const present = span.depth === path.length;
  const value = valueAt(raw, path);
  const schema = schemaAt(path);

  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(schema);
      const keys = mapKeyOffsets(doc, path);
      return issue.keys.map((key) => {
        const pos = keys.get(key) ?? at;
        const guess = closest(key, known);
        const hint =
          key === 'value' && path[0] === 'secrets'
            ? undefined
            : guess
              ? `did you mean "${guess}"?`
              : `allowed here: ${known.join(', ')}`;
        if (key === 'value' && path[0] === 'secrets') {
          return source.at(
            'inline-secret',
            pos.start,
            `secret ${where} has its value written in the spec`,
            'remove the value; secrets get their values from the environment’s source (secrets.source): an env file in dev, Sealed Secrets, External Secrets or an existing Secret in clusters',
            { endOffset: pos.end, path: `${where}.value` },
          );
        }
        return source.at('unknown-key', pos.start, `unknown key "${key}" in ${where || 'the spec'}`, hint, {
          endOffset: pos.end,
          path: where ? `${where}.${key}` : key,
        });
      });
    }
    case 'invalid_type': {
      if (!present || value === undefined) {
        const parent = findNode(doc, path.slice(0, -1));
        const p = pointAt(parent, 'key');
        const field = String(path[path.length - 1]);
        return [
          source.at(
            'missing-field',
            p.start,
            `${formatSpecPath(path.slice(0, -1)) || 'the spec'} is missing "${field}"`,
            `add ${field}: ${describe(schema)}`,
            { endOffset: p.end, path: where },
          ),
        ];
      }
      return [
        source.at(
          'invalid-type',
          at.start,
          `${where} must be ${describe(schema)}, not ${kindOf(value)}`,
          typeHint(schema, value),
          { endOffset: at.end, path: where },
        ),
      ];
    }
    case 'invalid_value': {
      if (path.length === 1 && path[0] === 'apiVersion' && value === undefined) {
        const p = pointAt(findNode(doc, []), 'value');
        return [
          source.at(
            'missing-field',
            p.start,
            'the spec is missing "apiVersion"',
            `add apiVersion: ${String(issue.values[0])} as its first line`,
            { path: where },
          ),
        ];
      }
      if (path.length === 1 && path[0] === 'apiVersion') {
        return [
          source.at(
            'unsupported-api-version',
            at.start,
            `apiVersion ${JSON.stringify(value)} is not supported`,
            `write apiVersion: ${String(issue.values[0])}`,
            { endOffset: at.end, path: where },
          ),
        ];
      }
      const allowed = issue.values.map(String);
      const guess = typeof value === 'string' ? closest(value, allowed) : undefined;
      return [
        source.at(
          'invalid-value',
          at.start,
          `${where} must be ${listOf(allowed)}, not ${JSON.stringify(value)}`,
          guess ? `did you mean "${guess}"?` : `use one of: ${allowed.join(', ')}`,
          { endOffset: at.end, path: where },
        ),
      ];
    }
    case 'too_small':
    case 'too_big': {
      const isPort = path.includes('ports') || path[path.length - 1] === 'port';
      const bound = issue.code === 'too_small' ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
      const noun = issue.origin === 'array' ? `${bound} item(s)` : bound;
      return [
        source.at(
          isPort ? 'port-range' : 'invalid-value',
          at.start,
          `${where} must be ${noun}, not ${JSON.stringify(value)}`,
          isPort ? 'ports are whole numbers from 1 to 65535' : `use a value ${bound}`,
          { endOffset: at.end, path: where },
        ),
      ];
    }
    case 'invalid_format':
      return [
        source.at(
          'invalid-value',
          at.start,
          `${where} must be ${issue.message}, not ${JSON.stringify(value)}`,
          formatHint(where),
          {
            endOffset: at.end,
            path: where,
          },
        ),
      ];
    case 'invalid_union':
      return [
        source.at(
          'invalid-type',
          at.start,
          `${where} must be ${describe(schema)}, not ${kindOf(value)}`,
          unionHint(schema),
          { endOffset: at.end, path: where },
        ),
      ];
    default:
      return [
        source.at(
          'invalid-value',
          at.start,
          `${where}: ${issue.message}`,
          'see docs/spec.md for this field',
          { path: where },
        ),
      ];
  }
}

function valueAt(raw: unknown, path: SpecPath): unknown {
  let v: unknown = raw;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null (an empty value)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

// --- walking the schema, so messages and suggestions come from the one source of truth ---

interface Def {
  type: string;
  shape?: Record<string, AnySchema>;
  valueType?: AnySchema;
  innerType?: AnySchema;
  options?: AnySchema[];
  element?: AnySchema;
  entries?: Record<string, string>;
  values?: unknown[];
  in?: AnySchema;
}
const defOf = (s: AnySchema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

function unwrap(s: AnySchema): AnySchema {
  let cur = s;
  for (;;) {
    const d = defOf(cur);
    if ((d.type === 'optional' || d.type === 'nullable' || d.type === 'default') && d.innerType)
      cur = d.innerType;
    else if (d.type === 'pipe' && d.in) cur = d.in;
    else return cur;
  }
}

/** The schemas that could describe the value at `path` (several when unions are involved). */
function schemaAt(path: SpecPath): AnySchema[] {
  let current: AnySchema[] = [specSchema];
  for (const seg of path) {
    const next: AnySchema[] = [];
    for (const s of current) {
      const u = unwrap(s);
      const d = defOf(u);
      if (d.type === 'union' && d.options) {
        for (const o of d.options) next.push(...step(o, seg));
      } else {
        next.push(...step(u, seg));
      }
    }
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

function step(s: AnySchema, seg: string | number): AnySchema[] {
  const u = unwrap(s);
  const d = defOf(u);
  if (d.type === 'object' && d.shape && typeof seg === 'string' && seg in d.shape) {
    const child = d.shape[seg];
    return child ? [child] : [];
  }
  if (d.type === 'record' && d.valueType) return [d.valueType];
  if (d.type === 'array' && d.element) return [d.element];
  if (d.type === 'union' && d.options) return d.options.flatMap((o) => step(o, seg));
  return [];
}

function knownKeys(schemas: AnySchema[]): string[] {
  const keys = new Set<string>();
  const visit = (s: AnySchema) => {
    const d = defOf(unwrap(s));
    if (d.type === 'object' && d.shape) for (const k of Object.keys(d.shape)) keys.add(k);
    if (d.type === 'union' && d.options) d.options.forEach(visit);
  };
  schemas.forEach(visit);
  return [...keys];
}

/** "a number", "a mapping", "one of a, b" — from the schema itself. */
function describe(schemas: AnySchema[]): string {
  const parts = new Set<string>();
  const visit = (s: AnySchema) => {
    const d = defOf(unwrap(s));
    switch (d.type) {
      case 'union':
        d.options?.forEach(visit);
        break;
      case 'object':
      case 'record':
        parts.add('a mapping');
        break;
      case 'array':
        parts.add('a list');
        break;
      case 'enum':
        parts.add(`one of ${listOf(Object.values(d.entries ?? {}))}`);
        break;
      case 'literal':
        parts.add(listOf(d.values ?? []));
        break;
      case 'string':
        parts.add('text');
        break;
      case 'number':
        parts.add('a number');
        break;
      case 'boolean':
        parts.add('true or false');
        break;
      default:
        parts.add('a value');
    }
  };
  schemas.forEach(visit);
  return [...parts].join(' or ') || 'a value';
}

function typeHint(schemas: AnySchema[], value: unknown): string {
  const want = describe(schemas);
  if (want.includes('a number') && typeof value === 'string' && /^\d+$/.test(value)) {
    return `remove the quotes: ${value}`;
  }
  if (want === 'text' && typeof value === 'number') return `quote it: "${value}"`;
  if (want === 'a mapping' && value === null) return 'give it some entries, or remove the key';
  if (want === 'a list' && typeof value === 'string') return `write a list: [${JSON.stringify(value)}]`;
  return `write ${want}`;
}

function unionHint(schemas: AnySchema[]): string {
  return `write ${describe(schemas)} (see docs/spec.md)`;
}

function formatHint(where: string): string {
  if (
    /\b(period|timeout|initialDelay|deadline|retention|stabilization|scaleDownDelay|pollInterval|cooldown|latencyP95|maxAge)\b/.test(
      where,
    )
  )
    return 'durations are a number and a unit: 500ms, 30s, 5m, 1h, 7d';
  if (/memory|storage|size/.test(where)) return 'memory and storage use Kubernetes units: 512Mi, 2Gi, 100Gi';
  if (/cpu/.test(where)) return 'CPU is cores (0.5, 2) or millicores (250m)';
  if (/path|target/.test(where)) return 'paths start with /';
  return 'see docs/spec.md for the accepted form';
}
