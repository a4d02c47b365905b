import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

const policy = (selector: string, ns = 'shop') => y`
  apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: { name: p, namespace: ${ns} }
  spec:
    podSelector: ${selector}
    policyTypes: [Ingress]
`;

describe('non-isolated-pod', () => {
  it('fires at the pod labels when no policy of the namespace selects them', () => {
    const doc = `${deployment('- name: a\n  image: x:1')}---\n${policy('{ matchLabels: { app: api } }')}---\n${policy('{}', 'other')}`;
    expect(run('non-isolated-pod', doc)).toEqual([where(doc, 'labels')]);
  });

  it('does not fire under a matching or a namespace-wide policy', () => {
    expect(
      run(
        'non-isolated-pod',
        `${deployment('- name: a\n  image: x:1')}---\n${policy('{ matchLabels: { app: web } }')}`,
      ),
    ).toEqual([]);
    expect(run('non-isolated-pod', `${deployment('- name: a\n  image: x:1')}---\n${policy('{}')}`)).toEqual(
      [],
    );
  });
});
