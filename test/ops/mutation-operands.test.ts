// How ops take their operands (issue 12, mutation testing of src/autograd/ops/util.ts and binary.ts): numbers next
// to tensors, dtype promotion, int32 true division, where's number branches, operands on two backends, anomaly
// mode's forward message, and the errors naming the op. Expected dtypes and values are worked out by hand.

import { afterEach, describe, expect, it } from 'vitest';
import type { DType, Tensor } from '../../src/index.js';
import { CpuBackend } from '../../src/backends/cpu/index.js';
import {
  add,
  detectAnomaly,
  div,
  lt,
  matmul,
  mul,
  registerBackend,
  setAnomalyDetection,
  sub,
  tensor,
  where,
} from '../../src/index.js';

const other = new CpuBackend();
Object.defineProperty(other, 'name', { value: 'cpu-other' });
registerBackend(other);

const t = (data: number[], dtype: DType = 'float32'): Tensor => tensor(data, { dtype });
const read = (x: Tensor): [DType, number[]] => [x.dtype, Array.from(x.dataSync())];

afterEach(() => setAnomalyDetection(false));

describe('number operands', () => {
  it('two numbers are refused, naming the op', () => {
    expect(() => add(1, 2)).toThrow(/^add: at least one operand must be a Tensor$/);
  });

  it('a non-number, non-tensor operand is refused with its type', () => {
    expect(() => add(t([1]), 'x' as never)).toThrow(/^add: expected a Tensor or a number, got string$/);
    expect(() => sub(null as never, t([1]))).toThrow(/^sub: expected a Tensor or a number, got object$/);
  });

  it('a number takes the tensor dtype, on either side', () => {
    expect(read(add(t([1, 2], 'float64'), 0.5))).toEqual(['float64', [1.5, 2.5]]);
    expect(read(sub(3, t([1, 2], 'float64')))).toEqual(['float64', [2, 1]]);
    expect(read(mul(t([1, 2], 'int32'), 3))).toEqual(['int32', [3, 6]]);
    expect(read(sub(10, t([1, 2], 'int32')))).toEqual(['int32', [9, 8]]);
  });

  it('a fraction next to an int32 tensor makes the result float32, not a truncated int', () => {
    expect(read(add(t([1, 2], 'int32'), 0.5))).toEqual(['float32', [1.5, 2.5]]);
    expect(read(mul(0.5, t([3, 4], 'int32')))).toEqual(['float32', [1.5, 2]]);
  });
});

describe('dtype promotion', () => {
  it('float64 wins over float32 and int32; float32 over int32; int32 alone stays int32', () => {
    const cases: Array<[DType, DType, DType]> = [
      ['float64', 'float32', 'float64'],
      ['float32', 'float64', 'float64'],
      ['int32', 'float64', 'float64'],
      ['float64', 'int32', 'float64'],
      ['float32', 'int32', 'float32'],
      ['int32', 'float32', 'float32'],
      ['int32', 'int32', 'int32'],
      ['float32', 'float32', 'float32'],
    ];
    for (const [a, b, want] of cases) {
      expect(read(add(t([1, 2], a), t([3, 5], b))), `${a} + ${b}`).toEqual([want, [4, 7]]);
      expect(lt(t([1, 6], a), t([3, 5], b)).dtype, `${a} < ${b}`).toBe(want);
    }
  });

  it('int32 / int32 is true division in float32', () => {
    expect(read(div(t([7, -3], 'int32'), t([2, 4], 'int32')))).toEqual(['float32', [3.5, -0.75]]);
    expect(read(div(t([7], 'int32'), 2))).toEqual(['float32', [3.5]]);
  });

  it('matmul promotes a float32 operand to float64', () => {
    const a = tensor([[1, 2]], { dtype: 'float32' });
    const b = tensor([[3], [4]], { dtype: 'float64' });
    expect(read(matmul(a, b))).toEqual(['float64', [11]]);
    expect(read(matmul(b, a))).toEqual(['float64', [3, 6, 4, 8]]);
  });
});

describe('where with numbers', () => {
  it('two numbers take the condition dtype, float32 for an int32 condition', () => {
    expect(read(where(t([1, 0, 2], 'int32'), 1.5, -2))).toEqual(['float32', [1.5, -2, 1.5]]);
    // integers too: an int32 condition does not make an int32 result
    expect(read(where(t([1, 0], 'int32'), 3, -2))).toEqual(['float32', [3, -2]]);
    expect(read(where(t([0, 1], 'float64'), 1.5, -2))).toEqual(['float64', [-2, 1.5]]);
  });

  it('a number and a tensor take the tensor dtype', () => {
    expect(read(where(t([1, 0], 'int32'), t([4, 5], 'float64'), 0.5))).toEqual(['float64', [4, 0.5]]);
    expect(read(where(t([1, 0], 'float32'), 7, t([4, 5], 'int32')))).toEqual(['int32', [7, 5]]);
  });
});

describe('operands that are not tensors of one backend', () => {
  it('an op given a non-tensor names the op and the type', () => {
    expect(() => matmul(t([1]), 3 as never)).toThrow(/^matmul: expected a Tensor, got number$/);
    expect(() => where(1 as never, t([1]), 0)).toThrow(/^where: expected a Tensor, got number$/);
  });

  it('operands on different backends are refused, naming both backends', () => {
    const a = t([1, 2]);
    const b = tensor([3, 4], { backend: 'cpu-other' });
    expect(() => add(a, b)).toThrow(/^add: operands live on different backends \(cpu and cpu-other\); move one first$/);
    expect(() => matmul(b, a)).toThrow(/^matmul: operands live on different backends \(cpu-other and cpu\)/);
    expect(() => where(t([1, 0]), b, 0)).toThrow(/^where: operands live on different backends \(cpu and cpu-other\)/);
  });
});

describe('anomaly mode, forward', () => {
  it('lists every input shape of a binary op', () => {
    expect(() => detectAnomaly(() => div(t([0, 1], 'float64'), tensor([[0], [2]], { dtype: 'float64' })))).toThrow(
      "anomaly: forward of 'div' (inputs [2], [2,1]) produced NaN at flat index 0 (shape [2,2], float64)",
    );
  });
});
