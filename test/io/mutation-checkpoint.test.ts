// Checkpoints as bytes (checkpoint.ts) at their edges, written against surviving mutants: the exact contents of
// slimegrad_state.json, config.json's torch_dtype and the optimizer's metadata, which files a load reads, and the full
// message of every refusal (the project promises errors that name the file and the problem). Checksums are
// recomputed with node:zlib's CRC-32 and safetensors headers parsed with a DataView, independently of src/io.

import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Rng, crossEntropy, memory, tensor, tidy } from '../../src/index.js';
import { ByteTokenizer } from '../../src/data/index.js';
import { GPT, type GPTConfig } from '../../src/nn/index.js';
import { AdamW } from '../../src/optim/index.js';
import {
  checkpointFiles,
  checkpointFromContents,
  checkpointFromFiles,
  checkpointReadPlan,
  decodeSafetensors,
  encodeSafetensors,
  modelFiles,
  modelFromTensors,
  type LoadedCheckpoint,
  type RawTensor,
} from '../../src/io/index.js';
import { filesWrittenBySlimegrad } from '../../src/io/checkpoint.js';

const cfg: GPTConfig = { vocabSize: 11, blockSize: 4, nEmbd: 8, nLayer: 1, nHead: 2, dropout: 0 };
const where = { configFile: 'config.json', weightsFile: 'model.safetensors' };
const text = (s: string) => new TextEncoder().encode(s);
const zcrc = (bytes: Uint8Array) => crc32(bytes).toString(16).padStart(8, '0');
/** A safetensors file's header, parsed with a DataView and JSON.parse alone. */
function headerOf(bytes: Uint8Array): Record<string, { dtype: string; shape: number[] }> & {
  __metadata__: Record<string, string>;
} {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
}
/** The message of the error `f` throws (fails the test if it throws none). */
function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}
async function trainedWithAdamW(): Promise<{ model: GPT; opt: AdamW }> {
  const model = new GPT(cfg, { seed: 1 });
  const opt = new AdamW(model.namedParameters(), { lr: 0.01 });
  tidy(() => {
    const x = tensor(Int32Array.from([1, 2, 3, 4]), { shape: [1, 4] });
    crossEntropy(model.forward(x).reshape([4, 11]), tensor(Int32Array.from([2, 3, 4, 5]))).backward();
    opt.step();
    opt.zeroGrad();
  });
  return { model, opt };
}
/** The weights of a fresh model as decoded tensors, GPT2LMHeadModel names. */
async function weightsOf(model: GPT): Promise<{ tensors: Map<string, RawTensor>; config: string }> {
  const { weights, config } = await modelFiles(model);
  return { tensors: decodeSafetensors(weights, 'w').tensors, config };
}

