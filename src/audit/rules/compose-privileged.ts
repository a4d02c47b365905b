import { COMPOSE_SERVICE, defineRule } from '../types.ts';

export const composePrivileged = defineRule({
  id: 'compose-privileged',
  severity: 'error',
  kinds: [COMPOSE_SERVICE],
  description: 'A Compose service runs privileged (`privileged: true`).',
  remediation: 'Remove `privileged: true`; add only the capability the service needs with `cap_add`.',
  messages: {
    privileged: 'service "{service}" runs privileged: root in it is root on the host',
  },
  *check(o) {
    if (o.value.privileged === true)
      yield { message: 'privileged', data: { service: o.name }, path: '/privileged' };
  },
});
