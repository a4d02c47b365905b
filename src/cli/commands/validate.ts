/** `slipway validate <spec>`: load and check, report every problem at once. */

import { loadOrThrow } from '../_load.ts';
import { type Io, json, paint } from '../output.ts';

export function validateCommand(file: string, io: Io): number {
  const { loaded, warnings } = loadOrThrow(file, io);
  const { spec } = loaded;
  const envs = Object.entries(spec.environments).map(([name, e]) => ({
    name,
    target: e.target ?? 'compose',
  }));
  const summary = {
    valid: true,
    file,
    app: spec.app.name,
    services: Object.keys(spec.services).length,
    dependencies: Object.keys(spec.dependencies ?? {}).length,
    environments: envs,
    diagnostics: warnings,
  };
  if (io.format === 'json') io.out(json(summary));
  else {
    io.out(
      `${paint(io, 'green', '✓')} ${file} is valid: ${summary.services} service(s), ${summary.dependencies} dependenc${summary.dependencies === 1 ? 'y' : 'ies'}, ` +
        `${envs.length} environment(s) (${envs.map((e) => `${e.name}: ${e.target}`).join(', ')})\n`,
    );
  }
  return 0;
}
