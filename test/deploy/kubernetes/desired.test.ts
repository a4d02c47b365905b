import { describe, expect, it } from 'vitest';
import type { Io } from '../../../src/cli/output.ts';
import { renderDesired } from '../../../src/deploy/kubernetes/desired.ts';
import { hookJobs } from '../../../src/deploy/kubernetes/hooks.ts';
import { resolveEnvironment } from '../../../src/model/resolve.ts';
import { loadSpecFile } from '../../../src/spec/loader.ts';

const io: Io = { out: () => {}, err: () => {}, color: false, format: 'text' };
function target() {
  const r = loadSpecFile('test/e2e/fixtures/kube-deploy/slipway.yaml');
  if (!r.loaded) throw new Error('fixture does not load');
  return {
    loaded: r.loaded,
    model: resolveEnvironment(r.loaded.spec, 'stage'),
    env: 'stage',
    specPath: 'x',
    io,
  };
}

describe('renderDesired', () => {
  it('renders the environment in memory, in apply order, with a stable spec hash', () => {
    const d = renderDesired(target());
    expect(d.objects[0]?.kind).toBe('Namespace');
    const kinds = d.objects.map((o) => o.kind);
    expect(kinds.indexOf('ConfigMap')).toBeLessThan(kinds.indexOf('Deployment'));
    expect(kinds.indexOf('Job')).toBeLessThan(kinds.indexOf('Deployment'));
    expect(d.images).toMatchObject({ web: 'example.test/harbor-web:1.0.0' });
    expect(d.specHash).toMatch(/^[0-9a-f]{64}$/);
    expect(renderDesired(target()).specHash).toBe(d.specHash);
  });

  it('overrides the tag and registry of images Slipway builds, never pinned ones', () => {
    const t = target();
    t.loaded.spec.services.api = {
      ...t.loaded.spec.services.api,
      image: undefined,
      build: { context: '.' },
    } as never;
    const d = renderDesired(t, { imageTag: 'abc123', registry: 'ghcr.io/acme' });
    expect(d.images.api).toBe('ghcr.io/acme/harbor-api:abc123');
    expect(d.images.web).toBe('example.test/harbor-web:1.0.0');
  });

  it('tells pre-deploy hook Jobs apart, in hook order', () => {
    const d = renderDesired(target());
    expect(hookJobs(d.objects, 'pre-deploy').map((j) => j.metadata?.name)).toEqual([
      expect.stringMatching(/^harbor-migrate-[0-9a-f]{8}$/),
    ]);
    expect(hookJobs(d.objects, 'post-deploy')).toEqual([]);
  });
});
