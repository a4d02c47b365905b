/**
 * Error cases of the loader, table-driven: each states the input, the code and the exact
 * line:column a user should be pointed at. Prose is not asserted; codes and positions are.
 */
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../../src/spec/loader.ts';

/** A valid spec; cases below break one thing each. Line numbers are 1-based in the text. */
const BASE = `apiVersion: slipway.dev/v1
app:
  name: shop
services:
  web:
    image: acme/web:1.2.3
    ports:
      http: 3000
    env:
      DATABASE_URL: \${dependencies.db.url}
      SESSION_SECRET: \${secrets.session}
    uses: [api]
  api:
    build:
      preset: node
    ports:
      http: 8080
dependencies:
  db:
    type: postgres
secrets:
  session: {}
ingress:
  hosts: [shop.example.com]
  routes:
    - path: /
      service: web
environments:
  dev:
    target: compose
  prod:
    target: kubernetes
    services:
      web:
        replicas: 3
`;

const replace = (from: string, to: string) => {
  if (!BASE.includes(from)) throw new Error(`fixture does not contain ${from}`);
  return BASE.replace(from, to);
};

const cases: { name: string; text: string; code: string; line: number; column: number }[] = [
  {
    name: 'misspelt key',
    text: replace('    ports:\n      http: 3000', '    prots:\n      http: 3000'),
    code: 'unknown-key',
    line: 7,
    column: 5,
  },
  {
    name: 'wrong apiVersion',
    text: replace('slipway.dev/v1', 'slipway.dev/v2'),
    code: 'unsupported-api-version',
    line: 1,
    column: 13,
  },
  {
    name: 'missing app name',
    text: replace('  name: shop\n', '  owner: me\n'),
    code: 'missing-field',
    line: 2,
    column: 1,
  },
  {
    name: 'string where number',
    text: replace('replicas: 3', 'replicas: "3"'),
    code: 'invalid-type',
    line: 35,
    column: 19,
  },
  {
    name: 'bad enum',
    text: replace('target: kubernetes', 'target: kubernets'),
    code: 'invalid-value',
    line: 32,
    column: 13,
  },
  {
    name: 'port out of range',
    text: replace('http: 8080', 'http: 80800'),
    code: 'port-range',
    line: 17,
    column: 13,
  },
  {
    name: 'bad duration',
    text: replace('    uses: [api]', '    uses: [api]\n    terminationGrace: soon'),
    code: 'invalid-value',
    line: 13,
    column: 23,
  },
  {
    name: 'latest tag',
    text: replace('acme/web:1.2.3', 'acme/web:latest'),
    code: 'image-unpinned',
    line: 6,
    column: 12,
  },
  {
    name: 'untagged image',
    text: replace('acme/web:1.2.3', 'registry:5000/acme/web'),
    code: 'image-unpinned',
    line: 6,
    column: 12,
  },
  {
    name: 'image and build',
    text: replace(
      '    build:\n      preset: node',
      '    image: acme/api:1.0.0\n    build:\n      preset: node',
    ),
    code: 'image-or-build',
    line: 15,
    column: 5,
  },
  {
    name: 'unknown secret reference',
    text: replace('${secrets.session}', '${secrets.sesion}'),
    code: 'unknown-reference',
    line: 11,
    column: 23,
  },
  {
    name: 'unknown dependency reference',
    text: replace('${dependencies.db.url}', '${dependencies.dbx.url}'),
    code: 'unknown-reference',
    line: 10,
    column: 21,
  },
  {
    name: 'malformed reference',
    text: replace('${dependencies.db.url}', '${dependencies.db}'),
    code: 'invalid-reference',
    line: 10,
    column: 21,
  },
  {
    name: 'unknown uses',
    text: replace('uses: [api]', 'uses: [apx]'),
    code: 'unknown-reference',
    line: 12,
    column: 12,
  },
  {
    name: 'uses cycle (compose)',
    text: replace('      http: 8080\n', '      http: 8080\n    uses: [web]\n'),
    code: 'uses-cycle',
    line: 18,
    column: 12,
  },
  {
    name: 'inline secret by name',
    text: replace('SESSION_SECRET: ${secrets.session}', 'SESSION_SECRET: hunter2'),
    code: 'inline-secret',
    line: 11,
    column: 23,
  },
  {
    name: 'inline secret by value',
    text: replace('DATABASE_URL: ${dependencies.db.url}', 'GH: ghp_abcdefghijklmnopqrstuvwxyz0123456789'),
    code: 'inline-secret',
    line: 10,
    column: 11,
  },
  {
    name: 'password in url',
    text: replace('DATABASE_URL: ${dependencies.db.url}', 'DATABASE_URL: postgres://u:pw@db/x'),
    code: 'inline-secret',
    line: 10,
    column: 21,
  },
  {
    name: 'secret value declared',
    text: replace('  session: {}', '  session:\n    value: hunter2'),
    code: 'inline-secret',
    line: 23,
    column: 5,
  },
  {
    name: 'ingress to unknown service',
    text: replace('      service: web', '      service: wbe'),
    code: 'unknown-reference',
    line: 27,
    column: 16,
  },
  {
    name: 'ingress path conflict',
    text: replace('      service: web\n', '      service: web\n    - path: /\n      service: api\n'),
    code: 'ingress-path-conflict',
    line: 28,
    column: 13,
  },
  {
    name: 'overlay of unknown service',
    text: replace('      web:\n        replicas: 3', '      wbe:\n        replicas: 3'),
    code: 'unknown-overlay-target',
    line: 34,
    column: 7,
  },
  {
    name: 'bad service name',
    text: replace('  api:\n', '  API_v2:\n').replace('uses: [api]', 'uses: [API_v2]'),
    code: 'invalid-name',
    line: 13,
    column: 3,
  },
  {
    name: 'port clash',
    text: replace('      http: 3000', '      http: 3000\n      admin: 3000'),
    code: 'port-clash',
    line: 9,
    column: 14,
  },
  {
    name: 'blue-green on worker',
    text: replace(
      '  api:\n    build:',
      '  api:\n    kind: worker\n    rollout: { strategy: blue-green }\n    build:',
    ),
    code: 'unsupported-combination',
    line: 15,
    column: 26,
  },
  {
    name: 'env-file on kubernetes',
    text: replace('    target: kubernetes\n', '    target: kubernetes\n    secrets: { source: env-file }\n'),
    code: 'unsupported-combination',
    line: 33,
    column: 24,
  },
  {
    name: 'ha dependency in compose',
    text: replace('    type: postgres', '    type: postgres\n    mode: ha'),
    code: 'unsupported-combination',
    line: 21,
    column: 11,
  },
  {
    name: 'cron without schedule',
    text: replace('  api:\n    build:', '  api:\n    kind: cron\n    build:')
      .replace('    ports:\n      http: 8080\n', '')
      .replace('uses: [api]', 'uses: []'),
    code: 'missing-field',
    line: 14,
    column: 11,
  },
  {
    name: 'missing config file',
    text: replace(
      '    uses: [api]',
      '    uses: [api]\n    files:\n      - source: nope.yaml\n        target: /app/nope.yaml',
    ),
    code: 'missing-config-file',
    line: 14,
    column: 17,
  },
  {
    name: 'no environments',
    text: `${BASE.slice(0, BASE.indexOf('environments:'))}environments: {}\n`,
    code: 'no-environments',
    line: 28,
    column: 1,
  },
  {
    name: 'route to a port number the service lacks',
    text: replace('      service: web\n', '      service: web\n      port: 9999\n'),
    code: 'unknown-port',
    line: 28,
    column: 13,
  },
  {
    name: 'limit below request',
    text: replace(
      '      http: 8080\n',
      '      http: 8080\n    resources: { memory: 1Gi, limits: { memory: 512Mi } }\n',
    ),
    code: 'invalid-value',
    line: 18,
    column: 49,
  },
  {
    name: 'unsupported kubernetes version',
    text: replace('    target: kubernetes\n', '    target: kubernetes\n    kubernetesVersion: "1.12"\n'),
    code: 'invalid-value',
    line: 33,
    column: 24,
  },
  {
    name: 'unpinned base image',
    text: replace(
      '    target: kubernetes\n',
      '    target: kubernetes\n    images: { baseImages: { redis: "redis:latest" } }\n',
    ),
    code: 'image-unpinned',
    line: 33,
    column: 36,
  },
  {
    name: 'imageFrom an unknown service',
    text: replace('    build:\n      preset: node', '    imageFrom: wbe'),
    code: 'unknown-reference',
    line: 14,
    column: 16,
  },
  {
    name: 'imageFrom with build',
    text: replace('    build:\n      preset: node', '    imageFrom: web\n    build:\n      preset: node'),
    code: 'image-or-build',
    line: 14,
    column: 5,
  },
  {
    name: 'volume without path after merge',
    text: replace('    uses: [api]', '    uses: [api]\n    volumes:\n      data: { size: 1Gi }'),
    code: 'missing-field',
    line: 14,
    column: 13,
  },
  {
    name: 'liveness successThreshold',
    text: replace('    uses: [api]', '    uses: [api]\n    health:\n      liveness: { successThreshold: 2 }'),
    code: 'invalid-value',
    line: 14,
    column: 37,
  },
  {
    name: 'external-secrets without a store',
    text: replace(
      '    target: kubernetes\n',
      '    target: kubernetes\n    secrets: { source: external-secrets }\n',
    ),
    code: 'missing-field',
    line: 33,
    column: 14,
  },
  {
    name: 'overlay breaks a rule in one environment only',
    text: replace('        replicas: 3', '        replicas: 3\n        image: acme/web:latest'),
    code: 'image-unpinned',
    line: 36,
    column: 16,
  },
];

