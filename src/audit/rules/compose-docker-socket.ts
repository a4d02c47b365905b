import { arr, isObject, str } from '../_k8s.ts';
import { COMPOSE_SERVICE, defineRule } from '../types.ts';
import { isRuntimeSocket } from './_host-path.ts';

export const composeDockerSocket = defineRule({
  id: 'compose-docker-socket',
  severity: 'error',
  kinds: [COMPOSE_SERVICE],
  description: 'A Compose service mounts the Docker (or containerd, Podman) socket of the host.',
  remediation:
    'Remove the volume: whoever talks to the socket controls the host. If a tool truly needs the Docker API, put a filtering proxy (read-only, limited endpoints) in between.',
  messages: {
    mounted: 'service "{service}" mounts the runtime socket {path}',
  },
  *check(o) {
    for (const [i, v] of arr(o.value.volumes).entries()) {
      const source = typeof v === 'string' ? v.split(':')[0] : isObject(v) ? str(v.source) : undefined;
      if (source !== undefined && isRuntimeSocket(source))
        yield {
          message: 'mounted',
          data: { service: o.name, path: source },
          path: typeof v === 'string' ? `/volumes/${i}` : `/volumes/${i}/source`,
          at: 'value',
        };
    }
  },
});
