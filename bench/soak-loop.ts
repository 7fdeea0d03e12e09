// The soak: many CPU training steps of a tiny GPT with a different sequence length every step and a generation
// every so often, sampling what must stay flat once warmed up: live tensors and bytes (exact counts), the CPU
// pool's resting bytes (bounded) and the process's resident memory (loosely). Shared by `npm run soak` and the
// 300-step test in CI.

import { Rng, memory } from '../src/index.js';
import { GPT, generate } from '../src/nn/index.js';
import { AdamW } from '../src/optim/index.js';
import { padBatch } from '../src/data/batching.js';
import { trainSft } from '../src/train/sft.js';

export interface SoakOptions {
  steps: number;
  /** Sample (and print) every this many steps. */
  every: number;
  /** Generate a few tokens every this many steps. */
  generateEvery: number;
  onSample?: (s: SoakSample) => void;
}

export interface SoakSample {
  step: number;
  tensors: number;
  liveBytes: number;
  pooledBytes: number;
  rssBytes: number;
}

const CONFIG = { vocabSize: 31, blockSize: 24, nEmbd: 16, nLayer: 2, nHead: 2, dropout: 0.1 };
const PAD = 30;
const BATCH = 4;

/** Rows of a random length (2..blockSize + 1 tokens, the same within a step, different across steps). */
function variableBatch(rng: Rng) {
  const length = 2 + (rng.nextSeed() % CONFIG.blockSize);
  const examples = Array.from({ length: BATCH }, (_, b) => ({
    ids: Array.from({ length: length - (b % 2) }, (_, t) => (t * (b + 1) + (rng.nextSeed() % 3)) % PAD),
  })).map((e) => (e.ids.length < 2 ? { ids: [0, 1] } : e));
  return padBatch(examples, { padId: PAD });
}

export async function soak(o: SoakOptions): Promise<SoakSample[]> {
  const model = new GPT(CONFIG, { seed: 1 });
  const optimizer = new AdamW(model.namedParameters(), { lr: 1e-3 });
  const rng = new Rng(7);
  const samples: SoakSample[] = [];
  const sample = (step: number): void => {
    const m = memory();
    const s = {
      step,
      tensors: m.tensors,
      liveBytes: m.bytes,
      pooledBytes: m.pooledBytes,
      rssBytes: process.memoryUsage().rss,
    };
    samples.push(s);
    o.onSample?.(s);
  };
  sample(0);
  for (let done = 0; done < o.steps; ) {
    const next = Math.min(o.steps, done + o.every);
    await trainSft({
      model,
      optimizer,
      rng,
      steps: next,
      startStep: done,
      gradClip: 1,
      nextBatch: (_step, r) => variableBatch(r),
      evaluate: {
        every: o.generateEvery,
        run: async (step) => {
          // also called after a chunk's last step; generate on the multiples only
          if (step % o.generateEvery !== 0) return {};
          const promptLength = 1 + ((step / o.generateEvery) % 8);
          await generate(model, [Array.from({ length: promptLength }, (_, i) => i)], { maxNewTokens: 12, seed: step });
          return {};
        },
      },
    });
    done = next;
    sample(done);
  }
  optimizer.dispose();
  model.dispose();
  return samples;
}
