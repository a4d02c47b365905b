import { describe, expect, it } from 'vitest';
import { deployment, run, where } from '../_audit.ts';

describe('deprecated-service-account-field', () => {
  it('fires at serviceAccount', () => {
    const doc = deployment('- name: a\n  image: x:1', 'serviceAccount: web');
    expect(run('deprecated-service-account-field', doc)).toEqual([where(doc, 'serviceAccount')]);
  });

  it('does not fire on serviceAccountName', () => {
    expect(
      run(
        'deprecated-service-account-field',
        deployment('- name: a\n  image: x:1', 'serviceAccountName: web'),
      ),
    ).toEqual([]);
  });
});
