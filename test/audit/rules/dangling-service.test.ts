import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

const service = (selector: string, ns = 'shop') => y`
  apiVersion: v1
  kind: Service
  metadata: { name: web, namespace: ${ns} }
  spec:
    selector: ${selector}
    ports: [{ port: 80 }]
`;

describe('dangling-service', () => {
  it('fires at the selector when no pods in the namespace match', () => {
    const doc = `${deployment('- name: a\n  image: x:1')}---\n${service('{ app: api }')}`;
    expect(run('dangling-service', doc)).toEqual([where(doc, 'selector: { app: api }')]);
    const otherNs = `${deployment('- name: a\n  image: x:1')}---\n${service('{ app: web }', 'other')}`;
    expect(run('dangling-service', otherNs)).toEqual([where(otherNs, 'selector: { app: web }')]);
  });

  it('fires at spec for a selector-less Service without Endpoints', () => {
    const doc = y`
      apiVersion: v1
      kind: Service
      metadata: { name: ext }
      spec:
        ports: [{ port: 5432 }]
    `;
    expect(run('dangling-service', doc)).toEqual([where(doc, 'spec')]);
  });

  it('does not fire when a workload matches, for ExternalName, or with own EndpointSlices', () => {
    expect(
      run('dangling-service', `${deployment('- name: a\n  image: x:1')}---\n${service('{ app: web }')}`),
    ).toEqual([]);
    const ext = y`
      apiVersion: v1
      kind: Service
      metadata: { name: ext }
      spec: { type: ExternalName, externalName: db.example.com }
      ---
      apiVersion: v1
      kind: Service
      metadata: { name: legacy }
      spec: { ports: [{ port: 5432 }] }
      ---
      apiVersion: discovery.k8s.io/v1
      kind: EndpointSlice
      metadata: { name: legacy-1, labels: { kubernetes.io/service-name: legacy } }
      addressType: IPv4
      endpoints: [{ addresses: [10.0.0.5] }]
    `;
    expect(run('dangling-service', ext)).toEqual([]);
  });
});
