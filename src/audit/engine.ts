/**
 * The audit engine: YAML sources → documents with positions → objects → rule findings, located at the
 * exact field. Pure: sources come in as text, findings go out as data; reading files and printing are
 * the CLI's business.
 *
 * Loading never stops at a bad document: malformed YAML is an `invalid-yaml` finding, a document that
 * claims to be Kubernetes but lacks apiVersion/kind is `invalid-object`, and the other documents are
 * audited. Documents that are neither Kubernetes nor Compose (values files, CI workflows) are counted
 * as skipped. Unknown kinds and custom resources are audited by the rules that name their kind — none,
 * unless a rule asks for it.
 */
import { DEFAULT_KUBERNETES_VERSION } from '../verify/schema/versions.ts';
import { IGNORE_ANNOTATION, parseIgnore } from './_ignore.ts';
import { isObject, obj, str, stringMap } from './_k8s.ts';
import { locate, type ParsedFile, parseFile, type Span, seg, sourceLine } from './_yaml.ts';
import { type EngineDiagnosticId, engineDiagnostic } from './diagnostics.ts';
import { RULES } from './registry.ts';
import {
  ANY_KUBERNETES_KIND,
  type AuditFinding,
  type AuditObject,
  type AuditResult,
  COMPOSE_FILE,
  COMPOSE_SERVICE,
  type JsonObject,
  type Report,
  type Rule,
  type RuleContext,
  type Severity,
  type SkippedDocument,
} from './types.ts';

export interface AuditSource {
  /** As shown in findings: relative POSIX path, or `<stdin>`. */
  path: string;
  /**
   * The YAML text. A function when the caller already holds the decoded `documents` (Slipway's own
   * renders): the text is then built and parsed only if a finding needs a position.
   */
  text: string | (() => string);
  /** The decoded documents of `text`, exactly as parsing it gives them; skips parsing the text. */
  documents?: readonly unknown[];
}

/** Which rules run and how severe they are; `config.ts` reads this from `.slipway/audit.yaml`. */
export interface RuleSelection {
  /** Only these rules (empty or absent: all). */
  include?: readonly string[];
  exclude?: readonly string[];
  severity?: Readonly<Record<string, Severity>>;
}

export interface AuditOptions {
  /** Target Kubernetes minor (`1.31`); default: the newest Slipway supports. */
  kubernetesVersion?: string;
  rules?: readonly Rule[];
  selection?: RuleSelection;
}

interface Loaded {
  objects: AuditObject[];
  findings: AuditFinding[];
  skipped: SkippedDocument[];
}

const COMPOSE_NAME = /^(?:docker-)?compose(?:[.-][^/]*)?\.ya?ml$/i;

/** `compose.yaml`, `compose.prod.yml`, `docker-compose.override.yaml`… */
export function isComposeFileName(path: string): boolean {
  return COMPOSE_NAME.test(path.split('/').pop() ?? '');
}

