// The losses on a backend that has no synchronous reads (WebGPU's situation), played by a view of the CPU backend
// with readSync removed: the checks that read values on the CPU must be skipped there, not turned into a dataSync
// that throws, and the numbers must be the CPU's.

import { describe, expect, it } from 'vitest';
import { getBackend, registerBackend, tensor, type Backend, type Tensor } from '../../src/index.js';
import type { Storage } from '../../src/backends/backend.js';
import { losses } from '../../src/index.js';
import { sequenceLogps, tokenLogps } from '../../src/losses/index.js';
import type { PreferenceInputs } from '../../src/losses/index.js';

const cpu = getBackend('cpu');
const asyncCpu = Object.create(cpu) as Backend;
Object.defineProperty(asyncCpu, 'name', { value: 'cpu-no-sync-read' });
Object.defineProperty(asyncCpu, 'readSync', { value: undefined });
// the CPU's read goes through this.readSync; the view reads through the CPU's own
Object.defineProperty(asyncCpu, 'read', { value: async (s: Storage) => cpu.readSync?.(s) });
registerBackend(asyncCpu);

const on =
  (backend: string) =>
  (data: number[][]): Tensor =>
    tensor(data, { dtype: 'float64', backend });

function inputs(backend: string): PreferenceInputs {
  const t = on(backend);
  return {
    chosenLogps: t([[-1, -2]]),
    chosenMask: t([[1, 1]]),
    rejectedLogps: t([[-3, -0.5]]),
    rejectedMask: t([[1, 0]]),
    refChosenLogps: t([[-1, -1]]),
    refRejectedLogps: t([[-2, -9]]),
  };
}

describe('losses on a backend without synchronous reads', () => {
  it('the view really has no synchronous read', () => {
    expect(() => on('cpu-no-sync-read')([[1]]).dataSync()).toThrow();
  });

  it('every loss runs there and gives the CPU value', async () => {
    for (const name of losses.lossNames()) {
      const want = losses.getLoss(name).fn(inputs('cpu')).loss.itemSync();
      const got = await losses.getLoss(name).fn(inputs('cpu-no-sync-read')).loss.data();
      expect(got[0], name).toBeCloseTo(want, 12);
    }
  });

  it('tokenLogps and sequenceLogps run there too', async () => {
    const logits = tensor([[[0, Math.log(3)]]], { dtype: 'float64', backend: 'cpu-no-sync-read' });
    const targets = tensor(Int32Array.from([1]), { shape: [1, 1], backend: 'cpu-no-sync-read' });
    const logps = tokenLogps(logits, targets);
    expect((await logps.data())[0]).toBeCloseTo(Math.log(0.75), 12);
    const { mean } = sequenceLogps(logps, tensor([[1]], { dtype: 'float64', backend: 'cpu-no-sync-read' }));
    expect((await mean.data())[0]).toBeCloseTo(Math.log(0.75), 12);
  });
});
