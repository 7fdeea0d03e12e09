// The byte-level UTF-8 check of parseTrlJsonl, judged against the platform's decoder: `TextDecoder` with
// `fatal: true` decides whether a line is UTF-8, and the column it names must be the first byte that does not
// start a well-formed sequence. The oracle for that column is independent of the code under test: the longest
// prefix of the line that the fatal decoder accepts ends exactly where the first ill-formed sequence starts.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTrlJsonl } from '../../src/data/jsonl.js';

const fatal = new TextDecoder('utf-8', { fatal: true });
const firstLine = new TextEncoder().encode('{"prompt":"p","chosen":"c","rejected":"r"}\n');

function decodes(bytes: Uint8Array): boolean {
  try {
    fatal.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** 0-based index of the first ill-formed sequence per the platform decoder, or -1 when the line is UTF-8. */
function oracleColumn(line: Uint8Array): number {
  if (decodes(line)) return -1;
  for (let q = line.length - 1; q >= 0; q--) if (decodes(line.subarray(0, q))) return q;
  throw new Error('unreachable: the empty prefix always decodes');
}

function messageOf(f: () => unknown): string | null {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return null;
}

/** What parseTrlJsonl should say about a line, placed second in a file after a valid row (optionally after a BOM). */
function problem(line: Uint8Array, bom = false): string | null {
  const head = bom ? Uint8Array.of(0xef, 0xbb, 0xbf, ...firstLine) : firstLine;
  const file = Uint8Array.from([...head, ...line, 0x0a]);
  const message = messageOf(() => parseTrlJsonl(file, 'f.jsonl'));
  const at = oracleColumn(line);
  if (at === -1) return message !== null && /UTF-8/.test(message) ? `accepted by TextDecoder: ${message}` : null;
  const byte = line[at].toString(16).toUpperCase().padStart(2, '0');
  const expected = `f.jsonl:2: not valid UTF-8 (byte 0x${byte} at column ${at + 1}, counting bytes); save the file as UTF-8`;
  return message === expected ? null : `[${line.join(',')}]: expected "${expected}", got "${message}"`;
}

/** Checks one line (no 0x0A in it); see problem(). */
function check(line: Uint8Array, bom = false): void {
  expect(problem(line, bom)).toBeNull();
}

// second, third and fourth bytes at the edges of every range in RFC 3629's table, and a few outside them
const ends = [0x7f, 0x80, 0xbf, 0xc0];
const edges = [0x00, 0x41, 0x7f, 0x80, 0x81, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xf4, 0xff];

describe('UTF-8 validation against TextDecoder (fatal)', () => {
  it('the oracle itself: known positions', () => {
    expect(oracleColumn(Uint8Array.of(0x61, 0xc3, 0xa9))).toBe(-1);
    expect(oracleColumn(Uint8Array.of(0x61, 0xe0, 0x80, 0x80))).toBe(1);
    expect(oracleColumn(Uint8Array.of(0x61, 0x62, 0xf0, 0x9f, 0x98))).toBe(2);
  });

  it('every lead byte 0x80..0xFF with edge continuations, complete, truncated, and followed by a bad byte', () => {
    const wrong: string[] = [];
    let lines = 0;
    for (let lead = 0x80; lead <= 0xff; lead++) {
      const valid = lead >= 0xc2 && lead <= 0xf4;
      // a byte that cannot lead is followed by continuations, so a check that let it lead would move the column
      const seconds = valid ? edges : [0x80];
      // continuations past the second byte only where the lead byte asks for them
      const tails = !valid
        ? [[0x80, 0x80]]
        : lead < 0xe0
          ? [[]]
          : lead < 0xf0
            ? ends.map((b) => [b])
            : [...ends.map((b) => [b, 0x80]), ...ends.map((c) => [0x80, c])];
      for (const b2 of seconds) {
        for (const tail of tails) {
          const seq = [lead, b2, ...tail];
          for (let n = 1; n <= seq.length; n++) {
            // 'a' first so the column is not 1; 0xFF after shows how far an accepted sequence reached
            const atEnd = Uint8Array.of(0x61, ...seq.slice(0, n).filter((b) => b !== 0x0a));
            for (const line of [Uint8Array.of(...atEnd, 0xff), atEnd]) {
              lines++;
              const found = problem(line);
              if (found !== null) wrong.push(found);
            }
          }
        }
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(lines).toBeGreaterThan(10000);
  });

  it('valid sequences of every length at the end of a line, and after a BOM', () => {
    for (const text of ['\u0080', '\u07ff', '\u0800', '\ud7ff', '\ue000', '\uffff', '\u{10000}', '\u{10ffff}']) {
      const bytes = new TextEncoder().encode(`"${text}`);
      check(bytes);
      check(Uint8Array.of(...bytes, 0xc0), true);
      check(Uint8Array.of(...bytes.subarray(0, bytes.length - 1)), true);
    }
  });

  it('random strings, mutated: truncations, overlongs, encoded surrogates, bytes above 0xF4, lone continuations', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0x80, max: 0xff }) }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        bytes: fc.constantFrom(
          [0xc0, 0xaf],
          [0xc1, 0xbf],
          [0xe0, 0x80, 0xaf],
          [0xe0, 0x9f, 0xbf],
          [0xf0, 0x80, 0x80, 0xaf],
          [0xf0, 0x8f, 0xbf, 0xbf],
          [0xed, 0xa0, 0x80],
          [0xed, 0xbf, 0xbf],
          [0xf4, 0x90, 0x80, 0x80],
          [0xf5, 0x80, 0x80, 0x80],
          [0xf8],
          [0xfe],
          [0xff],
          [0x80],
          [0xbf],
          [0xe2, 0x82],
          [0xf0, 0x9f, 0x98],
        ),
      }),
    );
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 12 }),
        fc.array(mutation, { maxLength: 3 }),
        fc.boolean(),
        (text, mutations, bom) => {
          let bytes = [...new TextEncoder().encode(text.replace(/\n/g, ' '))];
          for (const m of mutations) {
            const at = bytes.length === 0 ? 0 : m.at % (bytes.length + 1);
            if (m.kind === 'truncate') bytes = bytes.slice(0, at);
            else if (m.kind === 'set' && at < bytes.length) bytes[at] = m.byte;
            else if (m.kind === 'insert') bytes.splice(at, 0, ...m.bytes);
          }
          check(Uint8Array.from(bytes), bom);
        },
      ),
      { numRuns: 600 },
    );
  });
});
