import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

const pdb = (selector: string) => y`
  apiVersion: policy/v1
  kind: PodDisruptionBudget
  metadata: { name: web, namespace: shop }
  spec:
    maxUnavailable: 1
    selector: ${selector}
`;

describe('dangling-pdb', () => {
  it('fires at the selector when no pods match', () => {
    const doc = `${deployment('- name: a\n  image: x:1')}---\n${pdb('{ matchLabels: { app: api } }')}`;
    expect(run('dangling-pdb', doc)).toEqual([where(doc, 'selector: { matchLabels: { app: api')]);
  });

  it('does not fire when a workload matches', () => {
    expect(
      run(
        'dangling-pdb',
        `${deployment('- name: a\n  image: x:1')}---\n${pdb('{ matchLabels: { app: web } }')}`,
      ),
    ).toEqual([]);
  });
});
