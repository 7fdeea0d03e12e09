// Ops name themselves (issue 12, mutation testing of src/autograd/ops): the node each op records carries the op's
// name, and anomaly mode's forward check names the op and lists the shapes of all its inputs. Those names are what
// a user reads when a NaN appears, so each op is pinned here, with inputs that hold a NaN from the start (a leaf
// tensor is not checked, so the first op to see the NaN is the one blamed).

import { afterEach, describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/index.js';
import {
  concat,
  detectAnomaly,
  gather,
  matmul,
  scatterAdd,
  setAnomalyDetection,
  tensor,
  where,
} from '../../src/index.js';

afterEach(() => setAnomalyDetection(false));

const x22 = (requiresGrad = false): Tensor =>
  tensor([Number.NaN, 1, 2, 3], { shape: [2, 2], dtype: 'float64', requiresGrad });
const idx = (): Tensor => tensor([0, 1, 1, 0], { shape: [2, 2], dtype: 'int32' });

/** [op name, the op applied to x (a [2, 2] float64 tensor), input shapes as anomaly mode lists them]. */
const FORWARD: Array<[string, (x: Tensor) => Tensor, string]> = [
  ['add', (x) => x.add(x), '[2,2], [2,2]'],
  ['sub', (x) => x.sub(1), '[2,2], []'],
  ['mul', (x) => x.mul(tensor([1, 2], { dtype: 'float64' })), '[2,2], [2]'],
  ['div', (x) => x.div(2), '[2,2], []'],
  ['pow', (x) => x.pow(2), '[2,2], []'],
  ['maximum', (x) => x.maximum(0), '[2,2], []'],
  ['minimum', (x) => x.minimum(0), '[2,2], []'],
  ['where', (x) => where(tensor([1, 0], { dtype: 'float64' }), x, 0), '[2], [2,2], []'],
  ['permute', (x) => x.permute([1, 0]), '[2,2]'],
  ['permute', (x) => x.transpose(), '[2,2]'],
  ['broadcastTo', (x) => x.reshape([1, 4]).broadcastTo([3, 4]), '[1,4]'],
  ['slice', (x) => x.slice([0], [1]), '[2,2]'],
  ['concat', (x) => concat([x, x], 1), '[2,2], [2,2]'],
  ['astype', (x) => x.astype('float32'), '[2,2]'],
  ['sum', (x) => x.sum(0), '[2,2]'],
  ['max', (x) => x.max(1), '[2,2]'],
  ['neg', (x) => x.neg(), '[2,2]'],
  ['exp', (x) => x.exp(), '[2,2]'],
  ['tanh', (x) => x.tanh(), '[2,2]'],
  ['matmul', (x) => matmul(x, x), '[2,2], [2,2]'],
  ['gather', (x) => gather(x, 1, idx()), '[2,2], [2,2]'],
  ['scatterAdd', (x) => scatterAdd([2, 2], 0, idx(), x), '[2,2], [2,2]'],
  ['softmax', (x) => x.softmax(-1), '[2,2]'],
  ['logSoftmax', (x) => x.logSoftmax(-1), '[2,2]'],
  ['layerNorm', (x) => x.layerNorm(), '[2,2]'],
  ['gelu', (x) => x.gelu(), '[2,2]'],
];

describe('anomaly mode names the op and its input shapes', () => {
  it.each(FORWARD)('%s', (op, f, inputs) => {
    const message = `anomaly: forward of '${op}' (inputs ${inputs}) produced NaN at flat index 0`;
    expect(() => detectAnomaly(() => f(x22()))).toThrow(message);
  });
});

/** [node name, the op applied to x (a [2, 2] float64 tensor requiring grad)]. */
const NODES: Array<[string, (x: Tensor) => Tensor]> = [
  ['add', (x) => x.add(1)],
  ['sub', (x) => x.sub(1)],
  ['sub', (x) => tensor(1, { dtype: 'float64' }).sub(x)],
  ['mul', (x) => x.mul(2)],
  ['div', (x) => x.div(2)],
  ['div', (x) => tensor([1, 2], { dtype: 'int32' }).div(x)],
  ['pow', (x) => x.pow(2)],
  ['maximum', (x) => x.maximum(0)],
  ['minimum', (x) => x.minimum(0)],
  ['where', (x) => where(tensor([1, 0]), x, 0)],
  ['reshape', (x) => x.reshape([4])],
  ['permute', (x) => x.transpose()],
  ['broadcastTo', (x) => x.broadcastTo([3, 2, 2])],
  ['slice', (x) => x.slice([1])],
  ['concat', (x) => concat([x, x])],
  ['astype', (x) => x.astype('float32')],
  ['sum', (x) => x.sum(0, true)],
  ['reshape', (x) => x.sum(0)],
  ['div', (x) => x.mean()],
  ['max', (x) => x.max(0, true)],
  ['neg', (x) => x.min(0, true)],
  ['neg', (x) => x.neg()],
  ['exp', (x) => x.exp()],
  ['log', (x) => x.log()],
  ['sqrt', (x) => x.sqrt()],
  ['tanh', (x) => x.tanh()],
  ['sigmoid', (x) => x.sigmoid()],
  ['abs', (x) => x.abs()],
  ['expm1', (x) => x.expm1()],
  ['log1p', (x) => x.log1p()],
  ['reciprocal', (x) => x.reciprocal()],
  ['relu', (x) => x.relu()],
  ['softplus', (x) => x.softplus()],
  ['neg', (x) => x.logSigmoid()],
  ['log1mexp', (x) => x.log1mexp()],
  ['matmul', (x) => x.matmul(x)],
  ['gather', (x) => gather(x, 0, idx())],
  ['scatterAdd', (x) => scatterAdd([2, 2], 1, idx(), x)],
  ['softmax', (x) => x.softmax()],
  ['logSoftmax', (x) => x.logSoftmax()],
  ['layerNorm', (x) => x.layerNorm()],
  ['gelu', (x) => x.gelu()],
];

describe('the node an op records carries its name', () => {
  it.each(NODES)('%s', (op, f) => {
    expect(f(x22(true)).node?.op).toBe(op);
  });
});
