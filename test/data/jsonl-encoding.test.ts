// JSONL bytes that are not plain UTF-8: a byte-order mark is accepted (editors on Windows write one), and bytes
// that are not UTF-8 (a Latin-1 file, an encoded surrogate) or an unpaired surrogate escape are errors naming the
// line, instead of silently becoming U+FFFD and training on the wrong text.

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePreferenceJsonl } from '../../src/data/jsonl.js';
import { readPreferenceJsonl } from '../../src/data/jsonl-files.js';

const row = (o: unknown) => JSON.stringify(o);
const good = { prompt: '1+2=', chosen: 'A:3.', rejected: 'A:4.' };
const utf8 = (text: string) => new TextEncoder().encode(text);
const concatBytes = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

async function file(bytes: Uint8Array): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'jsonl-enc-')), 'data.jsonl');
  await writeFile(path, bytes);
  return path;
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('JSONL encoding', () => {
  it('accepts a UTF-8 byte-order mark in a file, in bytes and in text', async () => {
    const text = `${row({ ...good, prompt: 'é=' })}\n${row(good)}\n`;
    const expected = [
      { ...good, prompt: 'é=', line: 1 },
      { ...good, line: 2 },
    ];
    const withBom = concatBytes(Uint8Array.of(0xef, 0xbb, 0xbf), utf8(text));
    expect(await readPreferenceJsonl(await file(withBom))).toEqual(expected);
    expect(parsePreferenceJsonl(withBom)).toEqual(expected);
    expect(parsePreferenceJsonl(`\uFEFF${text}`)).toEqual(expected);
  });

  it('a byte-order mark anywhere but the start is still an error (it is not whitespace in JSON)', () => {
    expect(errorOf(() => parsePreferenceJsonl(`${row(good)}\n\uFEFF${row(good)}\n`, 'data.jsonl'))).toMatch(
      /^data\.jsonl:2: not valid JSON/,
    );
  });

  it('reports Latin-1 bytes with their line, from a file and from bytes', async () => {
    // "café" in Latin-1: é is the single byte 0xE9, which UTF-8 never has on its own
    const bytes = concatBytes(
      utf8(`${row(good)}\n${row(good)}\n{"prompt": "caf`),
      Uint8Array.of(0xe9),
      utf8(`=", "chosen": "a", "rejected": "b"}\n`),
    );
    const path = await file(bytes);
    await expect(readPreferenceJsonl(path)).rejects.toThrow(`${path}:3: not valid UTF-8 (byte 0xE9 at column 16`);
    expect(errorOf(() => parsePreferenceJsonl(bytes, 'data.jsonl'))).toMatch(
      /^data\.jsonl:3: not valid UTF-8 \(byte 0xE9 at column 16/,
    );
  });

  it('reports a UTF-8-encoded surrogate (CESU-style bytes ED A0 80) with its line', () => {
    const bytes = concatBytes(
      utf8(`${row(good)}\n{"prompt": "`),
      Uint8Array.of(0xed, 0xa0, 0x80),
      utf8(`", "chosen": "a", "rejected": "b"}\n`),
    );
    expect(errorOf(() => parsePreferenceJsonl(bytes, 'data.jsonl'))).toMatch(
      /^data\.jsonl:2: not valid UTF-8 \(byte 0xED at column 13/,
    );
  });

  it('reports an unpaired surrogate, escaped in JSON or in the text itself, with its line and field', () => {
    const escaped = `${row(good)}\n${row(good)}\n{"prompt": "x", "chosen": "a\\ud800b", "rejected": "c"}\n`;
    expect(errorOf(() => parsePreferenceJsonl(escaped, 'data.jsonl'))).toBe(
      'data.jsonl:3: field "chosen" holds an unpaired surrogate (\\ud800 at character 2), which is not text and cannot be encoded as UTF-8',
    );
    const raw = `${row({ ...good, rejected: 'z\uDC00' })}\n`;
    expect(errorOf(() => parsePreferenceJsonl(raw, 'data.jsonl'))).toBe(
      'data.jsonl:1: field "rejected" holds an unpaired surrogate (\\udc00 at character 2), which is not text and cannot be encoded as UTF-8',
    );
  });

  it('keeps valid astral characters (surrogate pairs) intact', () => {
    const text = `${row({ ...good, chosen: 'A:𝄞.' })}\n`;
    expect(parsePreferenceJsonl(utf8(text))[0].chosen).toBe('A:𝄞.');
    expect(parsePreferenceJsonl(text)[0].chosen).toBe('A:𝄞.');
  });
});
