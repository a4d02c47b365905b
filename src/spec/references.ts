/**
 * References inside env values: `${secrets.NAME}`, `${dependencies.NAME.PROPERTY}`,
 * `${services.NAME.PROPERTY}`. `$${` writes a literal `${`.
 */

export const DEPENDENCY_PROPERTIES = ['url', 'host', 'port', 'user', 'password', 'database'] as const;
export const SERVICE_PROPERTIES = ['url', 'host', 'port'] as const;

export type DependencyProperty = (typeof DEPENDENCY_PROPERTIES)[number];
export type ServiceProperty = (typeof SERVICE_PROPERTIES)[number];

/** Which properties a dependency can provide, by type and mode. */
export function providedProperties(
  type: 'postgres' | 'redis',
  mode: string,
  externalHost: boolean,
): DependencyProperty[] {
  if (mode === 'sqlite') return ['url'];
  if (mode === 'external') return externalHost ? ['url', 'host', 'port'] : ['url'];
  if (type === 'redis') return ['url', 'host', 'port', 'database'];
  return [...DEPENDENCY_PROPERTIES];
}

export type Reference =
  | { kind: 'secrets'; name: string }
  | { kind: 'dependencies'; name: string; property: DependencyProperty }
  | { kind: 'services'; name: string; property: ServiceProperty };

export type TemplatePart = { text: string } | { ref: Reference; raw: string; index: number };

export interface TemplateError {
  /** Index in the string where the bad reference starts. */
  index: number;
  message: string;
  hint: string;
}

export interface ParsedTemplate {
  parts: TemplatePart[];
  errors: TemplateError[];
}

const REF = /\$\$\{|\$\{([^}]*)\}?/g;

export function parseTemplate(value: string): ParsedTemplate {
  const parts: TemplatePart[] = [];
  const errors: TemplateError[] = [];
  let text = '';
  let last = 0;
  for (const m of value.matchAll(REF)) {
    const index = m.index ?? 0;
    text += value.slice(last, index);
    last = index + m[0].length;
    if (m[0] === '$${') {
      text += '${';
      continue;
    }
    if (!m[0].endsWith('}')) {
      errors.push({
        index,
        message: `unclosed reference "${m[0]}"`,
        hint: 'close it with }, or write $${ for a literal ${',
      });
      text += m[0];
      continue;
    }
    const inner = (m[1] ?? '').trim();
    const ref = parseReference(inner);
    if ('error' in ref) {
      errors.push({ index, message: `"${m[0]}" ${ref.error}`, hint: ref.hint });
      continue;
    }
    if (text) parts.push({ text });
    text = '';
    parts.push({ ref, raw: m[0], index });
  }
  text += value.slice(last);
  if (text) parts.push({ text });
  return { parts, errors };
}

function parseReference(inner: string): Reference | { error: string; hint: string } {
  const segs = inner.split('.');
  const [kind, name, property, ...extra] = segs;
  const shape = 'write ${secrets.NAME}, ${dependencies.NAME.url} or ${services.NAME.url}';
  if (!name || extra.length > 0) return { error: 'is not a reference Slipway knows', hint: shape };
  switch (kind) {
    case 'secrets':
      if (property !== undefined)
        return { error: 'names a secret with a property', hint: 'write ${secrets.NAME}' };
      return { kind, name };
    case 'dependencies':
      if (!isOneOf(property, DEPENDENCY_PROPERTIES)) {
        return {
          error: `needs one of the properties ${DEPENDENCY_PROPERTIES.join(', ')}`,
          hint: `for example \${dependencies.${name}.url}`,
        };
      }
      return { kind, name, property };
    case 'services':
      if (!isOneOf(property, SERVICE_PROPERTIES)) {
        return {
          error: `needs one of the properties ${SERVICE_PROPERTIES.join(', ')}`,
          hint: `for example \${services.${name}.url}`,
        };
      }
      return { kind, name, property };
    default:
      return { error: `starts with "${kind}", which is not secrets, dependencies or services`, hint: shape };
  }
}

function isOneOf<T extends string>(v: string | undefined, list: readonly T[]): v is T {
  return v !== undefined && (list as readonly string[]).includes(v);
}
