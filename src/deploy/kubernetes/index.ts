/** The kubernetes deploy driver. Under construction: every operation says so and changes nothing. */
import { UsageError } from '../../cli/errors.ts';
import type { Driver } from '../driver.ts';

const notYet = async (): Promise<number> => {
  throw new UsageError(
    'deploying to kubernetes is not implemented yet',
    'slipway render --target kubernetes writes the files',
  );
};

export const kubernetesDriver: Driver = {
  deploy: notYet,
  rollback: notYet,
  history: notYet,
  status: notYet,
  diff: notYet,
  down: notYet,
  promote: notYet,
  abort: notYet,
};
