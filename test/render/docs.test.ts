/**
 * The architecture documents: goldens per example (test/golden/<example>/docs/…, written on first
 * run or with UPDATE_GOLDEN=1), every Mermaid block parsed by Mermaid itself, the diagrams and the
 * configuration matrix checked against the Model, links and commands checked against what is
 * rendered, no secret value anywhere, and byte-for-byte determinism.
 */
import { existsSync, globSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveEnvironment } from '../../src/model/resolve.ts';
import type { Model } from '../../src/model/types.ts';
import type { FileArtifact } from '../../src/render/artifact.ts';
import { renderCompose } from '../../src/render/compose/index.ts';
import { renderArchitectureDocs } from '../../src/render/docs/index.ts';
import { renderKubernetes } from '../../src/render/kubernetes/index.ts';
import { loadSpecFile, parseSpec } from '../../src/spec/loader.ts';
import { quantityValue } from '../../src/spec/semantics.ts';

const update = process.env.UPDATE_GOLDEN === '1';

interface Example {
  name: string;
  file: string;
  models: Model[];
  docs: FileArtifact[];
}

function load(file: string): Model[] {
  const r = loadSpecFile(file);
  if (!r.loaded) throw new Error(`${file} does not load: ${JSON.stringify(r.diagnostics)}`);
  const { spec } = r.loaded;
  return Object.keys(spec.environments).map((env) => resolveEnvironment(spec, env));
}

const examples: Example[] = globSync('examples/*/slipway.yaml')
  .sort()
  .map((file) => {
    const models = load(file);
    return {
      name: file.split('/')[1] ?? file,
      file,
      models,
      docs: renderArchitectureDocs(models, { specPath: file }),
    };
  });

const doc = (e: Example, path: string) => {
  const f = e.docs.find((d) => d.path === path);
  if (!f) throw new Error(`${e.name}: no ${path}`);
  return f.content;
};

/** The text of a `## <title>` section of a Markdown document (up to the next `## `). */
function section(text: string, title: string): string {
  const start = text.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`no section ${title}`);
  const next = text.indexOf('\n## ', start + 4);
  return text.slice(start, next < 0 ? undefined : next);
}

const mermaidBlocks = (text: string) =>
  [...text.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1] ?? '');

/** Rows of the first Markdown table after `after`, as cell arrays. */
function tableAfter(text: string, after: string): string[][] {
  const at = text.indexOf(after);
  if (at < 0) throw new Error(`no ${after}`);
  const lines = text.slice(at).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const l of lines.slice(first)) {
    if (!l.startsWith('|')) break;
    rows.push(
      l
        .slice(2, -2)
        .split(/ (?<!\\)\| /)
        .map((c) => c.replace(/\\\|/g, '|')),
    );
  }
  return rows.filter((_, i) => i !== 1);
}

// Mermaid's parser, in Node: it only needs DOMPurify's hooks, which need a browser DOM. Parsing
// never sanitises anything that matters for syntax, so a no-op stand-in is enough.
interface FlowDb {
  getVertices(): Map<string, { id: string; text?: string }>;
  getEdges(): { start: string; end: string; text?: string }[];
  getSubGraphs(): { id: string; title: string; nodes: string[] }[];
}
interface Mermaid {
  parse(text: string): Promise<unknown>;
  mermaidAPI: { getDiagramFromText(text: string): Promise<{ type: string; db: FlowDb }> };
}
let mermaid: Mermaid;
beforeAll(async () => {
  const purify = (await import('dompurify')).default as unknown as Record<string, unknown>;
  purify.addHook ??= () => {};
  purify.sanitize ??= (s: string) => s;
  mermaid = (await import('mermaid')).default as unknown as Mermaid;
  await mermaid.parse('flowchart LR\n  a --> b');
}, 60_000);

