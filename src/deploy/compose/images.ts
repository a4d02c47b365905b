/**
 * Building a release's images and keeping the previous ones. Each distinct build (services that
 * share an image build it once) runs `docker build` with BuildKit; the image is tagged by its
 * content — the first 12 hex digits of its image ID, so an unchanged build gives the same tag and
 * the release is recognised as unchanged — or by `--image-tag`. Never `latest`.
 *
 * Retention: the images of the newest `keep` successful releases (and of the serving one) stay on
 * the host so a rollback needs no build; older releases' built images are untagged.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../../cli/errors.ts';
import type { Io } from '../../cli/output.ts';
import type { FileArtifact } from '../../render/artifact.ts';
import type { BuildSpec } from './bundle.ts';
import type { Engine } from './engine.ts';
import type { ReleaseRecord } from './releases.ts';

export interface BuiltImage {
  ref: string;
  id: string;
}

/** Writes the generated Dockerfiles and builds every image; resolves to service → image. */
export async function buildImages(
  engine: Engine,
  io: Io,
  builds: readonly BuildSpec[],
  dockerfiles: readonly FileArtifact[],
  buildDir: string,
  imageTag: string | undefined,
): Promise<Map<string, BuiltImage>> {
  rmSync(join(buildDir, 'docker'), { recursive: true, force: true });
  for (const f of dockerfiles) {
    const path = join(buildDir, f.path);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, f.content);
  }
  const out = new Map<string, BuiltImage>();
  for (const b of builds) {
    const started = Date.now();
    let dockerfile: string;
    if ('inline' in b.dockerfile) {
      dockerfile = join(buildDir, 'docker', `${b.services[0]}.inline.Dockerfile`);
      mkdirSync(join(buildDir, 'docker'), { recursive: true });
      writeFileSync(dockerfile, b.dockerfile.inline);
    } else dockerfile = b.dockerfile.path;
    const iid = join(buildDir, `${b.services[0]}.iid`);
    rmSync(iid, { force: true });
    const r = await engine.exec([
      'build',
      '--file',
      dockerfile,
      '--iidfile',
      iid,
      ...(b.target ? ['--target', b.target] : []),
      ...Object.entries(b.args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
      b.context,
    ]);
    if (r.code !== 0)
      throw new EngineError(
        `building the image of ${b.services.join(', ')} failed (nothing was changed)`,
        `${engine.tail(r.stderr, 25)}\n(docker build --file ${dockerfile} ${b.context})`,
      );
    const id = readFileSync(iid, 'utf8').trim();
    const tag = imageTag ?? id.replace(/^sha256:/, '').slice(0, 12);
    const ref = `${b.repository}:${tag}`;
    await engine.run(`tagging ${ref}`, ['tag', id, ref]);
    io.err(`  built ${ref} (${b.services.join(', ')}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    for (const s of b.services) out.set(s, { ref, id });
  }
  return out;
}

/**
 * The built images no kept release uses: kept are the current release and the newest `keep`
 * releases that served (deployed or superseded); failed releases keep nothing.
 */
export function imagesToPrune(records: readonly ReleaseRecord[], current: number, keep: number): string[] {
  const good = records
    .filter((r) => r.status === 'deployed' || r.status === 'superseded' || r.revision === current)
    .sort((a, b) => b.revision - a.revision);
  const kept = new Set([current, ...good.slice(0, keep).map((r) => r.revision)]);
  const keepRefs = new Set(
    records.filter((r) => kept.has(r.revision)).flatMap((r) => Object.values(r.built)),
  );
  return [
    ...new Set(
      records
        .filter((r) => !kept.has(r.revision))
        .flatMap((r) => Object.values(r.built))
        .filter((ref) => !keepRefs.has(ref)),
    ),
  ].sort();
}

/** Untags the built images of releases beyond the newest `keep` successful ones. */
export async function pruneImages(
  engine: Engine,
  records: readonly ReleaseRecord[],
  current: number,
  keep: number,
): Promise<string[]> {
  const removed: string[] = [];
  for (const ref of imagesToPrune(records, current, keep)) {
    // An image a container still uses stays (docker refuses without --force): that is fine.
    const r = await engine.exec(['image', 'rm', ref]);
    if (r.code === 0) removed.push(ref);
  }
  return removed;
}

/** How many releases keep their images: $SLIPWAY_KEEP_RELEASES, default 5. */
export function keepCount(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.SLIPWAY_KEEP_RELEASES ?? 5);
  return Number.isInteger(n) && n >= 1 ? n : 5;
}
