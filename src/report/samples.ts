// The sample answers as one grid: a row per held-out prompt, a column for the SFT checkpoint and one per method,
// so the same prompt is read once across every method. Shared by report.html and report.md.

import type { Summary } from './summary.js';

/** One answer in the grid. */
export interface SampleCellView {
  text: string;
  /** 'right', 'valid, wrong' or 'broken' after training; null for the checkpoint (scored in the table above). */
  verdict: 'right' | 'valid, wrong' | 'broken' | null;
}

/** Columns (the checkpoint, then each method) and a row of answers per prompt. */
export interface SampleGrid {
  columns: string[];
  rows: { prompt: string; cells: SampleCellView[] }[];
}

/** The first `count` prompts of the first method's samples (every method answers the same prompts). */
export function sampleGrid(summary: Summary, count: number): SampleGrid {
  const first = summary.methods[0];
  if (!first) return { columns: [], rows: [] };
  const prompts = first.samples.slice(0, count);
  return {
    columns: ['SFT checkpoint', ...summary.methods.map((m) => m.label)],
    rows: prompts.map((p, i) => ({
      prompt: p.prompt,
      cells: [
        { text: p.before, verdict: null },
        ...summary.methods.map((m): SampleCellView => {
          const s = m.samples[i];
          if (!s) return { text: '', verdict: null };
          return { text: s.after, verdict: s.afterCorrect ? 'right' : s.afterFormatValid ? 'valid, wrong' : 'broken' };
        }),
      ],
    })),
  };
}
