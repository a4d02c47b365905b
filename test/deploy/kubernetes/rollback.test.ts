import { describe, expect, it } from 'vitest';
import type { ReleaseRecord } from '../../../src/deploy/kubernetes/release-store.ts';
import { rollbackTarget } from '../../../src/deploy/kubernetes/rollback.ts';

const rec = (revision: number, status: ReleaseRecord['status']): ReleaseRecord => ({
  revision,
  status,
  app: 'a',
  environment: 'e',
  namespace: 'n',
  specHash: 'h',
  images: {},
  user: 'u',
  startedAt: '',
  description: '',
  objects: [],
});

describe('rollbackTarget', () => {
  const records = [
    rec(1, 'superseded'),
    rec(2, 'superseded'),
    rec(3, 'failed'),
    rec(4, 'deployed'),
    rec(5, 'failed'),
  ];
  it('defaults to the newest successful revision before the current one', () => {
    expect(rollbackTarget(records, undefined).revision).toBe(2);
  });
  it('takes --to N when N was deployed once', () => {
    expect(rollbackTarget(records, 1).revision).toBe(1);
  });
  it('refuses a revision that is unknown or failed, saying what exists', () => {
    expect(() => rollbackTarget(records, 9)).toThrow(/revision 9 is not in the history/);
    expect(() => rollbackTarget(records, 3)).toThrow(/revision 3 failed/);
    expect(() => rollbackTarget([], undefined)).toThrow(/no release to roll back to/);
    expect(() => rollbackTarget([rec(1, 'deployed')], undefined)).toThrow(/no earlier successful revision/);
  });
});
