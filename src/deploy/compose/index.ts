/**
 * The compose deploy driver: a single Docker host, the release history in a state folder on it.
 * deploy.ts builds and applies releases, status.ts reports, diff.ts compares; see
 * docs/deploy-compose.md.
 */
import { UsageError } from '../../cli/errors.ts';
import type { Driver } from '../driver.ts';
import { deploy, pathsFor, rollback } from './deploy.ts';
import { diff } from './diff.ts';
import { withFsErrors } from './fs-errors.ts';
import { down, history, status } from './status.ts';

const blueGreenOnly = (command: string) => async (): Promise<number> => {
  throw new UsageError(
    `${command} is a Kubernetes blue-green step; compose environments have no waiting colour`,
    command === 'promote'
      ? 'slipway deploy switches the proxy itself as soon as the new containers are healthy'
      : 'a compose deploy that fails rolls back by itself; to undo a finished one: slipway rollback',
  );
};

/** Every command turns a filesystem failure on the state folder into an error naming the path. */
export const composeDriver: Driver = {
  deploy: (target, o) => withFsErrors(() => deploy(target, o)),
  rollback: (target, o) => withFsErrors(() => rollback(target, o)),
  history: (target, o) => withFsErrors(async () => history(target, pathsFor(target, o.stateDir), o.max)),
  status: (target, o) => withFsErrors(async () => status(target, pathsFor(target, o.stateDir))),
  diff: (target, o) => withFsErrors(async () => diff(target, pathsFor(target, o.stateDir))),
  down: (target, o) => withFsErrors(async () => down(target, pathsFor(target, o.stateDir), o.volumes)),
  promote: blueGreenOnly('promote'),
  abort: blueGreenOnly('abort'),
};
