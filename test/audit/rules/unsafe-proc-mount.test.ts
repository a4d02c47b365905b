import { describe, expect, it } from 'vitest';
import { deployment, run, where } from '../_audit.ts';

describe('unsafe-proc-mount', () => {
  it('fires at procMount: Unmasked', () => {
    const doc = deployment('- name: a\n  image: x:1\n  securityContext: { procMount: Unmasked }');
    expect(run('unsafe-proc-mount', doc)).toEqual([where(doc, 'Unmasked')]);
  });

  it('does not fire on Default', () => {
    expect(
      run(
        'unsafe-proc-mount',
        deployment('- name: a\n  image: x:1\n  securityContext: { procMount: Default }'),
      ),
    ).toEqual([]);
  });
});
