import { describe, expect, it } from 'vitest';
import { ByteTokenizer } from '../../src/data/tokenizer.js';
import { encodePreferencePairs } from '../../src/data/preference-pairs.js';

describe('encodePreferencePairs', () => {
  const tok = new ByteTokenizer();

  it('puts BOS before the prompt and EOS after each completion', () => {
    const [pair] = encodePreferencePairs([{ prompt: '1+2=', chosen: 'A:3.', rejected: 'A:4.' }], tok, 32, {
      file: 'x',
    });
    expect(pair.prompt).toEqual([tok.bos, ...tok.encode('1+2=')]);
    expect(pair.chosen).toEqual([...tok.encode('A:3.'), tok.eos]);
    expect(pair.rejected).toEqual([...tok.encode('A:4.'), tok.eos]);
  });

  it('names the line of a row that does not fit the block size', () => {
    const rows = [
      { prompt: 'ab', chosen: 'c', rejected: 'd' },
      { prompt: 'ab', chosen: 'cdef', rejected: 'd' },
    ];
    // BOS + 2 prompt bytes + 4 chosen bytes + EOS = 8 tokens, 7 positions
    expect(encodePreferencePairs(rows, tok, 7, { file: 'f.jsonl', lines: [3, 9] })).toHaveLength(2);
    expect(() => encodePreferencePairs(rows, tok, 6, { file: 'f.jsonl', lines: [3, 9] })).toThrow(
      /^f\.jsonl:9: prompt \+ completion is 7 tokens .* block size 6/,
    );
    expect(() => encodePreferencePairs(rows, tok, 6, { file: 'task' })).toThrow(/^task row 2: /);
  });
});
