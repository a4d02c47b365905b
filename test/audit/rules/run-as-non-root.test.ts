import { describe, expect, it } from 'vitest';
import { deployment, findingsOf, run, where, y } from '../_audit.ts';

describe('run-as-non-root', () => {
  it('fires twice (no group, not non-root) at the securityContext of a container without settings', () => {
    const doc = deployment('- name: app\n  image: x:1\n  securityContext: { readOnlyRootFilesystem: true }');
    const found = findingsOf('run-as-non-root', doc);
    expect(found.map((f) => `${f.line}:${f.column}`)).toEqual([
      where(doc, 'securityContext'),
      where(doc, 'securityContext'),
    ]);
    expect(found.map((f) => f.message)).toEqual([
      'container "app" does not have runAsGroup set',
      'container "app" is not set to runAsNonRoot',
    ]);
  });

  it('fires at runAsGroup: 0 and at runAsUser: 0 under runAsNonRoot', () => {
    const doc = deployment(
      y`
      - name: app
        image: x:1
        securityContext:
          runAsUser: 0
      `,
      'securityContext: { runAsNonRoot: true, runAsGroup: 0 }',
    );
    expect(run('run-as-non-root', doc)).toEqual([where(doc, '0 }'), where(doc, '0\n')]);
  });

  it('checks init containers with the pod-level fallback', () => {
    const doc = deployment(
      '- name: app\n  image: x:1',
      y`
      securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 }
      initContainers:
        - name: init
          image: x:1
          securityContext: { runAsUser: 0, runAsNonRoot: false }
      `,
    );
    expect(run('run-as-non-root', doc)).toEqual([where(doc, 'false')]);
  });

  it('does not fire with non-zero user and group, at pod or container level', () => {
    const pod = deployment(
      '- name: app\n  image: x:1',
      'securityContext: { runAsUser: 1000, runAsGroup: 1000 }',
    );
    const ctr = deployment(
      '- name: app\n  image: x:1\n  securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001 }',
    );
    expect(run('run-as-non-root', pod)).toEqual([]);
    expect(run('run-as-non-root', ctr)).toEqual([]);
  });
});
