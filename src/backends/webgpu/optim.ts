// The fused Adam / AdamW update (Backend.adamUpdate): one dispatch per parameter instead of ~14, with every
// hyperparameter a uniform and the clipping scale read on the GPU, so a step needs neither uploads nor a readback.
// The arithmetic follows optim/adam.ts operation for operation, each constant rounded to float32 as the composed
// update's scalar tensors are, so both give the same bits wherever the GPU rounds sqrt and division correctly.

import type { AdamUpdateSpec } from '../backend.js';
import type { GPUBuffer } from './gpu-types.js';
import type { Runner } from './runner.js';
import { PARAMS, binding, groupsFor, main1d } from './wgsl.js';

const f32Bits = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0];

/** p(1): 0 no decay, 1 decoupled (AdamW), 2 L2 (Adam); p(2..10): the float32 constants below, as bits. */
function kernel(scaled: boolean): string {
  const f = (k: number): string => `bitcast<f32>(p(${k}u))`;
  return (
    PARAMS +
    binding(1, 'PI', 'read') +
    binding(2, 'G', 'read') +
    binding(3, 'M', 'read') +
    binding(4, 'V', 'read') +
    binding(5, 'PO', 'read_write') +
    binding(6, 'MO', 'read_write') +
    binding(7, 'VO', 'read_write') +
    (scaled ? binding(8, 'S', 'read') : '') +
    main1d(`
  if (i >= p(0)) { return; }
  let p0 = bitcast<f32>(PI[i]);
  var g = bitcast<f32>(G[i]);
  ${scaled ? 'g = g * bitcast<f32>(S[0]);' : ''}
  var param = p0;
  if (p(1) == 1u) { param = p0 * ${f(2)}; }
  if (p(1) == 2u) { g = g + p0 * ${f(3)}; }
  let m = bitcast<f32>(M[i]) * ${f(4)} + g * ${f(5)};
  let v = bitcast<f32>(V[i]) * ${f(6)} + g * g * ${f(7)};
  let denom = sqrt(v) / ${f(9)} + ${f(10)};
  PO[i] = bitcast<u32>(param - m / denom * ${f(8)});
  MO[i] = bitcast<u32>(m);
  VO[i] = bitcast<u32>(v);`)
  );
}

export function adamUpdate(
  rt: Runner,
  n: number,
  param: GPUBuffer,
  grad: GPUBuffer,
  m: GPUBuffer,
  v: GPUBuffer,
  spec: AdamUpdateSpec,
  scale?: GPUBuffer,
): { param: GPUBuffer; m: GPUBuffer; v: GPUBuffer } {
  const out = {
    param: rt.output('adamUpdate', n * 4),
    m: rt.output('adamUpdate', n * 4),
    v: rt.output('adamUpdate', n * 4),
  };
  const mode = spec.weightDecay === 0 ? 0 : spec.decoupled ? 1 : 2;
  const params = [
    n,
    mode,
    f32Bits(1 - spec.lr * spec.weightDecay),
    f32Bits(spec.weightDecay),
    f32Bits(spec.beta1),
    f32Bits(1 - spec.beta1),
    f32Bits(spec.beta2),
    f32Bits(1 - spec.beta2),
    f32Bits(spec.lr / spec.biasCorrection1),
    f32Bits(Math.sqrt(spec.biasCorrection2)),
    f32Bits(spec.eps),
  ];
  const buffers = [param, grad, m, v, out.param, out.m, out.v, ...(scale ? [scale] : [])];
  rt.dispatch(
    `adamUpdate:${scale ? 'scaled' : 'plain'}`,
    () => kernel(scale !== undefined),
    params,
    buffers,
    groupsFor(n),
  );
  return out;
}