/** Audits YAML sources (Kubernetes manifests, Compose files) against the rules. */
export function auditSources(sources: readonly AuditSource[], options: AuditOptions = {}): AuditResult {
  const kubernetesVersion = normalizeMinor(options.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION);
  const allRules = options.rules ?? RULES;
  const selection = options.selection ?? {};
  const rules = allRules.filter(
    (r) =>
      (selection.include === undefined ||
        selection.include.length === 0 ||
        selection.include.includes(r.id)) &&
      !(selection.exclude ?? []).includes(r.id),
  );
  const knownRules = new Set(allRules.map((r) => r.id));

  const parsedOf = new Map<AuditObject, Lazy>();
  const files: Lazy[] = [];
  const findings: AuditFinding[] = [];
  const skipped: SkippedDocument[] = [];
  const objects: AuditObject[] = [];
  for (const source of sources) {
    const parsed = lazyParse(source);
    files.push(parsed);
    const loaded = source.documents ? loadDocuments(parsed, source.documents) : load(parsed);
    findings.push(...loaded.findings);
    skipped.push(...loaded.skipped);
    for (const o of loaded.objects) {
      parsedOf.set(o, parsed);
      objects.push(o);
    }
  }

  const kubernetes = objects.filter((o) => o.source === 'kubernetes');
  const byKind = new Map<string, AuditObject[]>();
  for (const o of kubernetes) {
    const list = byKind.get(o.kind) ?? [];
    list.push(o);
    byKind.set(o.kind, list);
  }
  // Indexes built on first use: rules that relate objects ask once per object, so scanning a kind's
  // whole list each time made runs quadratic in their size.
  const byNamespace = new Map<string, Map<string, AuditObject[]>>();
  const byName = new Map<string, Map<string, AuditObject>>();
  const ctx: RuleContext = {
    kubernetesVersion,
    objects: kubernetes,
    byKind: (kind) => byKind.get(kind) ?? [],
    inNamespace: (kind, namespace) => {
      let index = byNamespace.get(kind);
      if (index === undefined) {
        index = new Map();
        for (const o of byKind.get(kind) ?? []) {
          const list = index.get(o.namespace);
          if (list) list.push(o);
          else index.set(o.namespace, [o]);
        }
        byNamespace.set(kind, index);
      }
      return index.get(namespace) ?? [];
    },
    named: (kind, namespace, name) => {
      let index = byName.get(kind);
      if (index === undefined) {
        index = new Map();
        for (const o of byKind.get(kind) ?? []) {
          const key = `${o.namespace}/${o.name}`;
          if (!index.has(key)) index.set(key, o);
        }
        byName.set(kind, index);
      }
      return index.get(`${namespace}/${name}`);
    },
  };

  const rulesByKind = new Map<string, Rule[]>();
  for (const r of rules)
    for (const k of r.kinds) {
      const list = rulesByKind.get(k) ?? [];
      list.push(r);
      rulesByKind.set(k, list);
    }

  let suppressed = 0;
  for (const o of objects) {
    const parsed = parsedOf.get(o) as Lazy;
    const ignored = ignoresOf(o, parsed, knownRules, findings);
    const applicable = [
      ...(rulesByKind.get(o.kind) ?? []),
      ...(o.source === 'kubernetes' ? (rulesByKind.get(ANY_KUBERNETES_KIND) ?? []) : []),
    ];
    for (const rule of applicable) {
      const severity = selection.severity?.[rule.id] ?? rule.severity;
      let reports: Report[];
      try {
        reports = [...rule.check(o, ctx)];
      } catch (e) {
        findings.push(
          engineFinding(
            'rule-failed',
            parsed.get(),
            o.docIndex,
            o.pointer,
            `${rule.id}: ${(e as Error).message}`,
            o,
          ),
        );
        continue;
      }
      for (const r of reports) {
        if (ignored.has(rule.id)) {
          suppressed++;
          continue;
        }
        const template = (rule.messages as Record<string, string>)[r.message] ?? r.message;
        const file = parsed.get();
        const pos = locate(file, o.docIndex, `${o.pointer}${r.path}`, r.at ?? 'key', r.innerLine);
        findings.push(
          finding(rule.id, severity, rule.remediation, format(template, r.data), file, o, pos, r.path),
        );
      }
    }
  }

  const order = new Map(files.map((f, i) => [f.file, i]));
  findings.sort(
    (a, b) =>
      (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) ||
      a.line - b.line ||
      a.column - b.column ||
      a.rule.localeCompare(b.rule),
  );
  return { findings, files: files.length, objects: objects.length, skipped, suppressed, kubernetesVersion };
}

/** `v1.31.2` / `1.31` → `1.31`. Any 1.x minor is accepted: the rules need no schema. */
export function normalizeMinor(version: string): string {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(version.trim());
  if (m === null) throw new RangeError(`"${version}" is not a Kubernetes version (expected e.g. 1.31)`);
  return `${m[1]}.${m[2]}`;
}

function format(template: string, data: Readonly<Record<string, string | number>> | undefined): string {
  if (data === undefined) return template;
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    Object.hasOwn(data, key) ? String(data[key]) : whole,
  );
}

function objectRef(o: AuditObject): NonNullable<AuditFinding['object']> {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.name,
    ...(o.namespace !== '' ? { namespace: o.namespace } : {}),
  };
}

function finding(
  rule: string,
  severity: Severity,
  remediation: string,
  message: string,
  parsed: ParsedFile,
  o: AuditObject | undefined,
  pos: Span,
  path: string,
): AuditFinding {
  return {
    rule,
    severity,
    message,
    file: parsed.file,
    line: pos.line,
    column: pos.column,
    endLine: pos.endLine,
    endColumn: pos.endColumn,
    sourceLine: sourceLine(parsed, pos.line),
    path,
    remediation,
    ...(o ? { object: objectRef(o) } : {}),
  };
}

