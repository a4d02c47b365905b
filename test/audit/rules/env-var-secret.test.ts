import { describe, expect, it } from 'vitest';
import { deployment, findingsOf, run, where, y } from '../_audit.ts';

describe('env-var-secret', () => {
  it('fires at the value of secret-named literals and credential-looking values', () => {
    const doc = deployment(y`
      - name: a
        image: x:1
        env:
          - name: DB_PASSWORD
            value: hunter2
          - name: CLIENT_SECRET
            value: "s3cr3t-value"
          - name: GREETING
            value: "ghp_0123456789abcdefghijABCDEFGHIJ012345"
          - name: DATABASE_URL
            value: postgres://app:pa55word@db:5432/app
    `);
    expect(run('env-var-secret', doc)).toEqual([
      where(doc, 'hunter2'),
      where(doc, '"s3cr3t-value"'),
      where(doc, '"ghp_'),
      where(doc, 'postgres://'),
    ]);
    expect(findingsOf('env-var-secret', doc).map((f) => f.severity)).toEqual([
      'error',
      'error',
      'error',
      'error',
    ]);
  });

  it('does not fire on references, placeholders and names that hold a reference', () => {
    const doc = deployment(y`
      - name: a
        image: x:1
        env:
          - name: DB_PASSWORD
            valueFrom: { secretKeyRef: { name: db, key: password } }
          - name: API_TOKEN
            value: $(TOKEN_FROM_FILE)
          - name: TLS_SECRET_NAME
            value: web-tls
          - name: TOKEN_FILE
            value: /var/run/secrets/token
          - name: LOG_LEVEL
            value: debug
          - name: DATABASE_URL
            value: postgres://app@db:5432/app
    `);
    expect(run('env-var-secret', doc)).toEqual([]);
  });
});
