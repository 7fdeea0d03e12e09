// A two-minute tour of the engine: fit a small MLP to two interleaved spirals, then gradcheck the same network.
// Run: npx tsx examples/demo.ts

import { crossEntropy, gradcheck, noGrad, randn, tensor, tidy, keep, type Tensor } from 'slimegrad';

function spirals(n: number): { x: Tensor; y: Tensor } {
  const points: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const cls = i % 2;
    const r = (i / n) * 3 + 0.3;
    const angle = r * 2.2 + cls * Math.PI;
    points.push([(r * Math.cos(angle)) / 3, (r * Math.sin(angle)) / 3]);
    labels.push(cls);
  }
  return { x: tensor(points), y: tensor(labels, { dtype: 'int32' }) };
}

function mlp(params: Tensor[], x: Tensor): Tensor {
  const [w1, b1, w2, b2] = params;
  return x.matmul(w1).add(b1).tanh().matmul(w2).add(b2);
}

const hidden = 32;
const params = [
  randn([2, hidden], { seed: 1, std: 1 }),
  randn([hidden], { seed: 2, std: 0.1 }),
  randn([hidden, 2], { seed: 3, std: 0.3 }),
  randn([2], { seed: 4, std: 0.1 }),
].map((p) => keep(p.requireGrad()));

const { x, y } = spirals(200);
const started = performance.now();
for (let step = 0; step <= 600; step++) {
  const loss = tidy(() => {
    const l = crossEntropy(mlp(params, x), y);
    l.backward();
    noGrad(() => params.forEach((p) => p.assign(p.sub(p.grad!.mul(0.5)))));
    params.forEach((p) => p.zeroGrad());
    return l.itemSync();
  });
  if (step % 100 === 0) console.log(`step ${String(step).padStart(3)}  loss ${loss.toFixed(4)}`);
}
const accuracy = tidy(() => mlp(params, x).argmax(-1).eq(y).astype('float32').mean().itemSync());
console.log(
  `train accuracy ${(accuracy * 100).toFixed(1)}% after ${((performance.now() - started) / 1000).toFixed(1)} s`,
);

// The same network in float64, checked against central finite differences.
const small = params.map((p) => tensor(p.dataSync(), { shape: p.shape, dtype: 'float64' }));
const xs = tensor(x.dataSync(), { shape: x.shape, dtype: 'float64' }).slice([0], [8]);
const check = gradcheck((...ps) => crossEntropy(mlp(ps, xs), y.slice([0], [8])), small);
console.log(check.message);
