// The report's opening: what was run, on what, for how long. Shared by the Markdown and HTML reports.

import type { Summary } from './summary.js';

/** Held-out prompts whose answers the reports show (summary.json keeps them all). */
export const SAMPLES_SHOWN = 8;

function minutes(seconds: number): string {
  return seconds < 90 ? `${seconds.toFixed(0)} s` : `${(seconds / 60).toFixed(1)} min`;
}

export function describeRun(summary: Summary): string[] {
  const s = summary.settings as Record<string, unknown>;
  const model = s.model as { nEmbd: number; nLayer: number; nHead: number; blockSize: number } | undefined;
  const seeds = (s.seeds as number[] | undefined)?.length ?? 0;
  const shape = model
    ? ` (${model.nLayer} layers, ${model.nEmbd} wide, ${model.nHead} heads, block ${model.blockSize})`
    : '';
  const task =
    `Task: ${summary.task.description} ${summary.task.trainPairs} training pairs; ` +
    `${summary.task.heldOutPairs} held-out pairs scored for likelihoods and ` +
    `${summary.task.generationPrompts} held-out prompts answered greedily.`;
  const wall =
    `Wall time of the whole run: ${minutes(summary.wallSeconds)}` +
    `${summary.interrupted ? ' (interrupted: partial results)' : ''}.`;
  // --eval-only: one checkpoint scored as it is, so there is no pipeline and no method to describe
  if (typeof s.evalOnly === 'string') {
    return [
      task,
      `Evaluation only: the checkpoint's model, a byte-level GPT-2${shape}, ` +
        'was scored on the held-out set; nothing was trained.',
      wall,
    ];
  }
  const sweep = (s.sweepLr as number[] | undefined) ?? [];
  const rates = sweep.length > 0 ? `each learning rate of the sweep (${sweep.join(', ')})` : `learning rate ${s.lr}`;
  // a sweep lists each method once, not once per rate
  const methods = [...new Map(summary.methods.map((m) => [m.method ?? m.name, m])).values()];
  const paragraphs = [
    task,
    `Pipeline: a byte-level GPT-2${shape} is trained with SFT on the chosen completions (${s.sftSteps} steps), ` +
      `then each method starts from that same checkpoint and trains for ${s.steps} steps of ${s.batchSize} pairs ` +
      `at ${rates} (AdamW, linear warmup over the first tenth of the steps, no weight decay, ` +
      'gradient norm clipped to 1), in the same data order. ' +
      `${seeds} seed${seeds === 1 ? '' : 's'}: each seed has its own SFT run and data order. ` +
      `Held-out evaluation every ${s.evalEvery} steps.`,
    `Methods: ${methods.map((m) => `${m.label.replace(/ @ lr .*$/, '')} — ${m.description}`).join('; ')}.`,
    wall,
  ];
  return paragraphs;
}
