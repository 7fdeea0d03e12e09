// TRL's preference data format as JSON Lines: one object per line with string fields `prompt`, `chosen`,
// `rejected` (TRL's "standard" format; the conversational format with message lists is not supported). Every
// problem is reported with its line number, so a user can fix their file before any training starts. Text and bytes
// only, so it runs in browsers; jsonl-files.ts reads and writes files (Node).

/** One row of TRL's standard preference format: a prompt and its chosen and rejected completions, as text. */
export interface PreferenceExample {
  prompt: string;
  chosen: string;
  rejected: string;
}

/** A row as read from a file: the example and the 1-based line it came from. */
export interface NumberedExample extends PreferenceExample {
  line: number;
}

/** A problem in a JSONL file, with the file and 1-based line it is on. */
export class JsonlError extends Error {
  constructor(readonly file: string, readonly line: number, problem: string) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'JsonlError';
  }
}

const FIELDS = ['prompt', 'chosen', 'rejected'] as const;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function checkRow(value: unknown, file: string, line: number): NumberedExample {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new JsonlError(file, line, `expected a JSON object with "prompt", "chosen" and "rejected", got ${describe(value)}`);
  }
  const row = value as Record<string, unknown>;
  for (const field of FIELDS) {
    const v = row[field];
    if (v === undefined) throw new JsonlError(file, line, `field "${field}" is missing (TRL preference rows need "prompt", "chosen" and "rejected")`);
    if (typeof v !== 'string') {
      const hint = Array.isArray(v) ? ' (conversational message lists are not supported; give plain strings)' : '';
      throw new JsonlError(file, line, `field "${field}" must be a string, got ${describe(v)}${hint}`);
    }
  }
  for (const field of ['chosen', 'rejected'] as const) {
    if (row[field] === '') throw new JsonlError(file, line, `field "${field}" is empty (a completion needs at least one character)`);
  }
  return { prompt: row.prompt as string, chosen: row.chosen as string, rejected: row.rejected as string, line };
}

/**
 * Parses JSONL, given as text or as the bytes of a file (UTF-8; from a browser `File`: `new Uint8Array(await file.arrayBuffer())`);
 * `file` names the source in errors. Blank lines are skipped; an empty file is an error.
 */
export function parsePreferenceJsonl(input: string | Uint8Array, file = '<input>'): NumberedExample[] {
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
  const rows: NumberedExample[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const source = lines[i].replace(/\r$/, '');
    if (source.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (e) {
      throw new JsonlError(file, i + 1, `not valid JSON (${(e as Error).message})`);
    }
    rows.push(checkRow(value, file, i + 1));
  }
  if (rows.length === 0) throw new JsonlError(file, 1, 'the file has no rows (expected one JSON object per line)');
  return rows;
}

/** One JSON object per line with exactly the TRL fields (extra properties of the examples are left out). */
export function formatPreferenceJsonl(examples: readonly PreferenceExample[]): string {
  return examples.map((e) => JSON.stringify({ prompt: e.prompt, chosen: e.chosen, rejected: e.rejected }) + '\n').join('');
}
