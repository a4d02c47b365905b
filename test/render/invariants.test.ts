/** Properties every rendered object of every example must have, whatever the spec says. */
import { describe, expect, it } from 'vitest';
import { childName } from '../../src/render/kubernetes/_names.ts';
import type { KubeObject } from '../../src/render/kubernetes/_object.ts';
import { toYaml } from '../../src/render/yaml.ts';
import { renderExamples } from './_examples.ts';

type Pod = {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: Record<string, unknown>;
  containers: {
    name: string;
    image: string;
    securityContext?: Record<string, unknown>;
    resources?: { requests?: object; limits?: object };
    env?: { value?: string }[];
  }[];
};

function podSpec(o: KubeObject): Pod | undefined {
  const spec = o.spec as Record<string, any> | undefined;
  if (!spec) return undefined;
  if (o.kind === 'CronJob') return spec.jobTemplate?.spec?.template?.spec;
  if (['Deployment', 'StatefulSet', 'Job', 'Rollout'].includes(o.kind)) return spec.template?.spec;
  return undefined;
}

const rendered = renderExamples();
const all = rendered.flatMap((r) => r.render.objects.map((o) => ({ ...r, o })));

describe('every rendered pod is hardened', () => {
  const pods = all.flatMap((x) => {
    const p = podSpec(x.o);
    return p
      ? [{ id: `${x.example}/${x.env} ${x.o.kind}/${x.o.metadata.name}`, pod: p, objects: x.render.objects }]
      : [];
  });

  it('there are pods to check', () => expect(pods.length).toBeGreaterThan(30));

  it.each(pods.map((p) => [p.id, p] as const))('%s', (_, { pod, objects }) => {
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(Number(pod.securityContext?.runAsUser)).toBeGreaterThan(0);
    // The ServiceAccount the pod names is rendered too.
    expect(
      objects.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === pod.serviceAccountName),
    ).toBe(true);
    for (const c of pod.containers) {
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(c.resources?.requests).toBeDefined();
      expect(c.resources?.limits).toBeDefined();
      expect(c.image).toMatch(/:[^:/]+$|@sha256:/);
      expect(c.image).not.toMatch(/:latest$/);
    }
  });
});

describe('references between objects resolve', () => {
  it.each(rendered.map((r) => [`${r.example}/${r.env}`, r] as const))('%s', (_, r) => {
    const byKind = (k: string) => r.render.objects.filter((o) => o.kind === k);
    const labelsOf = (o: KubeObject) =>
      ((o.spec as any)?.template?.metadata?.labels ?? {}) as Record<string, string>;
    const workloads = [...byKind('Deployment'), ...byKind('StatefulSet'), ...byKind('Rollout')];
    // Every Service and PDB selects at least one workload's pods.
    for (const s of [...byKind('Service'), ...byKind('PodDisruptionBudget')]) {
      const sel = ((s.spec as any).selector?.matchLabels ?? (s.spec as any).selector) as Record<
        string,
        string
      >;
      if (
        s.kind === 'Service' &&
        r.model.dependencies.some((d) => d.mode === 'ha' && s.metadata.name.includes(d.name))
      )
        continue;
      expect(
        workloads.some((w) => Object.entries(sel).every(([k, v]) => labelsOf(w)[k] === v)),
        `${s.kind}/${s.metadata.name}`,
      ).toBe(true);
    }
    // Every HPA, VPA and ScaledObject targets a rendered workload.
    for (const a of [
      ...byKind('HorizontalPodAutoscaler'),
      ...byKind('VerticalPodAutoscaler'),
      ...byKind('ScaledObject'),
    ]) {
      const ref = (a.spec as any).scaleTargetRef ?? (a.spec as any).targetRef;
      expect(
        workloads.some((w) => w.metadata.name === ref.name),
        `${a.kind}/${a.metadata.name} → ${ref.name}`,
      ).toBe(true);
    }
    // Every Ingress backend is a rendered Service with that port name.
    for (const ing of byKind('Ingress')) {
      for (const rule of (ing.spec as any).rules) {
        for (const p of rule.http.paths) {
          const svc = byKind('Service').find((s) => s.metadata.name === p.backend.service.name);
          expect(svc, p.backend.service.name).toBeDefined();
          expect(((svc?.spec ?? {}) as any).ports?.map((x: { name: string }) => x.name)).toContain(
            p.backend.service.port.name,
          );
        }
      }
    }
    // PDBs never block every eviction.
    for (const pdb of byKind('PodDisruptionBudget'))
      expect((pdb.spec as any).maxUnavailable).toBeGreaterThanOrEqual(1);
    // Every namespaced object is in the environment's namespace.
    for (const o of r.render.objects)
      if (o.kind !== 'Namespace') expect(o.metadata.namespace).toBe(r.model.environment.namespace);
    // Names are valid DNS labels of at most 63 characters.
    for (const o of r.render.objects) expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
  });
});

