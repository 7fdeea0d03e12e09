// Checkpoints as files: a complete Hugging Face model folder (config.json, generation_config.json,
// model.safetensors in GPT-2 form, and with a tokenizer its tokenizer.json + config + special-tokens map), plus
// optimizer.safetensors and slimegrad_state.json for resuming training. slimegrad_state.json lists every file the
// save wrote with its checksum, so a folder mixing two saves is refused and a later save knows which files are its
// own. Loading also takes what the Hub holds: F16 / BF16 weights, shards listed by model.safetensors.index.json,
// bare GPT2Model names. This module works on bytes only, so it runs in browsers too; checkpoint-files.ts puts
// them in a directory (Node). Loading validates every file completely before building anything.

import type { Backend } from '../backends/backend.js';
import type { Tensor } from '../tensor.js';
import { tensor } from '../creation.js';
import { keep, tidy } from '../memory.js';
import { noGrad } from '../autograd/graph.js';
import { Rng } from '../random.js';
import { GPT, type GPTConfig } from '../nn/gpt.js';
import type { Optimizer, OptimizerState } from '../optim/optimizer.js';
import {
  CHECKSUM_KEY,
  decodeSafetensors,
  encodeSafetensors,
  headerLengthOf,
  parseSafetensorsHeader,
  type RawTensor,
  type SafetensorsContents,
} from './safetensors.js';
import { fromHfConfig, toHfConfig } from './gpt2-config.js';
import type { HalfFormat } from './half.js';
import { Crc32 } from './crc32.js';
import { byteTokenizerFiles, generationConfig, type ByteLevelTokenizer } from './hf-tokenizer.js';
import { INDEX_FILE, gpt2LmHeadNames, mergeShards, parseShardIndex } from './hf-weights.js';

/** The weights, in Hugging Face GPT2LMHeadModel form. */
export const MODEL_FILE = 'model.safetensors';
/** The model's Hugging Face GPT-2 config. */
export const CONFIG_FILE = 'config.json';
/** The optimizer state, for resuming training. */
export const OPTIMIZER_FILE = 'optimizer.safetensors';
/** Step, random stream and the checksum of every file the save wrote. */
export const STATE_FILE = 'slimegrad_state.json';
/** The special ids generation uses (Hugging Face's GenerationConfig). */
export const GENERATION_CONFIG_FILE = 'generation_config.json';
// what a slimegrad_state.json of format 1 (no file list) implies slimegrad wrote
const FORMAT1_FILES = [MODEL_FILE, CONFIG_FILE, OPTIMIZER_FILE];
const TORCH_DTYPE: Record<'F32' | HalfFormat, string> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

/** What a checkpoint holds besides the model. */
export interface SaveCheckpointOptions {
  optimizer?: Optimizer;
  /** Training steps completed. */
  step?: number;
  /** The training loop's random stream (data order, dropout), so a resumed run draws the same numbers. */
  rng?: Rng;
  /** Extra config.json keys (bos_token_id, eos_token_id, ...; a tokenizer sets those three itself). */
  configExtra?: Record<string, unknown>;
  /**
   * The byte-level tokenizer the model reads (e.g. `data.ByteTokenizer`): its special ids go into config.json and
   * generation_config.json, its Hugging Face files into the checkpoint, so AutoTokenizer and TRL can use it.
   */
  tokenizer?: ByteLevelTokenizer;
  /** A Jinja chat template for tokenizer_config.json (needs `tokenizer`). */
  chatTemplate?: string;
  /**
   * How model.safetensors stores the weights: as the model holds them (default),
   * or F32 / F16 / BF16 (rounded to nearest even).
   */
  weightsDtype?: 'F32' | HalfFormat;
}

/** A loaded checkpoint: the model, and the training state when the checkpoint has one. */
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

/**
 * The bytes of model.safetensors and the text of config.json for a model;
 * `weightsDtype` as in SaveCheckpointOptions.
 */
export async function modelFiles(
  model: GPT,
  configExtra: Record<string, unknown> = {},
  weightsDtype?: 'F32' | HalfFormat,
): Promise<{ weights: Uint8Array; config: string }> {
  const tensors = new Map<string, RawTensor>();
  for (const [name, p] of model.namedParameters()) tensors.set(name, await rawOf(p));
  const torchDtype = weightsDtype ? TORCH_DTYPE[weightsDtype] : model.dtype;
  return {
    weights: encodeSafetensors(tensors, { format: 'pt' }, { floatsAs: weightsDtype }),
    config: `${JSON.stringify({ ...toHfConfig(model.config, configExtra), torch_dtype: torchDtype }, null, 2)}\n`,
  };
}

