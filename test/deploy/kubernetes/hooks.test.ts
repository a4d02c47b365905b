import { describe, expect, it } from 'vitest';
import { hookJobs, jobHash, newLogLines } from '../../../src/deploy/kubernetes/hooks.ts';

const job = (name: string, phase: string | undefined, order?: number, image = 'm:1') => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: {
    name,
    namespace: 'ns',
    ...(phase
      ? {
          annotations: {
            'slipway.dev/hook': phase,
            ...(order !== undefined ? { 'slipway.dev/hook-order': String(order) } : {}),
          },
        }
      : {}),
  },
  spec: { template: { spec: { containers: [{ name: 'c', image }] } } },
});

describe('hook jobs', () => {
  it('picks one phase, in hook order then name', () => {
    const objs = [
      job('z', 'pre-deploy', 1),
      job('post', 'post-deploy', 0),
      job('plain', undefined),
      job('a', 'pre-deploy', 1),
      job('early', 'pre-deploy', -5),
    ];
    expect(hookJobs(objs, 'pre-deploy').map((j) => j.metadata?.name)).toEqual(['early', 'a', 'z']);
    expect(hookJobs(objs, 'post-deploy').map((j) => j.metadata?.name)).toEqual(['post']);
  });
  it('hashes the spec, not the metadata', () => {
    expect(jobHash(job('a', 'pre-deploy'))).toBe(jobHash(job('b', 'post-deploy')));
    expect(jobHash(job('a', 'pre-deploy'))).not.toBe(jobHash(job('a', 'pre-deploy', 0, 'm:2')));
  });
});

describe('log streaming by polling', () => {
  const read1 = '2026-01-01T00:00:01.000000001Z migrating\n2026-01-01T00:00:01.000000001Z step 1\n';
  it('emits every line once across overlapping reads', () => {
    const a = newLogLines(read1);
    expect(a.lines).toEqual(['migrating', 'step 1']);
    // the next read (sinceSeconds rounds up) repeats the last second and adds lines
    const read2 = `${read1}2026-01-01T00:00:01.000000001Z step 2\n2026-01-01T00:00:02.5Z done\n`;
    const b = newLogLines(read2, a.seen);
    expect(b.lines).toEqual(['step 2', 'done']);
    expect(newLogLines(read2, b.seen).lines).toEqual([]);
  });
  it('keeps blank-free text and reports no mark for an empty log', () => {
    expect(newLogLines('')).toEqual({ lines: [] });
  });
});
