/**
 * The audit engine's data: objects loaded from YAML with their positions, rule descriptors, and the
 * findings they produce. Findings align with verify's `Finding` (same fields, same meaning) so the
 * same formatters draw both; audit adds `info`, an end position and the rule's remediation.
 */
import type { Finding } from '../verify/index.ts';

export type Severity = 'error' | 'warning' | 'info';

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** Higher is more severe: `error` 2, `warning` 1, `info` 0. */
export function severityRank(s: Severity): number {
  return s === 'error' ? 2 : s === 'warning' ? 1 : 0;
}

export type JsonObject = { [key: string]: unknown };

/** In a rule's `kinds`: every Kubernetes object, whatever its kind (custom resources included). */
export const ANY_KUBERNETES_KIND = '*';

/** Pseudo-kinds for Compose: a whole Compose file, and one service of it. */
export const COMPOSE_FILE = 'ComposeFile';
export const COMPOSE_SERVICE = 'ComposeService';

/** One object the rules look at: a Kubernetes object, a Compose file or a Compose service. */
export interface AuditObject {
  readonly source: 'kubernetes' | 'compose';
  /** The file as shown to people (relative, POSIX), or `<stdin>`. */
  readonly file: string;
  /** 0-based index of the YAML document in the file. */
  readonly docIndex: number;
  /** JSON pointer of the object inside its document: `''`, `/items/3` (a List), `/services/web`. */
  readonly pointer: string;
  readonly apiVersion: string;
  readonly kind: string;
  /** `metadata.name`, or the Compose service name; `''` when absent. */
  readonly name: string;
  /** `metadata.namespace`; `''` when absent (the namespace the objects are applied to). */
  readonly namespace: string;
  readonly value: JsonObject;
  /** `metadata.annotations` (Compose: the service's labels). */
  readonly annotations: Readonly<Record<string, string>>;
  /** A Compose service's whole Compose file (to read how other services depend on it). */
  readonly parent?: JsonObject;
}

/** What a rule's check yields: a message id of the rule, its data, and where (a pointer in the object). */
export interface Report<M extends string = string> {
  readonly message: M;
  readonly data?: Readonly<Record<string, string | number>>;
  /** JSON pointer inside the object; the deepest part that exists is shown. */
  readonly path: string;
  /** Point at the mapping key (default) or at its value. */
  readonly at?: 'key' | 'value';
  /** For a multi-line string value: the 0-based line inside it to point at (implies `at: 'value'`). */
  readonly innerLine?: number;
}

/** Everything a rule may read besides its object: the other objects of the run, read-only. */
export interface RuleContext {
  /** Target Kubernetes minor, e.g. `1.31`. */
  readonly kubernetesVersion: string;
  /** Every Kubernetes object of the run (Lists unpacked), in input order. */
  readonly objects: readonly AuditObject[];
  /** Kubernetes objects of a kind, in input order. */
  byKind(kind: string): readonly AuditObject[];
  /** Kubernetes objects of a kind in a namespace, in input order (indexed: rules run per object). */
  inNamespace(kind: string, namespace: string): readonly AuditObject[];
  /** The first object of a kind with this namespace and name. */
  named(kind: string, namespace: string, name: string): AuditObject | undefined;
}

export interface RuleDocs {
  /** Why it matters, a few sentences. */
  readonly rationale?: string;
  /** The kube-linter check this rule mirrors, with any deliberate difference. */
  readonly kubeLinter?: string;
  /** The Pod Security Standards control it implements. */
  readonly podSecurity?: string;
  /** A short manifest that triggers the rule. */
  readonly example?: string;
  readonly references?: readonly string[];
}

/** A policy rule: one per file under `rules/`, listed in `registry.ts`. */
export interface Rule<M extends string = string> {
  /** kebab-case, unique. */
  readonly id: string;
  readonly severity: Severity;
  /** The kinds it applies to (Kubernetes kinds, `ComposeFile`, `ComposeService`). */
  readonly kinds: readonly string[];
  /** One sentence: what it flags. */
  readonly description: string;
  /** What to do about it. */
  readonly remediation: string;
  /** Message templates; `{name}` is replaced by `data.name`. */
  readonly messages: Readonly<Record<M, string>>;
  readonly check: (object: AuditObject, ctx: RuleContext) => Iterable<Report<M>>;
  readonly docs?: RuleDocs;
}

/** Typed helper so a rule's message ids are checked against its `messages`. */
export function defineRule<M extends string>(rule: Rule<M>): Rule<M> {
  return rule;
}

/**
 * A finding in a file: verify's `Finding` with audit's severities, an end position, and the remediation.
 * `object` is absent for findings about a file rather than an object (malformed YAML).
 */
export interface AuditFinding extends Omit<Finding, 'severity' | 'object'> {
  severity: Severity;
  endLine: number;
  endColumn: number;
  remediation: string;
  object?: Finding['object'];
}

/** A YAML document that is neither a Kubernetes object nor a Compose file: not audited, but counted. */
export interface SkippedDocument {
  file: string;
  docIndex: number;
  line: number;
  reason: string;
}

export interface AuditResult {
  findings: AuditFinding[];
  files: number;
  objects: number;
  skipped: SkippedDocument[];
  /** Findings silenced by a `slipway.dev/ignore` annotation. */
  suppressed: number;
  kubernetesVersion: string;
}
