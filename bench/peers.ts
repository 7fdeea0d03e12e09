// The tfjs peers, loaded only here (dev dependencies): one tfjs engine whose active backend is switched between
// 'cpu' (plain JS) and 'wasm' (XNNPACK, SIMD) so every engine runs in the same process, interleaved.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type Tf = typeof tf;
export type PeerName = 'tfjs-cpu' | 'tfjs-wasm';
export const PEERS: readonly PeerName[] = ['tfjs-cpu', 'tfjs-wasm'];

let ready: Promise<Tf> | null = null;

/** Registers both backends once; the .wasm files are read from node_modules (no network). */
export function loadTf(): Promise<Tf> {
  ready ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    setWasmPaths(`${wasmDir}/`);
    await tf.setBackend('wasm');
    await tf.ready();
    await tf.setBackend('cpu');
    await tf.ready();
    return tf;
  })();
  return ready;
}

export async function usePeer(name: PeerName): Promise<Tf> {
  const t = await loadTf();
  const backend = name === 'tfjs-cpu' ? 'cpu' : 'wasm';
  if (t.getBackend() !== backend) {
    await t.setBackend(backend);
    await t.ready();
  }
  return t;
}