/** A checkpoint as its files, name -> bytes: what a checkpoint directory holds, for places without a file system. */
export type CheckpointFiles = Map<string, Uint8Array>;

/**
 * The files of a checkpoint (model, config, optional optimizer state, step and rng), as bytes. The same bytes a
 * checkpoint directory holds, so a browser can offer them for download and Node can write them to disk.
 */
export async function checkpointFiles(model: GPT, opts: SaveCheckpointOptions = {}): Promise<CheckpointFiles> {
  const { step = opts.optimizer?.stepCount ?? 0, rng, optimizer, tokenizer } = opts;
  if (!Number.isSafeInteger(step) || step < 0)
    throw new Error(`checkpointFiles: step must be an integer >= 0, got ${step}`);
  if (tokenizer && tokenizer.vocabSize !== model.config.vocabSize) {
    throw new Error(
      `checkpointFiles: the tokenizer has ${tokenizer.vocabSize} tokens ` +
        `but the model's vocabSize is ${model.config.vocabSize}`,
    );
  }
  if (opts.chatTemplate !== undefined && !tokenizer)
    throw new Error('checkpointFiles: chatTemplate needs a tokenizer (it goes into tokenizer_config.json)');
  const text = new TextEncoder();
  const files: CheckpointFiles = new Map();
  const ids = tokenizer
    ? { bos_token_id: tokenizer.bos, eos_token_id: tokenizer.eos, pad_token_id: tokenizer.pad }
    : {};
  const configExtra = { ...ids, ...opts.configExtra };
  const { weights, config } = await modelFiles(model, configExtra, opts.weightsDtype);
  files.set(MODEL_FILE, weights);
  files.set(CONFIG_FILE, text.encode(config));
  files.set(GENERATION_CONFIG_FILE, text.encode(generationConfig(configExtra)));
  if (tokenizer) {
    const tokenizerFiles = byteTokenizerFiles(tokenizer, model.config.blockSize, { chatTemplate: opts.chatTemplate });
    for (const [name, content] of Object.entries(tokenizerFiles)) files.set(name, text.encode(content));
  }
  if (optimizer) {
    const state = optimizer.state();
    const tensors = new Map<string, RawTensor>();
    try {
      for (const [key, t] of state.tensors) tensors.set(key, await rawOf(t));
    } finally {
      for (const t of state.tensors.values()) t.dispose();
    }
    files.set(
      OPTIMIZER_FILE,
      encodeSafetensors(tensors, { type: state.type, step: String(state.step), lr: String(state.lr) }),
    );
  }
  const manifest = Object.fromEntries([...files].map(([name, bytes]) => [name, fileChecksum(name, bytes)]));
  files.set(
    STATE_FILE,
    text.encode(`${JSON.stringify({ format: 2, step, rng: rng ? rng.state() : null, files: manifest }, null, 2)}\n`),
  );
  return files;
}

/**
 * What slimegrad_state.json records per file: for a .safetensors file the checksum of its tensors (the one in its
 * own metadata, verified whenever it is read), for any other file the CRC-32 of its bytes.
 */
function fileChecksum(name: string, bytes: Uint8Array): string {
  if (!name.endsWith('.safetensors')) return new Crc32().update(bytes).hex();
  const header = parseSafetensorsHeader(
    bytes.subarray(8, 8 + headerLengthOf(bytes, bytes.length, name)),
    bytes.length,
    name,
  );
  return header.metadata[CHECKSUM_KEY] ?? '';
}

/** The files slimegrad wrote into a checkpoint folder, from its slimegrad_state.json (empty if there is none). */
export function filesWrittenBySlimegrad(stateBytes: Uint8Array | undefined, file: string): string[] {
  if (!stateBytes) return [];
  const state = parseState(new TextDecoder().decode(stateBytes), file);
  return [...(state.files ? Object.keys(state.files) : FORMAT1_FILES), STATE_FILE];
}

/** Options for loading a checkpoint. */
export interface LoadOptions {
  backend?: Backend | string;
}

