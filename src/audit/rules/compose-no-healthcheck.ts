import { arr, get, isObject } from '../_k8s.ts';
import { type AuditObject, COMPOSE_SERVICE, defineRule } from '../types.ts';

/** A service others wait for with `condition: service_completed_successfully` runs to completion. */
function runsToCompletion(o: AuditObject): boolean {
  const services = get(o.parent, 'services');
  if (!isObject(services)) return false;
  return Object.values(services).some(
    (s) => get(s, 'depends_on', o.name, 'condition') === 'service_completed_successfully',
  );
}

export const composeNoHealthcheck = defineRule({
  id: 'compose-no-healthcheck',
  severity: 'warning',
  kinds: [COMPOSE_SERVICE],
  description:
    'A long-running Compose service has no healthcheck (or disables it); one-shot services others wait for with `service_completed_successfully` are exempt.',
  remediation:
    'Add a `healthcheck` (test, interval, timeout, retries) so `depends_on: condition: service_healthy` and restarts can rely on it (unless the image defines a HEALTHCHECK).',
  messages: {
    missing: 'service "{service}" has no healthcheck',
    disabled: 'service "{service}" disables its healthcheck',
  },
  *check(o) {
    if (runsToCompletion(o)) return;
    const h = o.value.healthcheck;
    if (!isObject(h)) {
      yield { message: 'missing', data: { service: o.name }, path: '' };
      return;
    }
    const test = get(h, 'test');
    if (h.disable === true || (Array.isArray(test) && arr(test)[0] === 'NONE'))
      yield { message: 'disabled', data: { service: o.name }, path: '/healthcheck' };
  },
});
