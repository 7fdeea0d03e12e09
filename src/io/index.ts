// io: safetensors and Hugging Face GPT-2 checkpoints, as bytes (directories on disk: checkpoint-files.ts, Node only).

export { encodeSafetensors, decodeSafetensors, type RawTensor, type SafetensorsContents } from './safetensors.js';
export { toHfConfig, fromHfConfig, type HfGpt2Config } from './gpt2-config.js';
export {
  checkpointFiles, checkpointFromFiles, modelFiles, modelFromFiles,
  MODEL_FILE, CONFIG_FILE, OPTIMIZER_FILE, STATE_FILE,
  type CheckpointFiles, type CheckpointFromFilesOptions, type SaveCheckpointOptions, type LoadedCheckpoint, type LoadOptions,
} from './checkpoint.js';
