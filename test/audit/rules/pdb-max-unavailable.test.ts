import { describe, expect, it } from 'vitest';
import { run, where, y } from '../_audit.ts';

const pdb = (max: string) => y`
  apiVersion: policy/v1
  kind: PodDisruptionBudget
  metadata: { name: web }
  spec:
    maxUnavailable: ${max}
    selector: { matchLabels: { app: web } }
`;

describe('pdb-max-unavailable', () => {
  it('fires at maxUnavailable 0 and 0%', () => {
    const a = pdb('0');
    const b = pdb('"0%"');
    expect(run('pdb-max-unavailable', a)).toEqual([where(a, '0\n')]);
    expect(run('pdb-max-unavailable', b)).toEqual([where(b, '"0%"')]);
  });

  it('does not fire on 1 or a percentage', () => {
    expect(run('pdb-max-unavailable', pdb('1'))).toEqual([]);
    expect(run('pdb-max-unavailable', pdb('"25%"'))).toEqual([]);
  });
});
