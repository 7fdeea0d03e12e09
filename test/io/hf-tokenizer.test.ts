import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Tokenizer } from '@huggingface/tokenizers';
import { ByteTokenizer } from '../../src/data/index.js';
import { byteLevelAlphabet, byteTokenizerFiles, generationConfig } from '../../src/io/index.js';

const ours = new ByteTokenizer();
const files = byteTokenizerFiles(ours, 64);
const hf = new Tokenizer(JSON.parse(files['tokenizer.json']), JSON.parse(files['tokenizer_config.json']));

describe('byte-level tokenizer files, read by Hugging Face tokenizers.js', () => {
  it('encodes random Unicode strings exactly as ByteTokenizer does, and decodes them back', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.string({ maxLength: 60 }),
      // lone surrogates mixed into text: both sides encode each as U+FFFD
      fc.string({
        unit: fc.oneof(
          fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff'),
          fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
        ),
        maxLength: 20,
      }),
      fc.constantFrom('', ' ', '  a  b ', '\n\t\r', '\0', 'é e\u0301', '𝄞🙂', '\u00ad\u00a0'),
    );
    fc.assert(
      fc.property(text, (s) => {
        const ids = ours.encode(s);
        expect(hf.encode(s).ids).toEqual(ids);
        if (ids.length > 0) expect(hf.decode(ids)).toBe(ours.decode(ids)); // tokenizers.js refuses to decode []
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes any byte sequence (valid UTF-8 or not) as ByteTokenizer does', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 258 }), { minLength: 1, maxLength: 30 }), (ids) => {
        expect(hf.decode(ids, { skip_special_tokens: true })).toBe(ours.decode(ids));
      }),
      { numRuns: 1000 },
    );
  });

  it('lone surrogates: both encode them as U+FFFD (EF BF BD), as TextEncoder does', () => {
    for (const s of ['\ud800', 'a\udfffb', '\udc00\ud83d']) {
      const ids = ours.encode(s);
      expect(ids.filter((b) => b === 0xef).length).toBe([...s].filter((c) => /[\ud800-\udfff]/.test(c)).length);
      expect(hf.encode(s).ids).toEqual(ids);
    }
  });

  it('maps every byte to its id and the specials to 256..258, skipping specials when decoding', () => {
    expect(new Set(byteLevelAlphabet()).size).toBe(256);
    expect(byteLevelAlphabet().map((c) => hf.token_to_id(c))).toEqual(Array.from({ length: 256 }, (_, i) => i));
    expect(['<|bos|>', '<|eos|>', '<|pad|>'].map((t) => hf.token_to_id(t))).toEqual([256, 257, 258]);
    const ids = ours.encode('hé', { bos: true, eos: true });
    expect(ids).toEqual([256, 0x68, 0xc3, 0xa9, 257]);
    expect(hf.decode([...ids, ours.pad], { skip_special_tokens: true })).toBe('hé');
    expect(JSON.parse(files['special_tokens_map.json'])).toEqual({
      bos_token: '<|bos|>',
      eos_token: '<|eos|>',
      pad_token: '<|pad|>',
    });
    expect(
      JSON.parse(generationConfig({ bos_token_id: 256, eos_token_id: 257, pad_token_id: 258, n_embd: 8 })),
    ).toEqual({ bos_token_id: 256, eos_token_id: 257, pad_token_id: 258 });
  });

  it("the one stated difference: tokenizers.js turns the specials' text into their ids; the config tells transformers not to", () => {
    // ByteTokenizer never parses "<|eos|>" out of text. tokenizers.js has no split_special_tokens option, so it does;
    // transformers' fast tokenizers honour tokenizer_config.json's split_special_tokens and encode it as bytes.
    expect(ours.encode('a<|eos|>')).toEqual([0x61, ...new TextEncoder().encode('<|eos|>')]);
    expect(hf.encode('a<|eos|>').ids).toEqual([0x61, 257]);
    expect(JSON.parse(files['tokenizer_config.json']).split_special_tokens).toBe(true);
  });

  it('refuses a vocabulary the ids do not fill', () => {
    expect(() => byteTokenizerFiles({ ...ours, vocabSize: 300, specialTexts: ours.specialTexts }, 8)).toThrow(
      /vocabulary of 300/,
    );
    expect(() => byteTokenizerFiles({ ...ours, eos: 256, specialTexts: ours.specialTexts }, 8)).toThrow(
      /byteTokenizerFiles/,
    );
  });
});
