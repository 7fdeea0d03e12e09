// The Hugging Face side files (config.json, the shard index, tensor names, tokenizer files) at their edges, written
// against surviving mutants: each refusal's full message, the defaults a sparse config.json gets, the boundary values
// each check must accept, and the tokenizer files compared with expectations written out by hand (GPT-2's byte
// alphabet rebuilt here by its published recipe, not by src/io/hf-tokenizer.ts).

import { describe, expect, it } from 'vitest';
import {
  byteLevelAlphabet,
  byteTokenizerFiles,
  fromHfConfig,
  generationConfig,
  gpt2LmHeadNames,
  mergeShards,
  parseShardIndex,
  toHfConfig,
  type ByteLevelTokenizer,
  type RawTensor,
} from '../../src/io/index.js';

/** The message of the error `f` throws (fails the test if it throws none). */
function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('config.json', () => {
  it('toHfConfig writes every GPT2Config field, the epsilon default, and lets `extra` add or override keys', () => {
    const c = { vocabSize: 5, blockSize: 3, nEmbd: 4, nLayer: 2, nHead: 2, dropout: 0.25 };
    const expected = {
      model_type: 'gpt2',
      architectures: ['GPT2LMHeadModel'],
      vocab_size: 5,
      n_positions: 3,
      n_ctx: 3,
      n_embd: 4,
      n_layer: 2,
      n_head: 2,
      n_inner: null,
      activation_function: 'gelu_new',
      resid_pdrop: 0.25,
      embd_pdrop: 0.25,
      attn_pdrop: 0.25,
      layer_norm_epsilon: 1e-5,
      initializer_range: 0.02,
      scale_attn_weights: true,
      scale_attn_by_inverse_layer_idx: false,
      reorder_and_upcast_attn: false,
      tie_word_embeddings: true,
      use_cache: true,
    };
    expect(toHfConfig(c)).toStrictEqual(expected);
    expect(toHfConfig({ ...c, layerNormEpsilon: 1e-6 }, { use_cache: false, eos_token_id: 4 })).toStrictEqual({
      ...expected,
      layer_norm_epsilon: 1e-6,
      use_cache: false,
      eos_token_id: 4,
    });
  });

  const base = { model_type: 'gpt2', vocab_size: 10, n_positions: 8, n_embd: 4, n_layer: 1, n_head: 2 };

  it('fromHfConfig fills what a sparse config leaves out with GPT2Config defaults', () => {
    expect(fromHfConfig(base, 'c')).toStrictEqual({
      vocabSize: 10,
      blockSize: 8,
      nEmbd: 4,
      nLayer: 1,
      nHead: 2,
      dropout: 0.1,
      layerNormEpsilon: 1e-5,
    });
  });

  it('accepts the boundary values each check allows', () => {
    const ok = [
      { n_ctx: 8 },
      { activation_function: 'gelu_pytorch_tanh' },
      { n_inner: 16 },
      { n_inner: null },
      { tie_word_embeddings: true, scale_attn_weights: true },
      { scale_attn_by_inverse_layer_idx: false, add_cross_attention: false },
      { bos_token_id: 0, eos_token_id: [0, 9], pad_token_id: null },
      { eos_token_id: 9 },
    ];
    for (const extra of ok) expect(fromHfConfig({ ...base, ...extra }, 'c').vocabSize).toBe(10);
    expect(fromHfConfig({ ...base, resid_pdrop: 0, embd_pdrop: 0, attn_pdrop: 0 }, 'c').dropout).toBe(0);
    expect(fromHfConfig({ ...base, layer_norm_epsilon: 1e-12 }, 'c').layerNormEpsilon).toBe(1e-12);
  });

  const refusals: [string, unknown, string][] = [
    ['null', null, 'must be a JSON object'],
    ['a list', [base], 'must be a JSON object'],
    ['a string', 'gpt2', 'must be a JSON object'],
    ['Infinity', { ...base, x: Infinity }, 'x is Infinity (a number out of range in the file), not a finite number'],
    [
      'NaN',
      { ...base, n_layer: Number.NaN },
      'n_layer is NaN (a number out of range in the file), not a finite number',
    ],
    ['another model type', { ...base, model_type: 'llama' }, 'model_type must be "gpt2", got "llama"'],
    ['no model type', { ...base, model_type: undefined }, 'model_type must be "gpt2", got undefined'],
    ['n_embd 0', { ...base, n_embd: 0 }, 'n_embd must be a positive integer, got 0'],
    ['n_positions 1.5', { ...base, n_positions: 1.5 }, 'n_positions must be a positive integer, got 1.5'],
    ['vocab_size as text', { ...base, vocab_size: '10' }, 'vocab_size must be a positive integer, got "10"'],
    ['no n_layer', { ...base, n_layer: undefined }, 'n_layer must be a positive integer, got undefined'],
    ['n_head -2', { ...base, n_head: -2 }, 'n_head must be a positive integer, got -2'],
    ['a different n_ctx', { ...base, n_ctx: 9 }, 'n_ctx (9) and n_positions (8) disagree'],
    ['n_ctx as text', { ...base, n_ctx: '8' }, 'n_ctx ("8") and n_positions (8) disagree'],
    [
      'a numeric activation',
      { ...base, activation_function: 5 },
      'activation_function 5 is not implemented: slimegrad\'s GPT computes the tanh approximation of GELU ("gelu_new" or ' +
        '"gelu_pytorch_tanh")',
    ],
    [
      'a narrower MLP',
      { ...base, n_inner: 8 },
      "n_inner must be null or 4 * n_embd = 16 (slimegrad's GPT has a 4x MLP), got 8",
    ],
    [
      'untied embeddings',
      { ...base, tie_word_embeddings: false },
      "tie_word_embeddings is false, but slimegrad's GPT always ties the LM head to wte",
    ],
    [
      'unscaled attention',
      { ...base, scale_attn_weights: false },
      "scale_attn_weights is false, but slimegrad's GPT always scales attention by 1/sqrt(head dim)",
    ],
    [
      'attention scaled by layer',
      { ...base, scale_attn_by_inverse_layer_idx: true },
      'scale_attn_by_inverse_layer_idx is not supported',
    ],
    [
      'cross-attention',
      { ...base, add_cross_attention: true },
      "add_cross_attention is not supported (slimegrad's GPT is decoder-only)",
    ],
    ['a negative rate', { ...base, resid_pdrop: -0.1 }, 'resid_pdrop must be a number in [0, 1), got -0.1'],
    ['a rate as text', { ...base, embd_pdrop: '0.1' }, 'embd_pdrop must be a number in [0, 1), got "0.1"'],
    ['a rate of 1', { ...base, attn_pdrop: 1 }, 'attn_pdrop must be a number in [0, 1), got 1'],
    [
      'unequal rates (the others default to 0.1)',
      { ...base, embd_pdrop: 0.2 },
      "resid_pdrop, embd_pdrop and attn_pdrop must be equal (slimegrad's GPT has one dropout rate), got 0.1, 0.2, 0.1",
    ],
    ['epsilon 0', { ...base, layer_norm_epsilon: 0 }, 'layer_norm_epsilon must be a positive number, got 0'],
    [
      'epsilon as text',
      { ...base, layer_norm_epsilon: '1e-5' },
      'layer_norm_epsilon must be a positive number, got "1e-5"',
    ],
    ['heads not dividing the width', { ...base, n_head: 3 }, 'n_embd (4) must be divisible by n_head (3)'],
    [
      'an id past the vocabulary',
      { ...base, bos_token_id: 10 },
      'bos_token_id must be a token id in [0, 10), a list of them, or null, got 10',
    ],
    [
      'a negative id',
      { ...base, pad_token_id: -1 },
      'pad_token_id must be a token id in [0, 10), a list of them, or null, got -1',
    ],
    [
      'a fractional id',
      { ...base, eos_token_id: 1.5 },
      'eos_token_id must be a token id in [0, 10), a list of them, or null, got 1.5',
    ],
    [
      'an id as text',
      { ...base, eos_token_id: '1' },
      'eos_token_id must be a token id in [0, 10), a list of them, or null, got "1"',
    ],
    [
      'an empty id list',
      { ...base, eos_token_id: [] },
      'eos_token_id must be a token id in [0, 10), a list of them, or null, got []',
    ],
    [
      'an id list with one bad id',
      { ...base, eos_token_id: [1, 10] },
      'eos_token_id must be a token id in [0, 10), a list of them, or null, got [1,10]',
    ],
  ];
  for (const [what, json, problem] of refusals) {
    it(`fromHfConfig refuses ${what}, with the full message`, () => {
      expect(messageOf(() => fromHfConfig(json, 'c.json'))).toBe(`c.json: ${problem}`);
    });
  }
});

