// A JSONL metrics log: one JSON object per line, with TRL's metric names (loss, learning_rate, grad_norm, ...),
// so a run's log reads like a transformers/TRL log and is trivial to plot.

export type MetricsRecord = Record<string, number | string | null>;

export interface MetricsSink {
  log(record: MetricsRecord): void;
}

/** Keeps records in memory (tests, reports that plot straight from the run). */
export class MemoryMetrics implements MetricsSink {
  readonly records: MetricsRecord[] = [];
  log(record: MetricsRecord): void {
    this.records.push({ ...record });
  }
}

/** Appends each record as a line to a file; non-finite numbers are written as null (JSON has no NaN). */
export class JsonlMetricsLogger implements MetricsSink {
  private constructor(
    readonly path: string,
    private readonly append: (path: string, text: string) => void,
  ) {}

  /** Creates the file's directory, and truncates the file unless `append` is set. */
  static async open(path: string, opts: { append?: boolean } = {}): Promise<JsonlMetricsLogger> {
    // imported lazily so that merely importing slimegrad never pulls Node's fs into a browser bundle
    const fs = await import('node:fs');
    const { dirname } = await import('node:path');
    fs.mkdirSync(dirname(path), { recursive: true });
    if (!opts.append) fs.writeFileSync(path, '');
    return new JsonlMetricsLogger(path, fs.appendFileSync);
  }

  log(record: MetricsRecord): void {
    // JSON.stringify itself writes NaN and +-Infinity as null
    this.append(this.path, `${JSON.stringify(record)}\n`);
  }
}
