import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { auditSources } from '../../src/audit/engine.ts';
import { defineRule, type Rule } from '../../src/audit/types.ts';
import { deployment, where, y } from './_audit.ts';

const privileged = deployment('- name: app\n  image: nginx:1.27\n  securityContext: { privileged: true }');
const only = (id: string) => ({ selection: { include: [id] } });

describe('loading', () => {
  it('reports malformed YAML as invalid-yaml, located, and audits the other documents of the file', () => {
    const text = `${privileged}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n`;
    const r = auditSources([{ path: 'a.yaml', text }], only('privileged-container'));
    expect(r.findings.map((f) => [f.rule, f.severity])).toEqual([
      ['privileged-container', 'error'],
      ['invalid-yaml', 'error'],
    ]);
    expect(r.findings[1]?.line).toBeGreaterThan(privileged.split('\n').length);
  });

  it('reports duplicate keys as invalid-yaml at the duplicate', () => {
    const text = 'apiVersion: v1\nkind: Pod\nkind: Pod\nmetadata: { name: p }\n';
    const r = auditSources([{ path: 'a.yaml', text }]);
    expect(r.findings.map((f) => `${f.rule} ${f.line}:${f.column}`)).toEqual([
      `invalid-yaml ${where(text, 'kind', 2)}`,
    ]);
  });

  it('reports objects without apiVersion or kind as invalid-object', () => {
    const text =
      'kind: Deployment\nmetadata: { name: d }\n---\napiVersion: apps/v1\nmetadata: { name: e }\n---\napiVersion: v1\nkind: 3\n';
    const r = auditSources([{ path: 'a.yaml', text }]);
    expect(r.findings.map((f) => `${f.rule} ${f.line}:${f.column}`)).toEqual([
      'invalid-object 1:1',
      'invalid-object 4:1',
      `invalid-object ${where(text, 'kind: 3')}`,
    ]);
  });

  it('skips documents that are neither Kubernetes nor Compose (values, Chart.yaml, workflows), counting them', () => {
    const text =
      'replicaCount: 3\n---\napiVersion: v2\nname: chart\nversion: 0.1.0\n---\n- a\n- b\n---\n# only a comment\n';
    const r = auditSources([{ path: 'values.yaml', text }]);
    expect(r.findings).toEqual([]);
    expect(r.skipped.map((s) => s.line)).toEqual([1, 3, 7]);
  });

  it('unpacks Lists: findings point inside items', () => {
    const text = y`
      apiVersion: v1
      kind: List
      items:
        - apiVersion: v1
          kind: Pod
          metadata: { name: p }
          spec:
            hostPID: true
            containers: [{ name: a, image: "x:1" }]
    `;
    const r = auditSources([{ path: 'l.yaml', text }], only('host-pid'));
    expect(r.objects).toBe(1);
    expect(r.findings.map((f) => `${f.line}:${f.column} ${f.path}`)).toEqual([
      `${where(text, 'hostPID')} /spec/hostPID`,
    ]);
  });

  it('audits Helm output on stdin (comments, many documents) and custom resources gracefully', () => {
    const text = y`
      ---
      # Source: chart/templates/cr.yaml
      apiVersion: example.com/v1
      kind: Widget
      metadata: { name: w }
      spec: { anything: [1, 2] }
      ---
      # Source: chart/templates/deploy.yaml
      ${privileged.replace(/\n/g, '\n      ')}
    `;
    const r = auditSources([{ path: '<stdin>', text }]);
    expect(r.objects).toBe(2);
    expect(r.findings.filter((f) => f.object?.kind === 'Widget')).toEqual([]);
    expect(r.findings.some((f) => f.rule === 'privileged-container' && f.file === '<stdin>')).toBe(true);
  });

  it('recognises Compose files by name or by content', () => {
    const compose = 'services:\n  web: { image: "nginx:1.27", privileged: true }\n';
    for (const path of ['compose.yaml', 'docker-compose.prod.yml', 'stack.yaml']) {
      const r = auditSources([{ path, text: compose }], only('compose-privileged'));
      expect(
        r.findings.map((f) => f.rule),
        path,
      ).toEqual(['compose-privileged']);
    }
    expect(auditSources([{ path: 'compose.yaml', text: 'name: empty\n' }]).skipped).toEqual([]);
  });
});

