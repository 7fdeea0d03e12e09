// The browser demo: picks WebGPU when the browser offers it (CPU otherwise), trains a tiny GPT to continue a
// counting sequence for a few steps and shows the loss. Build and serve it with `npx tsx examples/browser/build.ts`.
// The outcome is also left on `window.slimegradDemo`, which the automated browser test reads.

import { Rng, crossEntropy, data, initWebGPU, nn, optim, tidy } from '../../src/index.js';

interface DemoResult {
  backend: 'webgpu' | 'cpu';
  detail: string;
  losses: number[];
  done: boolean;
  error?: string;
}

const result: DemoResult = { backend: 'cpu', detail: '', losses: [], done: false };
(window as unknown as { slimegradDemo: DemoResult }).slimegradDemo = result;

const $ = (id: string): HTMLElement => document.getElementById(id)!;

async function pickBackend(): Promise<void> {
  try {
    const gpu = await initWebGPU();
    result.backend = 'webgpu';
    result.detail = `(${gpu.adapterName})`;
  } catch (e) {
    result.detail = `(WebGPU unavailable: ${(e as Error).message})`;
  }
}

async function train(steps: number): Promise<void> {
  const cfg = { vocabSize: 10, blockSize: 8, nEmbd: 16, nLayer: 1, nHead: 2, dropout: 0 };
  // each token is the previous one plus 1, mod 10: easy to learn, so the loss visibly falls within a few steps
  const stream = Array.from({ length: 200 }, (_, i) => i % 10);
  const model = new nn.GPT(cfg, { seed: 1, backend: result.backend });
  const optimizer = new optim.AdamW(model.namedParameters(), { lr: 2e-2 });
  const rng = new Rng(7);
  for (let step = 1; step <= steps; step++) {
    const loss = tidy(() => {
      const batch = data.sampleWindows(stream, 4, cfg.blockSize, rng, result.backend);
      const logits = model.forward(batch.inputs);
      const l = crossEntropy(logits.reshape([-1, cfg.vocabSize]), batch.targets.reshape([-1]));
      l.backward();
      return l;
    });
    optimizer.step();
    optimizer.zeroGrad();
    result.losses.push(await loss.item());
    loss.dispose();
    $('status').textContent = `step ${step} / ${steps}`;
    $('losses').textContent = result.losses
      .map((l, i) => `step ${String(i + 1).padStart(2)}  loss ${l.toFixed(4)}`)
      .join('\n');
  }
  model.dispose();
}

async function main(): Promise<void> {
  await pickBackend();
  $('backend').textContent = result.backend;
  $('detail').textContent = result.detail;
  await train(15);
  $('status').textContent =
    `done: loss ${result.losses[0].toFixed(3)} -> ${result.losses[result.losses.length - 1].toFixed(3)}`;
}

main()
  .catch((e: Error) => {
    result.error = e.message;
    $('status').textContent = `failed: ${e.message}`;
  })
  .finally(() => {
    result.done = true;
  });
