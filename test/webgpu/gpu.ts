// Getting the WebGPU backend for a test file. Locally, with no adapter, the WebGPU tests skip with one loud line
// saying how to enable them; in CI (CI set) that same situation is a failure, so a missing driver cannot pass as green.

import { initWebGPU, type WebGPUBackend } from '../../src/index.js';

export async function webgpuOrSkip(): Promise<WebGPUBackend | null> {
  try {
    return await initWebGPU();
  } catch (e) {
    const why = (e as Error).message;
    if (process.env.CI) throw new Error(`WebGPU tests must run in CI, but no device could be had: ${why}`);
    console.warn(`*** WebGPU tests SKIPPED (no adapter): ${why}`);
    return null;
  }
}
