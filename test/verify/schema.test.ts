/** The offline Kubernetes schema verifier: bundle, validation, removed APIs, positions. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadBundle } from '../../src/verify/schema/bundle.ts';
import {
  dottedPath,
  knownKinds,
  locateFinding,
  normalizeKubernetesVersion,
  REGISTERED_FORMATS,
  type SchemaFinding,
  SUPPORTED_KUBERNETES_VERSIONS,
  validateObjects,
  warmUp,
} from '../../src/verify/schema/kubernetes.ts';
import { compareMinor, REMOVED_APIS } from '../../src/verify/schema/removed-apis.ts';

const VERSIONS = [...SUPPORTED_KUBERNETES_VERSIONS];
const DATA = new URL('../../src/verify/schema/data/', import.meta.url);
const BROKEN = new URL('../fixtures/broken-k8s/', import.meta.url);

function objectsOf(text: string): unknown[] {
  return parseAllDocuments(text).map((d) => {
    if (d.errors.length > 0) throw new Error(String(d.errors[0]));
    return d.toJS();
  });
}

const validText = readFileSync(new URL('./fixtures/valid-k8s.yaml', import.meta.url), 'utf8');
const validObjects = objectsOf(validText) as { apiVersion: string; kind: string }[];

/** The kinds Slipway renders; the valid fixture has at least one object of each. */
const SLIPWAY_KINDS = [
  'v1/Namespace',
  'v1/ServiceAccount',
  'v1/ConfigMap',
  'v1/Secret',
  'v1/Service',
  'v1/PersistentVolumeClaim',
  'apps/v1/Deployment',
  'apps/v1/StatefulSet',
  'batch/v1/Job',
  'batch/v1/CronJob',
  'networking.k8s.io/v1/Ingress',
  'networking.k8s.io/v1/NetworkPolicy',
  'policy/v1/PodDisruptionBudget',
  'autoscaling/v2/HorizontalPodAutoscaler',
  'rbac.authorization.k8s.io/v1/Role',
  'rbac.authorization.k8s.io/v1/RoleBinding',
  'monitoring.coreos.com/v1/ServiceMonitor',
  'monitoring.coreos.com/v1/PrometheusRule',
  'argoproj.io/v1alpha1/Rollout',
  'keda.sh/v1alpha1/ScaledObject',
  'postgresql.cnpg.io/v1/Cluster',
  'postgresql.cnpg.io/v1/ScheduledBackup',
  'external-secrets.io/v1/ExternalSecret',
  'bitnami.com/v1alpha1/SealedSecret',
  'autoscaling.k8s.io/v1/VerticalPodAutoscaler',
  'databases.spotahome.com/v1/RedisFailover',
];

function brief(findings: SchemaFinding[]): string {
  return findings.map((f) => `${f.rule} ${f.path}: ${f.message}`).join('\n');
}

