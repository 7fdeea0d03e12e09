// The causal mask follows the lengths a model reads, not its configured blockSize (issue 12, defect 5): with
// --block-size 30000 and 12-token rows the mask alone was 30000^2 int32 (3.6 GB, plus copies).

import { describe, expect, it } from 'vitest';
import { memory, tensor, tidy } from '../../src/index.js';
import { GPT } from '../../src/nn/index.js';

const ids = (B: number, T: number) =>
  tensor(
    Array.from({ length: B * T }, (_, i) => i % 7),
    { shape: [B, T], dtype: 'int32' },
  );

describe('causal mask memory', () => {
  it('a huge blockSize with short rows costs a short mask', () => {
    const model = new GPT({ vocabSize: 7, blockSize: 4096, nEmbd: 8, nLayer: 1, nHead: 2, dropout: 0 }, { seed: 1 });
    const before = memory().bytes;
    tidy(() => model.forward(ids(2, 12)).dispose());
    // a 4096^2 int32 mask would be 64 MiB; 12 x 12 is 576 bytes
    expect(memory().bytes - before).toBeLessThan(4096);
    model.dispose();
  });

  it('regrowing the mask for a longer input leaves a pending graph of a shorter one intact', () => {
    const cfg = { vocabSize: 7, blockSize: 16, nEmbd: 8, nLayer: 1, nHead: 2, dropout: 0 };
    const model = new GPT(cfg, { seed: 2, dtype: 'float64' });
    const short = model.forward(ids(1, 3)).sum();
    model.forward(ids(1, 11)); // grows (and replaces) the mask while `short`'s graph still holds the old one
    short.backward();
    const fresh = new GPT(cfg, { seed: 2, dtype: 'float64' });
    const expected = fresh.forward(ids(1, 3)).sum();
    expected.backward();
    expect(short.dataSync()[0]).toBe(expected.dataSync()[0]);
    expect(Array.from(model.wte.weight.grad!.dataSync())).toEqual(Array.from(fresh.wte.weight.grad!.dataSync()));
    // shorter and equal lengths after growth read the same corner
    expect(Array.from(model.forward(ids(1, 3)).dataSync())).toEqual(Array.from(fresh.forward(ids(1, 3)).dataSync()));
    expect(Array.from(model.forward(ids(1, 16)).dataSync())).toEqual(Array.from(fresh.forward(ids(1, 16)).dataSync()));
  });
});
