// Command-line flags of the showcase: parsed, checked and turned into one plain settings object before anything
// runs, so a typo costs a second, not a training run.

import { parseArgs } from 'node:util';
import { availableBackends } from '../index.js';
import { METHOD_NAMES, ABLATION_NAMES, OPTIONAL_METHOD_NAMES } from './methods.js';

/** A bad command line: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ModelSize {
  nEmbd: number;
  nLayer: number;
  nHead: number;
  blockSize: number;
}

export const MODEL_PRESETS: Record<string, ModelSize> = {
  micro: { nEmbd: 16, nLayer: 1, nHead: 2, blockSize: 32 },
  tiny: { nEmbd: 48, nLayer: 2, nHead: 4, blockSize: 32 },
  small: { nEmbd: 64, nLayer: 2, nHead: 4, blockSize: 48 },
};

export interface ShowcaseSettings {
  methods: string[];
  seeds: number[];
  sftSteps: number;
  steps: number;
  batchSize: number;
  lr: number;
  /** --sweep-lr: every method runs at each of these rates (same seeds and data order); empty for one run at lr. */
  sweepLr: number[];
  sftLr: number;
  evalEvery: number;
  /** Held-out pairs scored for likelihoods, and held-out prompts answered by greedy generation. */
  evalPairs: number;
  evalGenerations: number;
  trainSize: number;
  modelName: string;
  model: ModelSize;
  /** A name from the backend registry (availableBackends()). */
  backend: string;
  data: string | null;
  /** A tokenizer_config.json whose chat_template renders conversational --data rows (default template if null). */
  chatTemplate: string | null;
  /** A checkpoint folder to score on the held-out set instead of training (--eval-only). */
  evalOnly: string | null;
  out: string;
  quick: boolean;
  progress: boolean;
}

/** The default run is sized to finish within 10 minutes on 2 CPU cores; --quick within 2 (measured, see README). */
const FULL = {
  seeds: 3,
  sftSteps: 200,
  steps: 96,
  batchSize: 16,
  evalEvery: 12,
  evalPairs: 64,
  evalGenerations: 32,
  trainSize: 1024,
  model: 'tiny',
};
const QUICK = {
  seeds: 2,
  sftSteps: 100,
  steps: 16,
  batchSize: 16,
  evalEvery: 8,
  evalPairs: 32,
  evalGenerations: 16,
  trainSize: 512,
  model: 'tiny',
};

/** "(default D; quick Q)" for a --help line: the setting in the default run and in --quick. */
function defaults(key: 'seeds' | 'steps' | 'sftSteps' | 'evalEvery'): string {
  return `(default ${FULL[key]}; quick ${QUICK[key]})`;
}

export const HELP = `Usage: npx slimegrad showcase [options]      (in a checkout of slimegrad: npm start -- [options])

Trains a tiny byte-level GPT with SFT, then preference-trains copies of it with each method under the same budget,
and writes a report (report.html, report.md, summary.json, metrics.jsonl, checkpoints) to --out.

  --methods LIST      comma-separated, from: ${METHOD_NAMES.join(', ')} (default: all of these);
                      also ${OPTIONAL_METHOD_NAMES.join(', ')} (only when named)
  --ablations         also run ${ABLATION_NAMES.join(', ')}
  --seeds N           number of seeds, each a fresh SFT model and data order ${defaults('seeds')}
  --steps N           preference steps per method and seed ${defaults('steps')}
  --sft-steps N       SFT steps before preference training ${defaults('sftSteps')}
  --batch N           pairs per step, the same for every method (default ${FULL.batchSize})
  --lr X              preference learning rate, the same for every method (default 1e-3)
  --sweep-lr LIST     comma-separated learning rates, e.g. 3e-4,1e-3,3e-3: every method at every rate, same seeds,
                      and a report section of final figures against the rate (instead of --lr)
  --sft-lr X          SFT learning rate (default 3e-3)
  --eval-every N      evaluate on held-out data every N steps ${defaults('evalEvery')}
  --model NAME        size preset: ${Object.entries(MODEL_PRESETS)
    .map(([k, v]) => `${k} (${v.nLayer}x${v.nEmbd}, ${v.nHead} heads)`)
    .join(', ')} (default ${FULL.model})
  --n-embd N, --n-layer N, --n-head N, --block-size N   override single dimensions of the preset
  --backend NAME      ${availableBackends().join(' or ')} (default cpu)
  --data FILE         your own TRL preference JSONL ("prompt", "chosen", "rejected" per line) instead of the
                      synthetic task; format and answer scoring then fall back to what can be measured (see README).
                      Also TRL's conversational, implicit-prompt and unpaired (KTO) formats (see README)
  --chat-template F   a tokenizer_config.json whose "chat_template" (Jinja) renders conversational --data rows
                      (default: "role: content" lines, see README)
  --eval-only DIR     no training: score the checkpoint folder DIR on the held-out set and write the same report
  --out DIR           output folder (default runs/showcase, or runs/quick with --quick)
  --quick             a small, fast run (CI smoke test, under 2 minutes)
  --no-progress       no progress bars (for logs)
  -h, --help          this text
`;

function positiveInt(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`--${flag} expects a positive integer, got '${text}'`);
  }
  return value;
}

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0)
    throw new UsageError(`--${flag} expects a positive number, got '${text}'`);
  return value;
}

