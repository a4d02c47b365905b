import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

const policy = (peer: string) => y`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: { name: web-allow, namespace: shop }
  spec:
    podSelector: { matchLabels: { app: web } }
    policyTypes: [Ingress, Egress]
    ingress:
      - from:
          - ${peer}
    egress:
      - to:
          - podSelector: { matchLabels: { app: web } }
`;
const web = deployment('- name: a\n  image: x:1');

describe('dangling-networkpolicypeer', () => {
  it('fires at the peer podSelector when no pod of the namespace matches', () => {
    const doc = `${web}---\n${policy('podSelector: { matchLabels: { app: frontend } }')}`;
    expect(run('dangling-networkpolicypeer', doc)).toEqual([
      where(doc, 'podSelector: { matchLabels: { app: frontend'),
    ]);
  });

  it('does not fire for a matching peer, a peer in another namespace, an empty selector or an ipBlock', () => {
    for (const peer of [
      'podSelector: { matchLabels: { app: web } }',
      'podSelector: { matchLabels: { app: frontend } }\n            namespaceSelector: { matchLabels: { team: a } }',
      'podSelector: {}',
      'ipBlock: { cidr: 10.0.0.0/8 }',
    ])
      expect(run('dangling-networkpolicypeer', `${web}---\n${policy(peer)}`), peer).toEqual([]);
  });
});
