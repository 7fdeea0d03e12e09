// Causal self-attention in three kernels (Backend.attention and attentionBackward) instead of ~15 per layer and
// pass: the composition materialises q, k and v per head (a permute and three slices), scales q, multiplies, masks,
// takes the softmax, drops out, multiplies again and copies the heads back together, and its backward pads each
// head gradient back into place with concatenations. Here q, k and v are read where the c_attn product left them
// ([B, T, 3, H, D]) and y is written with its heads already merged ([B, T, H * D]).
//
// Forward: one 64-thread workgroup per query row (b, h, t): scores for s <= t, the row's max and sum in workgroup
// memory, the probabilities written out (the backward needs them), dropout from the same Philox words as
// Backend.dropout, then one thread per output column sums p[s] v[s]. Backward: one workgroup per row for
// dS = P (dP - sum(dP P)) with dP the dropout-masked gy v^T, then one thread per element of dqkv summing over the
// row or column of dS (q and k) or of the dropped probabilities (v). Sums over s (or t) run in increasing order, as
// the composed matmuls' do, and the masked entries they skip are zeros there; the row reductions' order differs.
// Each thread's work grows with T * D: meant for the short contexts of small models, where dispatch overhead is what
// costs; the op layer stops using it past FUSED_ATTENTION_MAX_SEQ (a tiled flash-attention kernel would lift that).

import type { AttentionSpec } from '../backend.js';
import type { GPUBuffer } from './gpu-types.js';
import type { Runner } from './runner.js';
import { ROW } from './fused.js';
import { PHILOX, keepParams } from './random.js';
import { PARAMS, SPECIAL, WORKGROUP, binding, groupsFor, main1d } from './wgsl.js';

const f32Bits = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0];

/**
 * Shared parameters: p(0) = rows B*H*T (or elements for the dqkv kernel), p(1) = T, p(2) = H, p(3) = D,
 * p(4) = scale bits, p(5..6) = dropout key, p(7) = keep threshold, p(8) = 1 when nothing is kept, p(9) = keep scale.
 */
const KEEP = `
fn keep_scale(i: u32) -> f32 {
  let w = philox_word(i / 4u, i % 4u, p(5), p(6));
  return select(0.0, bitcast<f32>(p(9)), p(8) == 0u && w >= p(7));
}
`;

/** The row (b, h, t) a workgroup owns; returns early (uniformly) past the last row. */
const ROW_HEAD = `
  let w = wid.y * nwg.x + wid.x;
  if (w >= p(0)) { return; }
  let T = p(1);
  let D = p(3);
  let t = w % T;
  let h = (w / T) % p(2);
  let b = w / (T * p(2));
  let base = w * T;
  let sc = bitcast<f32>(p(4));
  // qkv rows are 3 H D apart; q, k and v of head h start at h D, C + h D and 2 C + h D within a row
  let C = p(2) * D;
  let qRow = (b * T + t) * 3u * C + h * D;
  let kv0 = b * T * 3u * C + h * D;`;

function rowKernel(bindings: string, body: string): string {
  return `${PARAMS + SPECIAL + PHILOX + KEEP + ROW + bindings}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
${ROW_HEAD}
${body}
}
`;
}

/** Y [B, T, H*D], the probabilities PR and (with dropout) the dropped ones PD, [B, H, T, T]. */
function forwardKernel(drop: boolean): string {
  const out = binding(2, 'Y', 'read_write') + binding(3, 'PR', 'read_write');
  const src = drop ? 'PD' : 'PR';
  return rowKernel(
    binding(1, 'QKV', 'read') + out + (drop ? binding(4, 'PD', 'read_write') : ''),
    `
  var m = -inf();
  for (var s = lid; s <= t; s += ${WORKGROUP}u) {
    var acc = 0.0;
    let kRow = kv0 + s * 3u * C + C;
    for (var d = 0u; d < D; d++) { acc += (bitcast<f32>(QKV[qRow + d]) * sc) * bitcast<f32>(QKV[kRow + d]); }
    PR[base + s] = bitcast<u32>(acc);
    m = nan_max(m, acc);
  }
  m = row_max(m, lid);
  let shift = select(m, 0.0, abs(m) == inf());
  var sum = 0.0;
  for (var s = lid; s <= t; s += ${WORKGROUP}u) { sum += exp(bitcast<f32>(PR[base + s]) - shift); }
  sum = row_sum(sum, lid);
  let inv = 1.0 / sum;
  for (var s = lid; s < T; s += ${WORKGROUP}u) {
    var pr = 0.0;
    var kept = 0.0;
    if (s <= t) {
      pr = exp(bitcast<f32>(PR[base + s]) - shift) * inv;
      ${drop ? 'kept = pr * keep_scale(base + s);' : ''}
    }
    PR[base + s] = bitcast<u32>(pr);
    ${drop ? 'PD[base + s] = bitcast<u32>(kept);' : ''}
  }
  storageBarrier();
  for (var d = lid; d < D; d += ${WORKGROUP}u) {
    var acc = 0.0;
    for (var s = 0u; s <= t; s++) {
      acc += bitcast<f32>(${src}[base + s]) * bitcast<f32>(QKV[kv0 + s * 3u * C + 2u * C + d]);
    }
    Y[(b * T + t) * C + h * D + d] = bitcast<u32>(acc);
  }`,
  );
}

/**
 * DS [B, H, T, T] = PR (dP - sum(dP PR)), dP = gy v^T, dropout-masked. The mask is read off PD rather than made again:
 * an entry was kept exactly when PD != 0, unless its probability underflowed to 0, and then its term is 0 either way.
 */
