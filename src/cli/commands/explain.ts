/**
 * `slipway explain <spec> --env <e> <path>`: the value a path has in one environment, and which
 * layer (file:line) set it — or that Slipway's default decided it.
 */
import { resolveEnvironment } from '../../model/resolve.ts';
import type { Model } from '../../model/types.ts';
import { effectiveSpec, Provenance } from '../../spec/overlay.ts';
import { parseSpecPath } from '../../spec/positions.ts';
import { loadOrThrow, pickEnvironments } from '../_load.ts';
import { UsageError } from '../errors.ts';
import { type Io, json, paint } from '../output.ts';

export function explainCommand(file: string, env: string | undefined, path: string, io: Io): number {
  if (!env)
    throw new UsageError(
      'explain needs --env',
      'for example: slipway explain slipway.yaml --env prod services.web.replicas',
    );
  const { loaded } = loadOrThrow(file, io);
  pickEnvironments(loaded, env);
  const segs = parseSpecPath(path);
  const eff = effectiveSpec(loaded.spec, env);
  const model = resolveEnvironment(loaded.spec, env);
  const written = get(eff as unknown as Record<string, unknown>, segs);
  const resolved = modelValue(model, segs);
  if (written === undefined && resolved === undefined) {
    throw new UsageError(
      `${path} is not set in environment ${env} and has no default`,
      'paths look like services.web.replicas or ingress.hosts',
    );
  }
  const prov = new Provenance(loaded, env);
  const origins = prov.origins(segs).map((o) => {
    const pos = loaded.source.position(o.offset);
    return {
      layer: o.layer,
      specPath: o.specPath,
      file: pos.file,
      line: pos.line,
      column: pos.column,
      source: loaded.source.line(pos.line).trim(),
    };
  });
  const result = {
    environment: env,
    path,
    value: resolved ?? written,
    ...(written !== undefined && JSON.stringify(written) !== JSON.stringify(resolved ?? written)
      ? { written }
      : {}),
    setBy: origins.length > 0 ? origins[origins.length - 1] : { layer: 'default' },
    overrides: origins.slice(0, -1),
  };
  if (io.format === 'json') {
    io.out(json(result));
    return 0;
  }
  io.out(`${paint(io, 'bold', `${path}`)} in ${env} = ${show(result.value)}\n`);
  if ('written' in result) io.out(`  written as ${show(result.written)}, resolved by Slipway\n`);
  const last = origins[origins.length - 1];
  if (last) {
    io.out(
      `  set by ${last.layer} at ${last.file}:${last.line}:${last.column}\n    ${paint(io, 'dim', last.source)}\n`,
    );
    for (const o of origins.slice(0, -1).reverse()) {
      io.out(
        `  overrides ${o.layer} at ${o.file}:${o.line}:${o.column}\n    ${paint(io, 'dim', o.source)}\n`,
      );
    }
  } else {
    io.out("  set by Slipway's default (nothing in the spec sets it; see docs/spec.md for defaults)\n");
  }
  return 0;
}

function get(root: unknown, segs: (string | number)[]): unknown {
  let v: unknown = root;
  for (const s of segs) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[s];
  }
  return v;
}

/** The model keeps services and dependencies as sorted lists; spec paths name them by key. */
function modelValue(model: Model, segs: (string | number)[]): unknown {
  const [head, name, ...rest] = segs;
  if (head === 'services' || head === 'dependencies') {
    const list = model[head] as { name: string }[];
    const item = list.find((x) => x.name === name);
    if (name === undefined) return list;
    if (!item) return undefined;
    if (rest[0] === 'ports' && typeof rest[1] === 'string' && 'ports' in item) {
      return (item as { ports: { name: string }[] }).ports.find((p) => p.name === rest[1]);
    }
    if (rest[0] === 'env' && typeof rest[1] === 'string' && 'env' in item) {
      return (item as { env: { name: string; value: unknown }[] }).env.find((p) => p.name === rest[1])?.value;
    }
    return get(item, rest);
  }
  if (head === 'environment') return get(model.environment, segs.slice(1));
  return get(model, segs);
}

function show(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
