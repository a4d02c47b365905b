import { describe, expect, it } from 'vitest';
import { run, where, y } from '../_audit.ts';

describe('compose-obsolete-version', () => {
  it('fires at the top-level version key', () => {
    const doc = y`
      version: '3.8'
      services:
        web: { image: "nginx:1.27" }
    `;
    expect(run('compose-obsolete-version', doc, { path: 'docker-compose.yml' })).toEqual([
      where(doc, 'version'),
    ]);
  });

  it('does not fire without it', () => {
    expect(run('compose-obsolete-version', 'services:\n  web: { image: "nginx:1.27" }\n')).toEqual([]);
  });
});
