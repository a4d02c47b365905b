/**
 * Base images of the generated Dockerfiles and of the compose proxy, pinned. An environment can
 * replace any of them by role (`images.baseImages`: node, python, nginx, proxy), e.g. with a
 * mirror in an air-gapped registry; the Dockerfiles use no distribution-specific command, so an
 * Alpine mirror of a Debian default works too.
 */
import type { Model } from '../../model/types.ts';

export type BaseImageRole = 'node' | 'python' | 'nginx' | 'proxy';

/** Debian 12 slim variants for the runtimes; nginx's stable branch (1.30) and Caddy 2.11 on Alpine. */
export const DEFAULT_BASE_IMAGES = {
  node: (version: string) => `node:${version}-bookworm-slim`,
  python: (version: string) => `python:${version}-slim-bookworm`,
  nginx: () => 'nginxinc/nginx-unprivileged:1.30-alpine',
  proxy: () => 'caddy:2.11-alpine',
} as const satisfies Record<BaseImageRole, (version: string) => string>;

export function baseImage(model: Model, role: BaseImageRole, runtimeVersion = ''): string {
  return model.environment.images.baseImages[role] ?? DEFAULT_BASE_IMAGES[role](runtimeVersion);
}
