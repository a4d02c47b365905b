/** A compose `healthcheck:` from a Docker health test and the model's probe timings. */
import type { HealthTimings } from '../docker/health.ts';
import { literal } from './interpolation.ts';

export function composeHealthcheck(test: readonly string[], t: HealthTimings): Record<string, unknown> {
  return {
    test: test.map(literal),
    interval: `${t.intervalSeconds}s`,
    timeout: `${t.timeoutSeconds}s`,
    retries: t.retries,
    start_period: `${t.startPeriodSeconds}s`,
    start_interval: `${t.startIntervalSeconds}s`,
  };
}
