/**
 * Hand-written manifests have every shape: no rule may throw on any of them (a throw would be a
 * `rule-failed` finding), whatever sits where a mapping, list or string is expected.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { auditSources } from '../../src/audit/engine.ts';

const anything = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.string({ maxLength: 8 }),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer(), fc.constant(null)), { maxLength: 3 }),
  fc.dictionary(
    fc.constantFrom('name', 'port', 'type', 'add', 'drop', 'path', 'host'),
    fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
    { maxKeys: 3 },
  ),
);

const KINDS = [
  'Pod',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'Service',
  'Ingress',
  'PodDisruptionBudget',
  'ConfigMap',
  'Secret',
  'HorizontalPodAutoscaler',
  'NetworkPolicy',
];

describe('rules on arbitrary shapes', () => {
  it('never throw', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), anything, anything, anything, anything, (kind, a, b, c, d) => {
        const container = {
          name: 'c',
          image: a,
          securityContext: b,
          ports: c,
          env: d,
          resources: a,
          livenessProbe: b,
        };
        const pod = {
          containers: [container, a],
          initContainers: b,
          volumes: [c, { name: 'v', hostPath: d }],
          securityContext: a,
          affinity: c,
        };
        const object = {
          apiVersion: kind === 'CronJob' ? 'batch/v1' : 'apps/v1',
          kind,
          metadata: {
            name: 'x',
            annotations: { 'slipway.dev/ignore': typeof a === 'string' ? a : 'latest-tag' },
          },
          spec: {
            selector: b,
            replicas: c,
            template: { metadata: { labels: d }, spec: pod },
            jobTemplate: { spec: { template: { spec: pod } } },
            rules: a,
            tls: b,
            ports: c,
            minAvailable: d,
            maxUnavailable: a,
            scaleTargetRef: b,
            podSelector: c,
            ...pod,
          },
          data: d,
          stringData: a,
        };
        const compose = {
          version: a,
          services: { s: { image: b, environment: c, volumes: d, healthcheck: a, labels: b } },
        };
        const r = auditSources([
          { path: 'k.yaml', text: stringify(object) },
          { path: 'compose.yaml', text: stringify(compose) },
        ]);
        expect(r.findings.filter((f) => f.rule === 'rule-failed')).toEqual([]);
      }),
      { numRuns: 200, seed: 20_261_123 },
    );
  });
});
