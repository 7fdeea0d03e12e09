// io: safetensors and Hugging Face GPT-2 checkpoints, as bytes (directories on disk: checkpoint-files.ts, Node only).

export {
  encodeSafetensors,
  decodeSafetensors,
  readSafetensors,
  parseSafetensorsHeader,
  headerLengthOf,
  tensorFromBytes,
  MAX_HEADER_BYTES,
  type RawTensor,
  type SafetensorsContents,
  type SafetensorsHeader,
  type TensorEntry,
  type ByteSource,
  type StoredFloat,
} from './safetensors.js';
export { halfToFloat32, toHalfBits, toHalfBytes, type HalfFormat } from './half.js';
export { toHfConfig, fromHfConfig, type HfGpt2Config } from './gpt2-config.js';
export {
  checkpointFiles,
  checkpointFromFiles,
  checkpointReadPlan,
  checkpointFromContents,
  modelFiles,
  modelFromFiles,
  modelFromTensors,
  MODEL_FILE,
  CONFIG_FILE,
  OPTIMIZER_FILE,
  STATE_FILE,
  GENERATION_CONFIG_FILE,
  type CheckpointFiles,
  type CheckpointFromFilesOptions,
  type CheckpointReadPlan,
  type SaveCheckpointOptions,
  type LoadedCheckpoint,
  type LoadOptions,
  type ModelSource,
} from './checkpoint.js';
export {
  byteTokenizerFiles,
  byteLevelAlphabet,
  generationConfig,
  type ByteLevelTokenizer,
  type TokenizerFiles,
} from './hf-tokenizer.js';
export { INDEX_FILE, parseShardIndex, mergeShards, gpt2LmHeadNames, type ShardIndex } from './hf-weights.js';
