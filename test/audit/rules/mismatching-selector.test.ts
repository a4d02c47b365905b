import { describe, expect, it } from 'vitest';
import { deployment, run, where, y } from '../_audit.ts';

describe('mismatching-selector', () => {
  it('fires at the selector when it does not match the template labels', () => {
    const doc = deployment('- name: a\n  image: x:1').replace(
      'matchLabels: { app: web }',
      'matchLabels: { app: api }',
    );
    expect(run('mismatching-selector', doc)).toEqual([where(doc, 'selector')]);
  });

  it('fires at spec when there is no selector', () => {
    const doc = y`
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: { name: db }
      spec:
        serviceName: db
        template:
          metadata: { labels: { app: db } }
          spec: { containers: [{ name: db, image: "postgres:16" }] }
    `;
    expect(run('mismatching-selector', doc)).toEqual([where(doc, 'spec')]);
  });

  it('does not fire on a matching selector, with expressions', () => {
    const doc = deployment('- name: a\n  image: x:1').replace(
      'matchLabels: { app: web }',
      'matchExpressions: [{ key: app, operator: In, values: [web, www] }]',
    );
    expect(run('mismatching-selector', doc)).toEqual([]);
    expect(run('mismatching-selector', deployment('- name: a\n  image: x:1'))).toEqual([]);
  });
});
