import { describe, expect, it } from 'vitest';
import { run, where, y } from '../_audit.ts';

describe('secret-in-configmap', () => {
  it('fires at secret-named literals, credential values, and the exact line inside an embedded file', () => {
    const doc = y`
      apiVersion: v1
      kind: ConfigMap
      metadata: { name: app }
      data:
        LOG_LEVEL: info
        SMTP_PASSWORD: changeme
        REDIS_URL: redis://:sup3rsecret@redis:6379/0
        app.yaml: |
          server:
            port: 8080
          database:
            user: app
            password: pr0d-passw0rd
          oauth:
            clientSecret: "c1i3nt-s3cr3t"
        key.pem: |
          -----BEGIN RSA PRIVATE KEY-----
          MIIEowIBAAKCAQEA
          -----END RSA PRIVATE KEY-----
    `;
    expect(run('secret-in-configmap', doc)).toEqual([
      where(doc, 'changeme'),
      where(doc, 'redis://'),
      where(doc, 'password: pr0d'),
      where(doc, 'clientSecret'),
      where(doc, '-----BEGIN'),
    ]);
  });

  it('does not fire on references, placeholders and plain settings', () => {
    const doc = y`
      apiVersion: v1
      kind: ConfigMap
      metadata: { name: app }
      data:
        DB_PASSWORD_FILE: /run/secrets/db
        API_KEY: \${API_KEY}
        TLS_SECRET_NAME: web-tls
        app.yaml: |
          database:
            password: \${DB_PASSWORD}
            passwordFile: /run/secrets/db
          auth:
            tokenSecretRef: { name: tok }
            passwordPolicy: strict
            tokenExpiry: 3600
            passwordMinLength: 12
    `;
    expect(run('secret-in-configmap', doc)).toEqual([]);
  });
});
