import { describe, expect, it } from 'vitest';
import { run, where, y } from '../_audit.ts';

const services = y`
  apiVersion: v1
  kind: Service
  metadata: { name: web, namespace: shop }
  spec:
    selector: { app: web }
    ports: [{ name: http, port: 80 }]
`;

describe('dangling-ingress', () => {
  it('fires at a missing Service name and at a port the Service lacks', () => {
    const doc = `${services}---\n${y`
      apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata: { name: i, namespace: shop }
      spec:
        rules:
          - host: shop.example.com
            http:
              paths:
                - path: /api
                  pathType: Prefix
                  backend: { service: { name: api, port: { number: 80 } } }
                - path: /
                  pathType: Prefix
                  backend: { service: { name: web, port: { number: 8080 } } }
    `}`;
    expect(run('dangling-ingress', doc)).toEqual([where(doc, 'api, port'), where(doc, '8080')]);
  });

  it('does not fire when the Service and port (by number or name) exist', () => {
    const doc = `${services}---\n${y`
      apiVersion: networking.k8s.io/v1
      kind: Ingress
      metadata: { name: i, namespace: shop }
      spec:
        defaultBackend: { service: { name: web, port: { name: http } } }
        rules:
          - http:
              paths:
                - { path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }
    `}`;
    expect(run('dangling-ingress', doc)).toEqual([]);
  });
});