describe('zero-trust networking', () => {
  it.each(
    rendered
      .filter((r) => r.model.security.networkPolicy === 'zero-trust')
      .map((r) => [`${r.example}/${r.env}`, r] as const),
  )('%s', (_, r) => {
    const policies = r.render.objects.filter((o) => o.kind === 'NetworkPolicy');
    const deny = policies.find((p) => p.metadata.name.endsWith('default-deny'));
    expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    // Every service-to-service edge of the graph is allowed on both ends.
    for (const e of r.model.graph.filter(
      (x) => x.toKind === 'service' && x.from !== 'ingress' && x.from !== 'keda',
    )) {
      const from = policies.find((p) => p.metadata.name === childName(r.model, e.from, 'allow'));
      const to = policies.find((p) => p.metadata.name === childName(r.model, e.to, 'allow'));
      expect(JSON.stringify((from?.spec as any)?.egress ?? []), `${e.from} → ${e.to} egress`).toContain(
        `"port":${e.port}`,
      );
      expect(JSON.stringify((to?.spec as any)?.ingress ?? []), `${e.from} → ${e.to} ingress`).toContain(
        `"port":${e.port}`,
      );
    }
  });
});

describe('secrets', () => {
  it('no rendered object is a Secret with data, and no env value holds a secret reference resolved to text', () => {
    for (const { o } of all) {
      if (o.kind === 'Secret') expect(o.data ?? o.stringData).toBeUndefined();
      const text = toYaml(o);
      expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
      expect(text).not.toMatch(/\$\{secrets\./);
    }
  });
});

describe('determinism', () => {
  it('rendering twice gives the same bytes', () => {
    const again = renderExamples();
    expect(again.map((r) => r.render.objects.map((o) => toYaml(o)).join(''))).toEqual(
      rendered.map((r) => r.render.objects.map((o) => toYaml(o)).join('')),
    );
  });
});

describe('upgrade safety: immutable fields do not change between releases', () => {
  it.each(rendered.map((r) => [`${r.example}/${r.env}`, r] as const))('%s', async (_, r) => {
    const { renderKubernetes } = await import('../../src/render/kubernetes/index.ts');
    const next = structuredClone(r.model);
    next.app.version = '99.1.0';
    for (const s of next.services) s.image = s.image.replace(/:[^:/]+$/, ':99.1.0');
    const files = new Map<string, string>();
    for (const s of r.model.services) for (const f of s.files) files.set(f.source, '');
    const before = renderKubernetes(r.model, { files }).objects;
    const after = renderKubernetes(next, { files }).objects;
    const immutable = (o: KubeObject) => {
      const spec = (o.spec ?? {}) as Record<string, unknown>;
      if (o.kind === 'StatefulSet')
        return { selector: spec.selector, serviceName: spec.serviceName, claims: spec.volumeClaimTemplates };
      if (o.kind === 'Deployment' || o.kind === 'Rollout') return { selector: spec.selector };
      if (o.kind === 'Service') return { clusterIP: spec.clusterIP, selector: spec.selector };
      if (o.kind === 'PersistentVolumeClaim')
        return { accessModes: spec.accessModes, storageClassName: spec.storageClassName };
      return undefined;
    };
    for (const o of before) {
      const other = after.find((x) => x.kind === o.kind && x.metadata.name === o.metadata.name);
      if (o.kind === 'Job') continue; // Jobs are named by content: a new release is a new Job.
      expect(other, `${o.kind}/${o.metadata.name} keeps its name`).toBeDefined();
      if (other) expect(immutable(other), `${o.kind}/${o.metadata.name}`).toEqual(immutable(o));
    }
  });
});

describe('what Go tools read is what was rendered', () => {
  // kubectl, helm and kubeconform parse YAML 1.1, where a plain `yes` or `Off` is a boolean.
  it.each(rendered.map((r) => [`${r.example}/${r.env}`, r] as const))('%s', async (_, r) => {
    const { parse } = await import('yaml');
    for (const o of r.render.objects)
      expect(parse(toYaml(o), { version: '1.1' }), `${o.kind}/${o.metadata.name}`).toEqual(o);
  });
});