const t = (v: number): RawTensor => ({ dtype: 'float32', shape: [1], data: Float32Array.of(v) });

describe('shard index', () => {
  it('lists each shard once, in first-mention order', () => {
    const index = parseShardIndex(
      JSON.stringify({ weight_map: { a: 's2.safetensors', b: 's1.safetensors', c: 's2.safetensors' } }),
      'i',
    );
    expect(index.shards).toEqual(['s2.safetensors', 's1.safetensors']);
    expect([...index.weightMap]).toEqual([
      ['a', 's2.safetensors'],
      ['b', 's1.safetensors'],
      ['c', 's2.safetensors'],
    ]);
  });

  it('refuses non-objects, bad shard names and an empty map, with full messages', () => {
    for (const text of ['null', '[]', '{}', '{"weight_map": null}', '{"weight_map": []}', '{"weight_map": "x"}'])
      expect(messageOf(() => parseShardIndex(text, 'i.json'))).toBe(
        'i.json: must be an object with a "weight_map" object',
      );
    expect(messageOf(() => parseShardIndex('{', 'i.json'))).toMatch(/^i\.json: not valid JSON \(.+\)$/);
    expect(messageOf(() => parseShardIndex('{"weight_map": {}}', 'i.json'))).toBe('i.json: weight_map is empty');
    for (const shard of [
      '../x.safetensors',
      'a\\x.safetensors',
      'sub/x.safetensors',
      '/x.safetensors',
      'x.safetensors.bak',
      'model-safetensors',
      '.safetensors',
      '.x.safetensors',
      null,
    ]) {
      expect(messageOf(() => parseShardIndex(JSON.stringify({ weight_map: { w: shard } }), 'i.json'))).toBe(
        `i.json: weight_map['w'] must name a .safetensors file in the same folder, got ${JSON.stringify(shard)}`,
      );
    }
  });

  it('mergeShards names a shard the caller did not read', () => {
    const index = parseShardIndex(JSON.stringify({ weight_map: { a: 's1.safetensors' } }), 'i');
    expect(messageOf(() => mergeShards(index, new Map(), 'i.json'))).toBe('i.json: shard s1.safetensors was not read');
  });
});

