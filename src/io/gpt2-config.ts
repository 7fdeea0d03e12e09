// GPT-2's config.json as Hugging Face transformers writes and reads it (GPT2Config), mapped to and from GPTConfig.
// slimegrad's GPT has one dropout rate and always ties the LM head, so configs that ask for more are refused.

import type { GPTConfig } from '../nn/gpt.js';

/** A parsed config.json (transformers' GPT2Config fields, plus whatever else the file holds). */
export type HfGpt2Config = Record<string, unknown>;

/** config.json contents for a GPT; `extra` adds keys such as bos_token_id / eos_token_id. */
export function toHfConfig(c: GPTConfig, extra: Record<string, unknown> = {}): HfGpt2Config {
  return {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    vocab_size: c.vocabSize,
    n_positions: c.blockSize,
    n_ctx: c.blockSize,
    n_embd: c.nEmbd,
    n_layer: c.nLayer,
    n_head: c.nHead,
    n_inner: null,
    activation_function: 'gelu_new',
    resid_pdrop: c.dropout,
    embd_pdrop: c.dropout,
    attn_pdrop: c.dropout,
    layer_norm_epsilon: c.layerNormEpsilon ?? 1e-5,
    initializer_range: 0.02,
    scale_attn_weights: true,
    scale_attn_by_inverse_layer_idx: false,
    reorder_and_upcast_attn: false,
    tie_word_embeddings: true,
    use_cache: true,
    ...extra,
  };
}

// transformers' names for the tanh approximation of GELU that slimegrad's GPT computes
const TANH_GELU = ['gelu_new', 'gelu_pytorch_tanh'];

/** GPTConfig from parsed config.json; `file` names the source and the field in every error. */
export function fromHfConfig(json: unknown, file: string): GPTConfig {
  const fail = (problem: string): never => {
    throw new Error(`${file}: ${problem}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('must be a JSON object');
  const j = json as HfGpt2Config;
  // JSON.parse turns an out-of-range number such as 1e400 into Infinity: no field of a model config may be one
  for (const [key, v] of Object.entries(j)) {
    if (typeof v === 'number' && !Number.isFinite(v))
      fail(`${key} is ${v} (a number out of range in the file), not a finite number`);
  }
  if (j.model_type !== 'gpt2') fail(`model_type must be "gpt2", got ${JSON.stringify(j.model_type)}`);
  const int = (key: string): number => {
    const v = j[key];
    if (!Number.isSafeInteger(v) || (v as number) < 1)
      fail(`${key} must be a positive integer, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const nEmbd = int('n_embd');
  const blockSize = int('n_positions');
  if (j.n_ctx !== undefined && j.n_ctx !== blockSize)
    fail(`n_ctx (${JSON.stringify(j.n_ctx)}) and n_positions (${blockSize}) disagree`);
  const activation = j.activation_function ?? 'gelu_new';
  if (typeof activation !== 'string' || !TANH_GELU.includes(activation)) {
    fail(
      `activation_function ${JSON.stringify(activation)} is not implemented: slimegrad's GPT computes the tanh ` +
        `approximation of GELU (${TANH_GELU.map((a) => `"${a}"`).join(' or ')})`,
    );
  }
  if (j.n_inner !== undefined && j.n_inner !== null && j.n_inner !== 4 * nEmbd) {
    fail(
      `n_inner must be null or 4 * n_embd = ${4 * nEmbd} (slimegrad's GPT has a 4x MLP), ` +
        `got ${JSON.stringify(j.n_inner)}`,
    );
  }
  if (j.tie_word_embeddings === false)
    fail("tie_word_embeddings is false, but slimegrad's GPT always ties the LM head to wte");
  if (j.scale_attn_weights === false)
    fail("scale_attn_weights is false, but slimegrad's GPT always scales attention by 1/sqrt(head dim)");
  if (j.scale_attn_by_inverse_layer_idx === true) fail('scale_attn_by_inverse_layer_idx is not supported');
  if (j.add_cross_attention === true) fail("add_cross_attention is not supported (slimegrad's GPT is decoder-only)");
  const rateKeys = ['resid_pdrop', 'embd_pdrop', 'attn_pdrop'];
  const rates = rateKeys.map((k) => {
    const r = j[k] ?? 0.1;
    if (typeof r !== 'number' || !(r >= 0 && r < 1)) fail(`${k} must be a number in [0, 1), got ${JSON.stringify(r)}`);
    return r as number;
  });
  if (new Set(rates).size !== 1)
    fail(
      "resid_pdrop, embd_pdrop and attn_pdrop must be equal (slimegrad's GPT has one dropout rate), " +
        `got ${rates.join(', ')}`,
    );
  const eps = j.layer_norm_epsilon ?? 1e-5;
  if (typeof eps !== 'number' || !(eps > 0))
    fail(`layer_norm_epsilon must be a positive number, got ${JSON.stringify(eps)}`);
  const config: GPTConfig = {
    vocabSize: int('vocab_size'),
    blockSize,
    nEmbd,
    nLayer: int('n_layer'),
    nHead: int('n_head'),
    dropout: rates[0],
    layerNormEpsilon: eps as number,
  };
  if (nEmbd % config.nHead !== 0) fail(`n_embd (${nEmbd}) must be divisible by n_head (${config.nHead})`);
  const isId = (id: unknown) => Number.isSafeInteger(id) && (id as number) >= 0 && (id as number) < config.vocabSize;
  for (const key of ['bos_token_id', 'eos_token_id', 'pad_token_id']) {
    const id = j[key];
    // transformers allows a list of ids (several end-of-sequence tokens)
    if (id !== undefined && id !== null && !isId(id) && !(Array.isArray(id) && id.length > 0 && id.every(isId))) {
      fail(`${key} must be a token id in [0, ${config.vocabSize}), a list of them, or null, got ${JSON.stringify(id)}`);
    }
  }
  return config;
}
