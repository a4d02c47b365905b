#!/usr/bin/env node
// The installed entry point: the compiled CLI (npm ci builds it through `prepare`).
// Run directly on an older system Node (e.g. `./bin/slipway.js` on Node 20), it re-runs itself
// on the Node 24 that `npm ci` installed next to it, so it never fails on syntax or APIs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  const pinned = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(pinned)) {
    process.stderr.write(
      `slipway needs Node 22 or newer (this is ${process.version}); run \`npm ci\` to install the pinned Node 24.\n`,
    );
    process.exit(2);
  }
  const r = spawnSync(pinned, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}

// Cache V8's compiled code on disk (Node ≥ 22.1): later runs skip parsing and compiling the
// CLI and its libraries, which is most of a cold start.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();

const { main } = await import('../dist/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