describe('the schema bundle', () => {
  const bundle = loadBundle();

  it('has every supported version, each with every kind Slipway renders', () => {
    expect(Object.keys(bundle.versions).sort()).toEqual(VERSIONS);
    for (const v of VERSIONS) {
      const kinds = knownKinds(v);
      for (const k of SLIPWAY_KINDS) expect(kinds, `${k} in ${v}`).toContain(k);
    }
  });

  it('resolves every reference of every version', () => {
    for (const [v, data] of Object.entries(bundle.versions)) {
      const hashes = [...Object.values(data.defs), ...Object.values(data.kinds)];
      for (const h of hashes) {
        const def = bundle.defs[h];
        expect(def, `${v}: ${h}`).toBeDefined();
        for (const m of JSON.stringify(def).matchAll(/"\$ref":"#\/\$defs\/([^"]+)"/g)) {
          expect(data.defs[m[1] as string], `${v}: ${m[1]}`).toBeDefined();
        }
      }
    }
  });

  it('uses only formats the validator registers', () => {
    for (const f of bundle.formats) expect(REGISTERED_FORMATS).toContain(f);
  });

  it('stays small', () => {
    const size = readFileSync(new URL('kubernetes-schemas.json.gz', DATA)).length;
    expect(size).toBeLessThan(3 * 1024 * 1024);
  });

  it('is gzip with a fixed header (mtime 0), so the script writes the same bytes every time', () => {
    const gz = readFileSync(new URL('kubernetes-schemas.json.gz', DATA));
    expect(gz.readUInt32LE(4)).toBe(0);
    expect(() => gunzipSync(gz)).not.toThrow();
  });

  it('has a SOURCES.md that lists every supported version and every CRD module', () => {
    const sources = readFileSync(new URL('SOURCES.md', DATA), 'utf8');
    for (const v of VERSIONS) {
      const row = new RegExp(
        `^\\| ${v.replace('.', '\\.')} +\\| \`k8s\\.io/kubernetes@v${v.replace('.', '\\.')}\\.\\d+\``,
        'm',
      );
      expect(sources).toMatch(row);
    }
    for (const crd of bundle.sources.crds) expect(sources).toContain(crd);
    expect(sources).toContain('node scripts/derive-schemas.ts');
  });

  it('agrees with the removed-API table: nothing removed in a release is served from that release on', () => {
    for (const v of VERSIONS) {
      const kinds = new Set(knownKinds(v));
      for (const r of REMOVED_APIS) {
        if (compareMinor(r.removedIn, v) > 0) continue;
        for (const k of r.kinds)
          expect(kinds.has(`${r.apiVersion}/${k}`), `${r.apiVersion} ${k} in ${v}`).toBe(false);
      }
    }
  });
});

describe('every kind of every version', () => {
  // The audit engine validates arbitrary manifests: every schema in the bundle must compile under the
  // validator's ajv options (strict mode: no unknown keyword, no unknown format).
  for (const v of VERSIONS) {
    it(`compiles on Kubernetes ${v}`, { timeout: 60_000 }, () => {
      expect(() => warmUp(v)).not.toThrow();
    });
  }
});

describe('valid objects', () => {
  it('the fixture covers every kind Slipway renders', () => {
    const present = new Set(validObjects.map((o) => `${o.apiVersion}/${o.kind}`));
    for (const k of SLIPWAY_KINDS) expect(present, k).toContain(k);
  });

  for (const v of VERSIONS) {
    it(`pass on Kubernetes ${v}`, () => {
      const findings = validateObjects(validObjects, { kubernetesVersion: v });
      expect(brief(findings)).toBe('');
    });
  }
});

describe("Slipway's own renders (test/golden)", () => {
  const goldenDir = new URL('../golden/', import.meta.url);
  const files = existsSync(goldenDir)
    ? readdirSync(goldenDir, { recursive: true, encoding: 'utf8' }).filter((f) =>
        /^[^/]+\/[^/]+\.yaml$/.test(f),
      ) // <example>/<env>.yaml: the Kubernetes goldens
    : [];

  for (const file of files.sort()) {
    it(`${file} passes on every supported version`, () => {
      const objects = objectsOf(readFileSync(new URL(file, goldenDir), 'utf8'));
      for (const v of VERSIONS) {
        expect(brief(validateObjects(objects, { kubernetesVersion: v })), `Kubernetes ${v}`).toBe('');
      }
    });
  }
});

interface BrokenCase {
  file: string;
  text: string;
  versions: string[];
  expected: string[];
}

function readBroken(): BrokenCase[] {
  return readdirSync(BROKEN)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const text = readFileSync(new URL(file, BROKEN), 'utf8');
      const expected: string[] = [];
      let versions: string[] = VERSIONS;
      for (const line of text.split('\n')) {
        const e = /^# expect: (\S+)(?: (\S*))?\s*$/.exec(line);
        if (e) {
          if (e[1] !== 'none') expected.push(`${e[1]} ${e[2] ?? ''}`);
        }
        const k = /^# kubernetes: (.+)$/.exec(line);
        if (k) versions = (k[1] as string).trim().split(/\s+/);
      }
      return { file, text, versions, expected: expected.sort() };
    });
}

