/**
 * The CustomResourceDefinitions the examples need, installed on a real control plane from the upstream
 * manifests in the Go module cache (the same files Slipway's schema bundle was derived from).
 *
 *   const kinds = customResourceKinds(envs)           → `<apiVersion>/<kind>` not built into their version
 *   await installCrds((args) => kube.kubectlRun(args), kinds)  → applied server-side, waited `Established`
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { SUPPORTED_KUBERNETES_VERSIONS } from '../../../src/verify/schema/kubernetes.ts';
import type { Run } from '../_engines.ts';
import { builtinKinds, crdFilePath, crdSourceOf, crdSources, swaggerPath } from './upstream.ts';

/** The check of `requireEngine`: every upstream document (swagger.json per minor, every CRD file) is at hand. */
export function upstreamDocuments(): true {
  for (const v of SUPPORTED_KUBERNETES_VERSIONS) swaggerPath(v);
  for (const c of crdSources()) crdFilePath(c);
  return true;
}

const gvkOf = (o: { apiVersion: string; kind: string }) => `${o.apiVersion}/${o.kind}`;

/** Emitted `<apiVersion>/<kind>`s that are not built into the Kubernetes minor their environment pins. */
export function customResourceKinds(
  envs: readonly { minor: string; objects: readonly { apiVersion: string; kind: string }[] }[],
): string[] {
  const out = new Set<string>();
  for (const e of envs) {
    const builtin = builtinKinds(e.minor);
    for (const o of e.objects) if (!builtin.has(gvkOf(o))) out.add(gvkOf(o));
  }
  return [...out].sort();
}

/**
 * Applies (server-side) the upstream CRD file of every kind in `gvks` and waits until each CRD is
 * Established. Throws naming the file or the CRDs that failed; returns the CRD names.
 */
export async function installCrds(
  kubectl: (args: string[]) => Promise<Run>,
  gvks: readonly string[],
): Promise<string[]> {
  const files = new Set<string>();
  const unknown: string[] = [];
  for (const gvk of gvks) {
    const source = crdSourceOf(gvk);
    if (source) files.add(crdFilePath(source));
    else unknown.push(gvk);
  }
  if (unknown.length > 0) throw new Error(`no upstream CRD serves ${unknown.join(', ')} (SOURCES.md)`);
  const names: string[] = [];
  for (const file of files) {
    const r = await kubectl([
      'apply',
      '--server-side',
      '--force-conflicts',
      '--field-manager=slipway-e2e',
      '-f',
      file,
    ]);
    if (r.code !== 0) throw new Error(`installing ${file} failed:\n${r.stderr}`);
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const crd = doc.toJS() as { kind?: string; metadata?: { name?: string } } | null;
      if (crd?.kind === 'CustomResourceDefinition' && crd.metadata?.name) names.push(crd.metadata.name);
    }
  }
  if (names.length === 0) return names;
  const r = await kubectl([
    'wait',
    '--for=condition=Established',
    '--timeout=120s',
    ...names.map((n) => `crd/${n}`),
  ]);
  if (r.code !== 0) throw new Error(`CRDs not Established:\n${r.stdout}${r.stderr}`);
  return names;
}
