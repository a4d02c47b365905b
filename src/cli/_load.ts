/** Loading a spec for a command: diagnostics become a ValidationError; warnings are shown and kept. */
import { hasErrors } from '../spec/diagnostics.ts';
import { type LoadedSpec, loadSpecFile } from '../spec/loader.ts';
import { ValidationError } from './errors.ts';
import { formatDiagnostics, type Io } from './output.ts';

export function loadOrThrow(
  file: string,
  io: Io,
): { loaded: LoadedSpec; warnings: ReturnType<typeof loadSpecFile>['diagnostics'] } {
  const result = loadSpecFile(file);
  if (!result.loaded || hasErrors(result.diagnostics)) throw new ValidationError(result.diagnostics);
  if (io.format === 'text' && result.diagnostics.length > 0)
    io.err(`${formatDiagnostics(result.diagnostics, io)}\n`);
  return { loaded: result.loaded, warnings: result.diagnostics };
}

/** The environments to act on: the one asked for (checked), or all. */
export function pickEnvironments(loaded: LoadedSpec, env: string | undefined): string[] {
  const all = Object.keys(loaded.spec.environments);
  if (env === undefined) return all;
  if (!all.includes(env)) {
    throw new ValidationError([
      {
        code: 'unknown-environment',
        severity: 'error',
        message: `environment "${env}" is not defined in ${loaded.file}`,
        hint: `defined: ${all.join(', ')}`,
        location: { file: loaded.file, line: 1, column: 1 },
      },
    ]);
  }
  return [env];
}
