// Adam (Kingma & Ba) and AdamW (Loshchilov & Hutter), matching torch.optim.Adam / AdamW:
//   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
//   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
// Adam adds weight decay to the gradient (L2); AdamW shrinks the parameter directly, p <- p (1 - lr wd), and by
// default only for matrices that are not embeddings (biases, LayerNorm gains and embeddings are left alone).
// Where the parameter's backend has the fused `adamUpdate` primitive, one call replaces the ~12 composed ops per
// parameter; the composed update below stays as its reference (tests hold the two equal) and as the fallback.

import type { AdamUpdateSpec } from '../backends/backend.js';
import { type Tensor, tensorFromStorage } from '../tensor.js';
import { Optimizer, type ParamsInput } from './optimizer.js';

/** Adam's settings: learning rate, betas, eps and (L2, added to the gradient) weight decay. */
export interface AdamOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/** AdamW's settings: Adam's, with decoupled weight decay. */
export interface AdamWOptions extends AdamOptions {
  /** Which parameters get weight decay; default `defaultDecayFilter`. */
  shouldDecay?: (name: string, p: Tensor) => boolean;
}

const EMBEDDING_NAME = /(^|\.)(wte|wpe|[a-z_]*embed[a-z_]*)\.weight$/;

/** Decay matrices (rank >= 2) except embedding tables, recognised by name (wte, wpe, *embed*). */
export function defaultDecayFilter(name: string, p: Tensor): boolean {
  return p.rank >= 2 && !EMBEDDING_NAME.test(name);
}

class AdamBase extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

  constructor(
    type: string,
    params: ParamsInput,
    opts: AdamOptions,
    defaultDecay: number,
    private readonly decoupled: boolean,
    private readonly shouldDecay: (name: string, p: Tensor) => boolean,
  ) {
    super(type, params, opts.lr);
    [this.beta1, this.beta2] = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? defaultDecay;
    for (const [key, b] of [
      ['betas[0]', this.beta1],
      ['betas[1]', this.beta2],
    ] as const) {
      if (!(b >= 0 && b < 1)) throw new Error(`${type}: ${key} must be in [0, 1), got ${b}`);
    }
    if (!(this.eps > 0)) throw new Error(`${type}: eps must be > 0, got ${this.eps}`);
    if (!(this.weightDecay >= 0)) throw new Error(`${type}: weightDecay must be >= 0, got ${this.weightDecay}`);
  }

  protected stateSlots(): readonly string[] {
    return ['exp_avg', 'exp_avg_sq'];
  }

  protected update(name: string, p: Tensor, grad: Tensor, gradScale?: Tensor): void {
    const t = this.stepCount;
    const decay = this.weightDecay > 0 && this.shouldDecay(name, p);
    const m = this.slot('exp_avg', name, p);
    const v = this.slot('exp_avg_sq', name, p);
    const fused = p.backend.adamUpdate;
    if (fused && grad.dtype === p.dtype && grad.backend === p.backend) {
      const spec: AdamUpdateSpec = {
        lr: this.lr,
        beta1: this.beta1,
        beta2: this.beta2,
        eps: this.eps,
        biasCorrection1: 1 - this.beta1 ** t,
        biasCorrection2: 1 - this.beta2 ** t,
        weightDecay: decay ? this.weightDecay : 0,
        decoupled: this.decoupled,
      };
      const out = fused.call(p.backend, p.storage, grad.storage, m.storage, v.storage, spec, gradScale?.storage);
      // tensorFromStorage tensors are tracked by the enclosing tidy, which frees them once assign has taken their
      // buffers
      p.assign(tensorFromStorage(out.param, p.shape, p.backend));
      m.assign(tensorFromStorage(out.m, p.shape, p.backend));
      v.assign(tensorFromStorage(out.v, p.shape, p.backend));
      return;
    }
    let param = p;
    let g = gradScale ? grad.mul(gradScale) : grad;
    if (decay && this.decoupled) param = p.mul(1 - this.lr * this.weightDecay);
    else if (decay) g = g.add(p.mul(this.weightDecay));
    m.assign(m.mul(this.beta1).add(g.mul(1 - this.beta1)));
    v.assign(v.mul(this.beta2).add(g.mul(g).mul(1 - this.beta2)));
    const stepSize = this.lr / (1 - this.beta1 ** t);
    const denom = v
      .sqrt()
      .div(Math.sqrt(1 - this.beta2 ** t))
      .add(this.eps);
    p.assign(param.sub(m.div(denom).mul(stepSize)));
  }
}

/** Adam: weight decay, if any, is added to the gradient (L2). */
export class Adam extends AdamBase {
  constructor(params: ParamsInput, opts: AdamOptions) {
    super('Adam', params, opts, 0, false, () => true);
  }
}

/** AdamW: decoupled weight decay, by default on matrices that are not embeddings (see defaultDecayFilter). */
export class AdamW extends AdamBase {
  constructor(params: ParamsInput, opts: AdamWOptions) {
    super('AdamW', params, opts, 0.01, true, opts.shouldDecay ?? defaultDecayFilter);
  }
}
