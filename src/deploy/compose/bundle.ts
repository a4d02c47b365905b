/**
 * What one deploy renders, in memory: the compose project exactly as `slipway plan` writes it
 * (paths made absolute, so the file runs from the state dir), the proxy's Caddyfile, the
 * generated Dockerfiles, and the rollout plan. `releaseCompose` turns it into the file a release
 * runs: every built image replaced by its content-tagged reference, build sections dropped (a
 * release never builds; rolling back to it needs only its images).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { parse } from 'yaml';
import { readRenderInputs } from '../../cli/_inputs.ts';
import { UsageError } from '../../cli/errors.ts';
import type { FileArtifact } from '../../render/artifact.ts';
import { renderCompose } from '../../render/compose/index.ts';
import { envFileName } from '../../render/compose/interpolation.ts';
import { renderDockerfiles } from '../../render/docker/index.ts';
import type { DeployTarget } from '../driver.ts';
import { parseEnvFile } from './env-file.ts';
import { type RolloutPlan, rolloutPlan } from './plan.ts';
import type { StatePaths } from './state.ts';

export interface BuildSpec {
  /** Services that run this image. */
  services: string[];
  /** Repository the content tag is added to (`ghcr.io/acme/shop-web`). */
  repository: string;
  context: string;
  /** Absolute path of the Dockerfile, or its text when the compose file inlines it. */
  dockerfile: { path: string } | { inline: string };
  target?: string;
  args: Record<string, string>;
}

export type ComposeObject = { name: string; services: Record<string, Record<string, unknown>> } & Record<
  string,
  unknown
>;

export interface Bundle {
  project: string;
  compose: ComposeObject;
  caddyfile?: string;
  dockerfiles: FileArtifact[];
  builds: BuildSpec[];
  plan: RolloutPlan;
  /** Absolute path of the env file the secrets come from. */
  envFile: string;
  specHash: string;
}

export function renderBundle(target: DeployTarget, paths: StatePaths, registry?: string): Bundle {
  const { loaded, model } = target;
  const posix = (p: string) => p.split(sep).join('/');
  const inputs = readRenderInputs(loaded, model, paths.build);
  const rendered = renderCompose(model, {
    files: inputs.files,
    specDirFromOutput: posix(loaded.dir),
    outputDirFromSpec: posix(relative(loaded.dir, paths.build)) || '.',
  });
  if (rendered.problems.length > 0) {
    const p = rendered.problems[0];
    throw new UsageError(
      `${model.environment.name}: ${p?.message ?? 'rendering failed'} (${rendered.problems.length} problem(s))`,
      p?.hint ?? 'slipway plan shows every problem',
    );
  }
  const text = (path: string) => rendered.files.find((f) => f.path === path)?.content;
  const compose = parse(text('compose.yaml') ?? '') as ComposeObject;
  const caddyfile = text('Caddyfile');
  const dockerfiles = renderDockerfiles(model, {
    outputDirFromSpec: posix(relative(loaded.dir, paths.build)) || '.',
  });
  return {
    project: compose.name,
    compose,
    ...(caddyfile !== undefined ? { caddyfile } : {}),
    dockerfiles,
    builds: buildSpecs(compose, registry),
    plan: rolloutPlan(model, compose),
    envFile: resolve(loaded.dir, envFileName(model)),
    specHash: createHash('sha256').update(loaded.source.text).digest('hex'),
  };
}

/** `$$` is compose's escape for a literal `$`; docker build takes the value as is. */
const literalValue = (v: string) => v.split('$$').join('$');

function buildSpecs(compose: ComposeObject, registry?: string): BuildSpec[] {
  const byKey = new Map<string, BuildSpec>();
  for (const [name, svc] of Object.entries(compose.services)) {
    const b = svc.build as
      | {
          context: string;
          dockerfile?: string;
          dockerfile_inline?: string;
          target?: string;
          args?: Record<string, string>;
        }
      | undefined;
    if (!b) continue;
    const image = String(svc.image ?? name);
    const dockerfile =
      b.dockerfile_inline !== undefined
        ? { inline: literalValue(b.dockerfile_inline) }
        : { path: resolve(b.context, b.dockerfile ?? 'Dockerfile') };
    const spec: BuildSpec = {
      services: [name],
      repository: repository(image, registry),
      context: b.context,
      dockerfile,
      ...(b.target ? { target: b.target } : {}),
      args: Object.fromEntries(Object.entries(b.args ?? {}).map(([k, v]) => [k, literalValue(String(v))])),
    };
    const key = JSON.stringify({ ...spec, services: [] });
    const seen = byKey.get(key);
    if (seen) seen.services.push(name);
    else byKey.set(key, spec);
  }
  return [...byKey.values()];
}

/** The image reference without its tag or digest, under `registry` when one is given. */
export function repository(image: string, registry?: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const repo = colon > slash ? noDigest.slice(0, colon) : noDigest;
  if (!registry) return repo;
  return `${registry.replace(/\/+$/, '')}/${repo.slice(repo.lastIndexOf('/') + 1)}`;
}

/** The compose file a release runs: content-tagged images, no build sections. */
export function releaseCompose(compose: ComposeObject, images: ReadonlyMap<string, string>): ComposeObject {
  const services: ComposeObject['services'] = {};
  for (const [name, svc] of Object.entries(compose.services)) {
    const { build: _build, ...rest } = svc;
    const image = images.get(name);
    services[name] = image ? { ...rest, image } : rest;
  }
  return { ...compose, services };
}

export function envFileIfPresent(path: string): string | undefined {
  return existsSync(path) ? path : undefined;
}

/**
 * Values shorter than this are not masked: replacing every `1`, `on` or `dev` in the output
 * would garble it (release numbers, service names) while hiding nothing a guess would not find.
 */
export const MASK_MIN_LENGTH = 4;

/**
 * Secret values of the env file, for masking output: each value as compose reads it
 * (env-file.ts), and each line of a multi-line value on its own, longest first.
 */
export function secretValues(envFile: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (!envFile || !existsSync(envFile)) return [];
  let vars: Map<string, string>;
  try {
    vars = parseEnvFile(readFileSync(envFile, 'utf8'), env);
  } catch (e) {
    throw new UsageError(
      `the env file ${envFile} cannot be read: ${(e as Error).message}`,
      'close the quote (docker compose reads the file the same way)',
    );
  }
  const out = new Set<string>();
  for (const v of vars.values()) {
    for (const part of [v, ...v.split(/\r?\n|\r/)].map((x) => x.trim())) {
      if (part.length >= MASK_MIN_LENGTH) out.add(part);
    }
  }
  return [...out].sort((a, b) => b.length - a.length);
}

export function redactor(values: readonly string[]): (s: string) => string {
  return (s) => values.reduce((acc, v) => acc.split(v).join('***'), s);
}
