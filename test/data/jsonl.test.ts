import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatPreferenceJsonl, parsePreferenceJsonl } from '../../src/data/jsonl.js';
import { readPreferenceJsonl, writePreferenceJsonl } from '../../src/data/jsonl-files.js';

const row = (o: unknown) => JSON.stringify(o);
const good = { prompt: 'Q: 1+2=? ', chosen: 'A: 3.', rejected: 'A: 4.' };

describe('TRL preference JSONL', () => {
  it('round-trips any strings, skipping blank lines and CRLF endings', () => {
    const example = fc.record({
      prompt: fc.string(),
      chosen: fc.string({ minLength: 1 }),
      rejected: fc.string({ minLength: 1 }),
    });
    fc.assert(
      fc.property(fc.array(example, { minLength: 1, maxLength: 5 }), (rows) => {
        const back = parsePreferenceJsonl(`${formatPreferenceJsonl(rows).replace(/\n/g, '\r\n')}\n\n`);
        expect(back.map(({ prompt, chosen, rejected }) => ({ prompt, chosen, rejected }))).toEqual(rows);
      }),
    );
  });

  it('reads the bytes of a UTF-8 file the same as its text (a byte order mark is not part of the first row)', () => {
    const text = `${row({ ...good, prompt: 'é ✓ 𝄞' })}\n${row(good)}\n`;
    const bytes = new TextEncoder().encode(`\uFEFF${text}`);
    expect(parsePreferenceJsonl(bytes, 'data.jsonl')).toEqual(parsePreferenceJsonl(text, 'data.jsonl'));
  });

  it('numbers rows by their line in the file', () => {
    const rows = parsePreferenceJsonl(`\n${row(good)}\n\n${row(good)}\n`);
    expect(rows.map((r) => r.line)).toEqual([2, 4]);
  });

  it.each([
    [`${row(good)}\n{"prompt": "x", "chosen": `, 2, /not valid JSON/],
    [`${row(good)}\n${row(good)}\n[1, 2]`, 3, /expected a JSON object.*got an array/],
    [row({ prompt: 'x', rejected: 'y' }), 1, /field "chosen" is missing/],
    [row({ ...good, rejected: 5 }), 1, /field "rejected" must be a string or a list of messages, got a number/],
    [row({ ...good, chosen: [{ role: 'assistant', content: 'hi' }] }), 1, /a row is either all text or all messages/],
    [
      `${row(good)}\n${row({ prompt: 'p', completion: 'c', label: true })}`,
      2,
      /an unpaired row in a file whose first row \(line 1\) is a preference pair/,
    ],
    [
      row({ prompt: 'p', completion: 'c', label: true }),
      1,
      /an unpaired \(KTO\) row .* but preference pairs are expected here/,
    ],
    [
      `${row(good)}\n${row({ prompt: [{ role: 'user' }], chosen: [], rejected: [] })}`,
      2,
      /field "prompt" message 1: "content" must be a string/,
    ],
    [row({ ...good, chosen: '' }), 1, /field "chosen" is empty/],
    ['\n\n', 1, /no rows/],
  ])('reports %j at line %i', (text, line, message) => {
    let error: unknown;
    try {
      parsePreferenceJsonl(text, 'data.jsonl');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`data.jsonl:${line}: `);
    expect((error as Error).message).toMatch(message);
  });

  it('writes what it reads and names an unreadable file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jsonl-'));
    const path = join(dir, 'pairs.jsonl');
    await writePreferenceJsonl(path, [{ ...good, extra: 1 } as typeof good]);
    expect(await readFile(path, 'utf8')).toBe(`${row(good)}\n`);
    expect((await readPreferenceJsonl(path))[0]).toEqual({ ...good, line: 1 });
    await expect(readPreferenceJsonl(join(dir, 'missing.jsonl'))).rejects.toThrow(
      /cannot read data file .*missing\.jsonl: ENOENT/,
    );
  });
});