describe('broken objects (test/fixtures/broken-k8s)', () => {
  const cases = readBroken();

  it('has a corpus of at least 15 files, each with an expectation', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
    for (const c of cases) expect(c.text, c.file).toMatch(/^# expect: /m);
  });

  for (const c of cases) {
    it(`${c.file}: ${c.expected.join(', ') || 'no finding'}`, () => {
      for (const v of c.versions) {
        const findings = validateObjects(objectsOf(c.text), { kubernetesVersion: v });
        const got = findings.map((f) => `${f.rule} ${f.path}`).sort();
        expect(got, `Kubernetes ${v}:\n${brief(findings)}`).toEqual(c.expected);
      }
    });
  }
});

describe('messages', () => {
  const deployment = (spec: Record<string, unknown>) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx' }] },
      },
      ...spec,
    },
  });

  it('names an unknown field, suggests the closest one and lists what is allowed', () => {
    const [f] = validateObjects([deployment({ replcas: 2 })], { kubernetesVersion: '1.30' });
    expect(f).toMatchObject({
      rule: 'schema',
      severity: 'error',
      index: 0,
      object: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'shop' },
      path: '/spec/replcas',
    });
    expect(f?.message).toMatch(
      /^unknown field spec\.replcas — did you mean "replicas"\? \(allowed: .*replicas/,
    );
  });

  it('says what type was expected and what was given', () => {
    const [f] = validateObjects([deployment({ replicas: '3' })], { kubernetesVersion: '1.34' });
    expect(f?.message).toBe('spec.replicas must be integer, not string ("3")');
  });

  it('names a missing required field', () => {
    const [f] = validateObjects([deployment({ selector: undefined })], { kubernetesVersion: '1.34' });
    expect(f).toMatchObject({ path: '/spec/selector', message: 'missing required field spec.selector' });
  });

  it('lists the allowed values of an enum', () => {
    const [f] = validateObjects(
      [
        {
          apiVersion: 'autoscaling.k8s.io/v1',
          kind: 'VerticalPodAutoscaler',
          metadata: { name: 'web' },
          spec: { targetRef: { kind: 'Deployment', name: 'web' }, updatePolicy: { updateMode: 'auto' } },
        },
      ],
      { kubernetesVersion: '1.34' },
    );
    expect(f?.path).toBe('/spec/updatePolicy/updateMode');
    expect(f?.message).toMatch(/must be one of .*"Auto".* not "auto" — did you mean "Auto"\?/);
  });

  it('explains a removed API with its replacement and the release that removed it', () => {
    const [f] = validateObjects(
      [{ apiVersion: 'extensions/v1beta1', kind: 'Ingress', metadata: { name: 'web' } }],
      { kubernetesVersion: '1.29' },
    );
    expect(f).toMatchObject({ rule: 'removed-api', severity: 'error', path: '/apiVersion' });
    expect(f?.message).toContain('removed in Kubernetes 1.22');
    expect(f?.message).toContain('networking.k8s.io/v1');
  });

  it('warns about a deprecated API while it is still served, and refuses it once removed', () => {
    const plc = {
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
      kind: 'PriorityLevelConfiguration',
      metadata: { name: 'batch' },
      spec: { type: 'Exempt' },
    };
    const [warn] = validateObjects([plc], { kubernetesVersion: '1.31' });
    expect(warn).toMatchObject({ rule: 'removed-api', severity: 'warning' });
    expect(warn?.message).toContain('will be removed in Kubernetes 1.32');
    const [err] = validateObjects([plc], { kubernetesVersion: '1.32' });
    expect(err).toMatchObject({ rule: 'removed-api', severity: 'error' });
  });

  it('names the version in an unknown-kind finding and suggests the served apiVersion', () => {
    const [f] = validateObjects(
      [{ apiVersion: 'apps/v1beta3', kind: 'Deployment', metadata: { name: 'x' } }],
      {
        kubernetesVersion: '1.33',
      },
    );
    expect(f).toMatchObject({ rule: 'unknown-kind', path: '/apiVersion' });
    expect(f?.message).toContain('Kubernetes 1.33');
    expect(f?.message).toContain('"apps/v1"');
  });

  it('reports objects without apiVersion/kind, and non-objects; skips empty documents', () => {
    const findings = validateObjects([{ metadata: { name: 'x' } }, null, 'text'], {
      kubernetesVersion: '1.34',
    });
    expect(findings.map((f) => `${f.index} ${f.path}`)).toEqual(['0 /apiVersion', '0 /kind', '2 ']);
  });

  it('accepts version spellings and refuses unsupported versions', () => {
    expect(normalizeKubernetesVersion('v1.29.15')).toBe('1.29');
    expect(normalizeKubernetesVersion('1.34')).toBe('1.34');
    expect(() => validateObjects([], { kubernetesVersion: '1.28' })).toThrow(/1\.29 to 1\.34/);
  });

  it('prints pointers as dotted paths', () => {
    expect(dottedPath('/spec/template/spec/containers/0/image')).toBe(
      'spec.template.spec.containers[0].image',
    );
    expect(dottedPath('/metadata/labels/app.kubernetes.io~1name')).toBe(
      'metadata.labels["app.kubernetes.io/name"]',
    );
  });
});

