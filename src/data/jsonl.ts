// TRL data as JSON Lines: one object per line, in any of TRL's preference formats (standard, conversational,
// implicit prompt) or its unpaired (KTO) format; trl-formats.ts reduces each row to text. Every problem is reported
// with its file and line, so a user can fix their file before any training starts: invalid JSON, a wrong field, and
// text that is not UTF-8 (a Latin-1 file, an encoded or escaped lone surrogate), which would otherwise turn into
// U+FFFD silently. A UTF-8 byte-order mark at the start is accepted. Text and bytes only, so it runs in browsers;
// jsonl-files.ts reads and writes files (Node).

import type { ChatTemplate } from './chat-template.js';
import { readTrlRow, RowError, type PreferenceExample, type TrlFormat, type UnpairedExample } from './trl-formats.js';

export type { PreferenceExample, UnpairedExample } from './trl-formats.js';

/** A preference row as read from a file: the example and the 1-based line it came from. */
export interface NumberedExample extends PreferenceExample {
  line: number;
}

/** An unpaired (KTO) row as read from a file, with its 1-based line. */
export interface NumberedUnpaired extends UnpairedExample {
  line: number;
}

/** A parsed TRL JSONL file: preference pairs or unpaired rows (a file holds one kind), and the formats seen. */
export type TrlJsonl =
  | { kind: 'preference'; rows: NumberedExample[]; formats: TrlFormat[] }
  | { kind: 'unpaired'; rows: NumberedUnpaired[]; formats: TrlFormat[] };

/** How rows are read: the chat template for conversational rows (default: defaultChatTemplate). */
export interface JsonlOptions {
  chatTemplate?: ChatTemplate;
}

/** A problem with a JSONL source, at a 1-based line; the message starts with `file:line:`. */
export class JsonlError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    problem: string,
  ) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'JsonlError';
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * For a UTF-8 lead byte: the sequence length and the allowed range of the second byte (RFC 3629's table, which
 * excludes overlong forms, surrogates ED A0..BF and code points above U+10FFFF); null for a byte that cannot lead.
 */
function utf8Sequence(b: number): [length: number, low: number, high: number] | null {
  if (b >= 0xc2 && b <= 0xdf) return [2, 0x80, 0xbf];
  if (b === 0xe0) return [3, 0xa0, 0xbf];
  if (b === 0xed) return [3, 0x80, 0x9f];
  if (b >= 0xe1 && b <= 0xef) return [3, 0x80, 0xbf];
  if (b === 0xf0) return [4, 0x90, 0xbf];
  if (b >= 0xf1 && b <= 0xf3) return [4, 0x80, 0xbf];
  if (b === 0xf4) return [4, 0x80, 0x8f];
  return null;
}

/** Index of the first byte that does not start a well-formed UTF-8 sequence, or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    if (bytes[i] < 0x80) {
      i++;
      continue;
    }
    const sequence = utf8Sequence(bytes[i]);
    if (sequence === null) return i;
    const [length, low, high] = sequence;
    if (i + length > bytes.length || bytes[i + 1] < low || bytes[i + 1] > high) return i;
    for (let k = 2; k < length; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return i;
    i += length;
  }
  return -1;
}

/** The lines of the input as text, without a leading byte-order mark; bytes that are not UTF-8 name their line. */
function linesOf(input: string | Uint8Array, file: string): string[] {
  if (typeof input === 'string') return input.replace(/^\uFEFF/, '').split('\n');
  const bom = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf;
  const bytes = bom ? input.subarray(3) : input;
  const lines: string[] = [];
  let start = 0;
  while (start <= bytes.length) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    const line = bytes.subarray(start, end);
    try {
      lines.push(strictUtf8.decode(line));
    } catch {
      const at = firstInvalidUtf8(line);
      const byte = line[at].toString(16).toUpperCase().padStart(2, '0');
      const problem = `not valid UTF-8 (byte 0x${byte} at column ${at + 1}, counting bytes); save the file as UTF-8`;
      throw new JsonlError(file, lines.length + 1, problem);
    }
    start = end + 1;
  }
  return lines;
}

