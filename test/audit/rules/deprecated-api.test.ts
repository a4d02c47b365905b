import { describe, expect, it } from 'vitest';
import { run, where, y } from '../_audit.ts';

const fs = y`
  apiVersion: flowcontrol.apiserver.k8s.io/v1beta3
  kind: FlowSchema
  metadata: { name: f }
`;

describe('deprecated-api', () => {
  it('fires while the target version still serves an API a later one removes', () => {
    expect(run('deprecated-api', fs, { kubernetesVersion: '1.30' })).toEqual([where(fs, 'flowcontrol')]);
  });

  it('does not fire once removed (removed-api reports it) or on current APIs', () => {
    expect(run('deprecated-api', fs, { kubernetesVersion: '1.33' })).toEqual([]);
    expect(run('deprecated-api', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\n')).toEqual(
      [],
    );
  });
});
