// Checkpoints as files: model.safetensors + config.json in Hugging Face GPT-2 form (loadable by
// GPT2LMHeadModel.from_pretrained), plus optimizer.safetensors and slimegrad_state.json for resuming training.
// This module works on bytes only, so it runs in browsers too; checkpoint-files.ts puts them in a directory (Node).
// Loading validates every file completely before building anything.

import type { Backend } from '../backends/backend.js';
import type { Tensor } from '../tensor.js';
import { tensor } from '../creation.js';
import { keep, tidy } from '../memory.js';
import { noGrad } from '../autograd/graph.js';
import { Rng } from '../random.js';
import { GPT, type GPTConfig } from '../nn/gpt.js';
import type { Optimizer, OptimizerState } from '../optim/optimizer.js';
import { decodeSafetensors, encodeSafetensors, type RawTensor } from './safetensors.js';
import { fromHfConfig, toHfConfig } from './gpt2-config.js';

/** The model weights file of a checkpoint directory (GPT-2 tensor names). */
export const MODEL_FILE = 'model.safetensors';
/** The Hugging Face config file of a checkpoint directory. */
export const CONFIG_FILE = 'config.json';
/** The optimizer state file of a checkpoint directory. */
export const OPTIMIZER_FILE = 'optimizer.safetensors';
/** The training state file (step, random stream) of a checkpoint directory. */
export const STATE_FILE = 'slimegrad_state.json';

/** What a checkpoint holds besides the model. */
export interface SaveCheckpointOptions {
  optimizer?: Optimizer;
  /** Training steps completed. */
  step?: number;
  /** The training loop's random stream (data order, dropout), so a resumed run draws the same numbers. */
  rng?: Rng;
  /** Extra config.json keys (bos_token_id, eos_token_id, ...). */
  configExtra?: Record<string, unknown>;
}

/** A loaded checkpoint: the model, its config and the training state saved with it. */
export interface LoadedCheckpoint {
  model: GPT;
  config: GPTConfig;
  step: number;
  rng: Rng | null;
  /** For `optimizer.loadState`; its tensors belong to the caller (dispose them after loading). */
  optimizerState: OptimizerState | null;
}

async function rawOf(t: Tensor): Promise<RawTensor> {
  return { dtype: t.dtype, shape: [...t.shape], data: await t.data() };
}

/** The bytes of model.safetensors and the text of config.json for a model. */
export async function modelFiles(model: GPT, configExtra: Record<string, unknown> = {}): Promise<{ weights: Uint8Array; config: string }> {
  const tensors = new Map<string, RawTensor>();
  for (const [name, p] of model.namedParameters()) tensors.set(name, await rawOf(p));
  return {
    weights: encodeSafetensors(tensors, { format: 'pt' }),
    config: `${JSON.stringify({ ...toHfConfig(model.config, configExtra), torch_dtype: model.dtype }, null, 2)}\n`,
  };
}

/** A checkpoint as its files, name -> bytes: what a checkpoint directory holds, for places without a file system. */
export type CheckpointFiles = Map<string, Uint8Array>;

/**
 * The files of a checkpoint (model, config, optional optimizer state, step and rng), as bytes. The same bytes a
 * checkpoint directory holds, so a browser can offer them for download and Node can write them to disk.
 */
export async function checkpointFiles(model: GPT, opts: SaveCheckpointOptions = {}): Promise<CheckpointFiles> {
  const { step = opts.optimizer?.stepCount ?? 0, rng, optimizer } = opts;
  if (!Number.isSafeInteger(step) || step < 0) throw new Error(`checkpointFiles: step must be an integer >= 0, got ${step}`);
  const text = new TextEncoder();
  const files: CheckpointFiles = new Map();
  const { weights, config } = await modelFiles(model, opts.configExtra);
  files.set(MODEL_FILE, weights);
  files.set(CONFIG_FILE, text.encode(config));
  if (optimizer) {
    const state = optimizer.state();
    const tensors = new Map<string, RawTensor>();
    try {
      for (const [key, t] of state.tensors) tensors.set(key, await rawOf(t));
    } finally {
      for (const t of state.tensors.values()) t.dispose();
    }
    files.set(OPTIMIZER_FILE, encodeSafetensors(tensors, { type: state.type, step: String(state.step), lr: String(state.lr) }));
  }
  files.set(STATE_FILE, text.encode(`${JSON.stringify({ format: 1, step, rng: rng ? rng.state() : null }, null, 2)}\n`));
  return files;
}

