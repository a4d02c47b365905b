/** The compose deploy driver. Under construction: every operation says so and changes nothing. */
import { UsageError } from '../../cli/errors.ts';
import type { Driver } from '../driver.ts';

const notYet = async (): Promise<number> => {
  throw new UsageError(
    'deploying to compose is not implemented yet',
    'slipway render --target compose writes the files',
  );
};

export const composeDriver: Driver = {
  deploy: notYet,
  rollback: notYet,
  history: notYet,
  status: notYet,
  diff: notYet,
  down: notYet,
  promote: notYet,
  abort: notYet,
};
