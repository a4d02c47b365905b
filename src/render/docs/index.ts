/**
 * Architecture documents, generated from the resolved Models of every environment of one spec:
 * an index, an overview (what the app is, its components, images, dependencies, who talks to whom,
 * a topology diagram of all environments), the environment configuration matrix with resource
 * sizing, networking (a topology and a network-policy diagram per environment, entry points,
 * egress), setup (cluster prerequisites and secrets, from the renderers' own summaries) and a
 * runbook per environment (deploy, roll back, back up and restore, disaster recovery,
 * troubleshooting) with this app's real names. Markdown with Mermaid; pure and deterministic.
 */
import type { Model } from '../../model/types.ts';
import type { FileArtifact } from '../artifact.ts';
import { type EnvContext, envContext } from './context.ts';
import { blocks, ic, table } from './format.ts';
import { type Doc, link, toArtifact } from './page.ts';
import { environmentsPage } from './pages/environments.ts';
import { networkingPage } from './pages/networking.ts';
import { overviewPage } from './pages/overview.ts';
import { composeRunbook } from './pages/runbook-compose.ts';
import { kubernetesRunbook } from './pages/runbook-kubernetes.ts';
import { runbookDoc } from './pages/runbook-shared.ts';
import { setupPage } from './pages/setup.ts';
import { backupText, hostsText, targetText } from './summary.ts';

export interface ArchitectureDocsOptions {
  /** The spec the models come from, as the user runs slipway with it (shown, and used in commands). */
  specPath: string;
}

function indexPage(ctxs: EnvContext[]): Doc {
  const path = 'README.md';
  const app = ctxs[0]?.model.app;
  const rows = ctxs.map((c) => [
    `**${c.name}**`,
    targetText(c.model),
    ic(c.model.environment.namespace),
    hostsText(c.model),
    backupText(c),
    link(path, `runbooks/${c.name}.md`, 'runbook'),
  ]);
  return {
    path,
    title: `${app?.name ?? 'App'}: architecture`,
    body: blocks(
      app?.description ? `${app.description}.` : undefined,
      table(
        ['document', 'what it answers'],
        [
          [
            link(path, 'overview.md', 'Overview'),
            'What the app is made of, which images run, what it depends on, who talks to whom.',
          ],
          [
            link(path, 'environments.md', 'Environments'),
            'How every environment differs (the configuration matrix), and how big each one is.',
          ],
          [
            link(path, 'networking.md', 'Networking'),
            'Topology per environment, what is exposed, what may talk to what (network policy).',
          ],
          [
            link(path, 'setup.md', 'Setup'),
            'What a cluster or host needs first, and which secrets to provide and how.',
          ],
          [
            'Runbooks',
            'Deploy, roll back, back up and restore, recover from disaster, troubleshoot: exact commands per environment.',
          ],
        ],
      ),
      '## Environments',
      table(['environment', 'target', 'namespace / project', 'hosts', 'backup', ''], rows),
    ),
  };
}

/**
 * Render the architecture documents of one spec. `models`: every environment, in the spec's
 * order. Paths are under `docs/`.
 */
export function renderArchitectureDocs(models: Model[], opts: ArchitectureDocsOptions): FileArtifact[] {
  const ctxs = models.map((m) => envContext(m, opts.specPath));
  const docs: Doc[] = [
    indexPage(ctxs),
    overviewPage(ctxs),
    environmentsPage(ctxs),
    networkingPage(ctxs),
    setupPage(ctxs),
    ...ctxs.map((c) => runbookDoc(c, c.kube ? kubernetesRunbook(c) : composeRunbook(c))),
  ];
  const envs = ctxs.map((c) => c.name);
  return docs.map((d) => toArtifact(d, opts.specPath, envs));
}
