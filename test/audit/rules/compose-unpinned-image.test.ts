import { describe, expect, it } from 'vitest';
import { run, where, y } from '../_audit.ts';

describe('compose-unpinned-image', () => {
  it('fires at latest and untagged images', () => {
    const doc = y`
      services:
        a: { image: "nginx:latest" }
        b:
          image: redis
    `;
    expect(run('compose-unpinned-image', doc)).toEqual([where(doc, '"nginx:latest"'), where(doc, 'redis')]);
  });

  it('does not fire on pinned images or images built locally', () => {
    const doc = y`
      services:
        a: { image: "nginx:1.27" }
        b: { image: myapp, build: . }
    `;
    expect(run('compose-unpinned-image', doc)).toEqual([]);
  });
});
