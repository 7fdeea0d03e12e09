// Naive reference implementations over plain JS arrays, written independently of src/: one multi-index at a time,
// no strides tricks, no fused kernels. Slow on purpose; they are the yardstick the op tests measure against.

/** A row-major n-d array: the shape plus its values flattened. */
export interface Flat {
  shape: number[];
  values: number[];
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let i = 0;
  for (let d = 0; d < shape.length; d++) i = i * shape[d] + idx[d];
  return i;
}

/** Reads x at an index of a (possibly larger) broadcast shape: leading dims dropped, size-1 dims pinned to 0. */
function readBroadcast(x: Flat, outIdx: readonly number[]): number {
  const lead = outIdx.length - x.shape.length;
  const idx = x.shape.map((d, k) => (d === 1 ? 0 : outIdx[lead + k]));
  return x.values[ravel(idx, x.shape)];
}

export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let k = 0; k < rank; k++) {
    const dims = shapes.map((s) => s[s.length - rank + k] ?? 1).filter((d) => d !== 1);
    if (dims.some((d) => d !== dims[0])) throw new Error('reference: shapes do not broadcast');
    out.push(dims[0] ?? 1);
  }
  return out;
}

export function generate(shape: number[], f: (idx: number[]) => number): Flat {
  return { shape, values: Array.from({ length: sizeOf(shape) }, (_, i) => f(unravel(i, shape))) };
}

export const map = (x: Flat, f: (v: number) => number): Flat => ({ shape: x.shape, values: x.values.map(f) });

export function zip(xs: Flat[], f: (...vs: number[]) => number): Flat {
  const shape = broadcastShape(...xs.map((x) => x.shape));
  return generate(shape, (idx) => f(...xs.map((x) => readBroadcast(x, idx))));
}

export const broadcastTo = (x: Flat, shape: number[]): Flat => generate(shape, (idx) => readBroadcast(x, idx));

/** Reduces the listed axes (all when undefined) with fold, starting from init. */
export function reduce(
  x: Flat,
  axesArg: number | number[] | undefined,
  keepDims: boolean,
  init: number,
  fold: (acc: number, v: number) => number,
): Flat {
  const rank = x.shape.length;
  const axes = (axesArg === undefined ? [...x.shape.keys()] : typeof axesArg === 'number' ? [axesArg] : axesArg).map(
    (a) => (a < 0 ? a + rank : a),
  );
  const kept = x.shape.map((d, k) => (axes.includes(k) ? 1 : d));
  const acc = new Array<number>(sizeOf(kept)).fill(init);
  for (let i = 0; i < x.values.length; i++) {
    const idx = unravel(i, x.shape).map((v, k) => (axes.includes(k) ? 0 : v));
    const o = ravel(idx, kept);
    acc[o] = fold(acc[o], x.values[i]);
  }
  return { shape: keepDims ? kept : x.shape.filter((_, k) => !axes.includes(k)), values: acc };
}

export const sum = (x: Flat, axes?: number | number[], keepDims = false): Flat =>
  reduce(x, axes, keepDims, 0, (a, v) => a + v);
export const max = (x: Flat, axes?: number | number[], keepDims = false): Flat =>
  reduce(x, axes, keepDims, -Infinity, Math.max);
export const min = (x: Flat, axes?: number | number[], keepDims = false): Flat =>
  reduce(x, axes, keepDims, Infinity, Math.min);

export function mean(x: Flat, axes?: number | number[], keepDims = false): Flat {
  const s = sum(x, axes, keepDims);
  const count = x.values.length / Math.max(s.values.length, 1);
  return map(s, (v) => v / count);
}

export function logsumexp(x: Flat, axes?: number | number[], keepDims = false): Flat {
  const m = max(x, axes, true);
  const shifted = zip([x, m], (v, mv) => Math.exp(v - mv));
  const s = sum(shifted, axes, true);
  const out = zip([s, m], (sv, mv) => Math.log(sv) + mv);
  return keepDims ? out : { shape: sum(x, axes, false).shape, values: out.values };
}

export function logSoftmax(x: Flat, axis: number): Flat {
  return zip([x, logsumexp(x, axis, true)], (v, l) => v - l);
}

export const softmax = (x: Flat, axis: number): Flat => map(logSoftmax(x, axis), Math.exp);

