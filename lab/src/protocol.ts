// Messages between the lab page and its training worker.

import type { EvalMetrics, GenerationSample } from '../../src/train/evaluate.js';
import type { Summary } from '../../src/report/summary.js';

/** What the learner chose on the page. */
export interface LiveSettings {
  methods: string[];
  lr: number;
  sftSteps: number;
  steps: number;
  seed: number;
  /** 'auto': WebGPU when the browser offers it, else the CPU. */
  backend: 'auto' | 'cpu';
}

export type ToWorker =
  | { type: 'start'; settings: LiveSettings }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'checkpoint'; method: string };

export type FromWorker =
  | { type: 'backend'; backend: 'cpu' | 'webgpu'; detail: string }
  | { type: 'phase'; phase: string; label: string }
  | { type: 'sft'; step: number; total: number; loss: number }
  | { type: 'eval'; method: string; label: string; step: number; metrics: EvalMetrics; samples: GenerationSample[] }
  | { type: 'step'; method: string; step: number; total: number; loss: number }
  | { type: 'paused'; paused: boolean }
  | { type: 'done'; summary: Summary; seconds: number }
  | { type: 'checkpoint'; method: string; weights: Uint8Array; config: string }
  | { type: 'error'; message: string };
