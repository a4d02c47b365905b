/**
 * The audit engine on Slipway's own renders, for `verify` and `plan`: the same rules `slipway audit`
 * runs on any manifest, on every Kubernetes object and Compose file an environment renders, located
 * at the file, line and column plan writes. Slipway's output is meant to pass its own audit; a finding
 * here is a defect of the render (or a patch the spec applies), shown like a schema finding.
 */
import { auditSources } from '../audit/engine.ts';
import type { AuditFinding } from '../audit/types.ts';
import type { Model } from '../model/types.ts';
import type { FileArtifact } from '../render/artifact.ts';
import { type KubernetesRender, kubernetesFilePath } from '../render/kubernetes/index.ts';
import { toYaml } from '../render/yaml.ts';
import type { Finding } from './index.ts';

/** The schema check already reports removed APIs for the environment's version; no second finding. */
const COVERED_BY_SCHEMA = ['removed-api'];

/**
 * Audits the rendered Kubernetes objects as decoded values: their YAML text is built only for the
 * objects a finding must be located in.
 */
export function auditKubernetes(model: Model, render: KubernetesRender): Finding[] {
  const sources = render.objects.map((o) => ({
    path: kubernetesFilePath(o),
    text: () => toYaml(o),
    documents: [o],
  }));
  return toFindings(
    auditSources(sources, {
      kubernetesVersion: model.environment.kubernetesVersion,
      selection: { exclude: COVERED_BY_SCHEMA },
    }).findings,
  );
}

/** Audits the rendered Compose file(s) (`compose.yaml`), as text: the files are small. */
export function auditComposeFiles(files: readonly FileArtifact[]): Finding[] {
  const sources = files
    .filter((f) => f.renderer === 'compose' && /\.ya?ml$/.test(f.path))
    .map((f) => ({ path: f.path, text: f.content }));
  return sources.length === 0 ? [] : toFindings(auditSources(sources).findings);
}

/** Audit findings as verify's: `info` is advice for `slipway audit`, not a verification result. */
function toFindings(findings: readonly AuditFinding[]): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    if (f.severity === 'info') continue;
    out.push({
      rule: f.rule,
      severity: f.severity,
      message: f.message,
      file: f.file,
      line: f.line,
      column: f.column,
      sourceLine: f.sourceLine,
      object: f.object ?? { apiVersion: '', kind: 'file', name: f.file },
      path: f.path,
    });
  }
  return out;
}
