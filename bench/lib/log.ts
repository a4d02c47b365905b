/** Progress goes to stderr as it happens; notes are kept and printed under the table. */
const notes: string[] = [];

export function progress(s: string): void {
  process.stderr.write(`  … ${s}\n`);
}

export function note(s: string): void {
  notes.push(s);
}

export function takeNotes(): string[] {
  return notes.splice(0);
}