describe('checkpoint files written', () => {
  it('slimegrad_state.json lists every file with its checksum, the step (the optimizer count by default) and rng', async () => {
    const { model, opt } = await trainedWithAdamW();
    const files = await checkpointFiles(model, { optimizer: opt, rng: new Rng(5, 9) });
    expect([...files.keys()]).toEqual([
      'model.safetensors',
      'config.json',
      'generation_config.json',
      'optimizer.safetensors',
      'slimegrad_state.json',
    ]);
    const state = new TextDecoder().decode(files.get('slimegrad_state.json'));
    expect(state.startsWith('{\n  "format": 2,\n  "step": 1,\n')).toBe(true);
    expect(state.endsWith('}\n')).toBe(true);
    expect(JSON.parse(state)).toStrictEqual({
      format: 2,
      step: 1,
      rng: { seed: 5, counter: 9 },
      files: {
        'model.safetensors': headerOf(files.get('model.safetensors')!).__metadata__.slimegrad_crc32,
        'config.json': zcrc(files.get('config.json')!),
        'generation_config.json': zcrc(files.get('generation_config.json')!),
        'optimizer.safetensors': headerOf(files.get('optimizer.safetensors')!).__metadata__.slimegrad_crc32,
      },
    });
    const meta = headerOf(files.get('optimizer.safetensors')!).__metadata__;
    expect({ ...meta, slimegrad_crc32: undefined }).toStrictEqual({
      type: 'AdamW',
      step: '1',
      lr: '0.01',
      slimegrad_crc32: undefined,
    });
    const plain = await checkpointFiles(new GPT(cfg, { seed: 2 }));
    expect(JSON.parse(new TextDecoder().decode(plain.get('slimegrad_state.json'))).step).toBe(0);
    expect(JSON.parse(new TextDecoder().decode(plain.get('slimegrad_state.json'))).rng).toBeNull();
    const explicit = await checkpointFiles(model, { optimizer: opt, step: 0 });
    expect(JSON.parse(new TextDecoder().decode(explicit.get('slimegrad_state.json'))).step).toBe(0);
  });

  it('refuses a bad step, a tokenizer of another vocabulary and a chat template without tokenizer, in full', async () => {
    const model = new GPT(cfg, { seed: 1 });
    for (const step of [-1, 1.5, Number.NaN]) {
      await expect(checkpointFiles(model, { step })).rejects.toThrow(
        new Error(`checkpointFiles: step must be an integer >= 0, got ${step}`),
      );
    }
    await expect(checkpointFiles(model, { tokenizer: new ByteTokenizer() })).rejects.toThrow(
      new Error("checkpointFiles: the tokenizer has 259 tokens but the model's vocabSize is 11"),
    );
    await expect(checkpointFiles(model, { chatTemplate: '{{ x }}' })).rejects.toThrow(
      new Error('checkpointFiles: chatTemplate needs a tokenizer (it goes into tokenizer_config.json)'),
    );
  });

  it("a tokenizer's ids go into config.json and generation_config.json, where configExtra overrides them", async () => {
    const model = new GPT({ ...cfg, vocabSize: 259 }, { seed: 1 });
    const files = await checkpointFiles(model, {
      tokenizer: new ByteTokenizer(),
      chatTemplate: '{{ t }}',
      configExtra: { eos_token_id: 3 },
    });
    expect(JSON.parse(new TextDecoder().decode(files.get('generation_config.json')))).toStrictEqual({
      bos_token_id: 256,
      eos_token_id: 3,
      pad_token_id: 258,
    });
    expect(JSON.parse(new TextDecoder().decode(files.get('config.json')))).toMatchObject({
      bos_token_id: 256,
      eos_token_id: 3,
      pad_token_id: 258,
    });
    expect(JSON.parse(new TextDecoder().decode(files.get('tokenizer_config.json'))).chat_template).toBe('{{ t }}');
    expect(files.has('tokenizer.json') && files.has('special_tokens_map.json')).toBe(true);
    const noTokenizer = await checkpointFiles(new GPT(cfg, { seed: 1 }));
    expect(new TextDecoder().decode(noTokenizer.get('generation_config.json'))).toBe('{}\n');
  });

  it('config.json says the stored dtype in torch_dtype, and is indented JSON ending in a newline', async () => {
    const f64 = new GPT(cfg, { seed: 1, dtype: 'float64' });
    const torchDtype = async (model: GPT, as?: 'F32' | 'F16' | 'BF16') => {
      const { weights, config } = await modelFiles(model, {}, as);
      expect(config.startsWith('{\n  "model_type": "gpt2",\n')).toBe(true);
      expect(config.endsWith('}\n')).toBe(true);
      return [JSON.parse(config).torch_dtype, headerOf(weights)['transformer.wte.weight'].dtype];
    };
    expect(await torchDtype(new GPT(cfg, { seed: 1 }))).toEqual(['float32', 'F32']);
    expect(await torchDtype(f64)).toEqual(['float64', 'F64']);
    expect(await torchDtype(f64, 'F32')).toEqual(['float32', 'F32']);
    expect(await torchDtype(f64, 'F16')).toEqual(['float16', 'F16']);
    expect(await torchDtype(f64, 'BF16')).toEqual(['bfloat16', 'BF16']);
    expect(headerOf((await modelFiles(f64)).weights).__metadata__.format).toBe('pt');
  });

  it('filesWrittenBySlimegrad: the listed files, those of format 1 when there is no list, none without a state', () => {
    expect(filesWrittenBySlimegrad(undefined, 's')).toEqual([]);
    expect(filesWrittenBySlimegrad(text('{"step": 0}'), 's')).toEqual([
      'model.safetensors',
      'config.json',
      'optimizer.safetensors',
      'slimegrad_state.json',
    ]);
    expect(filesWrittenBySlimegrad(text('{"step": 0, "files": {"a.json": "1", "b": "2"}}'), 's')).toEqual([
      'a.json',
      'b',
      'slimegrad_state.json',
    ]);
  });
});

