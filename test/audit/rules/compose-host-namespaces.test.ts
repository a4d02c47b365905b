import { describe, expect, it } from 'vitest';
import { run, where, y } from '../_audit.ts';

describe('compose-host-namespaces', () => {
  it('fires at network_mode: host and pid: host', () => {
    const doc = y`
      services:
        mon:
          image: mon:1.0
          network_mode: host
          pid: host
    `;
    expect(run('compose-host-namespaces', doc)).toEqual([where(doc, 'host\n'), where(doc, 'host\n', 2)]);
  });

  it('does not fire on bridge networking', () => {
    expect(
      run('compose-host-namespaces', 'services:\n  web: { image: "nginx:1.27", network_mode: bridge }\n'),
    ).toEqual([]);
  });
});
