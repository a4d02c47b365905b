import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

describe('latest-tag', () => {
  it('fires at the image value for :latest and for no tag (registry ports are not tags)', () => {
    const doc = deployment(y`
      - name: a
        image: nginx:latest
      - name: b
        image: registry.local:5000/team/app
      - name: c
        image: redis
    `);
    expect(run('latest-tag', doc)).toEqual([
      where(doc, 'nginx:latest'),
      where(doc, 'registry.local:5000/team/app'),
      where(doc, 'redis'),
    ]);
  });

  it('does not fire on a version tag or a digest', () => {
    const doc = deployment(y`
      - name: a
        image: nginx:1.27.2
      - name: b
        image: ghcr.io/org/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
      - name: c
        image: registry.local:5000/app:2.1
    `);
    expect(run('latest-tag', doc)).toEqual([]);
  });
});
