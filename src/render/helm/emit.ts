/**
 * IR → Go template text. Literal parts are written by the project's one YAML emitter (`toYaml`),
 * re-indented; every `{{` in literal text is escaped as `{{"{{"}}` so Helm prints it verbatim
 * (Grafana dashboards, PromQL, mounted config files). Template actions always print through
 * `toJson`, `quote` or `toYaml`, so a value reads back with the type it was written with.
 * Conditions are whole lines (`{{- if … }}` / `{{- end }}`), the usual Helm layout.
 */
import { toYaml } from '../yaml.ts';
import type { Atom, Cond, Expr, Item, Node, ValuePath } from './ir.ts';

/** Names of the helpers in _helpers.tpl, prefixed by the chart name. */
export interface Helpers {
  chart: string;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `$.Values.a.b`, or `(index $.Values "a-b" "c")` when a key is not an identifier. */
export function valueExpr(path: ValuePath): string {
  if (path.every((s) => IDENT.test(s))) return `$.Values.${path.join('.')}`;
  return `(index $.Values ${path.map((s) => JSON.stringify(s)).join(' ')})`;
}

function atomText(a: Atom): string {
  const v =
    'dig' in a && a.dig
      ? `(dig ${a.path.map((s) => JSON.stringify(s)).join(' ')} "" $.Values.AsMap)`
      : valueExpr(a.path);
  switch (a.op) {
    case 'truthy':
      return v;
    case 'falsy':
      return `not ${v}`;
    case 'eq':
      return `eq ${v} ${JSON.stringify(a.value)}`;
    case 'in':
      return `has ${v} (list ${a.values.map((x) => JSON.stringify(x)).join(' ')})`;
  }
}

export function condText(c: Cond): string {
  if (c.length === 0) return 'true';
  if (c.length === 1) return atomText(c[0] as Atom);
  return `and ${c.map((a) => `(${atomText(a)})`).join(' ')}`;
}

function anyText(conds: Cond[]): string {
  if (conds.length === 1) return condText(conds[0] as Cond);
  return `or ${conds.map((c) => `(${condText(c)})`).join(' ')}`;
}

export function exprText(x: Expr, h: Helpers): string {
  switch (x.e) {
    case 'namespace':
      return '$.Release.Namespace | quote';
    case 'value':
      return x.asString ? `${valueExpr(x.path)} | toString | quote` : `${valueExpr(x.path)} | toJson`;
    case 'name':
      return `include "${h.chart}.name" $ | quote`;
    case 'fullname':
      return `include "${h.chart}.fullname" (list $ ${JSON.stringify(x.suffix)}) | quote`;
    case 'image':
      return `include "${h.chart}.image" ${valueExpr(x.path)} | quote`;
    case 'contentHash':
      return `printf "%s-%s" ${JSON.stringify(x.prefix)} (include "${h.chart}.contentHash" (list (include ${JSON.stringify(x.define)} $) ${x.length})) | quote`;
    case 'item':
      return '$item | toJson';
  }
}

/** Literal text as Helm must see it: `{{` printed by an action instead of opening one. */
export function escapeTemplate(text: string): string {
  return text.replaceAll('{{', '{{"{{"}}');
}

function indentLines(text: string, indent: number): string[] {
  const pad = ' '.repeat(indent);
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => (l === '' ? '' : escapeTemplate(pad + l)));
}

function keyText(key: string): string {
  const y = toYaml({ [key]: 0 }).replace(/\n$/, '');
  if (!y.endsWith(': 0')) throw new Error(`internal: key ${JSON.stringify(key)} cannot be written plainly`);
  return escapeTemplate(y.slice(0, -3));
}

const PRINTABLE_BLOCK = /^[^\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\r]*$/;

