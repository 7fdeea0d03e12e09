import { describe, expect, it } from 'vitest';
import { fromHfConfig, toHfConfig } from '../../src/io/index.js';

// The fields a Hub GPT-2 config.json carries (values of the 124M model), including those slimegrad ignores.
const hubGpt2 = {
  activation_function: 'gelu_new',
  architectures: ['GPT2LMHeadModel'],
  attn_pdrop: 0.1,
  bos_token_id: 50256,
  embd_pdrop: 0.1,
  eos_token_id: 50256,
  initializer_range: 0.02,
  layer_norm_epsilon: 1e-5,
  model_type: 'gpt2',
  n_ctx: 1024,
  n_embd: 768,
  n_head: 12,
  n_inner: null,
  n_layer: 12,
  n_positions: 1024,
  reorder_and_upcast_attn: false,
  resid_pdrop: 0.1,
  scale_attn_by_inverse_layer_idx: false,
  scale_attn_weights: true,
  summary_activation: null,
  summary_first_dropout: 0.1,
  summary_proj_to_labels: true,
  summary_type: 'cls_index',
  summary_use_proj: true,
  task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } },
  torch_dtype: 'float32',
  transformers_version: '4.41.0',
  use_cache: true,
  vocab_size: 50257,
};
const parse = (text: string) => fromHfConfig(JSON.parse(text), 'config.json');
const withField = (key: string, raw: string) =>
  JSON.stringify(hubGpt2).replace(/}$/, `, "${key}": ${raw}}`).replace(`"${key}":`, '"_":');

describe('GPT-2 config.json as the Hub writes it', () => {
  it('accepts a real GPT-2 config with its extra fields', () => {
    expect(fromHfConfig(hubGpt2, 'config.json')).toEqual({
      vocabSize: 50257,
      blockSize: 1024,
      nEmbd: 768,
      nLayer: 12,
      nHead: 12,
      dropout: 0.1,
      layerNormEpsilon: 1e-5,
    });
  });

  it('accepts both names of the tanh GELU and n_inner = 4 * n_embd; refuses other activations and widths by name', () => {
    for (const a of ['gelu_new', 'gelu_pytorch_tanh'])
      expect(fromHfConfig({ ...hubGpt2, activation_function: a }, 'c').nEmbd).toBe(768);
    expect(fromHfConfig({ ...hubGpt2, n_inner: 3072 }, 'c').nEmbd).toBe(768);
    for (const a of ['gelu', 'relu', 'gelu_fast', 'silu', 'quick_gelu']) {
      expect(() => fromHfConfig({ ...hubGpt2, activation_function: a }, 'config.json')).toThrow(
        new RegExp(
          `^config\\.json: activation_function "${a}" is not implemented: .*"gelu_new" or "gelu_pytorch_tanh"`,
        ),
      );
    }
    expect(() => fromHfConfig({ ...hubGpt2, n_inner: 2048 }, 'config.json')).toThrow(
      /^config\.json: n_inner must be null or 4 \* n_embd = 3072.*got 2048/,
    );
    expect(() => fromHfConfig({ ...hubGpt2, add_cross_attention: true }, 'config.json')).toThrow(/add_cross_attention/);
  });

  // issue 12, defect 11: 1e400 parses to Infinity; it used to be accepted and gave a model with zero logits
  it('refuses non-finite and invalid values, naming the field', () => {
    expect(() => parse(withField('layer_norm_epsilon', '1e400'))).toThrow(
      /^config\.json: layer_norm_epsilon is Infinity/,
    );
    expect(() => parse(withField('resid_pdrop', '-1e400'))).toThrow(/^config\.json: resid_pdrop is -Infinity/);
    expect(() => parse(withField('initializer_range', '1e999'))).toThrow(
      /^config\.json: initializer_range is Infinity/,
    );
    expect(() => parse(withField('n_embd', '1e400'))).toThrow(/^config\.json: n_embd is Infinity/);
    expect(() => fromHfConfig({ ...hubGpt2, layer_norm_epsilon: 0 }, 'config.json')).toThrow(
      /layer_norm_epsilon must be a positive number, got 0/,
    );
    expect(() => fromHfConfig({ ...hubGpt2, layer_norm_epsilon: '1e-5' }, 'config.json')).toThrow(
      /layer_norm_epsilon must be a positive number/,
    );
    expect(() => fromHfConfig({ ...hubGpt2, attn_pdrop: 1 }, 'config.json')).toThrow(
      /^config\.json: attn_pdrop must be a number in \[0, 1\), got 1/,
    );
    expect(() => fromHfConfig({ ...hubGpt2, eos_token_id: 50257 }, 'config.json')).toThrow(
      /eos_token_id must be a token id in \[0, 50257\)/,
    );
    expect(() => fromHfConfig({ ...hubGpt2, pad_token_id: -1 }, 'config.json')).toThrow(/pad_token_id/);
    expect(fromHfConfig({ ...hubGpt2, eos_token_id: [50256, 0], pad_token_id: null }, 'c').vocabSize).toBe(50257);
  });

  it('what toHfConfig writes, fromHfConfig reads back', () => {
    const c = { vocabSize: 259, blockSize: 64, nEmbd: 32, nLayer: 2, nHead: 4, dropout: 0.05, layerNormEpsilon: 1e-6 };
    expect(fromHfConfig(JSON.parse(JSON.stringify(toHfConfig(c, { eos_token_id: 257 }))), 'c')).toEqual(c);
  });
});
