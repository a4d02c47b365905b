/**
 * `slipway diff`: per object, live vs what a deploy would make of it (the server-side dry-run's
 * prediction), both normalised (no managedFields, status, resourceVersion…; server defaults are
 * on both sides so they cancel out), Secret values masked, shown as a unified diff of YAML.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { toYaml } from '../../render/yaml.ts';
import { normalize, type PlannedChange } from './apply.ts';
import { refLabel } from './refs.ts';

/** Secret values never leave the cluster: `***`, or `*** (before)` / `*** (after)` when they differ. */
export function maskSecrets(
  before: KubernetesObject | undefined,
  after: KubernetesObject | undefined,
): [KubernetesObject | undefined, KubernetesObject | undefined] {
  if ((before ?? after)?.kind !== 'Secret') return [before, after];
  const fields = ['data', 'stringData'] as const;
  const mask = (o: KubernetesObject | undefined, other: KubernetesObject | undefined, side: string) => {
    if (!o) return o;
    const copy = { ...o } as Record<string, unknown>;
    for (const f of fields) {
      const values = copy[f] as Record<string, string> | undefined;
      if (!values) continue;
      const theirs = (other as Record<string, Record<string, string> | undefined> | undefined)?.[f] ?? {};
      copy[f] = Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, theirs[k] === v ? '***' : `*** (${side})`]),
      );
    }
    return copy as KubernetesObject;
  };
  return [mask(before, after, 'before'), mask(after, before, 'after')];
}

type Op = { t: ' ' | '-' | '+'; line: string };

/** Line diff by longest common subsequence (objects are small: a few hundred lines at most). */
export function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      (lcs[i] as Uint32Array)[j] =
        a[i] === b[j]
          ? ((lcs[i + 1] as Uint32Array)[j + 1] as number) + 1
          : Math.max((lcs[i + 1] as Uint32Array)[j] as number, (lcs[i] as Uint32Array)[j + 1] as number);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ t: ' ', line: a[i] as string });
      i++;
      j++;
    } else if (((lcs[i + 1] as Uint32Array)[j] as number) >= ((lcs[i] as Uint32Array)[j + 1] as number))
      ops.push({ t: '-', line: a[i++] as string });
    else ops.push({ t: '+', line: b[j++] as string });
  }
  while (i < n) ops.push({ t: '-', line: a[i++] as string });
  while (j < m) ops.push({ t: '+', line: b[j++] as string });
  return ops;
}

/** Unified diff text (`---`/`+++` headers, `@@` hunks with `context` lines around changes). */
export function unifiedDiff(before: string, after: string, from: string, to: string, context = 3): string {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  const ops = diffLines(a, b);
  const changed = ops.map((o, k) => (o.t !== ' ' ? k : -1)).filter((k) => k >= 0);
  if (changed.length === 0) return '';
  // Group changes whose context windows touch into hunks.
  const hunks: [number, number][] = [];
  for (const k of changed) {
    const last = hunks.at(-1);
    if (last && k - last[1] <= 2 * context) last[1] = k;
    else hunks.push([k, k]);
  }
  const out = [`--- ${from}`, `+++ ${to}`];
  for (const [first, last] of hunks) {
    const start = Math.max(0, first - context);
    const end = Math.min(ops.length - 1, last + context);
    let aLine = 1;
    let bLine = 1;
    for (let k = 0; k < start; k++) {
      if ((ops[k] as Op).t !== '+') aLine++;
      if ((ops[k] as Op).t !== '-') bLine++;
    }
    const slice = ops.slice(start, end + 1);
    const aCount = slice.filter((o) => o.t !== '+').length;
    const bCount = slice.filter((o) => o.t !== '-').length;
    out.push(
      `@@ -${aCount === 0 ? aLine - 1 : aLine},${aCount} +${bCount === 0 ? bLine - 1 : bLine},${bCount} @@`,
    );
    for (const o of slice) out.push(`${o.t}${o.line}`);
  }
  return `${out.join('\n')}\n`;
}

export interface ObjectDiff {
  object: string;
  action: 'create' | 'update' | 'delete';
  diff: string;
}

/** The text diff of each planned change that changes something, plus deletions (prune). */
export function objectDiffs(
  changes: readonly PlannedChange[],
  deletions: readonly KubernetesObject[] = [],
): ObjectDiff[] {
  const yaml = (o: KubernetesObject | undefined) => (o ? toYaml(o) : '');
  const out: ObjectDiff[] = [];
  for (const c of changes) {
    if (c.action === 'unchanged') continue;
    const [live, predicted] = maskSecrets(c.live && normalize(c.live), normalize(c.predicted));
    const label = refLabel(c.ref);
    out.push({
      object: label,
      action: c.action,
      diff: unifiedDiff(
        yaml(live),
        yaml(predicted),
        live ? `live/${label}` : '/dev/null',
        `predicted/${label}`,
      ),
    });
  }
  for (const d of deletions) {
    const [live] = maskSecrets(normalize(d), undefined);
    const label = `${d.kind}/${d.metadata?.name}`;
    out.push({
      object: label,
      action: 'delete',
      diff: unifiedDiff(yaml(live), '', `live/${label}`, '/dev/null'),
    });
  }
  return out;
}
