import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  ApplyConflictError,
  conflictsOf,
  hasField,
  mapLimit,
  normalize,
  sameJson,
} from '../../../src/deploy/kubernetes/apply.ts';

describe('normalize', () => {
  it('drops status and server bookkeeping, keeps what was applied, in one key order', () => {
    const live = {
      spec: { replicas: 2 },
      status: { readyReplicas: 2 },
      kind: 'Deployment',
      metadata: {
        name: 'web',
        namespace: 'shop',
        uid: 'u',
        resourceVersion: '7',
        generation: 3,
        creationTimestamp: '2026-01-01T00:00:00Z',
        managedFields: [{ manager: 'slipway' }],
        labels: { a: 'b' },
        annotations: {},
      },
      apiVersion: 'apps/v1',
    };
    const n = normalize(live as never);
    expect(n).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop', labels: { a: 'b' } },
      spec: { replicas: 2 },
    });
    expect(Object.keys(n)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(live.status).toBeDefined(); // the input is not changed
  });

  it('turns the client class instances back into the JSON the server sent', () => {
    const n = normalize({ apiVersion: 'v1', kind: 'X', metadata: { name: 'a' }, when: new Date(0) } as never);
    expect((n as unknown as { when: string }).when).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('sameJson', () => {
  it('ignores key order but not array order or values', () => {
    expect(sameJson({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameJson({ a: '1' }, { a: 1 })).toBe(false);
  });
});

describe('conflicts', () => {
  const body = JSON.stringify({
    kind: 'Status',
    reason: 'Conflict',
    message: 'Apply failed with 2 conflicts: ...',
    details: {
      causes: [
        {
          reason: 'FieldManagerConflict',
          message: 'conflict with "kubectl-edit" using apps/v1',
          field: '.spec.replicas',
        },
        {
          reason: 'FieldManagerConflict',
          message: 'conflict with "helm" using apps/v1',
          field: '.spec.template.spec.containers[name="web"].image',
        },
      ],
    },
  });

  it('reads each contested field and its manager from the 409 Status', () => {
    expect(conflictsOf(new ApiException(409, 'Conflict', body, {}))).toEqual([
      { manager: 'kubectl-edit', field: '.spec.replicas' },
      { manager: 'helm', field: '.spec.template.spec.containers[name="web"].image' },
    ]);
  });

  it('says who owns what and how to take it over', () => {
    const e = new ApplyConflictError([
      {
        ref: { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'web-env' },
        conflicts: [{ manager: 'other-tool', field: '.data.EXTRA' }],
      },
    ]);
    expect(e.message).toContain('nothing was changed');
    expect(e.detail).toContain('ConfigMap/web-env: .data.EXTRA (owned by "other-tool")');
    expect(e.detail).toContain('--force-conflicts');
  });
});

describe('hasField', () => {
  const d = {
    spec: {
      replicas: 2,
      template: {
        spec: {
          containers: [
            { name: 'sidecar', image: 's' },
            {
              name: 'web',
              image: 'w',
              env: [{ name: 'A', value: '1' }],
              ports: [{ containerPort: 80, protocol: 'TCP' }],
            },
          ],
        },
      },
    },
  };
  it('follows plain fields and keyed list items of managed-fields paths', () => {
    expect(hasField(d, '.spec.replicas')).toBe(true);
    expect(hasField(d, '.spec.template.spec.containers[name="web"].image')).toBe(true);
    expect(hasField(d, '.spec.template.spec.containers[name="web"].env[name="A"].value')).toBe(true);
    expect(
      hasField(d, '.spec.template.spec.containers[name="web"].ports[containerPort=80,protocol="TCP"]'),
    ).toBe(true);
  });
  it('is false for fields the object does not set', () => {
    expect(hasField(d, '.spec.paused')).toBe(false);
    expect(hasField(d, '.spec.template.spec.containers[name="api"].image')).toBe(false);
    expect(hasField(d, '.spec.template.spec.containers[name="web"].env[name="B"].value')).toBe(false);
    expect(hasField(d, '.spec.replicas.x')).toBe(false);
  });
});

describe('mapLimit', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n));
      running--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
  });
});