function scoresGradKernel(drop: boolean): string {
  return rowKernel(
    binding(1, 'QKV', 'read') +
      binding(2, 'PR', 'read') +
      binding(3, 'GY', 'read') +
      binding(4, 'DS', 'read_write') +
      (drop ? binding(5, 'PD', 'read') : ''),
    `
  let gyBase = (b * T + t) * C + h * D;
  var dot = 0.0;
  for (var s = lid; s < T; s += ${WORKGROUP}u) {
    var dp = 0.0;
    if (s <= t) {
      let vRow = kv0 + s * 3u * C + 2u * C;
      for (var d = 0u; d < D; d++) { dp += bitcast<f32>(GY[gyBase + d]) * bitcast<f32>(QKV[vRow + d]); }
      ${drop ? 'dp = dp * select(0.0, bitcast<f32>(p(9)), PD[base + s] != 0u);' : ''}
    }
    DS[base + s] = bitcast<u32>(dp);
    dot += dp * bitcast<f32>(PR[base + s]);
  }
  dot = row_sum(dot, lid);
  for (var s = lid; s < T; s += ${WORKGROUP}u) {
    DS[base + s] = bitcast<u32>(bitcast<f32>(PR[base + s]) * (bitcast<f32>(DS[base + s]) - dot));
  }`,
  );
}

/** dqkv [B, T, 3, H, D]: dq = (dS k) scale, dk = dS^T (q scale), dv = PD^T gy; one thread per element. */
const QKV_GRAD =
  PARAMS +
  binding(1, 'QKV', 'read') +
  binding(2, 'DS', 'read') +
  binding(3, 'PD', 'read') +
  binding(4, 'GY', 'read') +
  binding(5, 'DQKV', 'read_write') +
  main1d(`
  if (i >= p(0)) { return; }
  let T = p(1);
  let H = p(2);
  let D = p(3);
  let C = H * D;
  let sc = bitcast<f32>(p(4));
  let d = i % D;
  let h = (i / D) % H;
  let part = (i / C) % 3u;
  let t = (i / (3u * C)) % T;
  let b = i / (3u * C * T);
  let rows = (b * H + h) * T;
  // element (s, d) of head h's q, k or v is at kv0 + s * 3C (+ C for k, + 2C for v)
  let kv0 = b * T * 3u * C + h * D + d;
  var acc = 0.0;
  if (part == 0u) {
    for (var s = 0u; s <= t; s++) {
      acc += bitcast<f32>(DS[(rows + t) * T + s]) * bitcast<f32>(QKV[kv0 + s * 3u * C + C]);
    }
    acc = acc * sc;
  } else if (part == 1u) {
    for (var r = t; r < T; r++) {
      acc += bitcast<f32>(DS[(rows + r) * T + t]) * (bitcast<f32>(QKV[kv0 + r * 3u * C]) * sc);
    }
  } else {
    let gy0 = b * T * C + h * D + d;
    for (var r = t; r < T; r++) { acc += bitcast<f32>(PD[(rows + r) * T + t]) * bitcast<f32>(GY[gy0 + r * C]); }
  }
  DQKV[i] = bitcast<u32>(acc);`);

function params(spec: AttentionSpec, count: number): number[] {
  const drop = spec.dropout
    ? [spec.dropout.key[0], spec.dropout.key[1], ...keepParams(spec.dropout.p)]
    : [0, 0, 0, 1, 0];
  return [count, spec.seq, spec.heads, spec.headDim, f32Bits(spec.scale), ...drop];
}

export function attention(
  rt: Runner,
  qkv: GPUBuffer,
  spec: AttentionSpec,
): { y: GPUBuffer; probs: GPUBuffer; dropped?: GPUBuffer } {
  const { batch: B, seq: T, heads: H, headDim: D } = spec;
  const rows = B * H * T;
  const y = rt.output('attention', B * T * H * D * 4);
  const probs = rt.output('attention', rows * T * 4);
  const dropped = spec.dropout ? rt.output('attention', rows * T * 4) : undefined;
  const drop = dropped !== undefined;
  const buffers = [qkv, y, probs, ...(dropped ? [dropped] : [])];
  rt.dispatch(`attention:${drop ? 'drop' : 'plain'}`, () => forwardKernel(drop), params(spec, rows), buffers, rows);
  return { y, probs, dropped };
}

export function attentionBackward(
  rt: Runner,
  qkv: GPUBuffer,
  probs: GPUBuffer,
  dropped: GPUBuffer,
  gy: GPUBuffer,
  spec: AttentionSpec,
): GPUBuffer {
  const { batch: B, seq: T, heads: H, headDim: D } = spec;
  const rows = B * H * T;
  const drop = spec.dropout !== undefined;
  const ds = rt.output('attentionBackward', rows * T * 4);
  rt.dispatch(
    `attentionBackward:scores:${drop ? 'drop' : 'plain'}`,
    () => scoresGradKernel(drop),
    params(spec, rows),
    drop ? [qkv, probs, gy, ds, dropped] : [qkv, probs, gy, ds],
    rows,
  );
  const n = B * T * 3 * H * D;
  const dqkv = rt.output('attentionBackward', n * 4);
  rt.dispatch('attentionBackward:qkv', () => QKV_GRAD, params(spec, n), [qkv, ds, dropped, gy, dqkv], groupsFor(n));
  rt.release(ds);
  return dqkv;
}
