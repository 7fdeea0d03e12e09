// Trains a byte-level GPT-2 on the small generated corpus in data/ until its validation loss is clearly below the
// corpus's unigram entropy (the best any model that ignores context can do), then prints samples.
//
//   npx tsx examples/train-tiny-gpt.ts [--steps 600] [--target 0.6] [--out runs/tiny-gpt]
//
// --target is the stopping point as a fraction of the unigram entropy (0.6: 40% below it).
//
// Writes metrics (JSONL) and a Hugging Face-style checkpoint (config.json + model.safetensors) under --out.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Rng, data, nn, optim } from '../src/index.js';
import { evaluateLoss, trainSft } from '../src/train/sft.js';
import { JsonlMetricsLogger } from '../src/train/metrics.js';
import { formatDuration } from '../src/train/progress.js';

const { values: args } = parseArgs({
  options: {
    steps: { type: 'string', default: '600' },
    out: { type: 'string', default: 'runs/tiny-gpt' },
    seed: { type: 'string', default: '0' },
    target: { type: 'string', default: '0.6' },
  },
});
const maxSteps = Number(args.steps);
const seed = Number(args.seed);

const tokenizer = new data.ByteTokenizer();
const text = readFileSync(new URL('../data/tiny-corpus.txt', import.meta.url), 'utf8');
const ids = tokenizer.encode(text);
const split = Math.floor(ids.length * 0.9);
const train = ids.slice(0, split);
const val = ids.slice(split);

// Unigram entropy of the bytes, in nats: the loss of the best context-free predictor.
const counts = new Map<number, number>();
for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
const unigram = -[...counts.values()].reduce((h, c) => h + (c / ids.length) * Math.log(c / ids.length), 0);
const target = Number(args.target) * unigram;

const config = { vocabSize: tokenizer.vocabSize, blockSize: 64, nEmbd: 64, nLayer: 2, nHead: 4, dropout: 0 };
const batchSize = 16;
const model = new nn.GPT(config, { seed });
const optimizer = new optim.AdamW(model.namedParameters(), { lr: 5e-3, weightDecay: 0.1 });
const schedule = optim.cosineWithWarmup({
  peakLr: 5e-3,
  warmupSteps: Math.min(10, Math.floor(maxSteps / 10)),
  totalSteps: maxSteps,
  finalLr: 5e-4,
});
const valBatches = Array.from({ length: 4 }, (_, i) =>
  data.sampleWindows(val, 32, config.blockSize, new Rng(1000 + i)),
);
const metrics = await JsonlMetricsLogger.open(`${args.out}/metrics.jsonl`);

console.log(`corpus: ${ids.length} bytes (${train.length} train / ${val.length} validation), ${counts.size} distinct`);
console.log(`unigram entropy ${unigram.toFixed(3)} nats/byte; target validation loss < ${target.toFixed(3)}`);
console.log(
  `model: ${model.numParameters()} parameters, ${JSON.stringify(config)}, batch ${batchSize}x${config.blockSize}`,
);

const started = Date.now();
const history = await trainSft({
  model,
  optimizer,
  schedule,
  steps: maxSteps,
  gradClip: 1,
  rng: new Rng(seed + 1),
  metrics,
  progress: true,
  nextBatch: (_step, rng) => data.sampleWindows(train, batchSize, config.blockSize, rng),
  evaluate: { every: 25, run: async () => ({ eval_loss: await evaluateLoss(model, valBatches) }) },
  stopWhen: (r) => typeof r.eval_loss === 'number' && r.eval_loss < target,
  checkpoint: { dir: `${args.out}/checkpoint`, every: 200, tokenizer },
});
const seconds = (Date.now() - started) / 1000;
const last = history[history.length - 1];
const evalLoss = last.eval_loss as number;
console.log(
  `\nstep ${last.step}: train loss ${(last.loss as number).toFixed(3)}, ` +
    `validation loss ${evalLoss.toFixed(3)} nats/byte`,
);
console.log(
  `  vs unigram entropy ${unigram.toFixed(3)} (${((1 - evalLoss / unigram) * 100).toFixed(0)}% below), ` +
    `in ${formatDuration(seconds)}`,
);
console.log(evalLoss < target ? 'target reached' : `target NOT reached (${target.toFixed(3)}); try more --steps`);

const prompts = ['The old fisherman', 'At the market, ', '"The sea'].map((p) => tokenizer.encode(p));
console.log('\nsamples (temperature 0.6, top-k 20):');
for (const [i, p] of prompts.entries()) {
  const [out] = await nn.generate(model, [p], { maxNewTokens: 160, temperature: 0.6, topK: 20, seed: i });
  console.log(`  ${JSON.stringify(tokenizer.decode(out))}`);
}
console.log(`\nmetrics: ${args.out}/metrics.jsonl, checkpoint: ${args.out}/checkpoint`);