async function flowchart(text: string) {
  await mermaid.parse(text);
  const d = await mermaid.mermaidAPI.getDiagramFromText(text);
  expect(d.type).toBe('flowchart-v2');
  const vertices = [...d.db.getVertices().values()];
  const firstLine = (id: string) => (vertices.find((v) => v.id === id)?.text ?? '').split('<br/>')[0];
  return { vertices, edges: d.db.getEdges(), subgraphs: d.db.getSubGraphs(), firstLine };
}

describe('architecture documents', () => {
  it('covers every example, with the same structure', () => {
    expect(examples.map((e) => e.name)).toEqual([
      'autodevhub',
      'codequal',
      'devportal',
      'plugin-portal',
      'vibeyard',
    ]);
    for (const e of examples) {
      expect(e.docs.map((d) => d.path).sort()).toEqual(
        [
          'docs/README.md',
          'docs/environments.md',
          'docs/networking.md',
          'docs/overview.md',
          'docs/setup.md',
          ...e.models.map((m) => `docs/runbooks/${m.environment.name}.md`),
        ].sort(),
      );
    }
  });

  describe.each(examples.map((e) => [e.name, e] as const))('%s', (_, e) => {
    it('matches its golden files', () => {
      for (const d of e.docs) {
        const file = join('test/golden', e.name, d.path);
        if (update || !existsSync(file)) {
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, d.content);
        }
        expect(d.content, file).toBe(readFileSync(file, 'utf8'));
      }
      // No stale golden left behind by a renamed document.
      const written = globSync(join('test/golden', e.name, 'docs/**/*.md')).map((f) =>
        f.slice(`test/golden/${e.name}/`.length),
      );
      expect(written.sort()).toEqual(e.docs.map((d) => d.path).sort());
    });

    it('says in every document that it is generated from the spec', () => {
      for (const d of e.docs) {
        expect(d.content.startsWith(`<!-- Generated by slipway from ${e.file}.`), d.path).toBe(true);
        expect(d.content).toContain(`Generated by Slipway from \`${e.file}\``);
        expect(d.renderer).toBe('docs');
      }
    });

    it('is deterministic', () => {
      const again = renderArchitectureDocs(load(e.file), { specPath: e.file });
      expect(again).toEqual(e.docs);
    });

    it('writes Mermaid that Mermaid parses', async () => {
      const blocks = e.docs.flatMap((d) => mermaidBlocks(d.content).map((b) => [d.path, b] as const));
      expect(blocks.length).toBeGreaterThanOrEqual(1 + e.models.length);
      for (const [path, b] of blocks) await expect(mermaid.parse(b), `${path}:\n${b}`).resolves.toBeTruthy();
    });

    it("draws every service and dependency in its environment's topology, with the graph's edges", async () => {
      const net = doc(e, 'docs/networking.md');
      for (const m of e.models) {
        const env = m.environment.name;
        const [topology] = mermaidBlocks(section(net, env));
        const chart = await flowchart(topology ?? '');
        const sub = chart.subgraphs.find((s) => s.title.startsWith(`${env} · `));
        expect(sub, env).toBeDefined();
        const inEnv = (sub?.nodes ?? []).map(chart.firstLine);
        for (const s of m.services) expect(inEnv, `${env}: service ${s.name}`).toContain(s.name);
        const everywhere = chart.vertices.map((v) => chart.firstLine(v.id));
        for (const d of m.dependencies) {
          if (d.mode === 'external') expect(everywhere, `${env}: dependency ${d.name}`).toContain(d.name);
          else expect(inEnv, `${env}: dependency ${d.name}`).toContain(d.name);
        }
        // Who talks to whom: each edge of the graph is an arrow between the right nodes.
        const arrows = new Set(
          chart.edges.map((x) => `${chart.firstLine(x.start)}>${chart.firstLine(x.end)}`),
        );
        for (const g of m.graph) {
          if (g.from === 'ingress' || g.from === 'keda') continue;
          expect(arrows, `${env}: ${g.from} → ${g.to}`).toContain(`${g.from}>${g.to}`);
        }
        for (const r of m.ingress?.routes ?? [])
          if (m.environment.target === 'kubernetes' || m.environment.profile === 'production')
            expect(
              [...arrows].some((a) => a.endsWith(`>${r.service}`) && !a.startsWith('clients')),
              `${env}: route to ${r.service}`,
            ).toBe(true);
      }
    });

    it('draws the network policy graph of each zero-trust Kubernetes environment from its policies', async () => {
      const net = doc(e, 'docs/networking.md');
      for (const m of e.models) {
        if (m.environment.target !== 'kubernetes' || m.security.networkPolicy !== 'zero-trust') continue;
        const blocks = mermaidBlocks(section(net, m.environment.name));
        expect(blocks, m.environment.name).toHaveLength(2);
        const chart = await flowchart(blocks[1] ?? '');
        const arrows = new Set(
          chart.edges.map((x) => `${chart.firstLine(x.start)}>${chart.firstLine(x.end)}`),
        );
        // Every internal edge of the communication graph is allowed, with its port.
        for (const g of m.graph.filter(
          (x) => x.toKind !== 'external' && x.from !== 'ingress' && x.from !== 'keda',
        )) {
          const target = m.dependencies.find((d) => d.name === g.to);
          if (target && target.mode === 'external') continue;
          expect(arrows, `${m.environment.name}: ${g.from} → ${g.to}`).toContain(`${g.from}>${g.to}`);
          const edge = chart.edges.find(
            (x) => chart.firstLine(x.start) === g.from && chart.firstLine(x.end) === g.to,
          );
          expect(edge?.text ?? '', `${g.from} → ${g.to}`).toContain(`TCP ${g.port}`);
        }
        if (m.ingress)
          for (const r of m.ingress.routes)
            expect(arrows, `ingress → ${r.service}`).toContain(`namespace ingress-nginx>${r.service}`);
      }
    });

    it('puts the model’s numbers in the configuration matrix', () => {
      const env = doc(e, 'docs/environments.md');
      const rows = tableAfter(env, '## Configuration matrix');
      const head = rows[0] ?? [];
      const names = e.models.map((m) => m.environment.name);
      expect(head.slice(1)).toEqual(names);
      const row = (label: string) => {
        const r = rows.find((x) => x[0] === label);
        if (!r) throw new Error(`no matrix row ${label}`);
        return r.slice(1);
      };
      e.models.forEach((m, i) => {
        expect(row('target')[i]).toContain(m.environment.target);
        expect(row('namespace / project')[i]).toBe(`\`${m.environment.namespace}\``);
        for (const s of m.services) {
          expect(row(`${s.name}: CPU request / limit`)[i]).toBe(
            `${s.resources.requests.cpu} / ${s.resources.limits.cpu}`,
          );
          expect(row(`${s.name}: memory request / limit`)[i]).toBe(
            `${s.resources.requests.memory} / ${s.resources.limits.memory}`,
          );
          if (s.kind !== 'web' && s.kind !== 'worker') continue;
          const k8s = m.environment.target === 'kubernetes';
          const min = k8s ? (s.queueScaling?.min ?? s.autoscaling?.min ?? s.replicas) : s.replicas;
          const max = k8s ? (s.queueScaling?.max ?? s.autoscaling?.max ?? s.replicas) : s.replicas;
          expect(row(`${s.name}: replicas`)[i]?.split(' ')[0]).toBe(
            min === max ? String(min) : `${min}–${max}`,
          );
        }
        for (const d of m.dependencies) {
          expect(row(`${d.name}: mode`)[i]).toContain(`${d.type} ${d.version}, ${d.mode}`);
          if (d.mode === 'self-hosted' || d.mode === 'ha')
            expect(row(`${d.name}: CPU / memory request`)[i]).toBe(
              `${d.resources.requests.cpu} / ${d.resources.requests.memory}`,
            );
        }
        for (const h of m.ingress?.hosts ?? []) expect(row('hosts')[i]).toContain(h);
      });
    });

    it('sums the sizing tables: components as in the model, totals as the sum of the components', () => {
      const env = doc(e, 'docs/environments.md');
      for (const m of e.models) {
        const rows = tableAfter(section(env, m.environment.name), '### Sizing');
        const body = rows.slice(1);
        const total = body.find((r) => r[0] === '**total**');
        const parts = body.filter((r) => r[0] !== '**total**');
        const range = (cell: string) => {
          const [a = '', b] = cell.split(' (')[0]?.split(' → ') ?? [];
          return { min: Number(a), max: Number(b ?? a) };
        };
        const cpu = (q: string) => Math.round(quantityValue(q) * 1000);
        const mem = (q: string) => quantityValue(q) / 2 ** 20;
        const sum = { cpuMin: 0, cpuMax: 0, memMin: 0, memMax: 0, podsMin: 0, podsMax: 0 };
        for (const r of parts) {
          const [name = '', , replicas = '', cpuCell = '', memCell = ''] = r;
          const { min, max } = range(replicas);
          const [cpuReq = ''] = cpuCell.split(' / ');
          const [memReq = ''] = memCell.split(' / ');
          const s = m.services.find((x) => x.name === name);
          if (s) {
            expect(cpu(cpuReq), `${m.environment.name}/${name} cpu`).toBe(cpu(s.resources.requests.cpu));
            expect(mem(memReq), `${m.environment.name}/${name} memory`).toBe(
              mem(s.resources.requests.memory),
            );
          }
          const d = m.dependencies.find((x) => x.name === name);
          if (d) {
            expect(cpu(cpuReq)).toBe(cpu(d.resources.requests.cpu));
            expect(min).toBe(
              m.environment.target === 'compose' || d.mode === 'self-hosted' ? 1 : d.instances,
            );
          }
          sum.podsMin += min;
          sum.podsMax += max;
          sum.cpuMin += min * cpu(cpuReq);
          sum.cpuMax += max * cpu(cpuReq);
          sum.memMin += min * mem(memReq);
          sum.memMax += max * mem(memReq);
        }
        const longRunning = m.services.filter((s) => s.kind === 'web' || s.kind === 'worker');
        for (const s of longRunning)
          expect(
            parts.map((r) => r[0]),
            m.environment.name,
          ).toContain(s.name);
        expect(total, m.environment.name).toBeDefined();
        const [, , pods = '', , , cpuTotal = '', memTotal = ''] = total ?? [];
        expect(range(pods)).toEqual({ min: sum.podsMin, max: sum.podsMax });
        const [cMin = '', cMax] = cpuTotal.replace(/\*/g, '').split(' → ');
        expect(cpu(cMin)).toBe(sum.cpuMin);
        expect(cpu(cMax ?? cMin)).toBe(sum.cpuMax);
        const [mMin = '', mMax] = memTotal.replace(/\*/g, '').split(' → ');
        expect(mem(mMin)).toBeCloseTo(sum.memMin, 3);
        expect(mem(mMax ?? mMin)).toBeCloseTo(sum.memMax, 3);
      }
    });

    it('names only objects the Kubernetes renderer produces in its commands', () => {
      for (const m of e.models) {
        if (m.environment.target !== 'kubernetes') continue;
        const text = doc(e, `docs/runbooks/${m.environment.name}.md`);
        const objects = renderKubernetes(m, { files: new Map() }).objects;
        const names = (kind: string) =>
          new Set(objects.filter((o) => o.kind === kind).map((o) => o.metadata.name));
        const refs: [RegExp, string][] = [
          [/\b(?:deployment)\/([a-z0-9-]+)(?![a-z0-9-]*\$)/g, 'Deployment'],
          [/\bstatefulset\/([a-z0-9-]+)/g, 'StatefulSet'],
          [/\bcronjob\/([a-z0-9-]+)/g, 'CronJob'],
          [/\bscaledobject\/([a-z0-9-]+)/g, 'ScaledObject'],
          [/\bhpa\/((?!keda-hpa-)[a-z0-9-]+)/g, 'HorizontalPodAutoscaler'],
          [/\bexternalsecret\/([a-z0-9-]+)/g, 'ExternalSecret'],
        ];
        // Add-ons live in their own namespaces (the Sealed Secrets controller): not this app's objects.
        const own = text
          .split('\n')
          .filter((l) => !l.includes('-n kube-system'))
          .join('\n');
        for (const [re, kind] of refs)
          for (const match of own.matchAll(re)) {
            const name = match[1] ?? '';
            // Colour-switched Deployments are named with the active colour at run time.
            if (kind === 'Deployment' && text.includes(`deployment/${name}-$COLOR`)) continue;
            expect(names(kind), `${m.environment.name}: ${kind} ${name}`).toContain(name);
          }
        for (const match of text.matchAll(/\bservice\/([a-z0-9-]+)/g)) {
          const name = match[1] ?? '';
          const known = names('Service').has(name) || /-rw$|^rfrm-/.test(name);
          expect(known, `${m.environment.name}: Service ${name}`).toBe(true);
        }
        for (const match of text.matchAll(/-f (deploy\/[^\s]+\.yaml)/g)) {
          const file = match[1] ?? '';
          expect(file.startsWith(`deploy/${m.environment.name}/kubernetes/`), file).toBe(true);
        }
        expect(text).toContain(`-n ${m.environment.namespace}`);
      }
    });

    it('names only compose services of the project in its compose commands', () => {
      for (const m of e.models) {
        if (m.environment.target !== 'compose') continue;
        const text = doc(e, `docs/runbooks/${m.environment.name}.md`);
        const files = new Map(m.services.flatMap((s) => s.files.map((f) => [f.source, ''] as const)));
        const compose =
          renderCompose(m, { files }).files.find((f) => f.path === 'compose.yaml')?.content ?? '';
        const verbs =
          /--env-file \S+ (?:logs -f --tail=200|restart|exec(?: -T)?|stop|start|run --rm|up -d --wait) ([a-z0-9 -]+)/g;
        for (const match of text.matchAll(verbs))
          for (const svc of (match[1] ?? '')
            .split(' ')
            .filter((w) => w && !w.startsWith('-') && !/^(pg_|psql|redis-cli)/.test(w))
            .slice(0, 1)) {
            expect(compose, `${m.environment.name}: service ${svc}`).toMatch(new RegExp(`^  ${svc}:$`, 'm'));
          }
        const project = /^name: (.+)$/m.exec(compose)?.[1] ?? '';
        for (const match of text.matchAll(new RegExp(`-v ${project}_([a-z0-9-]+):`, 'g'))) {
          const volume = match[1] ?? '';
          expect(compose, `${m.environment.name}: volume ${volume}`).toMatch(
            new RegExp(`^  ${volume}: \\{\\}$`, 'm'),
          );
        }
        expect(text).toContain(`docker compose -f deploy/${m.environment.name}/compose.yaml --env-file`);
      }
    });

    it('links only to documents and headings that exist', () => {
      const anchors = new Map(
        e.docs.map((d) => [
          d.path.slice('docs/'.length),
          new Set(
            [...d.content.matchAll(/^#{1,6} (.+)$/gm)].map((h) =>
              (h[1] ?? '')
                .toLowerCase()
                .replace(/[^\p{L}\p{N}\s_-]/gu, '')
                .replace(/\s/g, '-'),
            ),
          ),
        ]),
      );
      for (const d of e.docs) {
        const here = d.path.slice('docs/'.length);
        for (const link of d.content.matchAll(/\]\(([^)\s]+)\)/g)) {
          const target = link[1] ?? '';
          if (/^[a-z]+:/.test(target)) continue;
          const [file = '', hash] = target.split('#');
          const resolved = file === '' ? here : join(dirname(here), file).replace(/^\.\//, '');
          expect(anchors.has(resolved), `${d.path} → ${target}`).toBe(true);
          if (hash) expect(anchors.get(resolved), `${d.path} → ${target}`).toContain(hash);
        }
      }
    });

    it('lists the renderers’ prerequisites and the way to provide each secret, never a value', () => {
      const setup = doc(e, 'docs/setup.md');
      for (const m of e.models) {
        const s = section(setup, m.environment.name);
        if (m.environment.target === 'kubernetes') {
          const k = renderKubernetes(m, { files: new Map() });
          for (const p of k.prerequisites) expect(s).toContain(p);
          for (const line of k.secrets.how.split('\n').slice(1)) expect(s).toContain(line);
        }
        for (const secret of m.secrets) expect(s).toContain(`\`${secret.name}\``);
      }
      for (const d of e.docs)
        for (const m of d.content.matchAll(/--from-literal=([^\s]+)/g))
          expect(m[1], d.path).toMatch(/^[^=]+="\$[A-Z0-9_]+"$/);
    });
  });

  it('never writes a secret value, even one sitting next to the spec', () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-docs-'));
    const canary = 'c4n4ry-5ecret-value-9f1d';
    writeFileSync(join(dir, '.env'), `API_KEY=${canary}\nDB_PASSWORD=${canary}\n`);
    const text = `apiVersion: slipway.dev/v1
app: { name: shop, version: 1.0.0 }
services:
  web:
    image: acme/web:1.0.0
    ports: { http: 8080 }
    env:
      API_KEY: \${secrets.api-key}
      DATABASE_URL: \${dependencies.db.url}
dependencies:
  db: { type: postgres }
secrets:
  api-key: { description: the API key }
ingress:
  hosts: [shop.example.com]
  routes: [{ path: /, service: web }]
environments:
  dev: { target: compose, profile: development }
  server: { target: compose }
  prod: { target: kubernetes }
`;
    const r = parseSpec(join(dir, 'slipway.yaml'), text);
    if (!r.loaded) throw new Error(JSON.stringify(r.diagnostics));
    const spec = r.loaded.spec;
    const docs = renderArchitectureDocs(
      Object.keys(spec.environments).map((env) => resolveEnvironment(spec, env)),
      { specPath: 'shop/slipway.yaml' },
    );
    for (const d of docs) {
      expect(d.content).not.toContain(canary);
      expect(d.content).not.toMatch(/stringData|^\s+data:\s*$/m);
    }
    const setup = docs.find((d) => d.path === 'docs/setup.md')?.content ?? '';
    expect(setup).toContain('`API_KEY`');
    expect(setup).toContain('--from-literal=api-key="$API_KEY"');
  });

  it('sanitises node ids, so names Mermaid would misread still parse', async () => {
    const text = `apiVersion: slipway.dev/v1
app: { name: end }
services:
  end:
    image: acme/end:1.0.0
    ports: { http: 8080 }
    uses: [o-db]
    egress: [{ host: x.example.com, port: 443 }]
  subgraph:
    kind: worker
    image: acme/w:1.0.0
    uses: [end]
dependencies:
  o-db: { type: postgres }
environments:
  end: { target: kubernetes }
  graph: { target: compose }
`;
    const r = parseSpec('slipway.yaml', text);
    if (!r.loaded) throw new Error(JSON.stringify(r.diagnostics));
    const spec = r.loaded.spec;
    const docs = renderArchitectureDocs(
      Object.keys(spec.environments).map((env) => resolveEnvironment(spec, env)),
      { specPath: 'slipway.yaml' },
    );
    const blocks = docs.flatMap((d) => mermaidBlocks(d.content));
    expect(blocks.length).toBeGreaterThan(3);
    for (const b of blocks) await expect(mermaid.parse(b), b).resolves.toBeTruthy();
    const chart = await flowchart(
      mermaidBlocks(docs.find((d) => d.path === 'docs/networking.md')?.content ?? '')[0] ?? '',
    );
    expect(chart.vertices.map((v) => chart.firstLine(v.id))).toEqual(
      expect.arrayContaining(['end', 'subgraph', 'o-db']),
    );
  });
});
