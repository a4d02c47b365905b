/**
 * One ignore file per generated Dockerfile, named `<svc>.Dockerfile.dockerignore` beside it:
 * BuildKit reads it instead of the context's `.dockerignore`, so the build context of every
 * preset service is filtered without writing into the user's source tree. Services that share a
 * context get the same rules, plus their preset's own build output.
 */
import { posix } from 'node:path';
import type { BuildModel, RuntimePreset } from '../../model/types.ts';

const ALWAYS = [
  '# Secrets never enter an image: env files, keys.',
  '**/.env',
  '**/.env.*',
  '!**/.env.example',
  '**/*.pem',
  '**/*.key',
  '# Version control, local state, editor and OS noise.',
  '.git',
  '.slipway-state',
  '**/.DS_Store',
  '**/*.log',
  'coverage',
];

const BY_PRESET: Record<RuntimePreset, string[]> = {
  node: ['**/node_modules'],
  nextjs: ['**/node_modules', '.next'],
  static: ['**/node_modules'],
  python: ['**/__pycache__', '**/*.py[cod]', '.venv', 'venv', '.pytest_cache', '.mypy_cache', '.ruff_cache'],
};

export function dockerignore(
  build: BuildModel & { preset: RuntimePreset },
  header: string,
  outputDirFromSpec: string,
): string {
  const lines = [
    header,
    ...ALWAYS,
    "# Installed and built inside the image: the host's copies would be stale.",
  ];
  lines.push(...BY_PRESET[build.preset]);
  const out = build.outputDir.replace(/^\.\/|\/+$/g, '');
  if ((build.preset === 'static' || (build.preset === 'node' && build.buildCommand)) && out && out !== '.')
    lines.push(out);
  // Slipway's own output folder, when it lies inside the context.
  const rel = posix.relative(posix.join('/spec', build.context), posix.join('/spec', outputDirFromSpec));
  const top = rel.split('/')[0];
  if (top && top !== '..' && !rel.startsWith('../')) {
    lines.push('# Rendered deployment files (slipway plan output).', top);
  }
  return `${lines.join('\n')}\n`;
}
