/**
 * Verify: rendered artifacts → findings. Every Kubernetes object is validated against the official
 * schema of the environment's Kubernetes version (strict) and checked for removed APIs, and the audit
 * engine's policy rules run on the Kubernetes objects and the Compose file (`./audit.ts`). Findings
 * point at the rendered file, line and column, so a person can open the exact place.
 */
import type { Model } from '../model/types.ts';
import type { FileArtifact } from '../render/artifact.ts';
import type { KubernetesRender } from '../render/kubernetes/index.ts';
import { kubernetesFile } from '../render/kubernetes/index.ts';
import { auditComposeFiles, auditKubernetes } from './audit.ts';
import { locateFinding, type SchemaFinding, validateObjects } from './schema/kubernetes.ts';

export interface Finding {
  rule: string;
  severity: 'error' | 'warning';
  message: string;
  /** Rendered file, relative to the environment's output folder. */
  file: string;
  line: number;
  column: number;
  /** The offending line of the rendered file. */
  sourceLine: string;
  object: { apiVersion: string; kind: string; name: string; namespace?: string };
  /** JSON pointer inside the object. */
  path: string;
}

/**
 * Everything verify checks on one environment's render: the schema findings, then the audit rules'
 * (by file and position). `files` are the rendered files (the Compose file is audited from
 * them); Kubernetes objects are checked from `kubernetes`, so a verify-only run need not write text.
 */
export function verifyEnvironment(
  model: Model,
  render: { files: readonly FileArtifact[]; kubernetes?: KubernetesRender | undefined },
): Finding[] {
  const k = render.kubernetes;
  return [
    ...(k ? verifyKubernetes(model, k) : []),
    ...(k ? auditKubernetes(model, k) : []),
    ...auditComposeFiles(render.files),
  ];
}

/** The schema check of the rendered Kubernetes objects (strict, version-aware, removed APIs). */
export function verifyKubernetes(model: Model, render: KubernetesRender): Finding[] {
  const findings = validateObjects(render.objects, {
    kubernetesVersion: model.environment.kubernetesVersion,
  });
  if (findings.length === 0) return [];
  // Only objects with findings are serialised, to locate each finding in the file plan writes.
  const texts = new Map<number, { path: string; content: string }>();
  const fileOf = (index: number) => {
    let f = texts.get(index);
    if (!f) {
      const o = render.objects[index];
      f = o ? kubernetesFile(o) : { path: '', content: '' };
      texts.set(index, f);
    }
    return f;
  };
  return findings.map((f: SchemaFinding) => {
    const file = fileOf(f.index);
    const pos = locateFinding(file.content, 0, f.path);
    return {
      rule: f.rule,
      severity: f.severity,
      message: f.message,
      file: file.path,
      line: pos.line,
      column: pos.column,
      sourceLine: file.content.split('\n')[pos.line - 1] ?? '',
      object: f.object,
      path: f.path,
    };
  });
}
