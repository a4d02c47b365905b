/** Where things are, from the repository root (the parent of bench/). */

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The repository's own Node (24): the system one is too old. */
export const NODE = join(ROOT, 'node_modules', '.bin', 'node');
export const CLI = join(ROOT, 'bin', 'slipway.js');
export const DIST_INDEX = join(ROOT, 'dist', 'index.js');
/** Overridable so the runner can be tried against specs outside the repository. */
export const EXAMPLES = process.env.SLIPWAY_BENCH_EXAMPLES ?? join(ROOT, 'examples');