/** Options of {@link checkpointFromFiles}. */
export interface CheckpointFromFilesOptions extends LoadOptions {
  /** How errors name a file, e.g. by its full path (default: the bare file name). */
  pathOf?: (fileName: string) => string;
}

/** Which files loading reads, decided from the names present and the small JSON files. */
export interface CheckpointReadPlan {
  /** Files to read whole (JSON files the state lists, to check them against it). */
  bytes: string[];
  /** safetensors files to read and decode: the weights (one file or the shards) and, if any, the optimizer state. */
  safetensors: string[];
}

/**
 * The files a checkpoint load needs beyond config.json / slimegrad_state.json / the shard index (which the caller
 * reads first, when present). `present` tells which files exist; `pathOf` names them in errors.
 */
export function checkpointReadPlan(
  present: (name: string) => boolean,
  small: ReadonlyMap<string, Uint8Array>,
  pathOf: (name: string) => string = (n) => n,
): CheckpointReadPlan {
  if (!small.has(CONFIG_FILE)) throw new Error(`${pathOf(CONFIG_FILE)}: missing (not a checkpoint directory?)`);
  const stateBytes = small.get(STATE_FILE);
  const listed = stateBytes ? parseState(new TextDecoder().decode(stateBytes), pathOf(STATE_FILE)).files : null;
  let weights: string[];
  if (present(MODEL_FILE)) weights = [MODEL_FILE];
  else if (small.has(INDEX_FILE))
    weights = parseShardIndex(new TextDecoder().decode(small.get(INDEX_FILE)), pathOf(INDEX_FILE)).shards;
  else {
    throw new Error(
      `${pathOf(MODEL_FILE)}: missing, and no ${INDEX_FILE} of shards either ` +
        '(slimegrad reads safetensors weights only; a pytorch_model.bin must be converted first)',
    );
  }
  const optimizer = present(OPTIMIZER_FILE) && (!listed || OPTIMIZER_FILE in listed) ? [OPTIMIZER_FILE] : [];
  const bytes = listed ? Object.keys(listed).filter((n) => !n.endsWith('.safetensors') && !small.has(n)) : [];
  return { bytes, safetensors: [...weights, ...optimizer] };
}

/**
 * A checkpoint rebuilt from its files (as made by {@link checkpointFiles} or read from a checkpoint directory).
 * config.json and the weights (model.safetensors, or the shards of model.safetensors.index.json) are required;
 * every file is parsed and checked before the model is built.
 */
export function checkpointFromFiles(
  files: ReadonlyMap<string, Uint8Array>,
  opts: CheckpointFromFilesOptions = {},
): LoadedCheckpoint {
  const file = opts.pathOf ?? ((name: string) => name);
  const plan = checkpointReadPlan((name) => files.has(name), files, file);
  const decoded = new Map<string, SafetensorsContents>();
  for (const name of plan.safetensors) {
    const bytes = files.get(name);
    if (!bytes) throw new Error(`${file(name)}: missing`);
    decoded.set(name, decodeSafetensors(bytes, file(name)));
  }
  return checkpointFromContents(files, decoded, opts);
}

/**
 * The last step of loading, shared by checkpointFromFiles and the Node loader (which reads safetensors files by
 * ranges): `files` holds the JSON files' bytes, `safetensors` the decoded files of the read plan.
 */
