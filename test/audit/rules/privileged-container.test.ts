import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

describe('privileged-container', () => {
  it('fires at `privileged` of each privileged container, init containers included', () => {
    const doc = deployment(
      y`
      - name: app
        image: nginx:1.27
        securityContext:
          privileged: true
      `,
      y`
      initContainers:
        - name: init
          image: busybox:1.36
          securityContext: { privileged: true }
      `,
    );
    expect(run('privileged-container', doc)).toEqual([
      where(doc, 'privileged: true }'),
      where(doc, 'privileged: true\n'),
    ]);
  });

  it('does not fire on privileged: false or no securityContext', () => {
    const doc = deployment(y`
      - name: app
        image: nginx:1.27
        securityContext: { privileged: false }
      - name: side
        image: nginx:1.27
    `);
    expect(run('privileged-container', doc)).toEqual([]);
  });
});