describe('which files a load reads', () => {
  const state = (files: Record<string, string>) => text(JSON.stringify({ step: 0, rng: null, files }));

  it('reads the listed JSON files not read yet, and the optimizer state only when the state lists it', () => {
    const listed = {
      'model.safetensors': 'a',
      'config.json': 'b',
      'generation_config.json': 'c',
      'tokenizer.json': 'd',
      'optimizer.safetensors': 'e',
    };
    const small = new Map([
      ['config.json', text('{}')],
      ['slimegrad_state.json', state(listed)],
    ]);
    const all = () => true;
    expect(checkpointReadPlan(all, small)).toStrictEqual({
      bytes: ['generation_config.json', 'tokenizer.json'],
      safetensors: ['model.safetensors', 'optimizer.safetensors'],
    });
    const { 'optimizer.safetensors': _, ...withoutOptimizer } = listed;
    small.set('slimegrad_state.json', state(withoutOptimizer));
    expect(checkpointReadPlan(all, small).safetensors).toEqual(['model.safetensors']);
    small.delete('slimegrad_state.json');
    expect(checkpointReadPlan(all, small)).toStrictEqual({
      bytes: [],
      safetensors: ['model.safetensors', 'optimizer.safetensors'],
    });
    expect(checkpointReadPlan((n) => n === 'model.safetensors', small).safetensors).toEqual(['model.safetensors']);
    small.set('model.safetensors.index.json', text('{"weight_map": {"x": "b.safetensors", "y": "a.safetensors"}}'));
    expect(checkpointReadPlan(() => false, small).safetensors).toEqual(['b.safetensors', 'a.safetensors']);
  });

  it('refuses a folder without config.json or weights, naming the path', () => {
    expect(messageOf(() => checkpointReadPlan(() => true, new Map()))).toBe(
      'config.json: missing (not a checkpoint directory?)',
    );
    expect(
      messageOf(() =>
        checkpointReadPlan(
          () => false,
          new Map([['config.json', text('{}')]]),
          (n) => `d/${n}`,
        ),
      ),
    ).toBe(
      'd/model.safetensors: missing, and no model.safetensors.index.json of shards either (slimegrad reads ' +
        'safetensors weights only; a pytorch_model.bin must be converted first)',
    );
  });
});

