import { describe, expect, it } from 'vitest';
import {
  gpt2LmHeadNames,
  mergeShards,
  parseShardIndex,
  type RawTensor,
  type SafetensorsContents,
} from '../../src/io/index.js';

const t = (v: number): RawTensor => ({ dtype: 'float32', shape: [1], data: Float32Array.of(v) });
const contents = (entries: [string, number][]): SafetensorsContents => ({
  tensors: new Map(entries.map(([n, v]) => [n, t(v)])),
  metadata: {},
});

describe('sharded checkpoint index', () => {
  const index = JSON.stringify({
    metadata: { total_size: 12 },
    weight_map: {
      a: 'model-00001-of-00002.safetensors',
      b: 'model-00002-of-00002.safetensors',
      c: 'model-00001-of-00002.safetensors',
    },
  });

  it('lists the shards and merges their tensors', () => {
    const parsed = parseShardIndex(index, 'model.safetensors.index.json');
    expect(parsed.shards).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    const merged = mergeShards(
      parsed,
      new Map([
        [
          'model-00001-of-00002.safetensors',
          contents([
            ['a', 1],
            ['c', 3],
          ]),
        ],
        ['model-00002-of-00002.safetensors', contents([['b', 2]])],
      ]),
      'model.safetensors.index.json',
    );
    expect([...merged].map(([n, x]) => [n, x.data[0]])).toEqual([
      ['a', 1],
      ['c', 3],
      ['b', 2],
    ]);
  });

  it('refuses a tensor in the wrong shard, one the index lacks, one a shard lacks, and shard names leaving the folder', () => {
    const parsed = parseShardIndex(index, 'i.json');
    const s1 = 'model-00001-of-00002.safetensors';
    const s2 = 'model-00002-of-00002.safetensors';
    expect(() =>
      mergeShards(
        parsed,
        new Map([
          [
            s1,
            contents([
              ['a', 1],
              ['c', 3],
              ['b', 2],
            ]),
          ],
          [s2, contents([['b', 2]])],
        ]),
        'i.json',
      ),
    ).toThrow(`${s1}: holds tensor 'b', which i.json places in ${s2}`);
    expect(() =>
      mergeShards(
        parsed,
        new Map([
          [
            s1,
            contents([
              ['a', 1],
              ['c', 3],
              ['d', 4],
            ]),
          ],
          [s2, contents([['b', 2]])],
        ]),
        'i.json',
      ),
    ).toThrow(`${s1}: holds tensor 'd', which i.json does not list`);
    expect(() =>
      mergeShards(
        parsed,
        new Map([
          [s1, contents([['a', 1]])],
          [s2, contents([['b', 2]])],
        ]),
        'i.json',
      ),
    ).toThrow(`${s1}: lacks tensor 'c', which i.json places there`);
    for (const shard of [
      '../x.safetensors',
      '/etc/x.safetensors',
      'sub/x.safetensors',
      'x.bin',
      '.hidden.safetensors',
      7,
    ]) {
      expect(() => parseShardIndex(JSON.stringify({ weight_map: { a: shard } }), 'i.json')).toThrow(
        /^i\.json: weight_map\['a'\] must name a \.safetensors file/,
      );
    }
    expect(() => parseShardIndex('{"weight_map": {}}', 'i.json')).toThrow(/i\.json: weight_map is empty/);
    expect(() => parseShardIndex('[]', 'i.json')).toThrow(/i\.json: must be an object with a "weight_map"/);
    expect(() => parseShardIndex('{', 'i.json')).toThrow(/i\.json: not valid JSON/);
  });
});

describe('GPT-2 tensor names', () => {
  it('prefixes a bare GPT2Model\'s names with "transformer." and leaves GPT2LMHeadModel names alone', () => {
    const bare = new Map([
      ['wte.weight', t(1)],
      ['wpe.weight', t(2)],
      ['h.0.ln_1.weight', t(3)],
      ['ln_f.bias', t(4)],
      ['h.11.attn.bias', t(5)],
    ]);
    expect([...gpt2LmHeadNames(bare, 'm').keys()]).toEqual([
      'transformer.wte.weight',
      'transformer.wpe.weight',
      'transformer.h.0.ln_1.weight',
      'transformer.ln_f.bias',
      'transformer.h.11.attn.bias',
    ]);
    const lm = new Map([
      ['transformer.wte.weight', t(1)],
      ['lm_head.weight', t(1)],
    ]);
    expect(gpt2LmHeadNames(lm, 'm')).toBe(lm);
  });

  it('refuses mixed styles and files with no GPT-2 names, with examples', () => {
    expect(() =>
      gpt2LmHeadNames(
        new Map([
          ['transformer.wte.weight', t(1)],
          ['wpe.weight', t(2)],
        ]),
        'm.safetensors',
      ),
    ).toThrow(
      "m.safetensors: mixes GPT2LMHeadModel names ('transformer.wte.weight') with bare GPT2Model names ('wpe.weight')",
    );
    expect(() => gpt2LmHeadNames(new Map([['model.embed_tokens.weight', t(1)]]), 'm.safetensors')).toThrow(
      /^m\.safetensors: no GPT-2 tensor names \(found 'model\.embed_tokens\.weight'; expected 'transformer\.wte\.weight'/,
    );
  });
});
