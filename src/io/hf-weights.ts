// How Hugging Face lays out GPT-2 weights beyond a single model.safetensors: sharded files listed by
// model.safetensors.index.json, and the names a bare GPT2Model saves (wte.weight, h.0.*, ln_f.*) next to the
// GPT2LMHeadModel names slimegrad writes (transformer.wte.weight, ...). Byte- and JSON-level only: the caller reads
// the files.

import type { RawTensor, SafetensorsContents } from './safetensors.js';

/** The index of a sharded checkpoint. */
export const INDEX_FILE = 'model.safetensors.index.json';

/** A parsed shard index: which shard file holds each tensor. */
export interface ShardIndex {
  /** Shard file names, in first-mention order. */
  shards: string[];
  weightMap: Map<string, string>;
}

/** Parses and checks model.safetensors.index.json text; shard names must be plain file names in the same folder. */
export function parseShardIndex(text: string, file: string): ShardIndex {
  const fail = (problem: string): never => {
    throw new Error(`${file}: ${problem}`);
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(`not valid JSON (${(e as Error).message})`);
  }
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map))
    fail('must be an object with a "weight_map" object');
  const weightMap = new Map<string, string>();
  for (const [name, shard] of Object.entries(map as Record<string, unknown>)) {
    // a shard name that walks out of the folder (../x, /etc/x, a\\x) would read files that are not the checkpoint's
    if (typeof shard !== 'string' || !/^[^/\\]+\.safetensors$/.test(shard) || shard.startsWith('.')) {
      fail(`weight_map['${name}'] must name a .safetensors file in the same folder, got ${JSON.stringify(shard)}`);
    }
    weightMap.set(name, shard as string);
  }
  if (weightMap.size === 0) fail('weight_map is empty');
  return { shards: [...new Set(weightMap.values())], weightMap };
}

/** One tensor map from the shards' contents, checking each tensor is where the index says and nowhere else. */
export function mergeShards(
  index: ShardIndex,
  shards: Map<string, SafetensorsContents>,
  indexFile: string,
): Map<string, RawTensor> {
  const merged = new Map<string, RawTensor>();
  for (const shard of index.shards) {
    const contents = shards.get(shard);
    if (!contents) throw new Error(`${indexFile}: shard ${shard} was not read`);
    for (const [name, t] of contents.tensors) {
      const listed = index.weightMap.get(name);
      if (listed !== shard) {
        throw new Error(
          `${shard}: holds tensor '${name}', which ${indexFile} ${listed ? `places in ${listed}` : 'does not list'}`,
        );
      }
      merged.set(name, t);
    }
  }
  for (const [name, shard] of index.weightMap) {
    if (!merged.has(name)) throw new Error(`${shard}: lacks tensor '${name}', which ${indexFile} places there`);
  }
  return merged;
}

const LM_NAMES = /^(transformer\.|lm_head\.weight$)/;
const BARE_NAMES = /^(wte|wpe|ln_f|h\.\d+)\./;

/**
 * The tensors under GPT2LMHeadModel's names: a bare GPT2Model's names (wte.weight, h.0.attn.c_attn.weight, ...)
 * get the "transformer." prefix. A file mixing both styles, or naming neither, is refused with examples.
 */
export function gpt2LmHeadNames(tensors: Map<string, RawTensor>, file: string): Map<string, RawTensor> {
  const names = [...tensors.keys()];
  const lm = names.filter((n) => LM_NAMES.test(n));
  const bare = names.filter((n) => BARE_NAMES.test(n));
  const show = (list: string[]) =>
    list
      .slice(0, 3)
      .map((n) => `'${n}'`)
      .join(', ');
  if (lm.length > 0 && bare.length > 0) {
    throw new Error(`${file}: mixes GPT2LMHeadModel names (${show(lm)}) with bare GPT2Model names (${show(bare)})`);
  }
  if (bare.length === 0) {
    if (lm.length === 0 && names.length > 0) {
      throw new Error(
        `${file}: no GPT-2 tensor names (found ${show(names)}; expected 'transformer.wte.weight', ... ` +
          "as GPT2LMHeadModel saves them, or 'wte.weight', ... as GPT2Model does)",
      );
    }
    return tensors;
  }
  return new Map(names.map((n) => [BARE_NAMES.test(n) ? `transformer.${n}` : n, tensors.get(n)!]));
}
