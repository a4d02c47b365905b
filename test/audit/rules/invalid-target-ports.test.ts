import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

describe('invalid-target-ports', () => {
  it('fires at invalid container port names and Service targetPorts', () => {
    const doc = `${deployment('- name: a\n  image: x:1\n  ports:\n    - { name: http_api, containerPort: 80 }\n    - { name: metrics-endpoint-1, containerPort: 9090 }')}---\n${y`
      apiVersion: v1
      kind: Service
      metadata: { name: web, namespace: shop }
      spec:
        selector: { app: web }
        ports:
          - { port: 80, targetPort: Http }
          - { port: 81, targetPort: 70000 }
    `}`;
    expect(run('invalid-target-ports', doc)).toEqual([
      where(doc, 'http_api'),
      where(doc, 'metrics-endpoint-1'),
      where(doc, 'Http'),
      where(doc, '70000'),
    ]);
  });

  it('does not fire on valid names and numbers', () => {
    const doc = `${deployment('- name: a\n  image: x:1\n  ports: [{ name: http, containerPort: 80 }, { name: grpc-api, containerPort: 9000 }]')}---\n${y`
      apiVersion: v1
      kind: Service
      metadata: { name: web, namespace: shop }
      spec:
        ports: [{ port: 80, targetPort: http }, { port: 81, targetPort: 8081 }, { port: 82, targetPort: "8082" }]
    `}`;
    expect(run('invalid-target-ports', doc)).toEqual([]);
  });
});