describe('loading refuses inconsistent folders, in full', () => {
  it('a listed file missing, a file of another save, a shard missing, no config, no weights', async () => {
    const files = await checkpointFiles(new GPT(cfg, { seed: 1 }));
    const gen = files.get('generation_config.json')!;
    const without = new Map(files);
    without.delete('generation_config.json');
    expect(messageOf(() => checkpointFromFiles(without))).toBe(
      'generation_config.json: missing, but slimegrad_state.json lists it',
    );
    const other = text('{"eos_token_id": 1}\n');
    const mixed = new Map(files).set('generation_config.json', other);
    expect(messageOf(() => checkpointFromFiles(mixed, { pathOf: (n) => `d/${n}` }))).toBe(
      `d/generation_config.json: does not match slimegrad_state.json (checksum ${zcrc(other)}, listed ${zcrc(gen)}): ` +
        'the folder mixes files of two saves, e.g. an interrupted save or a file copied in from elsewhere',
    );
    const sharded = new Map([
      ['config.json', files.get('config.json')!],
      ['model.safetensors.index.json', text('{"weight_map": {"x": "s.safetensors"}}')],
    ]);
    expect(messageOf(() => checkpointFromFiles(sharded, { pathOf: (n) => `d/${n}` }))).toBe('d/s.safetensors: missing');
    const model = decodeSafetensors(files.get('model.safetensors')!, 'm');
    expect(messageOf(() => checkpointFromContents(new Map(), new Map([['model.safetensors', model]])))).toBe(
      'config.json: missing (not a checkpoint directory?)',
    );
    expect(
      messageOf(() => checkpointFromContents(new Map([['config.json', files.get('config.json')!]]), new Map())),
    ).toBe('model.safetensors: missing');
  });

  it('errors about sharded weights name the index and say "(shards)"', async () => {
    const model = new GPT(cfg, { seed: 1 });
    const { tensors, config } = await weightsOf(model);
    tensors.delete('transformer.ln_f.bias');
    const shard = encodeSafetensors(tensors);
    const index = { weight_map: Object.fromEntries([...tensors.keys()].map((n) => [n, 's.safetensors'])) };
    const files = new Map([
      ['config.json', text(config)],
      ['model.safetensors.index.json', text(JSON.stringify(index))],
      ['s.safetensors', shard],
    ]);
    expect(messageOf(() => checkpointFromFiles(files))).toBe(
      'model.safetensors.index.json (shards): missing 1 tensor(s) that config.json (n_layer 1) requires: ' +
        'transformer.ln_f.bias',
    );
  });

  it('a state without rng or optimizer gives nulls; a state rng with counter 0 is kept', async () => {
    const files = await checkpointFiles(new GPT(cfg, { seed: 1 }));
    const loaded = checkpointFromFiles(new Map(files).set('slimegrad_state.json', text('{"step": 4}')));
    expect([loaded.step, loaded.rng, loaded.optimizerState]).toEqual([4, null, null]);
    const withRng = checkpointFromFiles(
      new Map(files).set('slimegrad_state.json', text('{"step": 0, "rng": {"seed": 3, "counter": 0}}')),
    );
    expect(withRng.rng!.state()).toEqual({ seed: 3, counter: 0 });
    const noState = new Map(files);
    noState.delete('slimegrad_state.json');
    expect(checkpointFromFiles(noState).step).toBe(0);
  });

  const states: [string, string][] = [
    ['[]', 'expected {"step": integer >= 0, "rng": {...} | null}'],
    ['null', 'expected {"step": integer >= 0, "rng": {...} | null}'],
    ['5', 'expected {"step": integer >= 0, "rng": {...} | null}'],
    ['{"step": 1.5}', 'expected {"step": integer >= 0, "rng": {...} | null}'],
    ['{"step": "1"}', 'expected {"step": integer >= 0, "rng": {...} | null}'],
    ['{"step": 0, "files": []}', '"files" must map plain file names of the folder to checksums'],
    ['{"step": 0, "files": null}', '"files" must map plain file names of the folder to checksums'],
    ['{"step": 0, "files": "x"}', '"files" must map plain file names of the folder to checksums'],
    ['{"step": 0, "files": {"a/b": "1"}}', '"files" must map plain file names of the folder to checksums'],
    ['{"step": 0, "files": {"a\\\\b": "1"}}', '"files" must map plain file names of the folder to checksums'],
    ['{"step": 0, "files": {".a": "1"}}', '"files" must map plain file names of the folder to checksums'],
    ['{"step": 0, "files": {"": "1"}}', '"files" must map plain file names of the folder to checksums'],
    ['{"step": 0, "files": {"a": 1}}', '"files" must map plain file names of the folder to checksums'],
    ['{"step": 0, "files": {"a": "1", "b/c": "2"}}', '"files" must map plain file names of the folder to checksums'],
    [
      '{"step": 0, "rng": {"seed": 1.5, "counter": 0}}',
      'rng must be {"seed": integer, "counter": integer >= 0}, got {"seed":1.5,"counter":0}',
    ],
    [
      '{"step": 0, "rng": {"seed": 1, "counter": -1}}',
      'rng must be {"seed": integer, "counter": integer >= 0}, got {"seed":1,"counter":-1}',
    ],
    ['{"step": 0, "rng": {"seed": 1}}', 'rng must be {"seed": integer, "counter": integer >= 0}, got {"seed":1}'],
  ];
  for (const [state, problem] of states) {
    it(`refuses slimegrad_state.json ${state}`, async () => {
      const files = new Map([
        ['config.json', text('{}')],
        ['slimegrad_state.json', text(state)],
      ]);
      expect(messageOf(() => checkpointFromFiles(files, { pathOf: (n) => `d/${n}` }))).toBe(
        `d/slimegrad_state.json: ${problem}`,
      );
    });
  }

  it('refuses a state that is not JSON', () => {
    const files = new Map([
      ['config.json', text('{}')],
      ['slimegrad_state.json', text('{"step"')],
    ]);
    expect(messageOf(() => checkpointFromFiles(files))).toMatch(/^slimegrad_state\.json: not valid JSON \(.+\)$/);
  });

  it("checks the optimizer's metadata, accepting step 0 and lr 0", async () => {
    const files = await checkpointFiles(new GPT(cfg, { seed: 1 }));
    files.delete('slimegrad_state.json');
    const withOptimizer = (metadata: Record<string, string>) =>
      new Map(files).set('optimizer.safetensors', encodeSafetensors(new Map(), metadata));
    const loaded = checkpointFromFiles(withOptimizer({ type: 'SGD', step: '0', lr: '0' }));
    expect(loaded.optimizerState).toStrictEqual({ type: 'SGD', step: 0, lr: 0, tensors: new Map() });
    for (const metadata of <Record<string, string>[]>[
      { step: '1', lr: '0.1' },
      { type: '', step: '1', lr: '0.1' },
      { type: 'SGD', step: '-1', lr: '0.1' },
      { type: 'SGD', step: '1.5', lr: '0.1' },
      { type: 'SGD', lr: '0.1' },
      { type: 'SGD', step: '1', lr: 'Infinity' },
      { type: 'SGD', step: '1', lr: 'fast' },
    ]) {
      const message = messageOf(() => checkpointFromFiles(withOptimizer(metadata)));
      const shown = JSON.stringify(metadata).replace(/\}$/, '');
      expect(
        message.startsWith(
          `optimizer.safetensors: __metadata__ must hold the optimizer type, step and lr, got ${shown}`,
        ),
      ).toBe(true);
      expect(message).toMatch(/,"slimegrad_crc32":"[0-9a-f]{8}"\}$/);
    }
  });
});

