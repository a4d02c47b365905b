/**
 * The Ingress: hosts, TLS through cert-manager or a provided secret, path routing, HTTPS
 * redirects, and the security headers (ingress-nginx's `custom-headers` annotation, which reads
 * a ConfigMap; snippet annotations are off by default in current controllers, so none are used).
 */
import type { V1HTTPIngressPath, V1Ingress } from '@kubernetes/client-node';
import type { Model } from '../../model/types.ts';
import { labels, objectName } from './_names.ts';
import type { KubeObject } from './_object.ts';
import { sortKeys } from './config.ts';

export function ingressHosts(model: Model): string[] {
  const ing = model.ingress;
  if (!ing) return [];
  return [...new Set([...ing.hosts, ...ing.routes.flatMap((r) => (r.host ? [r.host] : []))])];
}

export function renderIngress(model: Model): KubeObject[] {
  const ing = model.ingress;
  if (!ing) return [];
  const ns = model.environment.namespace;
  const out: KubeObject[] = [];
  const annotations: Record<string, string> = {};
  if (ing.tls?.issuer)
    annotations[
      ing.tls.issuerKind === 'Issuer' ? 'cert-manager.io/issuer' : 'cert-manager.io/cluster-issuer'
    ] = ing.tls.issuer;
  if (ing.tls) {
    annotations['nginx.ingress.kubernetes.io/ssl-redirect'] = 'true';
    annotations['nginx.ingress.kubernetes.io/force-ssl-redirect'] = 'true';
  }
  if (ing.maxBodySize)
    annotations['nginx.ingress.kubernetes.io/proxy-body-size'] = ing.maxBodySize
      .replace(/i$/, '')
      .replace(/([KMG])$/, (u) => u.toLowerCase());
  const affinity = ing.routes.some((r) => model.services.find((s) => s.name === r.service)?.sessionAffinity);
  if (affinity) {
    // Seed 000: OAuth flows need the same replica across the redirect round trip.
    annotations['nginx.ingress.kubernetes.io/affinity'] = 'cookie';
    annotations['nginx.ingress.kubernetes.io/affinity-mode'] = 'persistent';
  }
  if (Object.keys(ing.securityHeaders).length > 0) {
    const headersName = objectName(model, 'response-headers');
    annotations['nginx.ingress.kubernetes.io/custom-headers'] = `${ns}/${headersName}`;
    out.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: headersName, namespace: ns, labels: labels(model, 'ingress') },
      data: sortKeys(ing.securityHeaders),
    });
  }

  const hosts = ingressHosts(model);
  const pathsFor = (host: string): V1HTTPIngressPath[] =>
    ing.routes
      .filter((r) => r.host === undefined || r.host === host)
      .map((r) => ({
        path: r.path,
        pathType: r.pathType,
        backend: { service: { name: objectName(model, r.service), port: { name: r.port.name } } },
      }));
  const ingress: V1Ingress & KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: objectName(model, 'ingress'),
      namespace: ns,
      labels: labels(model, 'ingress'),
      ...(Object.keys(annotations).length > 0 ? { annotations: sortKeys(annotations) } : {}),
    },
    spec: {
      ingressClassName: ing.className,
      ...(ing.tls ? { tls: [{ hosts, secretName: ing.tls.secret }] } : {}),
      rules: hosts
        .map((host) => ({ host, http: { paths: pathsFor(host) } }))
        .filter((r) => r.http.paths.length > 0),
    },
  };
  out.push(ingress);
  return out;
}
