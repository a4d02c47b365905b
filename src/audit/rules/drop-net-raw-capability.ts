import { containersOf, get, POD_SPEC_KINDS, podSpecOf } from '../_k8s.ts';
import { defineRule } from '../types.ts';
import { capabilities, dropListPath } from './_capabilities.ts';

const isNetRaw = (c: string) => /^(CAP_)?NET_RAW$/i.test(c);
const isAll = (c: string) => /^all$/i.test(c);

export const dropNetRawCapability = defineRule({
  id: 'drop-net-raw-capability',
  severity: 'warning',
  kinds: POD_SPEC_KINDS,
  description:
    'A container that sets `securityContext.capabilities` does not drop NET_RAW (or ALL), or adds it.',
  remediation:
    'Add `NET_RAW` (better: `ALL`) to `securityContext.capabilities.drop` and do not add it back: NET_RAW lets a process craft raw packets, spoof traffic and sniff the pod network.',
  messages: {
    notDropped: 'container "{container}" does not drop NET_RAW (drop: [{drop}])',
    added: 'container "{container}" adds the NET_RAW capability',
  },
  docs: {
    kubeLinter:
      '`drop-net-raw-capability` (default): like kube-linter, a container without a `capabilities` block is not reported here (Pod Security restricted asks for `drop: [ALL]` on every container: `pss-restricted-capabilities`).',
  },
  *check(o) {
    const pod = podSpecOf(o);
    if (!pod) return;
    for (const c of containersOf(pod)) {
      const caps = get(c.c, 'securityContext', 'capabilities');
      if (caps === undefined || caps === null) continue;
      for (const a of capabilities(c, 'add'))
        if (isNetRaw(a.name) || isAll(a.name))
          yield { message: 'added', data: { container: c.name }, path: a.at, at: 'value' };
      const drop = capabilities(c, 'drop');
      if (!drop.some((d) => isNetRaw(d.name) || isAll(d.name)))
        yield {
          message: 'notDropped',
          data: { container: c.name, drop: drop.map((d) => d.name).join(', ') },
          path: dropListPath(c),
        };
    }
  },
});