describe('weights checked against config.json, in full', () => {
  const load = (tensors: Map<string, RawTensor>, config: string) => () => modelFromTensors(config, tensors, where);

  it('refuses non-JSON config text, integer weights and mixed dtypes', async () => {
    const { tensors, config } = await weightsOf(new GPT(cfg, { seed: 1 }));
    expect(messageOf(load(tensors, '{"n_embd"'))).toMatch(/^config\.json: not valid JSON \(.+\)$/);
    const ints = new Map(tensors).set('transformer.ln_f.bias', { dtype: 'int32', shape: [8], data: new Int32Array(8) });
    expect(messageOf(load(ints, config))).toBe(
      'model.safetensors: weights must be floats (F32, F64, F16 or BF16), found I32 tensors',
    );
    const mixed = new Map(tensors).set('transformer.ln_f.bias', {
      dtype: 'float64',
      shape: [8],
      data: new Float64Array(8),
    });
    expect(messageOf(load(mixed, config))).toBe(
      'model.safetensors: all weights must share one dtype, found float32 and float64',
    );
  });

  it('refuses missing or misshapen embeddings, and lists at most five missing tensors', async () => {
    const { tensors, config } = await weightsOf(new GPT(cfg, { seed: 1 }));
    for (const name of ['transformer.wte.weight', 'transformer.wpe.weight']) {
      const without = new Map(tensors);
      without.delete(name);
      expect(messageOf(load(without, config))).toBe(`model.safetensors: missing tensor '${name}'`);
    }
    const longWpe = new Map(tensors).set('transformer.wpe.weight', {
      dtype: 'float32',
      shape: [5, 8],
      data: new Float32Array(40),
    });
    expect(messageOf(load(longWpe, config))).toBe(
      "model.safetensors: tensor 'transformer.wpe.weight' is [5,8] but config.json implies [4,8]",
    );
    const layer = [
      'transformer.h.0.ln_1.weight',
      'transformer.h.0.ln_1.bias',
      'transformer.h.0.attn.c_attn.weight',
      'transformer.h.0.attn.c_attn.bias',
      'transformer.h.0.attn.c_proj.weight',
      'transformer.h.0.attn.c_proj.bias',
    ];
    const five = new Map(tensors);
    for (const n of layer.slice(0, 5)) five.delete(n);
    expect(messageOf(load(five, config))).toBe(
      `model.safetensors: missing 5 tensor(s) that config.json (n_layer 1) requires: ${layer.slice(0, 5).join(', ')}`,
    );
    five.delete(layer[5]);
    expect(messageOf(load(five, config))).toBe(
      `model.safetensors: missing 6 tensor(s) that config.json (n_layer 1) requires: ${layer.slice(0, 5).join(', ')}, ...`,
    );
    const wide = new Map(tensors).set('transformer.h.0.ln_1.weight', {
      dtype: 'float32',
      shape: [9],
      data: new Float32Array(9),
    });
    expect(messageOf(load(wide, config))).toBe(
      "model.safetensors: tensor 'transformer.h.0.ln_1.weight' is [9] but config.json implies [8]",
    );
  });

  it('accepts the attention buffers by their exact names only, and an lm_head equal to wte only', async () => {
    const { tensors, config } = await weightsOf(new GPT(cfg, { seed: 1 }));
    const buffer: RawTensor = { dtype: 'float32', shape: [1], data: new Float32Array(1) };
    const extras = new Map(tensors)
      .set('transformer.h.0.attn.bias', buffer)
      .set('transformer.h.0.attn.masked_bias', buffer);
    expect(load(extras, config)().config.nLayer).toBe(1);
    const farLayer = new Map(tensors).set('transformer.h.12.ln_1.weight', buffer);
    expect(messageOf(load(farLayer, config))).toBe('model.safetensors: holds 2 layers but config.json says n_layer 1');
    for (const name of ['transformer.h.0.attn.bias2', 'transformer.h.0.attn.bias.x', 'x.transformer.h.7.attn.bias']) {
      expect(messageOf(load(new Map(tensors).set(name, buffer), config))).toBe(
        `model.safetensors: unexpected tensor '${name}' [1] (not part of a GPT-2 with config.json)`,
      );
    }
    const wte = tensors.get('transformer.wte.weight')!;
    const lmHead = (t: RawTensor) => load(new Map(tensors).set('lm_head.weight', t), config);
    const untied =
      "model.safetensors: lm_head.weight differs from transformer.wte.weight, but slimegrad's GPT ties them";
    const changed = Float32Array.from(wte.data);
    changed[87] += 1;
    expect(messageOf(lmHead({ ...wte, data: changed }))).toBe(untied);
    expect(messageOf(lmHead({ ...wte, shape: [8, 11] }))).toBe(untied);
    expect(lmHead({ ...wte, data: Float32Array.from(wte.data) })().config.vocabSize).toBe(11);
  });
});

