import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, crossEntropy, tensor, tidy } from '../../src/index.js';
import { GPT, type GPTConfig } from '../../src/nn/index.js';
import { AdamW } from '../../src/optim/index.js';
import {
  checkpointFiles,
  checkpointFromFiles,
  decodeSafetensors,
  encodeSafetensors,
  modelFiles,
  modelFromFiles,
} from '../../src/io/index.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/io/checkpoint-files.js';

const cfg: GPTConfig = { vocabSize: 11, blockSize: 4, nEmbd: 8, nLayer: 1, nHead: 2, dropout: 0 };
const bitsOf = (m: GPT) =>
  m.namedParameters().map(([n, p]) => [n, Array.from(new Uint32Array(p.dataSync().slice().buffer))]);
const where = { configFile: 'config.json', weightsFile: 'model.safetensors' };

function trainSteps(model: GPT, opt: AdamW, n: number): void {
  for (let i = 0; i < n; i++) {
    tidy(() => {
      const x = tensor(Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), { shape: [2, 4] });
      crossEntropy(model.forward(x).reshape([8, 11]), tensor(Int32Array.from([2, 3, 4, 5, 6, 7, 8, 9]))).backward();
      opt.step();
      opt.zeroGrad();
    });
  }
}

describe('checkpoints', () => {
  it('save -> load round-trips model, optimizer state, step and rng bit for bit, in Hugging Face form', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slimegrad-ckpt-'));
    try {
      const model = new GPT({ ...cfg, nLayer: 2, dropout: 0.1 }, { seed: 1 });
      const opt = new AdamW(model.namedParameters(), { lr: 1e-2 });
      trainSteps(model, opt, 2);
      const rng = new Rng(42, 17);
      await saveCheckpoint(join(dir, 'ck'), model, { optimizer: opt, step: 2, rng, configExtra: { eos_token_id: 10 } });
      expect(readdirSync(dir)).toEqual(['ck']); // no temporary directories left behind
      expect(readdirSync(join(dir, 'ck')).sort()).toEqual([
        'config.json',
        'generation_config.json',
        'model.safetensors',
        'optimizer.safetensors',
        'slimegrad_state.json',
      ]);
      const config = JSON.parse(readFileSync(join(dir, 'ck', 'config.json'), 'utf8'));
      expect(config).toMatchObject({
        model_type: 'gpt2',
        architectures: ['GPT2LMHeadModel'],
        vocab_size: 11,
        n_positions: 4,
        n_ctx: 4,
        n_embd: 8,
        n_layer: 2,
        n_head: 2,
        layer_norm_epsilon: 1e-5,
        activation_function: 'gelu_new',
        tie_word_embeddings: true,
        resid_pdrop: 0.1,
        embd_pdrop: 0.1,
        attn_pdrop: 0.1,
        eos_token_id: 10,
      });

      const loaded = await loadCheckpoint(join(dir, 'ck'));
      expect(bitsOf(loaded.model)).toEqual(bitsOf(model));
      expect(loaded.config).toEqual(model.config);
      expect(loaded.step).toBe(2);
      expect(loaded.rng!.state()).toEqual({ seed: 42, counter: 17 });
      const saved = opt.state();
      expect([...loaded.optimizerState!.tensors.keys()]).toEqual([...saved.tensors.keys()]);
      for (const [k, t] of saved.tensors)
        expect(loaded.optimizerState!.tensors.get(k)!.dataSync()).toEqual(t.dataSync());
      expect(loaded.optimizerState!.step).toBe(2);

      // saving again over the same directory replaces it atomically
      trainSteps(model, opt, 1);
      await saveCheckpoint(join(dir, 'ck'), model, { step: 3 });
      expect(readdirSync(dir)).toEqual(['ck']);
      const again = await loadCheckpoint(join(dir, 'ck'));
      expect(bitsOf(again.model)).toEqual(bitsOf(model));
      expect(again.optimizerState).toBeNull();
      expect(again.rng).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('round-trips through bytes alone (no file system, as in a browser), equal to what a directory holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slimegrad-ckpt-'));
    try {
      const model = new GPT(cfg, { seed: 3 });
      const opt = new AdamW(model.namedParameters(), { lr: 1e-2 });
      trainSteps(model, opt, 1);
      const files = await checkpointFiles(model, { optimizer: opt, rng: new Rng(7, 3) });
      await saveCheckpoint(dir, model, { optimizer: opt, rng: new Rng(7, 3) });
      for (const name of readdirSync(dir))
        expect(files.get(name), name).toEqual(new Uint8Array(readFileSync(join(dir, name))));
      expect([...files.keys()].sort()).toEqual(readdirSync(dir).sort());
      const loaded = checkpointFromFiles(files);
      expect(bitsOf(loaded.model)).toEqual(bitsOf(model));
      expect(loaded.step).toBe(1);
      expect(loaded.rng!.state()).toEqual({ seed: 7, counter: 3 });
      expect(loaded.optimizerState!.step).toBe(1);
      const weightsOnly = new Map([...files].filter(([name]) => name !== 'config.json'));
      expect(() => checkpointFromFiles(weightsOnly, { pathOf: (name) => `upload/${name}` })).toThrow(
        /^upload\/config\.json: missing/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts what transformers adds (a tied lm_head.weight and attention buffers) and float64 weights', async () => {
    const model = new GPT(cfg, { seed: 2, dtype: 'float64' });
    const { weights, config } = await modelFiles(model);
    const { tensors } = decodeSafetensors(weights, 'w');
    tensors.set('lm_head.weight', tensors.get('transformer.wte.weight')!);
    tensors.set('transformer.h.0.attn.bias', { dtype: 'float64', shape: [1, 1, 4, 4], data: new Float64Array(16) });
    const loaded = modelFromFiles(config, encodeSafetensors(tensors), where);
    expect(loaded.dtype).toBe('float64');
    expect(bitsOf(loaded)).toEqual(bitsOf(model));
    const untied = new Map(tensors);
    untied.set('lm_head.weight', { dtype: 'float64', shape: [11, 8], data: new Float64Array(88) });
    expect(() => modelFromFiles(config, encodeSafetensors(untied), where)).toThrow(
      /model\.safetensors: lm_head\.weight differs/,
    );
  });

  it('rejects missing tensors, unexpected tensors and configs that disagree with the weights', async () => {
    const model = new GPT(cfg, { seed: 3 });
    const { weights, config } = await modelFiles(model);
    const { tensors } = decodeSafetensors(weights, 'w');
    const without = new Map(tensors);
    without.delete('transformer.h.0.mlp.c_fc.bias');
    expect(() => modelFromFiles(config, encodeSafetensors(without), where)).toThrow(
      /model\.safetensors: missing 1 tensor\(s\).*transformer\.h\.0\.mlp\.c_fc\.bias/,
    );
    const extra = new Map(tensors).set('transformer.h.0.ln_3.weight', {
      dtype: 'float32',
      shape: [8],
      data: new Float32Array(8),
    });
    expect(() => modelFromFiles(config, encodeSafetensors(extra), where)).toThrow(
      /unexpected tensor 'transformer\.h\.0\.ln_3\.weight'/,
    );
    const extraLayer = new Map(tensors).set('transformer.h.7.ln_1.weight', {
      dtype: 'float32',
      shape: [8],
      data: new Float32Array(8),
    });
    expect(() => modelFromFiles(config, encodeSafetensors(extraLayer), where)).toThrow(
      /model\.safetensors: holds 2 layers but config\.json says n_layer 1/,
    );
    const c = JSON.parse(config);
    expect(() => modelFromFiles(JSON.stringify({ ...c, n_embd: 16 }), weights, where)).toThrow(
      /tensor 'transformer\.wte\.weight' is \[11,8\] but config\.json implies \[11,16\]/,
    );
    expect(() => modelFromFiles(JSON.stringify({ ...c, vocab_size: 1e9 }), weights, where)).toThrow(
      /'transformer\.wte\.weight' is \[11,8\] but config\.json implies \[1000000000,8\]/,
    );
    expect(() => modelFromFiles(JSON.stringify({ ...c, n_layer: 2 }), weights, where)).toThrow(
      /holds 1 layers but config\.json says n_layer 2/,
    );
    expect(() => modelFromFiles(JSON.stringify({ ...c, model_type: 'llama' }), weights, where)).toThrow(
      /config\.json: model_type must be "gpt2"/,
    );
    expect(() => modelFromFiles(JSON.stringify({ ...c, attn_pdrop: 0.2 }), weights, where)).toThrow(/must be equal/);
    expect(() => modelFromFiles('{"model_type": ', weights, where)).toThrow(/config\.json: not valid JSON/);
    await expect(loadCheckpoint(join(tmpdir(), 'slimegrad-no-such-dir'))).rejects.toThrow(/config\.json: missing/);
  });

  it('fuzz: a mutated checkpoint either loads to the identical model or throws a clear error naming the file', async () => {
    const model = new GPT(cfg, { seed: 4 });
    const { weights, config } = await modelFiles(model);
    const original = bitsOf(model);
    const headerLen = Number(new DataView(weights.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(weights.subarray(8, 8 + headerLen)));
    const data = weights.subarray(8 + headerLen);
    const names = Object.keys(header).filter((k) => k !== '__metadata__');

    const check = (configText: string, bytes: Uint8Array): void => {
      let loaded: GPT;
      try {
        loaded = modelFromFiles(configText, bytes, where);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect((e as Error).constructor).toBe(Error); // not a TypeError / RangeError from deep inside
        expect((e as Error).message).toMatch(/^(model\.safetensors|config\.json): \S/);
        return;
      }
      expect(bitsOf(loaded)).toEqual(original);
      loaded.dispose();
    };
    const withHeader = (h: unknown, lengthDelta = 0): Uint8Array => {
      const json = new TextEncoder().encode(JSON.stringify(h));
      const out = new Uint8Array(8 + json.length + data.length);
      new DataView(out.buffer).setBigUint64(0, BigInt(Math.max(0, json.length + lengthDelta)), true);
      out.set(json, 8);
      out.set(data, 8 + json.length);
      return out;
    };

    // One damaged byte anywhere; or up to three in the data section (which the checksum must catch). Damage to the
    // checksum's own key plus the data at once is indistinguishable from a file written without a checksum (as
    // transformers writes them), so that combination is out of scope.
    const flip = fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) });
    const byteFlip = flip.map(({ at, xor }) => () => {
      const b = weights.slice();
      b[at % b.length] ^= xor;
      return b;
    });
    const dataFlips = fc.array(flip, { minLength: 1, maxLength: 3 }).map((flips) => () => {
      const b = weights.slice();
      for (const { at, xor } of flips) b[8 + headerLen + (at % data.length)] ^= xor;
      return b;
    });
    const cut = fc.nat().map((n) => () => weights.slice(0, n % weights.length));
    const grow = fc
      .uint8Array({ minLength: 1, maxLength: 16 })
      .map((extra) => () => Uint8Array.from([...weights, ...extra]));
    const field = fc.constantFrom('dtype', 'shape', 'data_offsets', 'delete', 'rename', 'length');
    const value = fc.oneof(
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom('F32', 'F64', 'I32', 'F16', 'BF16', 'X', null, [], [1], [0, 4], {}),
    );
    const headerEdit = fc.tuple(fc.nat(), field, value, fc.nat({ max: 3 })).map(([which, what, v, i]) => () => {
      const h = structuredClone(header);
      const name = names[which % names.length];
      const e = h[name];
      if (what === 'delete') delete h[name];
      else if (what === 'rename') {
        h[`${name}x`] = e;
        delete h[name];
      } else if (what === 'length') return withHeader(h, typeof v === 'number' && v !== 0 ? v : 1);
      else if (what === 'dtype') e.dtype = v;
      else if (typeof v === 'number' && Array.isArray(e[what]) && e[what].length > 0) e[what][i % e[what].length] += v;
      else e[what] = v;
      return withHeader(h);
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(byteFlip, dataFlips, cut, grow, headerEdit), async (mutate) => check(config, mutate())),
      { numRuns: 300 },
    );

    const c = JSON.parse(config);
    const configEdit = fc.tuple(
      fc.constantFrom(...Object.keys(c)),
      fc.oneof(fc.integer({ min: -2, max: 20 }), fc.constantFrom(null, 'gpt2', 'gelu', true, false, 0.5, [], {})),
    );
    fc.assert(
      fc.property(configEdit, ([key, v]) => {
        const text = JSON.stringify({ ...c, [key]: v });
        let loaded: GPT;
        try {
          loaded = modelFromFiles(text, weights, where);
        } catch (e) {
          expect((e as Error).constructor).toBe(Error);
          expect((e as Error).message).toMatch(/^(model\.safetensors|config\.json): \S/);
          return;
        }
        // n_head, eps and dropout do not show in the weights: then the model must be what the config says, same weights
        expect(bitsOf(loaded)).toEqual(original);
        expect(loaded.config.nHead).toBe(text.includes('"n_head":') ? JSON.parse(text).n_head : cfg.nHead);
        loaded.dispose();
      }),
      { numRuns: 150 },
    );
  });

  it('rejects a damaged optimizer or state file before building anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slimegrad-ckpt-'));
    try {
      const model = new GPT(cfg, { seed: 5 });
      const opt = new AdamW(model.namedParameters(), { lr: 1e-2 });
      trainSteps(model, opt, 1);
      await saveCheckpoint(dir, model, { optimizer: opt, rng: new Rng(1) });
      const optFile = join(dir, 'optimizer.safetensors');
      const bytes = readFileSync(optFile);
      writeFileSync(optFile, bytes.subarray(0, bytes.length - 3));
      await expect(loadCheckpoint(dir)).rejects.toThrow(/optimizer\.safetensors: .*(outside|cover)/);
      writeFileSync(optFile, bytes);
      writeFileSync(join(dir, 'slimegrad_state.json'), '{"step": -1}');
      await expect(loadCheckpoint(dir)).rejects.toThrow(/slimegrad_state\.json: expected \{"step": integer >= 0/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
