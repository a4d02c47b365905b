/**
 * Slipway's own output must pass its own audit: every example's Kubernetes environments, rendered and
 * written as `plan` writes them, have no finding at warning or error. A finding here means the render
 * or the rule is wrong — never silence it by weakening the rule. Known render defects, each reported
 * to the renderer's owner, are listed below; an entry that no longer occurs must be removed.
 */
import { describe, expect, it } from 'vitest';
import { auditSources } from '../../src/audit/engine.ts';
import { kubernetesFiles } from '../../src/render/kubernetes/index.ts';
import { renderExamples } from '../render/_examples.ts';

/** rule id → why the render is wrong (the rule is right). */
/** Rules that fire on Slipway's own renders, with why; empty: every finding is a defect. */
const KNOWN_RENDER_DEFECTS: Record<string, string> = {};

const rendered = renderExamples();

describe('audit of every example render', () => {
  it('covers every Kubernetes environment of the examples', () => {
    expect(rendered.length).toBeGreaterThan(0);
  });

  it.each(rendered.map((r) => [`${r.example}/${r.env}`, r] as const))('%s: no warning or error', (_, r) => {
    const sources = kubernetesFiles(r.render).map((f) => ({ path: f.path, text: f.content }));
    const result = auditSources(sources, { kubernetesVersion: r.model.environment.kubernetesVersion });
    expect(result.skipped).toEqual([]);
    const findings = result.findings.filter(
      (f) => f.severity !== 'info' && !Object.hasOwn(KNOWN_RENDER_DEFECTS, f.rule),
    );
    expect(findings.map((f) => `${f.rule} ${f.file}:${f.line}:${f.column} ${f.message}`)).toEqual([]);
  });

  it('every known render defect still occurs (remove fixed ones from the list)', () => {
    const seen = new Set<string>();
    for (const r of rendered) {
      const sources = kubernetesFiles(r.render).map((f) => ({ path: f.path, text: f.content }));
      for (const f of auditSources(sources).findings) seen.add(f.rule);
    }
    for (const rule of Object.keys(KNOWN_RENDER_DEFECTS)) expect(seen.has(rule), rule).toBe(true);
  });
});
