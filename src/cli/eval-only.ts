// `--eval-only DIR`: score any checkpoint folder (one this showcase saved, or one trained elsewhere, e.g. with TRL,
// and brought back) on the same held-out set a training run uses, and write the same report. The checkpoint stands
// where a run's SFT checkpoint stands: the starting point the report measures, with no methods trained from it.

import type { LoadedCheckpoint } from '../io/checkpoint.js';
import { loadCheckpoint } from '../io/checkpoint-files.js';
import type { ByteTokenizer } from '../data/tokenizer.js';
import { evaluateHeldOut, type HeldOutSet } from '../train/evaluate.js';
import type { RunResults } from '../report/summary.js';
import type { ShowcaseSettings } from './args.js';

/**
 * Loads the checkpoint and checks that the showcase's byte tokenizer can drive it. The model's size replaces the
 * size flags in the settings, so the data is checked against the block size the model really has.
 */
export async function loadForEvaluation(
  settings: ShowcaseSettings,
  dir: string,
  tokenizer: ByteTokenizer,
): Promise<LoadedCheckpoint> {
  const loaded = await loadCheckpoint(dir, { backend: settings.backend });
  const { vocabSize, blockSize, nEmbd, nLayer, nHead } = loaded.config;
  if (vocabSize !== tokenizer.vocabSize) {
    loaded.model.dispose();
    throw new Error(
      `${dir}: the model has ${vocabSize} tokens, but the showcase's byte tokenizer has ` +
        `${tokenizer.vocabSize} (256 bytes + BOS, EOS, PAD); --eval-only scores byte-level checkpoints`,
    );
  }
  settings.model = { blockSize, nEmbd, nLayer, nHead };
  settings.modelName = `checkpoint ${dir}`;
  settings.methods = [];
  settings.seeds = [0];
  return loaded;
}

/** Scores the loaded checkpoint and records it in `results` as the run's checkpoint. */
export async function evaluateCheckpoint(
  loaded: LoadedCheckpoint,
  dir: string,
  heldOut: HeldOutSet,
  tokenizer: ByteTokenizer,
  results: RunResults,
): Promise<void> {
  const started = Date.now();
  const measured = await evaluateHeldOut(loaded.model, heldOut, tokenizer);
  const about = `Evaluation only, no training: checkpoint ${dir} (saved at step ${loaded.step}).`;
  results.task = { ...results.task, description: `${about} ${results.task.description}` };
  // no training happened here, so there is no SFT loss to report
  const seconds = (Date.now() - started) / 1000;
  results.checkpoints.push({ seed: 0, sftSteps: loaded.step, sftSeconds: seconds, sftLoss: NaN, ...measured });
}
