// SGD with optional momentum and L2 weight decay, as torch.optim.SGD (dampening 0, no Nesterov):
//   g <- g + wd * p;  buf <- momentum * buf + g;  p <- p - lr * buf
// Where the parameter's backend has the fused `sgdUpdate` primitive, one call replaces the composed ops; the
// composed update below stays as its reference (tests hold the two equal) and as the fallback.

import { type Tensor, tensorFromStorage } from '../tensor.js';
import { Optimizer, type ParamsInput } from './optimizer.js';

/** SGD's settings: learning rate, momentum (default 0) and L2 weight decay (default 0). */
export interface SGDOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
}

/** Stochastic gradient descent with optional momentum and weight decay. */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly weightDecay: number;

  constructor(params: ParamsInput, opts: SGDOptions) {
    super('SGD', params, opts.lr);
    this.momentum = opts.momentum ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
    if (!(this.momentum >= 0 && this.momentum < 1))
      throw new Error(`SGD: momentum must be in [0, 1), got ${this.momentum}`);
    if (!(this.weightDecay >= 0)) throw new Error(`SGD: weightDecay must be >= 0, got ${this.weightDecay}`);
  }

  protected stateSlots(): readonly string[] {
    return this.momentum > 0 ? ['momentum_buffer'] : [];
  }

  protected update(name: string, p: Tensor, grad: Tensor, gradScale?: Tensor): void {
    const fused = p.backend.sgdUpdate;
    if (fused && grad.dtype === p.dtype && grad.backend === p.backend) {
      const buf = this.momentum > 0 ? this.slot('momentum_buffer', name, p) : undefined;
      const spec = { lr: this.lr, momentum: this.momentum, weightDecay: this.weightDecay };
      const out = fused.call(p.backend, p.storage, grad.storage, buf?.storage, spec, gradScale?.storage);
      // tensorFromStorage tensors are tracked by the enclosing tidy, which frees them once assign has taken their
      // buffers
      p.assign(tensorFromStorage(out.param, p.shape, p.backend));
      if (buf && out.momentumBuffer) buf.assign(tensorFromStorage(out.momentumBuffer, p.shape, p.backend));
      return;
    }
    const scaled = gradScale ? grad.mul(gradScale) : grad;
    let g = this.weightDecay > 0 ? scaled.add(p.mul(this.weightDecay)) : scaled;
    if (this.momentum > 0) {
      // the buffer starts at zero, so the first step uses g itself, as torch does
      const buf = this.slot('momentum_buffer', name, p);
      buf.assign(buf.mul(this.momentum).add(g));
      g = buf;
    }
    p.assign(p.sub(g.mul(this.lr)));
  }
}