function engineFinding(
  id: EngineDiagnosticId,
  parsed: ParsedFile,
  docIndex: number,
  pointer: string,
  message: string,
  o?: AuditObject,
  at: 'key' | 'value' = 'key',
): AuditFinding {
  const d = engineDiagnostic(id);
  const pos = locate(parsed, docIndex, pointer, at);
  return finding(
    d.id,
    d.severity,
    d.remediation,
    message,
    parsed,
    o,
    pos,
    pointer.slice(o?.pointer.length ?? 0),
  );
}

/** Rules silenced on this object by its annotation; bad entries become findings. */
function ignoresOf(
  o: AuditObject,
  parsed: Lazy,
  knownRules: ReadonlySet<string>,
  findings: AuditFinding[],
): Set<string> {
  const value = o.annotations[IGNORE_ANNOTATION];
  const out = new Set<string>();
  if (value === undefined) return out;
  const { entries, problems } = parseIgnore(value, knownRules);
  for (const e of entries) out.add(e.rule);
  const where =
    o.source === 'kubernetes'
      ? `${o.pointer}/metadata/annotations/${seg(IGNORE_ANNOTATION)}`
      : o.kind === COMPOSE_FILE
        ? `/x-slipway-ignore`
        : isObject(o.value.labels)
          ? `${o.pointer}/labels/${seg(IGNORE_ANNOTATION)}`
          : `${o.pointer}/labels`;
  for (const p of problems) {
    const message =
      p.problem === 'no-reason'
        ? `the ignore entry "${p.entry}" gives no reason: ${p.rule} stays enabled`
        : p.problem === 'unknown-rule'
          ? `the ignore entry "${p.entry}" names no rule: "${p.rule}" is not a rule id`
          : `the ignore entry "${p.entry}" is not "<rule-id> — <reason>"`;
    findings.push(engineFinding('invalid-ignore', parsed.get(), o.docIndex, where, message, o, 'value'));
  }
  return out;
}

/** A source's parsed text, built on first use (sources with `documents` may never need it). */
interface Lazy {
  readonly file: string;
  get(): ParsedFile;
}

function lazyParse(source: AuditSource): Lazy {
  let parsed: ParsedFile | undefined;
  const text = source.text;
  return {
    file: source.path,
    get: () => {
      parsed ??= parseFile(source.path, typeof text === 'string' ? text : text());
      return parsed;
    },
  };
}

/** Text sources: parse, report malformed documents, classify the others. */
function load(lazy: Lazy): Loaded {
  const out: Loaded = { objects: [], findings: [], skipped: [] };
  const parsed = lazy.get();
  parsed.docs.forEach((doc, docIndex) => {
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const [start, end] = err.pos;
        const a = parsed.lines.linePos(start);
        const b = parsed.lines.linePos(Math.max(start + 1, end));
        out.findings.push({
          ...finding(
            'invalid-yaml',
            'error',
            engineDiagnostic('invalid-yaml').remediation,
            yamlMessage(err.message),
            parsed,
            undefined,
            { line: a.line, column: a.col, endLine: b.line, endColumn: b.col },
            '',
          ),
        });
      }
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 10_000 });
    } catch (e) {
      out.findings.push(engineFindingAtDoc(parsed, docIndex, yamlMessage((e as Error).message)));
      return;
    }
    classify(lazy, docIndex, value, out);
  });
  return out;
}

/** Sources already decoded: classify each document; the text is parsed only to locate a finding. */
function loadDocuments(lazy: Lazy, documents: readonly unknown[]): Loaded {
  const out: Loaded = { objects: [], findings: [], skipped: [] };
  documents.forEach((value, docIndex) => {
    classify(lazy, docIndex, value, out);
  });
  return out;
}

