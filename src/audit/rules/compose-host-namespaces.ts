import { COMPOSE_SERVICE, defineRule } from '../types.ts';

const FIELDS = ['network_mode', 'pid', 'ipc', 'uts', 'userns_mode'] as const;

export const composeHostNamespaces = defineRule({
  id: 'compose-host-namespaces',
  severity: 'error',
  kinds: [COMPOSE_SERVICE],
  description:
    'A Compose service shares a namespace of the host: its network (`network_mode: host`), processes (`pid: host`), IPC, UTS or user namespace.',
  remediation:
    'Remove the `host` setting: publish ports with `ports:` instead of the host network, and keep the service in its own namespaces.',
  messages: {
    host: 'service "{service}" sets {field}: host',
  },
  *check(o) {
    for (const f of FIELDS)
      if (o.value[f] === 'host')
        yield { message: 'host', data: { service: o.name, field: f }, path: `/${f}`, at: 'value' };
  },
});
