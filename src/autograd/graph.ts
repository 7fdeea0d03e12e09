// Recording and reverse-mode backward. Each differentiable op attaches a Node to its output; backward walks the
// graph in iterative topological order (no recursion, so deep graphs are fine) and sums gradients of tensors
// used more than once. Backward rules are Tensor code, so with createGraph they are themselves recorded.

import { attachNode, type Tensor } from '../tensor.js';
import { fmt } from '../shape.js';

/** Returns one gradient per input (null where the input needs none). `needs[i]` says which are wanted. */
export type BackwardRule = (grad: Tensor, needs: readonly boolean[]) => readonly (Tensor | null)[];

export interface Node {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly backward: BackwardRule;
}

let gradEnabled = true;
let anomalyMode = false;

/** Whether ops record a graph now (false inside noGrad). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Runs fn without recording a graph (inference, optimizer updates, reference-model log-probs). */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs fn with recording on, even inside noGrad (as grad/vjp do). */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

/** Turns anomaly detection on or off (like torch.autograd.set_detect_anomaly). Slow: it reads every result. */
export function setAnomalyDetection(on: boolean): void {
  anomalyMode = on;
}

export function isAnomalyDetectionEnabled(): boolean {
  return anomalyMode;
}

/**
 * Runs fn with anomaly detection on: the first op whose output (forward) or gradient (backward) holds NaN/Inf
 * throws.
 */
export function detectAnomaly<T>(fn: () => T): T {
  const prev = anomalyMode;
  anomalyMode = true;
  try {
    return fn();
  } finally {
    anomalyMode = prev;
  }
}

/** What anomaly mode throws, so backward can tell a NaN/Inf inside a rule from any other failure. */
export class AnomalyError extends Error {}

export function checkFinite(t: Tensor, what: string): void {
  if (t.backend.readSync === undefined) {
    throw new Error(
      `anomaly detection needs synchronous reads; backend '${t.backend.name}' has none (use the cpu backend)`,
    );
  }
  const data = t.backend.readSync(t.storage);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) {
      throw new AnomalyError(`anomaly: ${what} produced ${v} at flat index ${i} (shape ${fmt(t.shape)}, ${t.dtype})`);
    }
  }
}

/** Attaches a Node to `out` when grad mode is on and some input requires grad. Returns `out`. */
export function record(op: string, out: Tensor, inputs: readonly Tensor[], backward: BackwardRule): Tensor {
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    attachNode(out, { op, inputs, backward });
  }
  return out;
}

/**
 * True when `root` depends on a tensor requiring grad other than through `inputs`: e.g. one captured by a closure
 * from an outer grad, whose derivative then needs the backward pass recorded.
 */
export function dependsOnOthers(root: Tensor, inputs: ReadonlySet<Tensor>): boolean {
  const stack = [root];
  const seen = new Set<Tensor>();
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t) || inputs.has(t) || !t.requiresGrad) continue;
    seen.add(t);
    if (t.node === null) return true;
    stack.push(...t.node.inputs);
  }
  return false;
}

/** Tensors reachable from `roots` through nodes, inputs before outputs. */
function topoOrder(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: Array<[Tensor, number]> = roots.filter((r) => r.requiresGrad).map((r) => [r, 0]);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, next] = top;
    if (next === 0) {
      if (visited.has(t)) {
        stack.pop();
        continue;
      }
      visited.add(t);
    }
    const inputs = t.node?.inputs ?? [];
    if (next < inputs.length) {
      top[1]++;
      const child = inputs[next];
      if (child.requiresGrad && !visited.has(child)) stack.push([child, 0]);
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/**
 * Gradients of sum(roots[i] * seeds[i]) with respect to every tensor on a path to `targets` (all leaves when
 * targets is undefined). With createGraph, the backward computation is itself recorded (higher-order grads).
 */
export function computeGradients(
  roots: readonly Tensor[],
  seeds: readonly Tensor[],
  targets: readonly Tensor[] | undefined,
  createGraph: boolean,
): Map<Tensor, Tensor> {
  const order = topoOrder(roots);
  // keep only tensors from which a target can be reached, so no work is done for unwanted gradients
  const wanted = new Set<Tensor>();
  const isTarget = targets ? new Set(targets) : undefined;
  for (const t of order) {
    if (isTarget ? isTarget.has(t) : t.node === null) wanted.add(t);
    else if (t.node?.inputs.some((i) => wanted.has(i))) wanted.add(t);
  }
  const grads = new Map<Tensor, Tensor>();
  roots.forEach((r, i) => {
    if (wanted.has(r)) accumulate(grads, r, seeds[i]);
  });
  withGradMode(createGraph, () => {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      const node = t.node;
      if (!g || !node || (isTarget?.has(t) && !node.inputs.some((x) => wanted.has(x)))) continue;
      const needs = node.inputs.map((x) => wanted.has(x));
      const inputGrads = anomalyMode ? blameBackward(node, () => node.backward(g, needs)) : node.backward(g, needs);
      node.inputs.forEach((x, j) => {
        const gx = inputGrads[j];
        if (!needs[j] || !gx) return;
        if (anomalyMode) checkFinite(gx, `backward of '${node.op}' (gradient for input ${j}, shape ${fmt(x.shape)})`);
        accumulate(grads, x, gx);
      });
    }
  });
  return grads;
}

/** A NaN/Inf met inside a backward rule is reported as that op's backward, not as the helper op that made it. */
function blameBackward<T>(node: Node, rule: () => T): T {
  try {
    return rule();
  } catch (e) {
    if (!(e instanceof AnomalyError)) throw e;
    throw new AnomalyError(
      `anomaly: backward of '${node.op}' ` +
        `(inputs ${node.inputs.map((x) => fmt(x.shape)).join(', ')}) produced a non-finite value; ` +
        `inside its rule, ${e.message.replace(/^anomaly: /, '')}`,
    );
  }
}

function accumulate(grads: Map<Tensor, Tensor>, t: Tensor, g: Tensor): void {
  const prev = grads.get(t);
  grads.set(t, prev ? prev.add(g) : g);
}
