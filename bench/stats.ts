// Timing helpers: samples, medians with min-max, and a time budget so slow peers still get several samples.

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function summarize(samples: readonly number[]): Summary {
  const s = [...samples].sort((p, q) => p - q);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], n: s.length };
}

/** Runs fn at least once and until `budgetMs` has passed (at most maxReps times); returns ms per call of each run. */
export function timeReps(fn: () => void, budgetMs: number, maxReps = 50): number[] {
  const out: number[] = [];
  const start = performance.now();
  while (out.length < maxReps && (out.length === 0 || performance.now() - start < budgetMs)) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Collects samples per key across interleaved rounds. */
export class Samples {
  private readonly map = new Map<string, number[]>();
  add(key: string, values: readonly number[]): void {
    const list = this.map.get(key) ?? [];
    list.push(...values);
    this.map.set(key, list);
  }
  get(key: string): number[] {
    return this.map.get(key) ?? [];
  }
  keys(): string[] {
    return [...this.map.keys()];
  }
}
