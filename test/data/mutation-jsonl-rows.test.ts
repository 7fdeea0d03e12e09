// parseTrlJsonl's line-level checks with their full messages: a near-BOM that is not one, lone surrogates in each
// field and in each message key (high and low, at a known character), values it must skip, files mixing row
// kinds in either order, and the preference-only reader's refusal of unpaired files.

import { describe, expect, it } from 'vitest';
import { formatPreferenceJsonl, parsePreferenceJsonl, parseTrlJsonl } from '../../src/data/jsonl.js';

const row = (o: unknown) => JSON.stringify(o);
const good = { prompt: 'p', chosen: 'c', rejected: 'r' };
const kto = { prompt: 'p', completion: 'c', label: true };

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect((e as Error).name).toBe('JsonlError');
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

const surrogate = (where: string, code: string, at: number) =>
  `${where} holds an unpaired surrogate (\\u${code} at character ${at}), which is not text and cannot be encoded ` +
  'as UTF-8';

describe('parseTrlJsonl lines', () => {
  it('three bytes that only resemble a byte-order mark are text, not a BOM', () => {
    const rest = new TextEncoder().encode(row(good));
    for (const start of [
      [0xe3, 0xbb, 0xbf],
      [0xef, 0xba, 0xbf],
      [0xef, 0xbb, 0x80],
    ]) {
      const bytes = Uint8Array.of(...start, ...rest);
      expect(errorOf(() => parseTrlJsonl(bytes, 'b.jsonl'))).toMatch(/^b\.jsonl:1: not valid JSON \(.+\)$/);
    }
    expect(parseTrlJsonl(Uint8Array.of(0xef, 0xbb, 0xbf, ...rest)).rows).toEqual([{ ...good, line: 1 }]);
    expect(errorOf(() => parseTrlJsonl(`\uFEFF\uFEFF${row(good)}`, 'b.jsonl'))).toMatch(/^b\.jsonl:1: not valid JSON/);
  });

  it('invalid bytes on a later line name that line; the default file name is <input>', () => {
    const bytes = Uint8Array.of(...new TextEncoder().encode(`${row(good)}\n\n${row(good)}\n`), 0x7b, 0xff, 0x0a);
    expect(errorOf(() => parseTrlJsonl(bytes))).toBe(
      '<input>:4: not valid UTF-8 (byte 0xFF at column 2, counting bytes); save the file as UTF-8',
    );
    expect(errorOf(() => parseTrlJsonl('{'))).toMatch(/^<input>:1: not valid JSON \(.+\)$/);
    expect(errorOf(() => parseTrlJsonl(' \r\n\t\n'))).toBe(
      '<input>:1: the file has no rows (expected one JSON object per line)',
    );
    expect(errorOf(() => parseTrlJsonl(new Uint8Array(0)))).toBe(
      '<input>:1: the file has no rows (expected one JSON object per line)',
    );
    expect(parseTrlJsonl(`\r\n${row(good)}\r\n`).rows).toEqual([{ ...good, line: 2 }]);
  });

  it('lone surrogates in every text field, high or low, at their character', () => {
    const check = (value: object, where: string, code: string, at: number) =>
      expect(errorOf(() => parseTrlJsonl(`${row(value)}\n`, 's.jsonl'))).toBe(
        `s.jsonl:1: ${surrogate(where, code, at)}`,
      );
    check({ ...good, prompt: 'ab\ud800' }, 'field "prompt"', 'd800', 3);
    check({ ...good, chosen: '\udfff' }, 'field "chosen"', 'dfff', 1);
    check({ ...good, rejected: 'x\udbffy' }, 'field "rejected"', 'dbff', 2);
    check({ ...kto, completion: 'xy\udc00' }, 'field "completion"', 'dc00', 3);
    // a low surrogate after a complete pair is still alone
    check({ ...good, chosen: '\ud834\udd1e\udd1e' }, 'field "chosen"', 'dd1e', 3);
    const m = (content: string) => [{ role: 'assistant', content }];
    check(
      { prompt: [{ role: 'user', content: 'q' }], chosen: m('a'), rejected: m('\ud800') },
      'field "rejected" message 1 "content"',
      'd800',
      1,
    );
    check(
      {
        prompt: [
          { role: 'user', content: 'q' },
          { role: 'x\udc00', content: 'q' },
        ],
        chosen: m('a'),
        rejected: m('b'),
      },
      'field "prompt" message 2 "role"',
      'dc00',
      2,
    );
  });

  it('leaves values that are not text or messages to the row reader', () => {
    const check = (value: unknown, message: string) =>
      expect(errorOf(() => parseTrlJsonl(`${row(value)}\n`, 's.jsonl'))).toBe(`s.jsonl:1: ${message}`);
    check(['\ud800'], 'expected a JSON object (a TRL preference or unpaired row), got an array');
    check('\ud800', 'expected a JSON object (a TRL preference or unpaired row), got a string');
    check(null, 'expected a JSON object (a TRL preference or unpaired row), got null');
    check(
      { prompt: [null, '\ud800'], chosen: 'c', rejected: 'r' },
      'field "prompt" message 1 must be an object {"role", "content"}, got null',
    );
    check(
      { prompt: ['\ud800'], chosen: 'c', rejected: 'r' },
      'field "prompt" message 1 must be an object {"role", "content"}, got a string',
    );
    // surrogates outside the TRL fields are not checked: the row reader never reads them
    expect(parseTrlJsonl(`${row({ ...good, note: '\ud800' })}\n`).rows).toEqual([{ ...good, line: 1 }]);
  });

  it('a file holds one kind of row, named in either order', () => {
    expect(errorOf(() => parseTrlJsonl(`${row(good)}\n\n${row(kto)}\n`, 'm.jsonl'))).toBe(
      'm.jsonl:3: an unpaired row in a file whose first row (line 1) is a preference pair; a file holds one kind',
    );
    expect(errorOf(() => parseTrlJsonl(`\n${row(kto)}\n${row(good)}\n`, 'm.jsonl'))).toBe(
      'm.jsonl:3: a preference row in a file whose first row (line 2) is unpaired; a file holds one kind',
    );
    expect(parseTrlJsonl(`${row(kto)}\n${row({ ...kto, label: false })}\n`)).toEqual({
      kind: 'unpaired',
      rows: [
        { ...kto, line: 1 },
        { ...kto, label: false, line: 2 },
      ],
      formats: ['unpaired'],
    });
    expect(parseTrlJsonl(`${row(good)}\n${row({ chosen: 'ab', rejected: 'ac' })}\n`)).toEqual({
      kind: 'preference',
      rows: [
        { ...good, line: 1 },
        { prompt: 'a', chosen: 'b', rejected: 'c', line: 2 },
      ],
      formats: ['standard', 'implicit prompt'],
    });
  });

  it('parsePreferenceJsonl refuses unpaired files at their first row; formatting drops extra fields', () => {
    expect(errorOf(() => parsePreferenceJsonl(`\n\n${row(kto)}\n`, 'k.jsonl'))).toBe(
      'k.jsonl:3: an unpaired (KTO) row ("completion", "label"), but preference pairs are expected here ' +
        '(parseTrlJsonl reads unpaired files)',
    );
    expect(errorOf(() => parsePreferenceJsonl(`${row(kto)}\n`))).toMatch(/^<input>:1: an unpaired \(KTO\) row/);
    expect(formatPreferenceJsonl([{ ...good, line: 3 } as never, { prompt: '', chosen: 'x', rejected: 'y' }])).toBe(
      '{"prompt":"p","chosen":"c","rejected":"r"}\n{"prompt":"","chosen":"x","rejected":"y"}\n',
    );
    expect(formatPreferenceJsonl([])).toBe('');
  });

  it('a BOM in the bytes of a later line and a carriage return inside a string are not JSON', () => {
    const enc = (t: string) => new TextEncoder().encode(t);
    const bytes = Uint8Array.of(...enc(`${row(good)}\n`), 0xef, 0xbb, 0xbf, ...enc(`${row(good)}\n`));
    expect(errorOf(() => parseTrlJsonl(bytes, 'b.jsonl'))).toMatch(/^b\.jsonl:2: not valid JSON \(.+\)$/);
    const cr = `${row(good)}\r\n{"prompt":"a\rb","chosen":"c","rejected":"r"}\r\n`;
    expect(errorOf(() => parseTrlJsonl(cr, 'c.jsonl'))).toMatch(/^c\.jsonl:2: not valid JSON \(.+\)$/);
  });
});