/** Where a loaded model's tensors go. */
export interface LoadOptions {
  backend?: Backend | string;
}

/** Options of {@link checkpointFromFiles}. */
export interface CheckpointFromFilesOptions extends LoadOptions {
  /** How errors name a file, e.g. by its full path (default: the bare file name). */
  pathOf?: (fileName: string) => string;
}

/**
 * A checkpoint rebuilt from its files (as made by {@link checkpointFiles} or read from a checkpoint directory).
 * config.json and model.safetensors are required; every file is parsed and checked before the model is built.
 */
export function checkpointFromFiles(files: ReadonlyMap<string, Uint8Array>, opts: CheckpointFromFilesOptions = {}): LoadedCheckpoint {
  const file = opts.pathOf ?? ((name: string) => name);
  const configBytes = files.get(CONFIG_FILE);
  const weights = files.get(MODEL_FILE);
  const optimizerBytes = files.get(OPTIMIZER_FILE);
  const stateBytes = files.get(STATE_FILE);
  if (!configBytes) throw new Error(`${file(CONFIG_FILE)}: missing (not a checkpoint directory?)`);
  if (!weights) throw new Error(`${file(MODEL_FILE)}: missing`);
  const state = stateBytes ? parseState(new TextDecoder().decode(stateBytes), file(STATE_FILE)) : { step: 0, rng: null };
  const optimizerRaw = optimizerBytes ? parseOptimizer(optimizerBytes, file(OPTIMIZER_FILE)) : null;
  const model = modelFromFiles(new TextDecoder().decode(configBytes), weights, { configFile: file(CONFIG_FILE), weightsFile: file(MODEL_FILE), backend: opts.backend });
  let optimizerState: OptimizerState | null = null;
  if (optimizerRaw) {
    const tensors = new Map<string, Tensor>();
    for (const [key, raw] of optimizerRaw.tensors) tensors.set(key, keep(tensor(raw.data, { shape: raw.shape, backend: model.backend })));
    optimizerState = { type: optimizerRaw.type, step: optimizerRaw.step, lr: optimizerRaw.lr, tensors };
  }
  return { model, config: model.config, step: state.step, rng: state.rng ? new Rng(state.rng.seed, state.rng.counter) : null, optimizerState };
}

/**
 * A GPT from config.json text and model.safetensors bytes, after checking that the weights are exactly what the
 * config implies (names, shapes, one float dtype). Also accepts the extras transformers may write: a tied
 * lm_head.weight equal to wte, and the attention-mask buffers attn.bias / attn.masked_bias.
 */