describe('locateFinding', () => {
  const text = readFileSync(new URL('multi-document.yaml', BROKEN), 'utf8');
  const lines = text.split('\n');
  const lineOf = (needle: string, from = 0) => lines.findIndex((l, i) => i >= from && l.includes(needle)) + 1;
  let findings: SchemaFinding[] = [];

  beforeAll(() => {
    findings = validateObjects(objectsOf(text), { kubernetesVersion: '1.34' });
  });

  it('points at the key of an unknown field', () => {
    const f = findings.find((x) => x.path === '/subjects/0/nam') as SchemaFinding;
    expect(locateFinding(text, f.index, f.path)).toEqual({ line: lineOf('nam: web'), column: 5 });
  });

  it('points at the deepest existing node for a missing field', () => {
    const f = findings.find((x) => x.path === '/subjects/0/name') as SchemaFinding;
    // subjects[0] exists, its name does not: the list item.
    expect(locateFinding(text, f.index, f.path)).toEqual({
      line: lineOf('- kind: ServiceAccount'),
      column: 5,
    });
  });

  it('finds a wrong value in a later document', () => {
    const f = findings.find((x) => x.path.endsWith('/protocol')) as SchemaFinding;
    expect(f.index).toBe(2);
    expect(locateFinding(text, f.index, f.path)).toEqual({ line: lineOf('protocol: 6'), column: 11 });
  });

  it('handles the object itself, escaped keys and documents out of range', () => {
    const yaml = 'a: 1\n---\nmetadata:\n  labels:\n    app.kubernetes.io/name: x\n';
    expect(locateFinding(yaml, 1, '')).toEqual({ line: 3, column: 1 });
    expect(locateFinding(yaml, 1, '/metadata/labels/app.kubernetes.io~1name')).toEqual({
      line: 5,
      column: 5,
    });
    expect(locateFinding(yaml, 1, '/metadata/labels/missing')).toEqual({ line: 4, column: 3 });
    expect(() => locateFinding(yaml, 2, '')).toThrow(RangeError);
  });
});

describe('performance', () => {
  it('validates 1,000 Deployments quickly once compiled', () => {
    const base = validObjects.find((o) => o.kind === 'Deployment') as Record<string, unknown>;
    const many = Array.from({ length: 1000 }, (_, i) => ({
      ...base,
      metadata: { name: `web-${i}`, namespace: 'shop' },
    }));
    validateObjects(many.slice(0, 1), { kubernetesVersion: '1.34' });
    const start = performance.now();
    const findings = validateObjects(many, { kubernetesVersion: '1.34' });
    const ms = performance.now() - start;
    expect(findings).toEqual([]);
    // Generous bound for a loaded CI machine; measured ~20 ms on 2 cores.
    expect(ms).toBeLessThan(1000);
  });
});
