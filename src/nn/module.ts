// Module: a tree of named parameters and submodules. A parameter's full dotted name is its checkpoint name, so
// `namedParameters()` of a GPT yields exactly the Hugging Face GPT-2 tensor names.

import type { Tensor } from '../tensor.js';
import { keep } from '../memory.js';

/** A tree of named parameters and submodules; dotted parameter names are the Hugging Face checkpoint names. */
export abstract class Module {
  training = true;
  private readonly params = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  /** Adds a trainable tensor under `name` (may be dotted). Parameters outlive every tidy scope. */
  protected registerParameter(name: string, t: Tensor): Tensor {
    this.checkFree(name);
    t.requireGrad();
    this.params.set(name, keep(t));
    return t;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    this.checkFree(name);
    this.children.set(name, m);
    return m;
  }

  private checkFree(name: string): void {
    if (this.params.has(name) || this.children.has(name)) {
      throw new Error(`${this.constructor.name}: the name '${name}' is already registered`);
    }
  }

  /**
   * [name, tensor] for every parameter, in registration order, each tensor once
   * (a tied weight keeps its first name).
   */
  namedParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    const walk = (m: Module, prefix: string): void => {
      for (const [name, p] of m.params) {
        if (!seen.has(p)) {
          seen.add(p);
          out.push([prefix + name, p]);
        }
      }
      for (const [name, child] of m.children) walk(child, `${prefix}${name}.`);
    };
    walk(this, '');
    return out;
  }

  /** Every parameter of this module and its submodules. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Number of scalar parameters (tied weights counted once). */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Switches training mode (dropout on) for this module and its submodules; `train(false)` is eval(). */
  train(on = true): this {
    this.training = on;
    for (const child of this.children.values()) child.train(on);
    return this;
  }

  /** Switches to evaluation mode (no dropout). */
  eval(): this {
    return this.train(false);
  }

  /** Clears the gradients of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** Frees every parameter and gradient; the module cannot be used afterwards. */
  dispose(): void {
    for (const p of this.parameters()) {
      p.zeroGrad();
      p.dispose();
    }
  }
}