describe('GPT-2 tensor names', () => {
  it('shows at most three examples of each style', () => {
    const mixed = new Map(
      [
        'transformer.a',
        'transformer.b',
        'lm_head.weight',
        'transformer.c',
        'wte.weight',
        'wpe.weight',
        'ln_f.bias',
        'h.0.x',
      ].map((n) => [n, t(0)]),
    );
    expect(messageOf(() => gpt2LmHeadNames(mixed, 'm'))).toBe(
      "m: mixes GPT2LMHeadModel names ('transformer.a', 'transformer.b', 'lm_head.weight') with bare GPT2Model names " +
        "('wte.weight', 'wpe.weight', 'ln_f.bias')",
    );
    const foreign = new Map(
      ['lm_head.weight2', 'my.transformer.wte', 'xwte.weight', 'h.a.b', 'wte'].map((n) => [n, t(0)]),
    );
    expect(messageOf(() => gpt2LmHeadNames(foreign, 'm'))).toBe(
      "m: no GPT-2 tensor names (found 'lm_head.weight2', 'my.transformer.wte', 'xwte.weight'; expected " +
        "'transformer.wte.weight', ... as GPT2LMHeadModel saves them, or 'wte.weight', ... as GPT2Model does)",
    );
  });

  it('passes an empty map through, and prefixes only the bare names next to foreign ones', () => {
    const empty = new Map<string, RawTensor>();
    expect(gpt2LmHeadNames(empty, 'm')).toBe(empty);
    const names = [
      ...gpt2LmHeadNames(
        new Map([
          ['h.12.mlp.c_fc.weight', t(1)],
          ['extra', t(2)],
        ]),
        'm',
      ).keys(),
    ];
    expect(names).toEqual(['transformer.h.12.mlp.c_fc.weight', 'extra']);
    const alone = new Map([['lm_head.weight', t(1)]]);
    expect(gpt2LmHeadNames(alone, 'm')).toBe(alone);
  });
});