function mixedKinds(kind: TrlJsonl['kind'], firstLine: number): string {
  const [row, first] = kind === 'unpaired' ? ['an unpaired', 'a preference pair'] : ['a preference', 'unpaired'];
  return `${row} row in a file whose first row (line ${firstLine}) is ${first}; a file holds one kind`;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkText(where: string, text: string): void {
  const match = LONE_SURROGATE.exec(text);
  if (!match) return;
  const code = `\\u${match[0].charCodeAt(0).toString(16).padStart(4, '0')}`;
  throw new RowError(
    `${where} holds an unpaired surrogate (${code} at character ${match.index + 1}), ` +
      'which is not text and cannot be encoded as UTF-8',
  );
}

/** Lone surrogates in the fields TRL rows use (JSON's \ud800 escapes produce them even from valid UTF-8). */
function checkSurrogates(value: unknown): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  for (const field of ['prompt', 'chosen', 'rejected', 'completion']) {
    const v = (value as Record<string, unknown>)[field];
    if (typeof v === 'string') checkText(`field "${field}"`, v);
    if (!Array.isArray(v)) continue;
    v.forEach((message, i) => {
      if (message === null || typeof message !== 'object') return;
      for (const [key, text] of Object.entries(message as Record<string, unknown>)) {
        if (typeof text === 'string') checkText(`field "${field}" message ${i + 1} "${key}"`, text);
      }
    });
  }
}

/**
 * Parses TRL JSONL in any preference or unpaired format, given as text or as the bytes of a file (UTF-8; from a
 * browser `File`: `new Uint8Array(await file.arrayBuffer())`); `file` names the source in errors. Blank lines are
 * skipped; an empty file, and a file mixing preference and unpaired rows, are errors.
 */
export function parseTrlJsonl(input: string | Uint8Array, file = '<input>', options: JsonlOptions = {}): TrlJsonl {
  const preference: NumberedExample[] = [];
  const unpaired: NumberedUnpaired[] = [];
  const formats = new Set<TrlFormat>();
  let kind: { name: TrlJsonl['kind']; line: number } | null = null;
  const lines = linesOf(input, file);
  for (let i = 0; i < lines.length; i++) {
    const source = lines[i].replace(/\r$/, '');
    if (source.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (e) {
      throw new JsonlError(file, i + 1, `not valid JSON (${(e as Error).message})`);
    }
    try {
      checkSurrogates(value);
      const row = readTrlRow(value, options.chatTemplate);
      kind ??= { name: row.kind, line: i + 1 };
      if (row.kind !== kind.name) throw new RowError(mixedKinds(row.kind, kind.line));
      formats.add(row.format);
      if (row.kind === 'preference') preference.push({ ...row.example, line: i + 1 });
      else unpaired.push({ ...row.example, line: i + 1 });
    } catch (e) {
      if (e instanceof RowError) throw new JsonlError(file, i + 1, e.message);
      throw e;
    }
  }
  if (kind === null) throw new JsonlError(file, 1, 'the file has no rows (expected one JSON object per line)');
  return kind.name === 'preference'
    ? { kind: 'preference', rows: preference, formats: [...formats] }
    : { kind: 'unpaired', rows: unpaired, formats: [...formats] };
}

/** Parses TRL JSONL whose rows are preference pairs (any preference format; see parseTrlJsonl). */
export function parsePreferenceJsonl(
  input: string | Uint8Array,
  file = '<input>',
  options: JsonlOptions = {},
): NumberedExample[] {
  const parsed = parseTrlJsonl(input, file, options);
  if (parsed.kind === 'unpaired') {
    const problem =
      'an unpaired (KTO) row ("completion", "label"), but preference pairs are expected here ' +
      '(parseTrlJsonl reads unpaired files)';
    throw new JsonlError(file, parsed.rows[0].line, problem);
  }
  return parsed.rows;
}

/** One JSON object per line with exactly the TRL fields (extra properties of the examples are left out). */
export function formatPreferenceJsonl(examples: readonly PreferenceExample[]): string {
  return examples
    .map((e) => `${JSON.stringify({ prompt: e.prompt, chosen: e.chosen, rejected: e.rejected })}\n`)
    .join('');
}
