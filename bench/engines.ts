// The engines a benchmark case runs on: slimegrad's CPU backend (single-threaded, and with its worker pool when
// asked for), the tfjs peers and jax-js. Each case gets a `prepare` per engine and returns a step function to time.

import { setCpuThreads } from '../src/index.js';
import { usePeer, type PeerName, type Tf } from './peers.js';
import { loadJax } from './jax-peer.js';

export type EngineName = 'slimegrad' | `slimegrad-${number}t` | PeerName | 'jax-js';

export interface Engine {
  name: EngineName;
  kind: 'slimegrad' | 'tfjs' | 'jax';
  /** Makes this engine current (switches the tfjs backend / the slimegrad thread count); tfjs engines return tf. */
  activate(): Promise<Tf | null>;
}

export function slimegradEngine(threads: number): Engine {
  return {
    name: threads <= 1 ? 'slimegrad' : `slimegrad-${threads}t`,
    kind: 'slimegrad',
    async activate() {
      setCpuThreads(threads);
      return null;
    },
  };
}

export function peerEngine(name: PeerName): Engine {
  return { name, kind: 'tfjs', activate: () => usePeer(name) };
}

/** jax-js on its wasm device (matmul and MLP cases only; it has no GPT here). */
export function jaxEngine(): Engine {
  return {
    name: 'jax-js',
    kind: 'jax',
    async activate() {
      setCpuThreads(1);
      await loadJax();
      return null;
    },
  };
}
