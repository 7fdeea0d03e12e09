// Loading checkpoints as the Hub holds them, without PyTorch (torch-interop.test.ts does the same with torch's files):
// F16 / BF16 weights, shards with an index, bare GPT2Model names.
import { describe, expect, it } from 'vitest';
import { GPT, type GPTConfig } from '../../src/nn/index.js';
import {
  checkpointFiles,
  checkpointFromFiles,
  decodeSafetensors,
  encodeSafetensors,
  type RawTensor,
} from '../../src/io/index.js';

const cfg: GPTConfig = { vocabSize: 11, blockSize: 4, nEmbd: 8, nLayer: 2, nHead: 2, dropout: 0 };
const text = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
// binary16 / bfloat16 value of a bit pattern, from the format definitions (independent of src/io/half.ts)
const f16 = (h: number) =>
  (h & 0x8000 ? -1 : 1) *
  (((h >> 10) & 0x1f) === 0 ? (h & 0x3ff) * 2 ** -24 : 2 ** (((h >> 10) & 0x1f) - 15) * (1 + (h & 0x3ff) / 1024));
const nearestF16 = (x: number) => {
  // brute force over every finite pattern of x's sign, ties to the even pattern
  let best = 0;
  for (let h = 0; h < 0x7c00; h++) {
    const d = Math.abs(f16(h) - Math.abs(x)) - Math.abs(f16(best) - Math.abs(x));
    if (d < 0 || (d === 0 && h % 2 === 0)) best = h;
  }
  return (x < 0 ? -1 : 1) * f16(best);
};

describe('Hub checkpoints', () => {
  it('an F16 checkpoint stores and loads the nearest binary16 values; config says float16', async () => {
    const model = new GPT(cfg, { seed: 1 });
    const files = await checkpointFiles(model, { weightsDtype: 'F16' });
    expect(JSON.parse(new TextDecoder().decode(files.get('config.json')!)).torch_dtype).toBe('float16');
    const loaded = checkpointFromFiles(files).model;
    expect(loaded.dtype).toBe('float32');
    const [name, p] = model.namedParameters().find(([n]) => n === 'transformer.h.0.attn.c_attn.weight')!;
    const got = loaded
      .namedParameters()
      .find(([n]) => n === name)![1]
      .dataSync();
    const want = Array.from(p.dataSync().slice(0, 40), nearestF16);
    expect(Array.from(got.slice(0, 40))).toEqual(want);
  });

  it('loads shards listed by model.safetensors.index.json, with bare GPT2Model names, bit for bit', async () => {
    const model = new GPT(cfg, { seed: 2 });
    const whole = await checkpointFiles(model);
    const { tensors } = decodeSafetensors(whole.get('model.safetensors')!, 'm');
    const bare = [...tensors].map(([n, t]) => [n.replace(/^transformer\./, ''), t] as [string, RawTensor]);
    const shards = [bare.slice(0, 7), bare.slice(7)];
    const names = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'];
    const files = new Map<string, Uint8Array>([
      ['config.json', whole.get('config.json')!],
      [
        'model.safetensors.index.json',
        text({ metadata: {}, weight_map: Object.fromEntries(shards.flatMap((s, i) => s.map(([n]) => [n, names[i]]))) }),
      ],
      [names[0], encodeSafetensors(new Map(shards[0]))],
      [names[1], encodeSafetensors(new Map(shards[1]))],
    ]);
    const loaded = checkpointFromFiles(files).model;
    const bits = (m: GPT) => m.namedParameters().map(([n, p]) => [n, Array.from(p.dataSync())]);
    expect(bits(loaded)).toEqual(bits(model));

    const missing = new Map(files);
    missing.delete(names[1]);
    expect(() => checkpointFromFiles(missing)).toThrow(`${names[1]}: missing`);
    const noWeights = new Map([
      ['config.json', whole.get('config.json')!],
      ['pytorch_model.bin', new Uint8Array(4)],
    ]);
    expect(() => checkpointFromFiles(noWeights)).toThrow(
      /model\.safetensors: missing, and no model\.safetensors\.index\.json .*pytorch_model\.bin must be converted/,
    );
  });
});
