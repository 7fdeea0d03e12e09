// The engines a benchmark case runs on: slimegrad's CPU backend (single-threaded, and with its worker pool when
// asked for) and the tfjs peers. Each case gets a `prepare` per engine and returns a step function to time.

import { setCpuThreads } from '../src/index.js';
import { usePeer, type PeerName, type Tf } from './peers.js';

export type EngineName = 'slimegrad' | `slimegrad-${number}t` | PeerName;

export interface Engine {
  name: EngineName;
  kind: 'slimegrad' | 'tfjs';
  /** Makes this engine current (switches the tfjs backend / the slimegrad thread count). */
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