export function checkpointFromContents(
  files: ReadonlyMap<string, Uint8Array>,
  safetensors: ReadonlyMap<string, SafetensorsContents>,
  opts: CheckpointFromFilesOptions = {},
): LoadedCheckpoint {
  const file = opts.pathOf ?? ((name: string) => name);
  const stateBytes = files.get(STATE_FILE);
  const state = stateBytes
    ? parseState(new TextDecoder().decode(stateBytes), file(STATE_FILE))
    : { step: 0, rng: null, files: null };
  for (const [name, expected] of Object.entries(state.files ?? {})) {
    const contents = safetensors.get(name);
    const bytes = files.get(name);
    const actual = contents ? contents.metadata[CHECKSUM_KEY] : bytes ? new Crc32().update(bytes).hex() : undefined;
    if (actual === undefined) throw new Error(`${file(name)}: missing, but ${STATE_FILE} lists it`);
    if (actual !== expected) {
      throw new Error(
        `${file(name)}: does not match ${STATE_FILE} (checksum ${actual}, listed ${expected}): ` +
          'the folder mixes files of two saves, e.g. an interrupted save or a file copied in from elsewhere',
      );
    }
  }
  const optimizerContents = safetensors.get(OPTIMIZER_FILE);
  const optimizerRaw = optimizerContents ? parseOptimizer(optimizerContents, file(OPTIMIZER_FILE)) : null;
  const weights = weightTensors(files, safetensors, file);
  const configBytes = files.get(CONFIG_FILE);
  if (!configBytes) throw new Error(`${file(CONFIG_FILE)}: missing (not a checkpoint directory?)`);
  const model = modelFromTensors(new TextDecoder().decode(configBytes), weights.tensors, {
    configFile: file(CONFIG_FILE),
    weightsFile: weights.file,
    backend: opts.backend,
  });
  let optimizerState: OptimizerState | null = null;
  if (optimizerRaw) {
    const tensors = new Map<string, Tensor>();
    for (const [key, raw] of optimizerRaw.tensors)
      tensors.set(key, keep(tensor(raw.data, { shape: raw.shape, backend: model.backend })));
    optimizerState = { type: optimizerRaw.type, step: optimizerRaw.step, lr: optimizerRaw.lr, tensors };
  }
  return {
    model,
    config: model.config,
    step: state.step,
    rng: state.rng ? new Rng(state.rng.seed, state.rng.counter) : null,
    optimizerState,
  };
}

/** The weights under GPT2LMHeadModel names, from model.safetensors or merged from the index's shards. */
function weightTensors(
  files: ReadonlyMap<string, Uint8Array>,
  safetensors: ReadonlyMap<string, SafetensorsContents>,
  file: (name: string) => string,
): { tensors: Map<string, RawTensor>; file: string } {
  const single = safetensors.get(MODEL_FILE);
  if (single) return { tensors: gpt2LmHeadNames(single.tensors, file(MODEL_FILE)), file: file(MODEL_FILE) };
  const indexBytes = files.get(INDEX_FILE);
  if (!indexBytes) throw new Error(`${file(MODEL_FILE)}: missing`);
  const index = parseShardIndex(new TextDecoder().decode(indexBytes), file(INDEX_FILE));
  const merged = mergeShards(index, new Map(index.shards.map((s) => [s, safetensors.get(s)!])), file(INDEX_FILE));
  return { tensors: gpt2LmHeadNames(merged, file(INDEX_FILE)), file: `${file(INDEX_FILE)} (shards)` };
}

/**
 * A GPT from config.json text and model.safetensors bytes, after checking that the weights are exactly what the
 * config implies (names, shapes, one float dtype). Also accepts the extras transformers may write: a tied
 * lm_head.weight equal to wte, and the attention-mask buffers attn.bias / attn.masked_bias.
 */
export function modelFromFiles(configText: string, weights: Uint8Array, where: ModelSource): GPT {
  return modelFromTensors(
    configText,
    gpt2LmHeadNames(decodeSafetensors(weights, where.weightsFile).tensors, where.weightsFile),
    where,
  );
}

/** Where model weights come from, for error messages, and the backend to build the model on. */
export interface ModelSource {
  configFile: string;
  weightsFile: string;
  backend?: Backend | string;
}

