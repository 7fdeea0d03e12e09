// TRL JSONL files on disk (Node only); parsing and formatting live in jsonl.ts. Files are read as bytes, so that
// jsonl.ts can report text that is not UTF-8 by its line (reading as a string would replace it silently).

import { readFile, writeFile } from 'node:fs/promises';
import {
  formatPreferenceJsonl,
  parsePreferenceJsonl,
  parseTrlJsonl,
  type JsonlOptions,
  type NumberedExample,
  type PreferenceExample,
  type TrlJsonl,
} from './jsonl.js';

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw new Error(`cannot read data file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Reads and validates a TRL preference JSONL file (any preference format); unreadable files are reported by path. */
export async function readPreferenceJsonl(path: string, options: JsonlOptions = {}): Promise<NumberedExample[]> {
  return parsePreferenceJsonl(await readBytes(path), path, options);
}

/** Reads and validates a TRL JSONL file of preference pairs or unpaired (KTO) rows. */
export async function readTrlJsonl(path: string, options: JsonlOptions = {}): Promise<TrlJsonl> {
  return parseTrlJsonl(await readBytes(path), path, options);
}

/** Writes examples as TRL preference JSONL (see formatPreferenceJsonl). */
export async function writePreferenceJsonl(path: string, examples: readonly PreferenceExample[]): Promise<void> {
  await writeFile(path, formatPreferenceJsonl(examples), 'utf8');
}
