/** The driver for an environment's target, loaded on demand (each pulls in its engine's client). */
import type { Target } from '../model/types.ts';
import type { Driver } from './driver.ts';

export async function driverFor(target: Target): Promise<Driver> {
  switch (target) {
    case 'compose':
      return (await import('./compose/index.ts')).composeDriver;
    case 'kubernetes':
      return (await import('./kubernetes/index.ts')).kubernetesDriver;
  }
}
