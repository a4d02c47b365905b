/**
 * A tiny Mermaid flowchart writer. Node ids are derived from stable keys, sanitised to
 * `n_[A-Za-z0-9_]` (so no id is a keyword such as `end`, or starts an `o`/`x` edge) and kept unique
 * when two keys sanitise alike. Labels are always quoted, with the characters Mermaid would read
 * as syntax written as its entity codes.
 */

export type Shape = 'rect' | 'round' | 'stadium' | 'database' | 'hexagon' | 'circle' | 'job' | 'subroutine';
export type EdgeStyle = 'solid' | 'dotted' | 'thick';

const OPEN: Record<Shape, [string, string]> = {
  rect: ['[', ']'],
  round: ['(', ')'],
  stadium: ['([', '])'],
  database: ['[(', ')]'],
  hexagon: ['{{', '}}'],
  circle: ['((', '))'],
  job: ['[/', '/]'],
  subroutine: ['[[', ']]'],
};

/** Text safe inside a quoted Mermaid label. */
export function mermaidText(text: string): string {
  return text
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\|/g, '#124;')
    .replace(/`/g, '#96;');
}

/** Lines of a label, escaped and joined with Mermaid's line break. */
function label(lines: string | string[]): string {
  return (Array.isArray(lines) ? lines : [lines]).map(mermaidText).join('<br/>');
}

export class Flowchart {
  private readonly ids = new Map<string, string>();
  private readonly used = new Set<string>();
  private readonly body: string[] = [];
  private readonly edges: string[] = [];
  private readonly declared = new Set<string>();
  private depth = 1;

  private readonly direction: 'LR' | 'TB';

  constructor(direction: 'LR' | 'TB' = 'LR') {
    this.direction = direction;
  }

  /** The id of a key: the same key always gets the same id. */
  id(key: string): string {
    const known = this.ids.get(key);
    if (known) return known;
    const base = `n_${key.replace(/[^A-Za-z0-9_]/g, '_')}`;
    let id = base;
    for (let i = 2; this.used.has(id); i++) id = `${base}_${i}`;
    this.ids.set(key, id);
    this.used.add(id);
    return id;
  }

  has(key: string): boolean {
    return this.declared.has(key);
  }

  node(key: string, text: string | string[], shape: Shape = 'rect'): this {
    if (this.declared.has(key)) return this;
    this.declared.add(key);
    const [open, close] = OPEN[shape];
    this.body.push(`${'  '.repeat(this.depth)}${this.id(key)}${open}"${label(text)}"${close}`);
    return this;
  }

  subgraph(key: string, title: string | string[], fill: () => void): this {
    const pad = '  '.repeat(this.depth);
    this.body.push(`${pad}subgraph ${this.id(key)}["${label(title)}"]`);
    this.depth++;
    fill();
    this.depth--;
    this.body.push(`${pad}end`);
    return this;
  }

  edge(from: string, to: string, text?: string | string[], style: EdgeStyle = 'solid'): this {
    const arrow = style === 'dotted' ? '-.->' : style === 'thick' ? '==>' : '-->';
    const t = text === undefined || (Array.isArray(text) && text.length === 0) ? '' : `|"${label(text)}"|`;
    const line = `  ${this.id(from)} ${arrow}${t} ${this.id(to)}`;
    if (!this.edges.includes(line)) this.edges.push(line);
    return this;
  }

  toString(): string {
    return [`flowchart ${this.direction}`, ...this.body, ...this.edges].join('\n');
  }
}

/** A fenced Mermaid block. */
export function mermaidBlock(chart: Flowchart): string {
  return `\`\`\`mermaid\n${chart.toString()}\n\`\`\``;
}