/** One decoded document → Kubernetes objects, Compose objects, or a skipped document. */
function classify(lazy: Lazy, docIndex: number, value: unknown, out: Loaded): void {
  if (value === null || value === undefined) return;
  // A kind, or an apiVersion with metadata or spec: an object (maybe a broken one). An apiVersion
  // alone is another format (a Helm Chart.yaml), not a manifest.
  const looksKubernetes =
    isObject(value) &&
    ('kind' in value || ('apiVersion' in value && ('metadata' in value || 'spec' in value)));
  const looksCompose = isObject(value) && !looksKubernetes && isObject(value.services);
  if (looksCompose || (isComposeFileName(lazy.file) && isObject(value) && !looksKubernetes)) {
    out.objects.push(...composeObjects(lazy.file, docIndex, value as JsonObject));
    return;
  }
  if (looksKubernetes) {
    kubernetesObjects(lazy, docIndex, value, '', out);
    return;
  }
  out.skipped.push({
    file: lazy.file,
    docIndex,
    line: locate(lazy.get(), docIndex, '').line,
    reason: isObject(value)
      ? 'a mapping without apiVersion or kind: not a Kubernetes object, nor a Compose file'
      : 'not a mapping: not a Kubernetes object, nor a Compose file',
  });
}

function yamlMessage(m: string): string {
  // yaml's messages end with a code excerpt when prettyErrors is on; keep the first line only.
  return m.split('\n')[0]?.trim() ?? m;
}

function engineFindingAtDoc(parsed: ParsedFile, docIndex: number, message: string): AuditFinding {
  return engineFinding('invalid-yaml', parsed, docIndex, '', message);
}

function kubernetesObjects(parsed: Lazy, docIndex: number, value: unknown, pointer: string, out: Loaded) {
  if (!isObject(value)) {
    out.findings.push(
      engineFinding(
        'invalid-object',
        parsed.get(),
        docIndex,
        pointer,
        `a Kubernetes object must be a mapping, not ${Array.isArray(value) ? 'a list' : typeof value}`,
      ),
    );
    return;
  }
  for (const field of ['apiVersion', 'kind'] as const) {
    const v = value[field];
    if (typeof v !== 'string' || v === '') {
      out.findings.push(
        engineFinding(
          'invalid-object',
          parsed.get(),
          docIndex,
          `${pointer}/${field}`,
          v === undefined || v === null || v === ''
            ? `the object has no ${field}`
            : `${field} must be a string, not ${typeof v}`,
        ),
      );
      return;
    }
  }
  const kind = value.kind as string;
  // `kind: List` (kubectl get -o yaml) and typed lists (`DeploymentList`) carry their objects in items.
  if (kind.endsWith('List') && Array.isArray(value.items)) {
    value.items.forEach((item, i) => {
      kubernetesObjects(parsed, docIndex, item, `${pointer}/items/${i}`, out);
    });
    return;
  }
  const metadata = obj(value.metadata);
  out.objects.push({
    source: 'kubernetes',
    file: parsed.file,
    docIndex,
    pointer,
    apiVersion: value.apiVersion as string,
    kind,
    name: str(metadata?.name) ?? str(metadata?.generateName) ?? '',
    namespace: str(metadata?.namespace) ?? '',
    value,
    annotations: stringMap(metadata?.annotations),
  });
}

/** Compose labels as a map (`labels:` may be a mapping or a list of `key=value`). */
function composeLabels(v: unknown): Record<string, string> {
  if (Array.isArray(v)) {
    const out: Record<string, string> = {};
    for (const item of v) {
      if (typeof item !== 'string') continue;
      const i = item.indexOf('=');
      if (i > 0) out[item.slice(0, i)] = item.slice(i + 1);
    }
    return out;
  }
  return stringMap(v);
}

function composeObjects(file: string, docIndex: number, value: JsonObject): AuditObject[] {
  const ignore = str(value['x-slipway-ignore']);
  const out: AuditObject[] = [
    {
      source: 'compose',
      file,
      docIndex,
      pointer: '',
      apiVersion: 'compose',
      kind: COMPOSE_FILE,
      name: str(value.name) ?? '',
      namespace: '',
      value,
      annotations: ignore !== undefined ? { [IGNORE_ANNOTATION]: ignore } : {},
    },
  ];
  for (const [name, svc] of Object.entries(obj(value.services) ?? {})) {
    if (!isObject(svc)) continue;
    out.push({
      source: 'compose',
      file,
      docIndex,
      pointer: `/services/${seg(name)}`,
      apiVersion: 'compose',
      kind: COMPOSE_SERVICE,
      name,
      namespace: '',
      value: svc,
      annotations: composeLabels(svc.labels),
      parent: value,
    });
  }
  return out;
}