export function modelFromFiles(configText: string, weights: Uint8Array, where: { configFile: string; weightsFile: string; backend?: Backend | string }): GPT {
  let json: unknown;
  try {
    json = JSON.parse(configText);
  } catch (e) {
    throw new Error(`${where.configFile}: not valid JSON (${(e as Error).message})`);
  }
  const config = fromHfConfig(json, where.configFile);
  const { tensors } = decodeSafetensors(weights, where.weightsFile);
  const fail = (problem: string): never => {
    throw new Error(`${where.weightsFile}: ${problem}`);
  };
  const floatDtypes = new Set([...tensors.values()].map((t) => t.dtype));
  if (floatDtypes.has('int32')) fail('weights must be F32 or F64, found I32 tensors');
  if (floatDtypes.size > 1) fail(`all weights must share one dtype, found ${[...floatDtypes].join(' and ')}`);
  const dtype = floatDtypes.has('float64') ? 'float64' : 'float32';
  // the sizes the config asks for are checked against the file first, so a bad config cannot make us allocate a
  // model far larger than the weights
  for (const [name, shape] of [['transformer.wte.weight', [config.vocabSize, config.nEmbd]], ['transformer.wpe.weight', [config.blockSize, config.nEmbd]]] as const) {
    const t = tensors.get(name);
    if (!t) fail(`missing tensor '${name}'`);
    else if (t.shape.join() !== shape.join()) fail(`tensor '${name}' is [${t.shape}] but ${where.configFile} implies [${shape}]`);
  }
  const layers = new Set([...tensors.keys()].map((n) => /^transformer\.h\.(\d+)\./.exec(n)?.[1]).filter((i) => i !== undefined));
  if (layers.size !== config.nLayer) fail(`holds ${layers.size} layers but ${where.configFile} says n_layer ${config.nLayer}`);
  const model = new GPT(config, { seed: 0, dtype, backend: where.backend });
  try {
    const params = model.namedParameters();
    const expected = new Map(params.map(([n, p]) => [n, p.shape]));
    const missing = [...expected.keys()].filter((n) => !tensors.has(n));
    if (missing.length > 0) {
      fail(`missing ${missing.length} tensor(s) that ${where.configFile} (n_layer ${config.nLayer}) requires: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
    }
    for (const [name, t] of tensors) {
      const shape = expected.get(name);
      if (shape) {
        if (t.shape.join() !== shape.join()) fail(`tensor '${name}' is [${t.shape}] but ${where.configFile} implies [${shape}]`);
      } else if (name === 'lm_head.weight') {
        const wte = tensors.get('transformer.wte.weight')!;
        if (t.shape.join() !== wte.shape.join() || !t.data.every((v, i) => Object.is(v, wte.data[i]))) {
          fail('lm_head.weight differs from transformer.wte.weight, but slimegrad\'s GPT ties them');
        }
      } else if (!/^transformer\.h\.\d+\.attn\.(masked_)?bias$/.test(name)) {
        fail(`unexpected tensor '${name}' [${t.shape}] (not part of a GPT-2 with ${where.configFile})`);
      }
    }
    noGrad(() => tidy(() => {
      for (const [name, p] of params) {
        const t = tensors.get(name)!;
        p.assign(tensor(t.data, { shape: t.shape, dtype, backend: model.backend }));
      }
    }));
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

function parseState(text: string, file: string): { step: number; rng: { seed: number; counter: number } | null } {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const s = j as { step?: unknown; rng?: { seed?: unknown; counter?: unknown } | null };
  if (typeof j !== 'object' || j === null || !Number.isSafeInteger(s.step) || (s.step as number) < 0) {
    throw new Error(`${file}: expected {"step": integer >= 0, "rng": {...} | null}`);
  }
  if (s.rng === null || s.rng === undefined) return { step: s.step as number, rng: null };
  const { seed, counter } = s.rng;
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(counter) || (counter as number) < 0) {
    throw new Error(`${file}: rng must be {"seed": integer, "counter": integer >= 0}, got ${JSON.stringify(s.rng)}`);
  }
  return { step: s.step as number, rng: { seed: seed as number, counter: counter as number } };
}

function parseOptimizer(bytes: Uint8Array, file: string): { type: string; step: number; lr: number; tensors: Map<string, RawTensor> } {
  const { tensors, metadata } = decodeSafetensors(bytes, file);
  const step = Number(metadata.step);
  const lr = Number(metadata.lr);
  if (!metadata.type || !Number.isSafeInteger(step) || step < 0 || !Number.isFinite(lr)) {
    throw new Error(`${file}: __metadata__ must hold the optimizer type, step and lr, got ${JSON.stringify(metadata)}`);
  }
  return { type: metadata.type, step, lr, tensors };
}
