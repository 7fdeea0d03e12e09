// The op-suite cases whose float32 forward or backward runs the CPU backend's wasm kernels, for the two suites
// that pin both paths: cpu-typescript.test.ts (wasm off) and cpu-wasm-elementwise.test.ts (wasm at every size).

/** Cases (by op) on the matmul and fused row kernels. */
export const WASM_FUSED_OPS = ['matmul', 'gelu', 'softmax', 'logSoftmax', 'crossEntropy', 'layerNorm'];

/** Cases (by op) on the map and sum kernels, with the view ops whose strided results they must hand back. */
export const WASM_ELEMENTWISE_OPS = [
  ...['neg', 'abs', 'sign', 'sqrt', 'reciprocal', 'relu', 'exp', 'sigmoid', 'square'],
  ...['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'lt', 'le', 'gt', 'ge', 'eq', 'ne', 'where'],
  ...['sum', 'mean', 'logsumexp', 'transpose', 'permute', 'broadcastTo', 'slice', 'crossEntropy'],
];
