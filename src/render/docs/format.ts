/**
 * Small, pure formatting helpers for the architecture documents: Markdown tables and code blocks,
 * quantities (CPU, memory) summed exactly, durations and cron schedules in words.
 */
import { quantityValue } from '../../spec/semantics.ts';

/** A Markdown table. Cells are escaped (pipes, newlines); an empty body renders nothing. */
export function table(head: string[], rows: string[][]): string {
  if (rows.length === 0) return '';
  const cell = (c: string) => c.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

/** A fenced code block. */
export function code(lang: string, body: string): string {
  return `\`\`\`${lang}\n${body.replace(/\n+$/, '')}\n\`\`\``;
}

/** Inline code, safe for backticks inside. */
export function ic(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** A bulleted list; nothing when empty. */
export function bullets(items: string[]): string {
  return items.map((i) => `- ${i}`).join('\n');
}

/** Join Markdown blocks with one blank line, dropping empty ones. */
export function blocks(...parts: (string | undefined | false)[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').join('\n\n');
}

/** A GitHub-style heading anchor for `text`. */
export function anchor(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** CPU in millicores, exactly (quantities such as 250m, 0.5, 2). */
export function cpuMilli(q: string): number {
  return Math.round(quantityValue(q) * 1000);
}

/** Memory in MiB, exactly for the Ki/Mi/Gi/Ti quantities Slipway writes. */
export function memMi(q: string): number {
  return Math.round((quantityValue(q) / 2 ** 20) * 1000) / 1000;
}

/** Storage in GiB. */
export function storageGi(q: string): number {
  return Math.round((quantityValue(q) / 2 ** 30) * 1000) / 1000;
}

const trim = (n: number) => String(Number(n.toFixed(3)));

/** Millicores as people write them: 250m, 1, 2.5. */
export function formatCpu(milli: number): string {
  if (milli === 0) return '0';
  if (milli < 1000) return `${trim(milli)}m`;
  return trim(milli / 1000);
}

/** MiB as people write them: 512Mi, 1Gi, 1.5Gi; in Mi when Gi would need rounding (1.3125Gi is 1344Mi). */
export function formatMemory(mi: number): string {
  if (mi === 0) return '0';
  const gi = mi / 1024;
  if (mi < 1024 || Number(gi.toFixed(3)) !== gi) return `${trim(mi)}Mi`;
  return `${gi}Gi`;
}

export function formatStorage(gi: number): string {
  if (gi === 0) return '0';
  if (gi < 1) return `${trim(gi * 1024)}Mi`;
  return `${trim(gi)}Gi`;
}

/** A duration in words: 30 s, 15 min, 2 h, 7 days. */
export function duration(seconds: number): string {
  if (seconds >= 86400 && seconds % 86400 === 0) return plural(seconds / 86400, 'day');
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  if (seconds > 3600) return `${trim(seconds / 3600)} h`;
  return `${trim(seconds)} s`;
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * A cron schedule in words, and how long apart two runs are at most (undefined when the
 * expression is too irregular to say). That distance is the recovery point of a backup.
 */
export function describeCron(expr: string): { text: string; intervalSeconds?: number } {
  const macros: Record<string, { text: string; intervalSeconds: number }> = {
    '@hourly': { text: 'every hour', intervalSeconds: 3600 },
    '@daily': { text: 'daily at 00:00', intervalSeconds: 86400 },
    '@midnight': { text: 'daily at 00:00', intervalSeconds: 86400 },
    '@weekly': { text: 'weekly, Sunday at 00:00', intervalSeconds: 7 * 86400 },
    '@monthly': { text: 'monthly, on the 1st at 00:00', intervalSeconds: 31 * 86400 },
    '@yearly': { text: 'yearly, on 1 January at 00:00', intervalSeconds: 366 * 86400 },
    '@annually': { text: 'yearly, on 1 January at 00:00', intervalSeconds: 366 * 86400 },
  };
  const macro = macros[expr.trim()];
  if (macro) return macro;
  const f = expr.trim().split(/\s+/);
  if (f.length !== 5) return { text: `cron ${ic(expr)}` };
  const [min = '', hour = '', dom = '', mon = '', dow = ''] = f;
  const num = (s: string) => /^\d+$/.test(s);
  const every = (s: string) => /^\*\/(\d+)$/.exec(s)?.[1];
  const hhmm = (h: string, m: string) => `${h.padStart(2, '0')}:${m.padStart(2, '0')}`;
  const anyDay = dom === '*' && mon === '*';
  if (num(min) && num(hour) && anyDay && dow === '*')
    return { text: `daily at ${hhmm(hour, min)}`, intervalSeconds: 86400 };
  if (num(min) && /^\d+(,\d+)+$/.test(hour) && anyDay && dow === '*') {
    const hours = hour
      .split(',')
      .map(Number)
      .sort((a, b) => a - b);
    const gaps = hours.map((h, i) => ((hours[i + 1] ?? (hours[0] ?? 0) + 24) - h) * 3600);
    return {
      text: `daily at ${hours.map((h) => hhmm(String(h), min)).join(', ')}`,
      intervalSeconds: Math.max(...gaps),
    };
  }
  if (num(min) && hour === '*' && anyDay && dow === '*')
    return { text: `every hour at minute ${min}`, intervalSeconds: 3600 };
  const everyHours = every(hour);
  if (num(min) && everyHours && anyDay && dow === '*')
    return {
      text: `every ${everyHours} hours at minute ${min}`,
      intervalSeconds: Number(everyHours) * 3600,
    };
  const everyMinutes = every(min);
  if (everyMinutes && hour === '*' && anyDay && dow === '*')
    return { text: `every ${everyMinutes} minutes`, intervalSeconds: Number(everyMinutes) * 60 };
  if (num(min) && num(hour) && anyDay && num(dow) && Number(dow) <= 7)
    return {
      text: `weekly, ${DAYS[Number(dow) % 7]} at ${hhmm(hour, min)}`,
      intervalSeconds: 7 * 86400,
    };
  return { text: `cron ${ic(expr)}` };
}
