import { describe, expect, it } from 'vitest';
import { deployment, run, where } from '../_audit.ts';

describe('no-read-only-root-fs', () => {
  it('fires at readOnlyRootFilesystem: false, and at the container without securityContext', () => {
    const doc = deployment(
      '- name: a\n  image: x:1\n  securityContext: { readOnlyRootFilesystem: false }\n- name: b\n  image: x:1',
    );
    expect(run('no-read-only-root-fs', doc)).toEqual([where(doc, 'false'), where(doc, 'name: b')]);
  });

  it('does not fire when true (init containers are not checked, as kube-linter)', () => {
    const doc = deployment(
      '- name: a\n  image: x:1\n  securityContext: { readOnlyRootFilesystem: true }',
      'initContainers: [{ name: i, image: "x:1" }]',
    );
    expect(run('no-read-only-root-fs', doc)).toEqual([]);
  });
});
