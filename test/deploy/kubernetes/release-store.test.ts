import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/cli/errors.ts';
import { leaseExpired, microTime } from '../../../src/deploy/kubernetes/lease.ts';
import {
  decodeRecord,
  encodeRecord,
  type ReleaseRecord,
  recordsToPrune,
} from '../../../src/deploy/kubernetes/release-store.ts';

const rec = (revision: number, status: ReleaseRecord['status'] = 'superseded'): ReleaseRecord => ({
  app: 'shop',
  environment: 'prod',
  namespace: 'shop-prod',
  revision,
  status,
  specHash: 'sha256:0f',
  images: { web: 'r/web@sha256:aa' },
  user: 'u@h',
  startedAt: '2026-01-01T00:00:00.000Z',
  description: 'ünïcode ✓',
  objects: [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop-prod' } }],
});

describe('release record encoding', () => {
  it('round-trips through a labelled, typed Secret holding gzip', () => {
    const s = encodeRecord(rec(7, 'deployed'));
    expect(s.metadata?.name).toBe('slipway.shop.prod.v7');
    expect(s.type).toBe('slipway.dev/release.v1');
    expect(s.metadata?.labels).toEqual({
      owner: 'slipway',
      'slipway.dev/app': 'shop',
      'slipway.dev/environment': 'prod',
      'slipway.dev/revision': '7',
      'slipway.dev/status': 'deployed',
    });
    expect(Buffer.from(s.data?.release ?? '', 'base64').subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(decodeRecord(s)).toEqual(rec(7, 'deployed'));
  });

  it('names the Secret and the fix when a record is unreadable', () => {
    const bad = {
      metadata: { name: 'slipway.shop.prod.v3', namespace: 'ns' },
      data: { release: 'bm90IGd6aXA=' },
    };
    expect(() => decodeRecord(bad)).toThrow(EngineError);
    expect(() => decodeRecord(bad)).toThrow(/slipway\.shop\.prod\.v3/);
    const notRecord = { metadata: { name: 'x' }, data: { release: gzipSync('{"a":1}').toString('base64') } };
    expect(() => decodeRecord(notRecord)).toThrow(/cannot be read/);
  });

  it('refuses a record too large for a Secret', () => {
    const huge = rec(1);
    // random-ish text gzip cannot shrink much
    huge.objects = [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        data: { x: randomBytes(1_200_000).toString('base64') },
      } as never,
    ];
    expect(() => encodeRecord(huge)).toThrow(/too large/);
  });
});

describe('bounded history', () => {
  it.each([
    { name: 'under the limit', revs: [1, 2, 3], deployed: 3, limit: 5, keep: 3, prune: [] },
    { name: 'oldest first', revs: [1, 2, 3, 4, 5], deployed: 5, limit: 3, keep: 5, prune: [1, 2] },
    { name: 'never the deployed one', revs: [1, 2, 3, 4, 5], deployed: 1, limit: 3, keep: 5, prune: [2, 3] },
    { name: 'never the one just written', revs: [1, 2, 3], deployed: 2, limit: 1, keep: 3, prune: [1] },
    { name: 'limit 0 keeps one', revs: [1, 2], deployed: 2, limit: 0, keep: 2, prune: [1] },
  ])('$name', ({ revs, deployed, limit, keep, prune }) => {
    const records = revs.map((r) => rec(r, r === deployed ? 'deployed' : 'failed'));
    expect(recordsToPrune(records, limit, keep)).toEqual(prune);
  });
});

describe('lease expiry', () => {
  const now = new Date('2026-01-01T00:01:00.000Z');
  const lease = (renew: string | undefined, holder = 'a') => ({
    spec: { holderIdentity: holder, leaseDurationSeconds: 30, renewTime: renew as unknown as Date },
  });
  it.each([
    { renew: '2026-01-01T00:00:45.000000Z', expired: false },
    { renew: '2026-01-01T00:00:29.000000Z', expired: true },
    { renew: undefined, expired: true },
  ])('renewed $renew → expired $expired', ({ renew, expired }) => {
    expect(leaseExpired(lease(renew), now)).toBe(expired);
  });
  it('treats a lease without holder as free', () => {
    expect(leaseExpired(lease('2026-01-01T00:00:59.000000Z', ''), now)).toBe(true);
  });
  it('writes MicroTime with six fractional digits', () => {
    expect(microTime(new Date('2026-01-01T00:00:00.123Z'))).toBe('2026-01-01T00:00:00.123000Z');
  });
});
