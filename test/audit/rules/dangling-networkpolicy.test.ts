import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

const policy = (selector: string, namespace = 'shop') => y`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: { name: web-allow, namespace: ${namespace} }
  spec:
    podSelector: ${selector}
    policyTypes: [Ingress]
`;
const web = deployment('- name: a\n  image: x:1');

describe('dangling-networkpolicy', () => {
  it('fires at the podSelector when no pod of the namespace matches', () => {
    const doc = `${web}---\n${policy('{ matchLabels: { app: api } }')}`;
    expect(run('dangling-networkpolicy', doc)).toEqual([where(doc, 'podSelector')]);
  });

  it('fires when the only matching pods are in another namespace', () => {
    const doc = `${web}---\n${policy('{ matchLabels: { app: web } }', 'other')}`;
    expect(run('dangling-networkpolicy', doc)).toEqual([where(doc, 'podSelector')]);
  });

  it('does not fire when a workload matches, by labels or expressions, or for an empty selector', () => {
    for (const selector of [
      '{ matchLabels: { app: web } }',
      '{ matchExpressions: [{ key: app, operator: In, values: [web, api] }] }',
      '{}',
    ])
      expect(run('dangling-networkpolicy', `${web}---\n${policy(selector)}`), selector).toEqual([]);
  });

  it("counts the pods operators make: a CloudNativePG cluster's and a Redis failover's", () => {
    const operators = y`
      apiVersion: postgresql.cnpg.io/v1
      kind: Cluster
      metadata: { name: db, namespace: shop }
      spec: { instances: 3 }
      ---
      apiVersion: databases.spotahome.com/v1
      kind: RedisFailover
      metadata: { name: cache, namespace: shop }
      spec: { redis: { replicas: 3 } }
    `;
    for (const selector of [
      '{ matchLabels: { cnpg.io/cluster: db, cnpg.io/instanceRole: primary } }',
      '{ matchLabels: { app.kubernetes.io/name: cache, app.kubernetes.io/component: sentinel } }',
    ])
      expect(run('dangling-networkpolicy', `${operators}---\n${policy(selector)}`), selector).toEqual([]);
    const doc = `${operators}---\n${policy('{ matchLabels: { cnpg.io/cluster: dbx } }')}`;
    expect(run('dangling-networkpolicy', doc)).toEqual([where(doc, 'podSelector')]);
  });
});
