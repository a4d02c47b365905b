import { describe, expect, it } from 'vitest';
import { run, where, y } from '../_audit.ts';

describe('compose-no-healthcheck', () => {
  it('fires at the service without a healthcheck, and at a disabled one', () => {
    const doc = y`
      services:
        web:
          image: web:1.0
        db:
          image: postgres:16
          healthcheck:
            disable: true
    `;
    expect(run('compose-no-healthcheck', doc)).toEqual([where(doc, 'web:'), where(doc, 'healthcheck')]);
  });

  it('does not fire with a healthcheck, nor on a one-shot service others wait to complete', () => {
    const doc = y`
      services:
        db:
          image: postgres:16
          healthcheck: { test: [CMD, pg_isready], interval: 5s }
        migrate:
          image: app:1.0
          command: [migrate]
        app:
          image: app:1.0
          healthcheck: { test: [CMD, /healthz] }
          depends_on:
            migrate: { condition: service_completed_successfully }
    `;
    expect(run('compose-no-healthcheck', doc)).toEqual([]);
  });
});