/** NumPy matmul: 1-D operands are promoted to a row / column and squeezed out again; batch dims broadcast. */
export function matmul(a: Flat, b: Flat): Flat {
  const A = a.shape.length === 1 ? { shape: [1, a.shape[0]], values: a.values } : a;
  const B = b.shape.length === 1 ? { shape: [b.shape[0], 1], values: b.values } : b;
  const [m, k] = A.shape.slice(-2);
  const n = B.shape[B.shape.length - 1];
  const aBatch = { shape: A.shape.slice(0, -2), values: [] };
  const bBatch = { shape: B.shape.slice(0, -2), values: [] };
  const batch = broadcastShape(aBatch.shape, bBatch.shape);
  const pick = (x: Flat, bIdx: number[], i: number, j: number): number => {
    const own = x.shape.slice(0, -2);
    const lead = bIdx.length - own.length;
    const idx = [...own.map((d, q) => (d === 1 ? 0 : bIdx[lead + q])), i, j];
    return x.values[ravel(idx, x.shape)];
  };
  let out = generate([...batch, m, n], (idx) => {
    const bIdx = idx.slice(0, -2);
    const [i, j] = idx.slice(-2);
    let s = 0;
    for (let p = 0; p < k; p++) s += pick(A, bIdx, i, p) * pick(B, bIdx, p, j);
    return s;
  });
  if (a.shape.length === 1) out = { shape: [...out.shape.slice(0, -2), n], values: out.values };
  if (b.shape.length === 1) out = { shape: out.shape.slice(0, -1), values: out.values };
  return out;
}

export function permute(x: Flat, perm: number[]): Flat {
  return generate(
    perm.map((p) => x.shape[p]),
    (idx) => {
      const src = new Array<number>(x.shape.length);
      perm.forEach((p, k) => (src[p] = idx[k]));
      return x.values[ravel(src, x.shape)];
    },
  );
}

export function slice(x: Flat, begin: number[], end: number[]): Flat {
  return generate(
    begin.map((b, d) => end[d] - b),
    (idx) =>
      x.values[
        ravel(
          idx.map((v, d) => v + begin[d]),
          x.shape,
        )
      ],
  );
}

export function concat(xs: Flat[], axis: number): Flat {
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((n, x) => n + x.shape[axis], 0);
  return generate(shape, (idx) => {
    let at = idx[axis];
    for (const x of xs) {
      if (at < x.shape[axis])
        return x.values[
          ravel(
            idx.map((v, d) => (d === axis ? at : v)),
            x.shape,
          )
        ];
      at -= x.shape[axis];
    }
    throw new Error('reference concat: index past the end');
  });
}

/** torch.gather: out[idx] = x[idx with the axis coordinate replaced by index[idx]]. */
export function gather(x: Flat, axis: number, index: Flat): Flat {
  return generate(index.shape, (idx) => {
    const src = [...idx];
    src[axis] = index.values[ravel(idx, index.shape)];
    return x.values[ravel(src, x.shape)];
  });
}

export function embedding(weight: Flat, ids: Flat): Flat {
  const dim = weight.shape[1];
  return generate([...ids.shape, dim], (idx) => {
    const row = ids.values[ravel(idx.slice(0, -1), ids.shape)];
    return weight.values[row * dim + idx[idx.length - 1]];
  });
}

export function layerNorm(x: Flat, weight: Flat | null, bias: Flat | null, eps: number): Flat {
  const d = x.shape[x.shape.length - 1];
  const out: number[] = [];
  for (let r = 0; r < x.values.length / d; r++) {
    const row = x.values.slice(r * d, (r + 1) * d);
    const mu = row.reduce((p, v) => p + v, 0) / d;
    const variance = row.reduce((p, v) => p + (v - mu) ** 2, 0) / d;
    row.forEach((v, j) =>
      out.push(((v - mu) / Math.sqrt(variance + eps)) * (weight ? weight.values[j] : 1) + (bias ? bias.values[j] : 0)),
    );
  }
  return { shape: x.shape, values: out };
}

export function crossEntropy(logits: Flat, targets: Flat): Flat {
  const [n, c] = logits.shape;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = logits.values.slice(i * c, (i + 1) * c);
    const lse = Math.log(row.reduce((p, v) => p + Math.exp(v), 0));
    total += lse - row[targets.values[i]];
  }
  return { shape: [], values: [total / n] };
}

/** GPT-2's gelu, straight from its formula. */
export const gelu = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

/** Index of the largest value along `axis` (the first one on ties). */
export function argmax(x: Flat, axis: number, keepDims: boolean): Flat {
  const a = axis < 0 ? axis + x.shape.length : axis;
  const kept = x.shape.map((d, k) => (k === a ? 1 : d));
  const out = generate(kept, (idx) => {
    let best = 0;
    for (let j = 1; j < x.shape[a]; j++) {
      const at = (i: number): number =>
        x.values[
          ravel(
            idx.map((v, k) => (k === a ? i : v)),
            x.shape,
          )
        ];
      if (at(j) > at(best)) best = j;
    }
    return best;
  });
  return keepDims ? out : { shape: x.shape.filter((_, k) => k !== a), values: out.values };
}

/** zeros(shape), then out[idx with axis replaced by index[idx]] += src[idx] for every idx of src. */
export function scatterAdd(shape: number[], axis: number, index: Flat, src: Flat): Flat {
  const values = new Array<number>(sizeOf(shape)).fill(0);
  src.values.forEach((v, i) => {
    const idx = unravel(i, src.shape);
    idx[axis] = index.values[i];
    values[ravel(idx, shape)] += v;
  });
  return { shape, values };
}
