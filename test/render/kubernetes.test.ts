/** Kubernetes renderer behaviours, one small spec per case. */
import { describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../../src/model/resolve.ts';
import type { KubeObject } from '../../src/render/kubernetes/_object.ts';
import { renderKubernetes } from '../../src/render/kubernetes/index.ts';
import { parseSpec } from '../../src/spec/loader.ts';

function render(services: string, env = '', extra = '') {
  const text = `apiVersion: slipway.dev/v1
app: { name: shop, version: 1.0.0 }
services:
${services}
${extra}
environments:
  prod:
    target: kubernetes
${env}`;
  const r = parseSpec('slipway.yaml', text);
  if (!r.loaded) throw new Error(JSON.stringify(r.diagnostics, null, 1));
  const model = resolveEnvironment(r.loaded.spec, 'prod');
  return { model, ...renderKubernetes(model, { files: new Map() }) };
}
const find = (objs: KubeObject[], kind: string, name?: string) =>
  objs.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
/** The spec of an object that must exist (fails the test clearly when it does not). */
function specOf(o: KubeObject | undefined): unknown {
  if (!o) throw new Error('expected object was not rendered');
  return o.spec;
}
const WEB = `  web:\n    image: acme/web:1.0.0\n    ports: { http: 8080 }\n`;

describe('kubernetes renderer', () => {
  it('names a service called like its app after the app, and refuses two objects with one kind and name', () => {
    const r = render(
      `  shop:\n    image: acme/shop:1.0.0\n    ports: { http: 80 }\n  env:\n    kind: worker\n    image: acme/env:1.0.0\n`,
    );
    expect(
      find(r.objects, 'Deployment')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['shop', 'shop-env']);
    expect(r.problems).toEqual([]);
    // A patch that renames one Service onto another's name must be refused, not applied over it.
    const clash = render(
      `  shop:\n    image: acme/shop:1.0.0\n    ports: { http: 80 }\n  api:\n    image: acme/api:1.0.0\n    ports: { http: 80 }\n`,
      `    patches:\n      kubernetes:\n        - target: { kind: Service, name: api }\n          merge: { metadata: { name: shop } }\n`,
    );
    expect(clash.problems.map((p) => p.message)).toEqual(['two rendered objects are both Service/shop']);
  });

  it('leaves replicas to the autoscaler when there is one', () => {
    const r = render(`${WEB}    replicas: 3\n    autoscaling: { max: 6 }\n`);
    const d = find(r.objects, 'Deployment', 'shop-web')[0];
    expect((specOf(d) as { replicas?: number }).replicas).toBeUndefined();
    expect(find(r.objects, 'HorizontalPodAutoscaler')[0]?.spec).toMatchObject({
      minReplicas: 3,
      maxReplicas: 6,
    });
    expect(find(r.objects, 'PodDisruptionBudget')).toHaveLength(1);
    const single = render(WEB);
    expect((specOf(find(single.objects, 'Deployment')[0]) as { replicas?: number }).replicas).toBe(1);
    expect(find(single.objects, 'PodDisruptionBudget')).toHaveLength(0);
  });

  it('renders blue-green with Argo Rollouts when the cluster has it, and colours otherwise', () => {
    const svc = `${WEB}    replicas: 2\n    rollout: { strategy: blue-green, autoPromote: false, scaleDownDelay: 45s }\n`;
    const argo = render(svc, '    capabilities: [argo-rollouts]\n');
    expect(find(argo.objects, 'Rollout')[0]?.spec).toMatchObject({
      strategy: {
        blueGreen: {
          activeService: 'shop-web',
          previewService: 'shop-web-preview',
          autoPromotionEnabled: false,
          scaleDownDelaySeconds: 45,
        },
      },
    });
    expect(find(argo.objects, 'Deployment')).toHaveLength(0);
    const plain = render(svc);
    expect(
      find(plain.objects, 'Deployment').map((d) => [
        d.metadata.name,
        (d.spec as { replicas: number }).replicas,
      ]),
    ).toEqual([
      ['shop-web-blue', 2],
      ['shop-web-green', 0],
    ]);
    expect(
      (specOf(find(plain.objects, 'Service', 'shop-web')[0]) as { selector: Record<string, string> })
        .selector['slipway.dev/color'],
    ).toBe('blue');
    expect(
      (specOf(find(plain.objects, 'Service', 'shop-web-preview')[0]) as { selector: Record<string, string> })
        .selector['slipway.dev/color'],
    ).toBe('green');
  });

  it('applies merge and JSON patches last, and reports a failing JSON patch at its spec path', () => {
    const r = render(
      WEB,
      `    patches:\n      kubernetes:\n        - target: { kind: Deployment, name: web }\n          merge: { metadata: { annotations: { team: payments } } }\n        - target: { kind: Service }\n          jsonPatch: [{ op: add, path: /metadata/annotations, value: { lb: internal } }]\n        - target: { kind: Service }\n          jsonPatch: [{ op: replace, path: /spec/nope/deeper, value: 1 }]\n`,
    );
    expect(find(r.objects, 'Deployment')[0]?.metadata.annotations).toEqual({ team: 'payments' });
    expect(find(r.objects, 'Service')[0]?.metadata.annotations).toEqual({ lb: 'internal' });
    expect(r.problems.map((p) => p.specPath)).toEqual(['environments.prod.patches.kubernetes[2]']);
  });

  it('asks External Secrets for every key, implicit database passwords included', () => {
    const r = render(
      `${WEB}    env:\n      DATABASE_URL: \${dependencies.db.url}\n      TOKEN: \${secrets.token}\n`,
      '    secrets: { source: external-secrets, store: vault }\n',
      'dependencies:\n  db: { type: postgres }\nsecrets:\n  token: { remoteKey: prod/token }\n',
    );
    const es = find(r.objects, 'ExternalSecret')[0];
    expect(es?.spec).toMatchObject({
      secretStoreRef: { name: 'vault', kind: 'ClusterSecretStore' },
      target: { name: 'shop-secrets' },
      data: [
        { secretKey: 'db-password', remoteRef: { key: 'shop/db-password' } },
        { secretKey: 'token', remoteRef: { key: 'prod/token' } },
      ],
    });
    expect(find(r.objects, 'Secret')).toHaveLength(0);
  });

  it('builds a database URL from a secret without writing the password', () => {
    const r = render(
      `${WEB}    env:\n      DATABASE_URL: \${dependencies.db.url}\n`,
      '',
      'dependencies:\n  db: { type: postgres }\n',
    );
    const env = (specOf(find(r.objects, 'Deployment')[0]) as any).template.spec.containers[0].env;
    expect(env).toEqual([
      {
        name: 'SLIPWAY_SECRET_DB_PASSWORD',
        valueFrom: { secretKeyRef: { name: 'shop-secrets', key: 'db-password' } },
      },
      { name: 'DATABASE_URL', value: 'postgresql://shop:$(SLIPWAY_SECRET_DB_PASSWORD)@shop-db:5432/shop' },
    ]);
  });

  it('reads an HA PostgreSQL URL from the operator secret', () => {
    const r = render(
      `${WEB}    env:\n      DATABASE_URL: \${dependencies.db.url}\n`,
      '    capabilities: [cloudnative-pg]\n',
      'dependencies:\n  db: { type: postgres, mode: ha }\n',
    );
    const env = (specOf(find(r.objects, 'Deployment')[0]) as any).template.spec.containers[0].env;
    expect(env).toEqual([
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'shop-db-app', key: 'uri' } } },
    ]);
    expect(find(r.objects, 'Cluster')[0]?.spec).toMatchObject({
      instances: 3,
      bootstrap: { initdb: { database: 'shop', owner: 'shop' } },
    });
  });

  it('renders VPAs only when asked, in Off mode for recommendations', () => {
    expect(find(render(WEB).objects, 'VerticalPodAutoscaler')).toHaveLength(0);
    const rec = render(WEB, '    capabilities: [vpa]\n');
    expect((specOf(find(rec.objects, 'VerticalPodAutoscaler')[0]) as any).updatePolicy).toEqual({
      updateMode: 'Off',
    });
    const auto = render(`${WEB}    vpa: { mode: auto, max: { memory: 2Gi } }\n`, '    capabilities: [vpa]\n');
    expect(
      (specOf(find(auto.objects, 'VerticalPodAutoscaler')[0]) as any).resourcePolicy.containerPolicies[0],
    ).toMatchObject({ maxAllowed: { memory: '2Gi' } });
  });

  it('writes no network policies when the spec opens the network', () => {
    expect(
      find(render(WEB, '', 'security: { networkPolicy: open }\n').objects, 'NetworkPolicy'),
    ).toHaveLength(0);
    expect(find(render(WEB).objects, 'NetworkPolicy').length).toBeGreaterThanOrEqual(2);
  });

  it('names hook jobs by content, so a changed job is a new Job', () => {
    const job = `  migrate:\n    kind: job\n    image: acme/web:1.0.0\n    command: [migrate]\n    hook: { phase: pre-deploy, order: 2 }\n`;
    const a = find(render(job).objects, 'Job')[0];
    const b = find(render(job.replace('[migrate]', '[migrate, --all]')).objects, 'Job')[0];
    expect(a?.metadata.name).toMatch(/^shop-migrate-[0-9a-f]{8}$/);
    expect(a?.metadata.name).not.toBe(b?.metadata.name);
    expect(a?.metadata.annotations).toEqual({
      'slipway.dev/hook': 'pre-deploy',
      'slipway.dev/hook-order': '2',
    });
  });
});
