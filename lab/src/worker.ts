// The lab's training worker: runs the live training (training.ts) off the page's main thread, so the page stays
// responsive, and answers download requests with the bytes of a trained model.

import { modelFiles } from '../../src/io/checkpoint.js';
import { PauseGate, runLive, type LiveRun } from './training.js';
import type { FromWorker, ToWorker } from './protocol.js';

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope & { setImmediate?: (fn: () => void) => void };

// the training loop yields between steps with setImmediate where the runtime has one, else a zero timeout, which
// browsers clamp to 4 ms; a MessageChannel round trip is the closest equivalent without the clamp
if (typeof scope.setImmediate !== 'function') {
  const channel = new MessageChannel();
  const queue: (() => void)[] = [];
  channel.port1.onmessage = () => queue.shift()?.();
  scope.setImmediate = (fn) => {
    queue.push(fn);
    channel.port2.postMessage(null);
  };
}

const gate = new PauseGate();
const run: LiveRun = { models: new Map() };
const post = (m: FromWorker): void => scope.postMessage(m);

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'start') {
    runLive(m.settings, post, gate, run).catch((err: Error) => post({ type: 'error', message: err.message }));
  } else if (m.type === 'pause' || m.type === 'resume') {
    gate.set(m.type === 'pause');
    post({ type: 'paused', paused: gate.paused });
  } else if (m.type === 'checkpoint') {
    const model = run.models.get(m.method);
    if (!model) {
      post({ type: 'error', message: `no trained model for '${m.method}' yet` });
      return;
    }
    modelFiles(model)
      .then(({ weights, config }) =>
        scope.postMessage({ type: 'checkpoint', method: m.method, weights, config }, [weights.buffer as ArrayBuffer]),
      )
      .catch((err: Error) => post({ type: 'error', message: err.message }));
  }
};
