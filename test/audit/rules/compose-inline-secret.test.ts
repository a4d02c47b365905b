import { describe, expect, it } from 'vitest';
import { run, where, y } from '../_audit.ts';

describe('compose-inline-secret', () => {
  it('fires at literal secrets in map and list environments', () => {
    const doc = y`
      services:
        db:
          image: postgres:16
          environment:
            POSTGRES_PASSWORD: example
        app:
          image: app:1.0
          environment:
            - STRIPE_API_KEY=sk_live_abc
            - DATABASE_URL=postgres://app:hunter2@db/app
    `;
    expect(run('compose-inline-secret', doc)).toEqual([
      where(doc, 'example'),
      where(doc, 'STRIPE'),
      where(doc, 'DATABASE_URL'),
    ]);
  });

  it('does not fire on interpolation', () => {
    const doc = y`
      services:
        db:
          image: postgres:16
          environment:
            POSTGRES_PASSWORD: \${POSTGRES_PASSWORD}
            DATABASE_URL: postgres://app:\${PW}@db/app
    `;
    expect(run('compose-inline-secret', doc)).toEqual([]);
  });
});