describe('spec errors', () => {
  it('the base fixture is valid', () => {
    const r = parseSpec('slipway.yaml', BASE);
    expect(r.diagnostics).toEqual([]);
    expect(r.loaded).toBeDefined();
  });

  it.each(cases)('$name → $code at $line:$column', ({ text, code, line, column }) => {
    const r = parseSpec('slipway.yaml', text, { fileExists: () => false });
    expect(r.loaded).toBeUndefined();
    const found = r.diagnostics.find((d) => d.code === code);
    expect(found, JSON.stringify(r.diagnostics, null, 1)).toBeDefined();
    expect({ line: found?.location?.line, column: found?.location?.column }).toEqual({ line, column });
    expect(found?.hint).toBeTruthy();
    expect(found?.sourceLine).toBe(text.split('\n')[line - 1]);
  });

  it('reports every problem at once', () => {
    const text = replace('acme/web:1.2.3', 'acme/web:latest')
      .replace('${secrets.session}', '${secrets.nope}')
      .replace('uses: [api]', 'uses: [apx]');
    const codes = parseSpec('slipway.yaml', text).diagnostics.map((d) => d.code);
    expect(codes).toEqual(expect.arrayContaining(['image-unpinned', 'unknown-reference']));
    expect(codes.filter((c) => c === 'unknown-reference')).toHaveLength(2);
  });

  it('suggests the closest key for a typo', () => {
    const r = parseSpec('slipway.yaml', replace('replicas: 3', 'replcas: 3'));
    const d = r.diagnostics.find((x) => x.code === 'unknown-key');
    expect(d?.hint).toContain('"replicas"');
    expect(d?.path).toBe('environments.prod.services.web.replcas');
  });

  it('keeps line numbers right in CRLF files', () => {
    const text = replace('replicas: 3', 'replicas: "3"').replace(/\n/g, '\r\n');
    const d = parseSpec('slipway.yaml', text).diagnostics.find((x) => x.code === 'invalid-type');
    expect(d?.location).toMatchObject({ line: 35, column: 19 });
    expect(d?.sourceLine).toBe('        replicas: "3"');
  });

  it('a uses cycle is only a warning for kubernetes environments', () => {
    const text = replace('      http: 8080\n', '      http: 8080\n    uses: [web]\n').replace(
      '  dev:\n    target: compose\n',
      '',
    );
    const r = parseSpec('slipway.yaml', text);
    expect(r.loaded).toBeDefined();
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([['uses-cycle', 'warning']]);
  });
});