function dq(s: string): string {
  return s.replace(/[\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '"') return '\\"';
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

function rawText(p: { raw: 'namespace' | 'environment' }): string {
  return p.raw === 'namespace' ? '{{ $.Release.Namespace }}' : '{{ $.Values.environment }}';
}

/** A string with inserted values: a literal block when it spans lines, else double-quoted. */
function strLines(
  head: string,
  parts: readonly (string | { raw: 'namespace' | 'environment' })[],
  indent: number,
): string[] {
  const text = parts.map((p) => (typeof p === 'string' ? p : 'x')).join('');
  const firstLine = text.split('\n').find((l) => l !== '') ?? '';
  const block =
    text.includes('\n') && PRINTABLE_BLOCK.test(text) && !/^[ \t]/.test(firstLine) && text.trim() !== '';
  if (!block) {
    const body = parts.map((p) => (typeof p === 'string' ? escapeTemplate(dq(p)) : rawText(p))).join('');
    return [`${head}"${body}"`];
  }
  const trailing = /\n*$/.exec(text)?.[0].length ?? 0;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  let joined = parts.map((p) => (typeof p === 'string' ? escapeTemplate(p) : rawText(p))).join('');
  if (trailing > 0) joined = joined.slice(0, -1);
  const pad = ' '.repeat(indent + 2);
  return [`${head}|${chomp}`, ...joined.split('\n').map((l) => (l === '' ? '' : pad + l))];
}

function guard(conds: Cond[], empty: '[]' | '{}'): string {
  if (conds.length === 0 || conds.some((c) => c.length === 0)) return '';
  return `{{ if not (${anyText(conds)}) }} ${empty}{{ end }}`;
}

function wrap(cond: Cond, indent: number, body: string[]): string[] {
  if (cond.length === 0) return body;
  const pad = ' '.repeat(indent);
  return [`${pad}{{- if ${condText(cond)} }}`, ...body, `${pad}{{- end }}`];
}

/** The lines of a map's entries at `indent` (no key line). */
export function mapBody(n: Extract<Node, { k: 'map' }>, indent: number, h: Helpers): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  if (n.helper) {
    out.push(
      `${pad}{{- include "${h.chart}.${n.helper.helper}" (list $ ${JSON.stringify(n.helper.component)}) | nindent ${indent} }}`,
    );
  }
  for (const e of n.entries) out.push(...wrap(e.cond, indent, keyed(e.key, e.node, indent, h)));
  return out;
}

function keyed(key: string, n: Node, indent: number, h: Helpers): string[] {
  const pad = ' '.repeat(indent);
  const k = `${pad}${keyText(key)}:`;
  switch (n.k) {
    case 'lit':
      return indentLines(toYaml({ [key]: n.v }), indent);
    case 'expr':
      return [`${k} {{ ${exprText(n.x, h)} }}`];
    case 'block':
      return [k, `${pad}  {{- ${valueExpr(n.path)} | toYaml | nindent ${indent + 2} }}`];
    case 'str':
      return strLines(`${k} `, n.parts, indent);
    case 'map': {
      const g = n.helper
        ? ''
        : guard(
            n.entries.map((e) => e.cond),
            '{}',
          );
      return [`${k}${g}`, ...mapBody(n, indent + 2, h)];
    }
    case 'seq':
      return [
        `${k}${guard(
          n.items.map((i) => i.cond),
          '[]',
        )}`,
        ...items(n.items, indent + 2, h),
      ];
    case 'range':
      return [
        `${k}{{ if not ${valueExpr(n.path)} }} []{{ end }}`,
        `${pad}  {{- range $item := ${valueExpr(n.path)} }}`,
        ...item(n.item, indent + 2, h),
        `${pad}  {{- end }}`,
      ];
    case 'include':
      return [k, `${pad}  {{- include ${JSON.stringify(n.define)} $ | nindent ${indent + 2} }}`];
  }
}

function items(list: Item[], indent: number, h: Helpers): string[] {
  return list.flatMap((i) => wrap(i.cond, indent, item(i.node, indent, h)));
}

function item(n: Node, indent: number, h: Helpers): string[] {
  const pad = ' '.repeat(indent);
  switch (n.k) {
    case 'lit':
      return indentLines(toYaml([n.v]), indent);
    case 'expr':
      return [`${pad}- {{ ${exprText(n.x, h)} }}`];
    case 'str':
      return strLines(`${pad}- `, n.parts, indent);
    case 'block':
      return [`${pad}-`, `${pad}  {{- ${valueExpr(n.path)} | toYaml | nindent ${indent + 2} }}`];
    case 'map': {
      const g = n.helper
        ? ''
        : guard(
            n.entries.map((e) => e.cond),
            '{}',
          );
      const body = mapBody(n, indent + 2, h);
      const first = body[0];
      if (
        g === '' &&
        first !== undefined &&
        first.startsWith(`${pad}  `) &&
        !first.trimStart().startsWith('{{')
      ) {
        return [`${pad}- ${first.slice(indent + 2)}`, ...body.slice(1)];
      }
      return [`${pad}-${g}`, ...body];
    }
    case 'seq':
      return [
        `${pad}-${guard(
          n.items.map((i) => i.cond),
          '[]',
        )}`,
        ...items(n.items, indent + 2, h),
      ];
    case 'range':
      return [
        `${pad}-{{ if not ${valueExpr(n.path)} }} []{{ end }}`,
        `${pad}  {{- range $item := ${valueExpr(n.path)} }}`,
        ...item(n.item, indent + 2, h),
        `${pad}  {{- end }}`,
      ];
    case 'include':
      return [`${pad}-`, `${pad}  {{- include ${JSON.stringify(n.define)} $ | nindent ${indent + 2} }}`];
  }
}

/** One manifest: the object's map at column 0, wrapped in its switch. */
export function documentText(root: Node, cond: Cond, h: Helpers, comment = ''): string {
  const body = [
    ...(comment ? comment.split('\n').map((l) => escapeTemplate(`# ${l}`)) : []),
    ...(root.k === 'map' ? mapBody(root, 0, h) : rootBlock(root)),
  ];
  const lines = cond.length > 0 ? [`{{- if ${condText(cond)} }}`, ...body, '{{- end }}'] : body;
  return `${lines.join('\n')}\n`;
}

function rootBlock(n: Node): string[] {
  if (n.k === 'block') return [`{{- ${valueExpr(n.path)} | toYaml | nindent 0 }}`];
  if (n.k === 'lit') return indentLines(toYaml(n.v), 0);
  throw new Error(`internal: a document cannot be a ${n.k} node`);
}

/** A named template holding a map (a pod template), for `include` and content hashes. */
export function defineText(name: string, n: Node, h: Helpers): string {
  if (n.k !== 'map') throw new Error('internal: defines hold maps');
  return [`{{- define ${JSON.stringify(name)} -}}`, ...mapBody(n, 0, h), '{{- end }}'].join('\n');
}