describe('rules and selection', () => {
  it('includes, excludes and overrides severities', () => {
    const all = auditSources([{ path: 'a.yaml', text: privileged }]);
    expect(all.findings.some((f) => f.rule === 'privileged-container')).toBe(true);
    const excluded = auditSources([{ path: 'a.yaml', text: privileged }], {
      selection: { exclude: ['privileged-container'] },
    });
    expect(excluded.findings.some((f) => f.rule === 'privileged-container')).toBe(false);
    const softened = auditSources([{ path: 'a.yaml', text: privileged }], {
      selection: { include: ['privileged-container'], severity: { 'privileged-container': 'info' } },
    });
    expect(softened.findings.map((f) => f.severity)).toEqual(['info']);
  });

  it('turns a throwing rule into rule-failed and goes on', () => {
    const boom: Rule = defineRule({
      id: 'boom',
      severity: 'error',
      kinds: ['Deployment'],
      description: 'throws',
      remediation: 'none',
      messages: { x: 'x' },
      check() {
        throw new Error('kaput');
      },
    });
    const r = auditSources([{ path: 'a.yaml', text: privileged }], { rules: [boom] });
    expect(r.findings.map((f) => [f.rule, f.message])).toEqual([['rule-failed', 'boom: kaput']]);
  });

  it('normalises the Kubernetes version and rejects nonsense', () => {
    expect(auditSources([], { kubernetesVersion: 'v1.31.4' }).kubernetesVersion).toBe('1.31');
    expect(() => auditSources([], { kubernetesVersion: 'latest' })).toThrow(RangeError);
  });
});

describe('slipway.dev/ignore', () => {
  const annotated = (value: string) =>
    privileged.replace(
      '  namespace: shop',
      `  namespace: shop\n  annotations:\n    slipway.dev/ignore: ${value}`,
    );

  it('silences a rule on the object when a reason is given', () => {
    for (const value of [
      '"privileged-container — the CNI agent needs it"',
      '"privileged-container: CNI agent"',
      '"latest-tag - pinned by the operator; privileged-container -- CNI agent"',
    ]) {
      const r = auditSources([{ path: 'a.yaml', text: annotated(value) }], only('privileged-container'));
      expect(r.findings, value).toEqual([]);
      expect(r.suppressed).toBe(1);
    }
  });

  it('reports an entry without a reason at the annotation, and does not silence the rule', () => {
    const text = annotated('privileged-container');
    const r = auditSources([{ path: 'a.yaml', text }], only('privileged-container'));
    expect(r.findings.map((f) => `${f.rule} ${f.line}:${f.column}`)).toEqual([
      `invalid-ignore ${where(text, 'privileged-container')}`,
      `privileged-container ${where(text, 'privileged: true')}`,
    ]);
  });

  it('reports an unknown rule id', () => {
    const r = auditSources(
      [{ path: 'a.yaml', text: annotated('"privilged-container — typo"') }],
      only('privileged-container'),
    );
    expect(r.findings.map((f) => f.rule)).toEqual(['invalid-ignore', 'privileged-container']);
    expect(r.findings[0]?.message).toContain('"privilged-container" is not a rule id');
  });

  it('works on Compose services through labels', () => {
    const text =
      'services:\n  web:\n    image: nginx:1.27\n    privileged: true\n    labels:\n      slipway.dev/ignore: compose-privileged — device access for the test rig\n';
    const r = auditSources([{ path: 'compose.yaml', text }], only('compose-privileged'));
    expect(r.findings).toEqual([]);
    expect(r.suppressed).toBe(1);
  });
});

describe('decoded documents (verify audits its own render without building text)', () => {
  const annotatedPrivileged = `${privileged}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    slipway.dev/ignore: dangling-service\nspec:\n  selector: { app: nope }\n  ports: [{ port: 80 }]\n`;
  const documents = parseAllDocuments(annotatedPrivileged).map((d) => d.toJS());

  it('gives the same findings, at the same places, as the text', () => {
    const fromText = auditSources([{ path: 'a.yaml', text: annotatedPrivileged }]);
    let built = 0;
    const fromDocuments = auditSources([
      {
        path: 'a.yaml',
        text: () => {
          built++;
          return annotatedPrivileged;
        },
        documents,
      },
    ]);
    expect(fromText.findings.length).toBeGreaterThan(3);
    expect(fromDocuments).toEqual(fromText);
    expect(built).toBe(1);
  });

  it('never builds the text when nothing is found', () => {
    const clean = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    const r = auditSources([
      {
        path: 'c.yaml',
        text: () => {
          throw new Error('the text was built');
        },
        documents: [clean],
      },
    ]);
    expect([r.objects, r.findings]).toEqual([1, []]);
  });
});
