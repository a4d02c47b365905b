/**
 * `slipway diff` on a compose environment: the rendered project against the release that serves,
 * service by service and key by key, without building or touching the engine. A built image's
 * content tag is only known after the build, so for those services the image is not compared
 * (the note says so). Exit 1 when a deploy would change something.
 */
import { parse } from 'yaml';
import { json } from '../../cli/output.ts';
import { stableJson } from '../../render/kubernetes/_names.ts';
import type { DeployTarget } from '../driver.ts';
import { type ComposeObject, renderBundle } from './bundle.ts';
import { ReleaseStore } from './releases.ts';
import type { StatePaths } from './state.ts';

export interface ServiceChange {
  service: string;
  change: 'added' | 'removed' | 'changed';
  keys: string[];
}

/** What differs between two compose files, ignoring the images of `built` services. */
export function composeChanges(
  next: ComposeObject,
  current: ComposeObject,
  built: ReadonlySet<string>,
): ServiceChange[] {
  const out: ServiceChange[] = [];
  const names = [...new Set([...Object.keys(next.services), ...Object.keys(current.services)])].sort();
  for (const name of names) {
    const a = next.services[name];
    const b = current.services[name];
    if (!b) {
      out.push({ service: name, change: 'added', keys: [] });
      continue;
    }
    if (!a) {
      out.push({ service: name, change: 'removed', keys: [] });
      continue;
    }
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])]
      .filter((k) => k !== 'build' && !(k === 'image' && built.has(name)))
      .filter((k) => stableJson(a[k]) !== stableJson(b[k]))
      .sort();
    if (keys.length > 0) out.push({ service: name, change: 'changed', keys });
  }
  return out;
}

export async function diff(target: DeployTarget, paths: StatePaths): Promise<number> {
  const { io } = target;
  const store = new ReleaseStore(paths);
  const bundle = renderBundle(target, paths);
  const current = store.current();
  const built = new Set(bundle.builds.flatMap((b) => b.services));
  if (!current) {
    if (io.format === 'json') io.out(json({ environment: target.env, currentRelease: null, changes: 'all' }));
    else io.out(`${target.env} has no release yet: a deploy creates every service\n`);
    return 1;
  }
  const files = store.files(current.revision);
  const changes = composeChanges(bundle.compose, parse(files.compose) as ComposeObject, built);
  const proxyChanged = (files.caddyfile ?? '') !== (bundle.caddyfile ?? '');
  if (io.format === 'json') {
    io.out(
      json({
        environment: target.env,
        currentRelease: current.revision,
        changes,
        proxyRoutesChanged: proxyChanged,
      }),
    );
  } else {
    const lines = changes.map((c) =>
      c.change === 'changed'
        ? `~ ${c.service}: ${c.keys.join(', ')}`
        : `${c.change === 'added' ? '+' : '-'} ${c.service}`,
    );
    if (proxyChanged) lines.push('~ Caddyfile: the proxy routes change (reloaded without downtime)');
    io.out(
      `${target.env} against release ${current.revision}:\n${lines.length > 0 ? lines.join('\n') : 'no change in the compose project'}\n`,
    );
    if (built.size > 0)
      io.out(
        `note: ${[...built].join(', ')} run images built at deploy time; a changed build context gives a new content tag, which recreates them\n`,
      );
  }
  return changes.length > 0 || proxyChanged ? 1 : 0;
}
