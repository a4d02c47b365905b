import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

describe('non-existent-service-account', () => {
  it('fires at serviceAccountName when no ServiceAccount of that name is in the namespace', () => {
    const doc = `${deployment('- name: a\n  image: x:1', 'serviceAccountName: web-sa')}---\n${y`
      apiVersion: v1
      kind: ServiceAccount
      metadata: { name: web-sa, namespace: other }
    `}`;
    expect(run('non-existent-service-account', doc)).toEqual([where(doc, 'web-sa')]);
  });

  it('does not fire when the ServiceAccount is defined (another file counts), or for default', () => {
    const doc = deployment('- name: a\n  image: x:1', 'serviceAccountName: web-sa');
    const sa = y`
      apiVersion: v1
      kind: ServiceAccount
      metadata: { name: web-sa, namespace: shop }
    `;
    expect(
      run('non-existent-service-account', [
        { path: 'a.yaml', text: doc },
        { path: 'b.yaml', text: sa },
      ]),
    ).toEqual([]);
    expect(
      run(
        'non-existent-service-account',
        deployment('- name: a\n  image: x:1', 'serviceAccountName: default'),
      ),
    ).toEqual([]);
  });
});