/** {@link modelFromFiles} for weights already decoded (and named as GPT2LMHeadModel names them). */
export function modelFromTensors(configText: string, tensors: ReadonlyMap<string, RawTensor>, where: ModelSource): GPT {
  let json: unknown;
  try {
    json = JSON.parse(configText);
  } catch (e) {
    throw new Error(`${where.configFile}: not valid JSON (${(e as Error).message})`);
  }
  const config = fromHfConfig(json, where.configFile);
  const fail = (problem: string): never => {
    throw new Error(`${where.weightsFile}: ${problem}`);
  };
  const floatDtypes = new Set([...tensors.values()].map((t) => t.dtype));
  if (floatDtypes.has('int32')) fail('weights must be floats (F32, F64, F16 or BF16), found I32 tensors');
  if (floatDtypes.size > 1) fail(`all weights must share one dtype, found ${[...floatDtypes].join(' and ')}`);
  const dtype = floatDtypes.has('float64') ? 'float64' : 'float32';
  // the sizes the config asks for are checked against the file first, so a bad config cannot make us allocate a
  // model far larger than the weights
  for (const [name, shape] of [
    ['transformer.wte.weight', [config.vocabSize, config.nEmbd]],
    ['transformer.wpe.weight', [config.blockSize, config.nEmbd]],
  ] as const) {
    const t = tensors.get(name);
    if (!t) fail(`missing tensor '${name}'`);
    else if (t.shape.join() !== shape.join())
      fail(`tensor '${name}' is [${t.shape}] but ${where.configFile} implies [${shape}]`);
  }
  const layers = new Set(
    [...tensors.keys()].map((n) => /^transformer\.h\.(\d+)\./.exec(n)?.[1]).filter((i) => i !== undefined),
  );
  if (layers.size !== config.nLayer)
    fail(`holds ${layers.size} layers but ${where.configFile} says n_layer ${config.nLayer}`);
  const model = new GPT(config, { seed: 0, dtype, backend: where.backend });
  try {
    const params = model.namedParameters();
    const expected = new Map(params.map(([n, p]) => [n, p.shape]));
    const missing = [...expected.keys()].filter((n) => !tensors.has(n));
    if (missing.length > 0) {
      fail(
        `missing ${missing.length} tensor(s) that ${where.configFile} (n_layer ${config.nLayer}) requires: ` +
          `${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`,
      );
    }
    for (const [name, t] of tensors) {
      const shape = expected.get(name);
      if (shape) {
        if (t.shape.join() !== shape.join())
          fail(`tensor '${name}' is [${t.shape}] but ${where.configFile} implies [${shape}]`);
      } else if (name === 'lm_head.weight') {
        const wte = tensors.get('transformer.wte.weight')!;
        if (t.shape.join() !== wte.shape.join() || !t.data.every((v, i) => Object.is(v, wte.data[i]))) {
          fail("lm_head.weight differs from transformer.wte.weight, but slimegrad's GPT ties them");
        }
      } else if (!/^transformer\.h\.\d+\.attn\.(masked_)?bias$/.test(name)) {
        fail(`unexpected tensor '${name}' [${t.shape}] (not part of a GPT-2 with ${where.configFile})`);
      }
    }
    noGrad(() =>
      tidy(() => {
        for (const [name, p] of params) {
          const t = tensors.get(name)!;
          p.assign(tensor(t.data, { shape: t.shape, dtype, backend: model.backend }));
        }
      }),
    );
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

interface CheckpointState {
  step: number;
  rng: { seed: number; counter: number } | null;
  /** File name -> checksum of every file the save wrote (format 2); null for format 1 and foreign folders. */
  files: Record<string, string> | null;
}

function parseState(text: string, file: string): CheckpointState {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const s = j as { step?: unknown; rng?: { seed?: unknown; counter?: unknown } | null; files?: unknown };
  if (typeof j !== 'object' || j === null || !Number.isSafeInteger(s.step) || (s.step as number) < 0) {
    throw new Error(`${file}: expected {"step": integer >= 0, "rng": {...} | null}`);
  }
  let files: Record<string, string> | null = null;
  if (s.files !== undefined) {
    const ok =
      typeof s.files === 'object' &&
      s.files !== null &&
      !Array.isArray(s.files) &&
      Object.entries(s.files).every(([n, c]) => /^[^/\\]+$/.test(n) && !n.startsWith('.') && typeof c === 'string');
    if (!ok) throw new Error(`${file}: "files" must map plain file names of the folder to checksums`);
    files = s.files as Record<string, string>;
  }
  const step = s.step as number;
  if (s.rng === null || s.rng === undefined) return { step, rng: null, files };
  const { seed, counter } = s.rng;
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(counter) || (counter as number) < 0) {
    throw new Error(`${file}: rng must be {"seed": integer, "counter": integer >= 0}, got ${JSON.stringify(s.rng)}`);
  }
  return { step, rng: { seed: seed as number, counter: counter as number }, files };
}

function parseOptimizer(
  { tensors, metadata }: SafetensorsContents,
  file: string,
): { type: string; step: number; lr: number; tensors: Map<string, RawTensor> } {
  const step = Number(metadata.step);
  const lr = Number(metadata.lr);
  if (!metadata.type || !Number.isSafeInteger(step) || step < 0 || !Number.isFinite(lr)) {
    throw new Error(`${file}: __metadata__ must hold the optimizer type, step and lr, got ${JSON.stringify(metadata)}`);
  }
  return { type: metadata.type, step, lr, tensors };
}
