/**
 * What every deploy engine offers the CLI: one Driver per target (compose, kubernetes), chosen by
 * the environment's `target`. The commands in src/cli/commands/ only parse and wire; everything
 * that talks to an engine lives behind this interface, in src/deploy/<target>/.
 *
 * Every method resolves to the process exit code (0 ok, 1 differences found for `diff`,
 * 3 deploy failed and was rolled back) and throws the CLI's errors (UsageError,
 * ValidationError, EngineError) for everything else.
 */
import type { Io } from '../cli/output.ts';
import type { Model } from '../model/types.ts';
import type { LoadedSpec } from '../spec/loader.ts';

/** The environment being acted on, loaded and resolved. */
export interface DeployTarget {
  loaded: LoadedSpec;
  model: Model;
  /** Environment name (also `model.environment.name`). */
  env: string;
  /** The spec file as given on the command line. */
  specPath: string;
  io: Io;
}

export interface DeployOptions {
  /** Tag for images Slipway builds (CI passes the commit SHA). Default: a content hash. */
  imageTag?: string;
  /** Registry prefix for built images, overriding the spec's. */
  registry?: string;
  /** Deadline for the new release to become healthy, in seconds. */
  timeoutSeconds: number;
  /** Roll back automatically when the release fails (default true). */
  atomic: boolean;
  /** Kubernetes: take ownership of fields another field manager owns. */
  forceConflicts: boolean;
  /** Free text stored with the release record. */
  description?: string;
  /** kubeconfig context overriding the environment's `context`. */
  context?: string;
  /** Compose: the host folder holding release history (default: see the compose driver). */
  stateDir?: string;
}

export interface RollbackOptions {
  /** Revision to return to; default the one before the current. */
  to?: number;
  timeoutSeconds: number;
  context?: string;
  stateDir?: string;
}

export interface EngineOptions {
  context?: string;
  stateDir?: string;
}

export interface Driver {
  deploy(target: DeployTarget, options: DeployOptions): Promise<number>;
  rollback(target: DeployTarget, options: RollbackOptions): Promise<number>;
  history(target: DeployTarget, options: EngineOptions & { max?: number }): Promise<number>;
  status(target: DeployTarget, options: EngineOptions): Promise<number>;
  diff(target: DeployTarget, options: EngineOptions): Promise<number>;
  down(target: DeployTarget, options: EngineOptions & { volumes: boolean }): Promise<number>;
  promote(target: DeployTarget, options: EngineOptions & { service?: string }): Promise<number>;
  abort(target: DeployTarget, options: EngineOptions & { service?: string }): Promise<number>;
}

/** The release record both engines keep, as `history` shows it. */
export type ReleaseStatus = 'pending' | 'deployed' | 'superseded' | 'failed' | 'rolled-back';

export interface ReleaseSummary {
  revision: number;
  status: ReleaseStatus;
  specHash: string;
  /** Image references (with digests or content tags), by service. */
  images: Record<string, string>;
  /** Who deployed: `user@host`. */
  user: string;
  /** ISO 8601 timestamps. */
  startedAt: string;
  finishedAt?: string;
  description: string;
}
