/**
 * The compose deploy driver: a single Docker host, the release history in a state folder on it.
 * deploy.ts builds and applies releases, status.ts reports, diff.ts compares; see
 * docs/deploy-compose.md.
 */
import { UsageError } from '../../cli/errors.ts';
import type { Driver } from '../driver.ts';
import { deploy, pathsFor, rollback } from './deploy.ts';
import { diff } from './diff.ts';
import { down, history, status } from './status.ts';

const blueGreenOnly = (command: string) => async (): Promise<number> => {
  throw new UsageError(
    `${command} is a Kubernetes blue-green step; compose environments have no waiting colour`,
    command === 'promote'
      ? 'slipway deploy switches the proxy itself as soon as the new containers are healthy'
      : 'a compose deploy that fails rolls back by itself; to undo a finished one: slipway rollback',
  );
};

export const composeDriver: Driver = {
  deploy,
  rollback,
  history: async (target, o) => history(target, pathsFor(target, o.stateDir), o.max),
  status: async (target, o) => status(target, pathsFor(target, o.stateDir)),
  diff: async (target, o) => diff(target, pathsFor(target, o.stateDir)),
  down: async (target, o) => down(target, pathsFor(target, o.stateDir), o.volumes),
  promote: blueGreenOnly('promote'),
  abort: blueGreenOnly('abort'),
};
