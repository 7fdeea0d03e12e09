// TRL preference JSONL files on disk (Node only); parsing and formatting live in jsonl.ts.

import { readFile, writeFile } from 'node:fs/promises';
import { formatPreferenceJsonl, parsePreferenceJsonl, type NumberedExample, type PreferenceExample } from './jsonl.js';

/** Reads and validates a TRL preference JSONL file; unreadable files are reported by path. */
export async function readPreferenceJsonl(path: string): Promise<NumberedExample[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read data file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parsePreferenceJsonl(text, path);
}

/** Writes examples as TRL preference JSONL (see formatPreferenceJsonl). */
export async function writePreferenceJsonl(path: string, examples: readonly PreferenceExample[]): Promise<void> {
  await writeFile(path, formatPreferenceJsonl(examples), 'utf8');
}
