import { arr, get, isObject, str } from '../_k8s.ts';
import { defineRule } from '../types.ts';

/** Does a TLS host entry (possibly `*.example.com`) cover `host`? */
function covers(tlsHost: string, host: string): boolean {
  if (tlsHost === host) return true;
  if (tlsHost.startsWith('*.')) {
    const rest = host.split('.').slice(1).join('.');
    return rest === tlsHost.slice(2);
  }
  return false;
}

export const ingressWithoutTls = defineRule({
  id: 'ingress-without-tls',
  severity: 'warning',
  kinds: ['Ingress'],
  description:
    'An Ingress serves plain HTTP: it has no `spec.tls`, or a host of its rules is not listed in it.',
  remediation:
    'Add a `spec.tls` entry with the host and a certificate Secret (e.g. issued by cert-manager: annotation `cert-manager.io/cluster-issuer`).',
  messages: {
    noTls: 'the Ingress has no TLS: traffic, cookies and credentials travel in clear text',
    hostNotCovered: 'the host {host} is not covered by spec.tls',
  },
  docs: {
    rationale:
      'Without TLS anyone on the path can read and alter requests, including session cookies and logins.',
  },
  *check(o) {
    const spec = get(o.value, 'spec');
    if (!isObject(spec)) return;
    const tls = arr(spec.tls).filter(isObject);
    if (tls.length === 0) {
      yield { message: 'noTls', path: isObject(spec) ? '/spec' : '' };
      return;
    }
    // A TLS entry without hosts serves its certificate for every host.
    if (tls.some((t) => arr(t.hosts).length === 0)) return;
    const tlsHosts = tls.flatMap((t) => arr(t.hosts).flatMap((h) => (typeof h === 'string' ? [h] : [])));
    for (const [i, r] of arr(spec.rules).entries()) {
      const host = str(get(r, 'host'));
      if (host === undefined || host === '') continue;
      if (!tlsHosts.some((t) => covers(t, host)))
        yield { message: 'hostNotCovered', data: { host }, path: `/spec/rules/${i}/host`, at: 'value' };
    }
  },
});