describe('the tensors a load makes', () => {
  it('belong to the caller even when loading runs inside tidy; nothing else stays alive, also after a refusal', async () => {
    const { model, opt } = await trainedWithAdamW();
    const beforeSave = memory().tensors;
    const files = await checkpointFiles(model, { optimizer: opt }); // the optimizer state copies are freed
    expect(memory().tensors).toBe(beforeSave);
    let loaded!: LoadedCheckpoint;
    tidy(() => {
      loaded = checkpointFromFiles(files);
    });
    const restored = [...loaded.optimizerState!.tensors.values()];
    expect(restored.length).toBeGreaterThan(0);
    expect(restored.every((t) => !t.isDisposed)).toBe(true);
    const saved = opt.state();
    expect([...loaded.optimizerState!.tensors].map(([k, t]) => [k, t.shape])).toEqual(
      [...saved.tensors].map(([k, t]) => [k, t.shape]),
    );
    for (const t of saved.tensors.values()) t.dispose();
    for (const t of restored) t.dispose();
    loaded.model.dispose();
    // a load leaves alive exactly what a freshly built model holds
    const start = memory().tensors;
    const fresh = new GPT(cfg, { seed: 9 });
    const perModel = memory().tensors - start;
    fresh.dispose();
    const noOptimizer = new Map(files);
    noOptimizer.delete('optimizer.safetensors');
    noOptimizer.delete('slimegrad_state.json');
    const before = memory().tensors;
    const again = checkpointFromFiles(noOptimizer);
    expect(memory().tensors - before).toBe(perModel);
    again.model.dispose();
    // a refusal found after the model was built frees it
    const { tensors, config } = await weightsOf(model);
    tensors.set('transformer.h.0.extra', { dtype: 'float32', shape: [1], data: new Float32Array(1) });
    const beforeRefusal = memory().tensors;
    expect(() => modelFromTensors(config, tensors, where)).toThrow(/unexpected tensor/);
    expect(memory().tensors).toBe(beforeRefusal);
  });
});