function parseRates(text: string): number[] {
  const rates = text
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '')
    .map((r) => positiveNumber('sweep-lr', r));
  if (rates.length === 0)
    throw new UsageError('--sweep-lr expects a comma-separated list of learning rates, e.g. 3e-4,1e-3,3e-3');
  const unique = [...new Set(rates)].sort((a, b) => a - b);
  if (unique.length !== rates.length) throw new UsageError(`--sweep-lr lists a rate twice: '${text}'`);
  return unique;
}

function parseMethods(text: string | undefined, ablations: boolean): string[] {
  const chosen =
    text === undefined
      ? [...METHOD_NAMES]
      : text
          .split(',')
          .map((m) => m.trim())
          .filter((m) => m !== '');
  if (chosen.length === 0) throw new UsageError('--methods expects at least one method name');
  const known = new Set<string>([...METHOD_NAMES, ...ABLATION_NAMES, ...OPTIONAL_METHOD_NAMES]);
  for (const m of chosen) {
    if (!known.has(m)) throw new UsageError(`--methods: unknown method '${m}' (known: ${[...known].join(', ')})`);
  }
  const all = ablations ? [...chosen, ...ABLATION_NAMES] : chosen;
  return [...new Set(all)];
}

/** Parses argv (without node and script); throws UsageError. Returns null when --help was asked for. */
export function parseShowcaseArgs(argv: readonly string[]): ShowcaseSettings | null {
  let parsed: ReturnType<typeof parseWith>;
  try {
    parsed = parseWith(joinNegativeValues(argv));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) return null;
  if (parsed.positionals.length > 0)
    throw new UsageError(`unexpected argument '${parsed.positionals[0]}' (options start with --)`);
  const quick = v.quick ?? false;
  const base = quick ? QUICK : FULL;
  const modelName = v.model ?? base.model;
  const preset = MODEL_PRESETS[modelName];
  if (!preset)
    throw new UsageError(`--model: unknown preset '${modelName}' (known: ${Object.keys(MODEL_PRESETS).join(', ')})`);
  const model: ModelSize = {
    nEmbd: v['n-embd'] === undefined ? preset.nEmbd : positiveInt('n-embd', v['n-embd']),
    nLayer: v['n-layer'] === undefined ? preset.nLayer : positiveInt('n-layer', v['n-layer']),
    nHead: v['n-head'] === undefined ? preset.nHead : positiveInt('n-head', v['n-head']),
    blockSize: v['block-size'] === undefined ? preset.blockSize : positiveInt('block-size', v['block-size']),
  };
  if (model.nEmbd % model.nHead !== 0)
    throw new UsageError(`--n-embd (${model.nEmbd}) must be divisible by --n-head (${model.nHead})`);
  const backend = v.backend ?? 'cpu';
  const known = availableBackends();
  if (!known.includes(backend)) throw new UsageError(`--backend expects ${known.join(' or ')}, got '${backend}'`);
  const seedCount = v.seeds === undefined ? base.seeds : positiveInt('seeds', v.seeds);
  if (v['sweep-lr'] !== undefined && v.lr !== undefined)
    throw new UsageError('--lr and --sweep-lr exclude each other (a sweep sets the rate of every run)');
  return {
    methods: parseMethods(v.methods, v.ablations ?? false),
    seeds: Array.from({ length: seedCount }, (_, i) => i),
    sftSteps: v['sft-steps'] === undefined ? base.sftSteps : positiveInt('sft-steps', v['sft-steps']),
    steps: v.steps === undefined ? base.steps : positiveInt('steps', v.steps),
    batchSize: v.batch === undefined ? base.batchSize : positiveInt('batch', v.batch),
    lr: v.lr === undefined ? 1e-3 : positiveNumber('lr', v.lr),
    sweepLr: v['sweep-lr'] === undefined ? [] : parseRates(v['sweep-lr']),
    sftLr: v['sft-lr'] === undefined ? 3e-3 : positiveNumber('sft-lr', v['sft-lr']),
    evalEvery: v['eval-every'] === undefined ? base.evalEvery : positiveInt('eval-every', v['eval-every']),
    evalPairs: base.evalPairs,
    evalGenerations: base.evalGenerations,
    trainSize: base.trainSize,
    modelName,
    model,
    backend,
    data: v.data ?? null,
    chatTemplate: v['chat-template'] ?? null,
    evalOnly: v['eval-only'] ?? null,
    out: v.out ?? (quick ? 'runs/quick' : 'runs/showcase'),
    quick,
    progress: !(v['no-progress'] ?? false),
  };
}

const text = { type: 'string' } as const;
const flag = { type: 'boolean' } as const;
const OPTIONS = {
  methods: text,
  ablations: flag,
  seeds: text,
  steps: text,
  'sft-steps': text,
  batch: text,
  lr: text,
  'sweep-lr': text,
  'sft-lr': text,
  'eval-every': text,
  model: text,
  'n-embd': text,
  'n-layer': text,
  'n-head': text,
  'block-size': text,
  backend: text,
  data: text,
  'chat-template': text,
  'eval-only': text,
  out: text,
  quick: flag,
  'no-progress': flag,
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * parseArgs takes the `-1` of `--lr -1` for an unknown short flag and reports an "ambiguous" argument instead of the
 * bad value; glued into `--lr=-1`, a negative number reaches the option's own range check and its message.
 */
function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return [...out, ...argv.slice(i)];
    const option = OPTIONS[arg.slice(2) as keyof typeof OPTIONS] as { type: string } | undefined;
    const next = argv[i + 1];
    if (arg.startsWith('--') && option?.type === 'string' && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

function parseWith(argv: readonly string[]) {
  return parseArgs({ args: [...argv], strict: true, allowPositionals: true, options: OPTIONS });
}
