// What a reader needs around the numbers: a warning when the run is too short to mean anything, a glossary, the
// command that reproduces the run, and its settings as readable rows. Shared by report.html, report.md and the lab.

import type { Summary } from './summary.js';

/** Below this held-out answer accuracy the SFT checkpoint has not learned the task: methods are compared on noise. */
export const MIN_CHECKPOINT_ACCURACY = 0.5;
/** Fewer preference steps than this barely move the model: differences between methods are mostly seed noise. */
export const MIN_PREFERENCE_STEPS = 32;

const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;

/** Plain-words warnings about a run too short (or too small) for its comparison to mean much; none for a sound run. */
export function shortRunWarnings(summary: Summary): string[] {
  const s = summary.settings as { steps?: number; seeds?: unknown[]; sftSteps?: number; quick?: boolean };
  const out: string[] = [];
  const accuracy = summary.checkpoint.final.eval_answer_accuracy?.mean;
  if (
    accuracy !== undefined &&
    Number.isFinite(accuracy) &&
    accuracy < MIN_CHECKPOINT_ACCURACY &&
    summary.task.kind === 'addition'
  ) {
    out.push(
      `The SFT checkpoint answers only ${pct(accuracy)} of held-out prompts correctly after ${s.sftSteps} SFT steps: ` +
        'it has not learned the task yet, so the methods below are compared on an undertrained model ' +
        'and their differences say little. Run more SFT steps (the default run, without --quick, uses 200).',
    );
  }
  if (typeof s.steps === 'number' && s.steps < MIN_PREFERENCE_STEPS) {
    out.push(
      `Only ${s.steps} preference steps per method: too few for the losses to pull apart; ` +
        'treat differences as noise (the default run uses 96).',
    );
  }
  const seeds = s.seeds?.length ?? 0;
  if (seeds < 2) out.push('A single seed: there is no spread over seeds to tell a real difference from noise.');
  if (summary.interrupted) out.push('The run was interrupted: only the runs that finished are reported.');
  return out;
}

/** Terms the report uses, defined once. */
export const GLOSSARY: readonly [string, string][] = [
  [
    'nat',
    'the unit of a natural-log probability: a log-prob of -1 nat is a probability of e^-1 ≈ 0.37; -2.3 nats ≈ 0.1.',
  ],
  [
    'lbar',
    'the mean per-token log-prob of a completion (nats per token), length-normalised: ' +
      'lbar(chosen) near 0 means the model finds the chosen answer very likely; ' +
      'a falling lbar(chosen) is "unlearning" the answer it should prefer.',
  ],
  [
    'sum-l',
    'the summed log-prob of a completion (nats): lbar times its length. DPO, IPO and KTO score completions this way.',
  ],
  [
    'margin',
    'lbar(chosen) - lbar(rejected) on held-out pairs (nats per token): how far apart the model puts the two answers.',
  ],
  [
    'lowest rejected-token p',
    'the smallest probability the model gives any token of any held-out rejected completion: ' +
      'a value collapsing towards 0 means rejected tokens are being crushed, ' +
      "which SLIME's stabilizer is meant to prevent.",
  ],
  [
    'format-valid',
    'the fraction of greedy answers to held-out prompts that are exactly in the template "A:<number>." ' +
      'followed by end-of-sequence.',
  ],
  ['answer accuracy', 'the fraction of greedy answers whose number is the correct sum.'],
  ['seed', 'one full repetition: its own SFT run (initialisation) and data order. Means and ± spreads are over seeds.'],
];

interface Flags {
  methods?: string[];
  seeds?: unknown[];
  sftSteps?: number;
  steps?: number;
  batchSize?: number;
  lr?: number;
  sftLr?: number;
  evalEvery?: number;
  modelName?: string;
  model?: { nEmbd: number; nLayer: number; nHead: number; blockSize: number };
  backend?: string;
  data?: string | null;
  chatTemplate?: string | null;
  evalOnly?: string | null;
  out?: string;
  quick?: boolean;
  sweepLr?: number[];
}

/** The `npm start` command line that reruns these settings (every flag spelled out, so defaults may change safely). */
export function reproduceCommand(settings: Record<string, unknown>): string {
  const s = settings as Flags;
  const flags: string[] = [];
  const add = (flag: string, value: unknown): void => {
    if (value !== undefined && value !== null) flags.push(`--${flag} ${String(value)}`);
  };
  if (s.quick) flags.push('--quick');
  add('methods', s.methods?.join(','));
  add('seeds', s.seeds?.length);
  add('sft-steps', s.sftSteps);
  add('steps', s.steps);
  add('batch', s.batchSize);
  if (s.sweepLr && s.sweepLr.length > 0) add('sweep-lr', s.sweepLr.join(','));
  else add('lr', s.lr);
  add('sft-lr', s.sftLr);
  add('eval-every', s.evalEvery);
  add('model', s.modelName);
  if (s.model) {
    add('n-embd', s.model.nEmbd);
    add('n-layer', s.model.nLayer);
    add('n-head', s.model.nHead);
    add('block-size', s.model.blockSize);
  }
  add('backend', s.backend);
  add('data', s.data);
  add('chat-template', s.chatTemplate);
  add('eval-only', s.evalOnly);
  add('out', s.out);
  return `npm start -- ${flags.join(' ')}`;
}

const NAMES: Record<string, string> = {
  methods: 'methods',
  seeds: 'seeds',
  sftSteps: 'SFT steps',
  steps: 'preference steps per method',
  batchSize: 'pairs per step',
  lr: 'preference learning rate',
  sweepLr: 'learning rates swept',
  sftLr: 'SFT learning rate',
  evalEvery: 'evaluate every (steps)',
  evalPairs: 'held-out pairs scored',
  evalGenerations: 'held-out prompts answered',
  trainSize: 'training pairs generated',
  modelName: 'model preset',
  model: 'model size',
  backend: 'backend',
  data: 'data file',
  chatTemplate: 'chat template',
  evalOnly: 'checkpoint evaluated (no training)',
  out: 'output folder',
  quick: 'quick run',
  progress: 'progress bars',
};

function show(key: string, value: unknown): string {
  if (value === null || value === undefined) {
    if (key === 'data') return 'the synthetic addition task';
    return key === 'chatTemplate' ? 'the default template' : '—';
  }
  if (key === 'model' && typeof value === 'object') {
    const m = value as { nEmbd: number; nLayer: number; nHead: number; blockSize: number };
    return `${m.nLayer} layers, ${m.nEmbd} wide, ${m.nHead} heads, block ${m.blockSize} tokens`;
  }
  if (key === 'seeds' && Array.isArray(value)) return `${value.length} (${value.join(', ')})`;
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** The settings as [readable name, readable value] rows, in a stable order (unknown keys last, by their own name). */
export function settingsRows(settings: Record<string, unknown>): [string, string][] {
  // an unset --eval-only says nothing about the run; an unset --data or --chat-template does (the defaults were used)
  const shown = (k: string): boolean => k in settings && !(k === 'evalOnly' && settings[k] == null);
  const keys = [...Object.keys(NAMES).filter(shown), ...Object.keys(settings).filter((k) => !(k in NAMES))];
  return keys.map((k) => [NAMES[k] ?? k, show(k, settings[k])]);
}
