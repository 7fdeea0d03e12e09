// slimegrad's public API.

export { Tensor } from './tensor.js';
export type {
  Backend,
  DType,
  Storage,
  TypedArray,
  MatmulSpec,
  StridedView,
  UnaryOp,
  BinaryOp,
  ReduceOp,
} from './backends/backend.js';
export {
  registerBackend,
  getBackend,
  setDefaultBackend,
  defaultBackend,
  availableBackends,
  initBackend,
  registerBackendInitialiser,
  getRegisteredBackends,
} from './backends/backend.js';
export { setCpuThreads, cpuThreads } from './backends/cpu/threads.js';
export { initWebGPU, WebGPUBackend } from './backends/webgpu/index.js';
export type { WebGPUStats } from './backends/webgpu/runner.js';
export { tensor, zeros, ones, full, zerosLike, onesLike, arange, rand, randn } from './creation.js';
export type { TensorOptions, RandomOptions } from './creation.js';
export { grad, valueAndGrad, vjp } from './autograd/functional.js';
export { noGrad, enableGrad, isGradEnabled, detectAnomaly, setAnomalyDetection } from './autograd/graph.js';
export { gradcheck, gradgradcheck } from './autograd/gradcheck.js';
export type { GradcheckOptions, GradcheckResult } from './autograd/gradcheck.js';
export { tidy, keep, memory } from './memory.js';
export type { MemorySnapshot } from './memory.js';
export { Rng, philox4x32 } from './random.js';
// Every op is a free function too, named as its Tensor method and taking the tensor first (where takes the
// condition first); concat, scatterAdd, embedding and crossEntropy exist only as free functions.
export {
  add,
  sub,
  mul,
  div,
  pow,
  maximum,
  minimum,
  where,
  lt,
  le,
  gt,
  ge,
  eq,
  ne,
  square,
} from './autograd/ops/binary.js';
export {
  neg,
  exp,
  log,
  sqrt,
  tanh,
  sigmoid,
  abs,
  sign,
  expm1,
  log1p,
  reciprocal,
  relu,
  gelu,
  softplus,
  logSigmoid,
  log1mexp,
} from './autograd/ops/unary.js';
export { sum, mean, max, min, argmax, logsumexp, softmax, logSoftmax } from './autograd/ops/reduce.js';
export { reshape, permute, transpose, broadcastTo, slice, concat, astype } from './autograd/ops/layout.js';
export { matmul } from './autograd/ops/matmul.js';
export { gather, scatterAdd, embedding } from './autograd/ops/indexing.js';
export { layerNorm, dropout, crossEntropy } from './autograd/ops/nn.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as losses from './losses/index.js';
export * as data from './data/index.js';
export * as io from './io/index.js';
