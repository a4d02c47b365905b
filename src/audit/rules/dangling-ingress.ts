import { arr, get, isObject, str } from '../_k8s.ts';
import type { AuditObject, RuleContext } from '../types.ts';
import { defineRule } from '../types.ts';

interface Backend {
  service: string;
  port: unknown;
  /** Pointer of the service name. */
  at: string;
  portAt: string;
}

function backends(o: AuditObject): Backend[] {
  const out: Backend[] = [];
  const add = (b: unknown, at: string) => {
    if (!isObject(b)) return;
    if (isObject(b.service)) {
      const name = str(b.service.name);
      if (name === undefined) return;
      const port = get(b.service, 'port', 'number') ?? get(b.service, 'port', 'name');
      const portKey = get(b.service, 'port', 'number') !== undefined ? 'number' : 'name';
      out.push({ service: name, port, at: `${at}/service/name`, portAt: `${at}/service/port/${portKey}` });
    } else if (typeof b.serviceName === 'string') {
      // extensions/v1beta1 and networking.k8s.io/v1beta1
      out.push({
        service: b.serviceName,
        port: b.servicePort,
        at: `${at}/serviceName`,
        portAt: `${at}/servicePort`,
      });
    }
  };
  add(get(o.value, 'spec', 'defaultBackend'), '/spec/defaultBackend');
  add(get(o.value, 'spec', 'backend'), '/spec/backend');
  arr(get(o.value, 'spec', 'rules')).forEach((r, i) => {
    arr(get(r, 'http', 'paths')).forEach((p, j) => {
      add(get(p, 'backend'), `/spec/rules/${i}/http/paths/${j}/backend`);
    });
  });
  return out;
}

function findService(ctx: RuleContext, o: AuditObject, name: string): AuditObject | undefined {
  return ctx.named('Service', o.namespace, name);
}

export const danglingIngress = defineRule({
  id: 'dangling-ingress',
  severity: 'warning',
  kinds: ['Ingress'],
  description:
    'An Ingress routes to a Service, or a Service port, that none of the audited manifests define.',
  remediation: "Fix the backend's service name and port to those of a Service in the same namespace.",
  messages: {
    noService: 'the backend Service "{service}" is not defined in {namespace}',
    noPort: 'the Service "{service}" has no port {port}',
  },
  docs: {
    kubeLinter:
      '`dangling-ingress` (not enabled by default in kube-linter), same check. It reads only the manifests audited together.',
  },
  *check(o, ctx) {
    for (const b of backends(o)) {
      const svc = findService(ctx, o, b.service);
      if (svc === undefined) {
        yield {
          message: 'noService',
          data: {
            service: b.service,
            namespace: o.namespace === '' ? 'the manifests' : `namespace ${o.namespace}`,
          },
          path: b.at,
          at: 'value',
        };
        continue;
      }
      if (b.port === undefined) continue;
      const ports = arr(get(svc.value, 'spec', 'ports'));
      const ok = ports.some(
        (p) => isObject(p) && (p.port === b.port || (typeof b.port === 'string' && p.name === b.port)),
      );
      if (!ok)
        yield {
          message: 'noPort',
          data: { service: b.service, port: String(b.port) },
          path: b.portAt,
          at: 'value',
        };
    }
  },
});