/** GPT-2's bytes_to_unicode, by its published recipe: printable bytes keep their code point, the rest get 256+n. */
function gpt2ByteAlphabet(): string[] {
  const kept: number[] = [];
  for (const [lo, hi] of [
    [0x21, 0x7e],
    [0xa1, 0xac],
    [0xae, 0xff],
  ])
    for (let b = lo; b <= hi; b++) kept.push(b);
  const chars = new Array<string>(256);
  for (const b of kept) chars[b] = String.fromCodePoint(b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (!kept.includes(b)) chars[b] = String.fromCodePoint(256 + n++);
  return chars;
}

describe('tokenizer files', () => {
  const tok: ByteLevelTokenizer = {
    bos: 258,
    eos: 256,
    pad: 257,
    vocabSize: 259,
    specialTexts: { bos: '<s>', eos: '</s>', pad: '<pad>' },
  };
  const added = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });

  it('byteLevelAlphabet is GPT-2 bytes_to_unicode', () => {
    const ours = byteLevelAlphabet();
    expect(ours).toEqual(gpt2ByteAlphabet());
    expect([ours[0], ours[0x20], ours[0x21], ours[0x7f], ours[0xad], ours[0xff]]).toEqual([
      'Ā',
      'Ġ',
      '!',
      'ġ',
      'Ń',
      'ÿ',
    ]);
  });

  it('tokenizer.json, tokenizer_config.json and special_tokens_map.json hold exactly the documented fields', () => {
    const files = byteTokenizerFiles(tok, 64, { chatTemplate: '{{ x }}' });
    const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
    expect(JSON.parse(files['tokenizer.json'])).toStrictEqual({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [added(258, '<s>'), added(256, '</s>'), added(257, '<pad>')],
      normalizer: null,
      pre_tokenizer: byteLevel,
      post_processor: null,
      decoder: byteLevel,
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: null,
        end_of_word_suffix: null,
        fuse_unk: false,
        byte_fallback: false,
        ignore_merges: false,
        vocab: Object.fromEntries(gpt2ByteAlphabet().map((c, b) => [c, b])),
        merges: [],
      },
    });
    const strip = ({ id: _, ...rest }: ReturnType<typeof added>) => rest;
    expect(JSON.parse(files['tokenizer_config.json'])).toStrictEqual({
      tokenizer_class: 'PreTrainedTokenizerFast',
      bos_token: '<s>',
      eos_token: '</s>',
      pad_token: '<pad>',
      model_max_length: 64,
      clean_up_tokenization_spaces: false,
      split_special_tokens: true,
      added_tokens_decoder: {
        258: strip(added(258, '<s>')),
        256: strip(added(256, '</s>')),
        257: strip(added(257, '<pad>')),
      },
      chat_template: '{{ x }}',
    });
    expect(files['special_tokens_map.json']).toBe(
      '{\n  "bos_token": "<s>",\n  "eos_token": "</s>",\n  "pad_token": "<pad>"\n}\n',
    );
    expect(files['tokenizer.json'].endsWith('}\n')).toBe(true);
    expect(files['tokenizer.json'].startsWith('{\n  "version": "1.0",\n')).toBe(true);
    const plain = JSON.parse(byteTokenizerFiles(tok, 8)['tokenizer_config.json']);
    expect('chat_template' in plain).toBe(false);
    expect(plain.model_max_length).toBe(8);
  });

  it('refuses ids that do not fill the vocabulary, with the full message', () => {
    expect(messageOf(() => byteTokenizerFiles({ ...tok, vocabSize: 260 }, 8))).toBe(
      'byteTokenizerFiles: expected ids 0..255 for bytes and bos 258, eos 256, pad 257 to fill a vocabulary of 260 exactly',
    );
    expect(messageOf(() => byteTokenizerFiles({ ...tok, eos: 258 }, 8))).toBe(
      'byteTokenizerFiles: expected ids 0..255 for bytes and bos 258, eos 258, pad 257 to fill a vocabulary of 259 exactly',
    );
    expect(() => byteTokenizerFiles({ ...tok, bos: 0 }, 8)).toThrow(/^byteTokenizerFiles: /);
  });

  it('generationConfig keeps the three id keys that are present (null included), as indented JSON', () => {
    expect(generationConfig({ eos_token_id: 3, n_embd: 8 })).toBe('{\n  "eos_token_id": 3\n}\n');
    expect(generationConfig({ bos_token_id: null, pad_token_id: 0 })).toBe(
      '{\n  "bos_token_id": null,\n  "pad_token_id": 0\n}\n',
    );
    expect(generationConfig({})).toBe('{}\n');
  });
});
