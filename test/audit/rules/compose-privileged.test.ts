import { describe, expect, it } from 'vitest';
import { run, where, y } from '../_audit.ts';

describe('compose-privileged', () => {
  it('fires at privileged: true', () => {
    const doc = y`
      services:
        agent:
          image: agent:1.0
          privileged: true
    `;
    expect(run('compose-privileged', doc, { path: 'compose.yaml' })).toEqual([where(doc, 'privileged')]);
  });

  it('does not fire otherwise', () => {
    expect(
      run('compose-privileged', 'services:\n  web: { image: "nginx:1.27", privileged: false }\n'),
    ).toEqual([]);
  });
});
