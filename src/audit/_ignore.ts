/**
 * `slipway.dev/ignore` annotations: `<rule-id> — <reason>`, one entry per line or separated by `;`.
 * The reason is required: an entry without one silences nothing and is itself a finding.
 */

export const IGNORE_ANNOTATION = 'slipway.dev/ignore';

export interface IgnoreEntry {
  rule: string;
  reason: string;
}

export interface IgnoreProblem {
  entry: string;
  problem: 'no-reason' | 'unknown-rule' | 'malformed';
  rule?: string;
}

// The id, then an em or en dash, `--`, ` - ` or `:`, then the reason.
const ENTRY = /^([a-z0-9][a-z0-9-]*)\s*(?:—|–|--|\s-\s|:)\s*(.*)$/s;
const ID_ONLY = /^([a-z0-9][a-z0-9-]*)\s*(?:—|–|--|-|:)?\s*$/;

export function parseIgnore(
  value: string,
  knownRules: ReadonlySet<string>,
): { entries: IgnoreEntry[]; problems: IgnoreProblem[] } {
  const entries: IgnoreEntry[] = [];
  const problems: IgnoreProblem[] = [];
  for (const raw of value.split(/[\n;]/)) {
    const entry = raw.trim();
    if (entry === '') continue;
    const m = ENTRY.exec(entry);
    const rule = m?.[1] ?? ID_ONLY.exec(entry)?.[1];
    if (rule === undefined) {
      problems.push({ entry, problem: 'malformed' });
      continue;
    }
    if (!knownRules.has(rule)) {
      problems.push({ entry, problem: 'unknown-rule', rule });
      continue;
    }
    const reason = (m?.[2] ?? '').trim();
    if (reason === '') {
      problems.push({ entry, problem: 'no-reason', rule });
      continue;
    }
    entries.push({ rule, reason });
  }
  return { entries, problems };
}
