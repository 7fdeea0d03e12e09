// A run's charts and samples, shared by live training and the report viewer: one chart per RUN_CHARTS entry (the
// static report's specs), a line per method against the preference step, and one samples table with methods as
// columns.

import { RUN_CHARTS } from '../../src/report/chart-specs.js';
import type { EvalMetric, EvalMetrics } from '../../src/train/evaluate.js';
import { LineChart } from './chart.js';

// a log axis cannot show a probability that underflowed to 0; it is drawn at this floor, as in the static report
const LOG_FLOOR = 1e-30;

export interface SampleCell {
  text: string;
  /** Unknown (not shown) for the checkpoint column of a summary, which stores only the text. */
  formatValid?: boolean;
  correct?: boolean;
}

const escape = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export class RunView {
  private charts: LineChart[] = [];
  private curves = new Map<string, Map<number, EvalMetrics>>();
  private samples = new Map<string, SampleCell[]>();
  private prompts: string[] = [];
  private table: HTMLTableElement;

  /** `labels`: the methods' display names, in drawing order (their colours follow it). */
  constructor(
    container: HTMLElement,
    private readonly labels: readonly string[],
    idPrefix: string,
  ) {
    const grid = document.createElement('div');
    grid.className = 'charts';
    for (const spec of RUN_CHARTS) {
      const box = document.createElement('div');
      box.id = `${idPrefix}-${spec.file.replace('.svg', '')}`;
      grid.append(box);
      this.charts.push(
        new LineChart(box, {
          title: `${idPrefix === 'live' ? '' : 'Report: '}${spec.title}`,
          xLabel: 'preference training step',
          yLabel: spec.yLabel,
          series: labels,
          logY: spec.logY,
          yRange: spec.rate ? [0, 1] : undefined,
          width: 470,
          height: 260,
        }),
      );
    }
    const heading = document.createElement('h3');
    heading.textContent = 'Greedy answers to held-out prompts';
    this.table = document.createElement('table');
    this.table.className = 'data samples';
    this.table.id = `${idPrefix}-samples`;
    container.append(grid, heading, this.table);
    for (const l of labels) this.curves.set(l, new Map());
  }

  /** Adds (or replaces) one evaluation of a method. */
  addPoint(label: string, step: number, metrics: EvalMetrics): void {
    this.curves.get(label)?.set(step, metrics);
    this.redraw();
  }

  private redraw(): void {
    const steps = [...new Set([...this.curves.values()].flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
    RUN_CHARTS.forEach((spec, i) => {
      const value = (m: EvalMetrics | undefined, metric: EvalMetric): number | null => {
        if (!m) return null;
        return spec.logY ? Math.max(m[metric], LOG_FLOOR) : m[metric];
      };
      this.charts[i].setData(
        steps,
        this.labels.map((l) => steps.map((s) => value(this.curves.get(l)?.get(s), spec.metric))),
      );
    });
  }

  /** The latest answers of a column ('SFT checkpoint' or a method). */
  setSamples(column: string, prompts: readonly string[], cells: readonly SampleCell[]): void {
    if (this.prompts.length === 0) this.prompts = [...prompts];
    this.samples.set(column, [...cells]);
    const columns = ['SFT checkpoint', ...this.labels].filter((c) => this.samples.has(c));
    const head = `<tr><th scope="col">prompt</th>${columns.map((c) => `<th scope="col">${escape(c)}</th>`).join('')}</tr>`;
    const rows = this.prompts.map(
      (p, i) =>
        `<tr><th scope="row"><code>${escape(p)}</code></th>${columns
          .map((c) => {
            const cell = this.samples.get(c)?.[i];
            if (!cell) return '<td></td>';
            if (cell.correct === undefined) return `<td><code>${escape(cell.text)}</code></td>`;
            const verdict = cell.correct ? 'right' : cell.formatValid ? 'valid, wrong' : 'broken';
            return `<td class="${cell.correct ? 'ok' : 'bad'}"><code>${escape(cell.text)}</code> <small>${verdict}</small></td>`;
          })
          .join('')}</tr>`,
    );
    this.table.innerHTML = `${head}${rows.join('')}`;
  }

  destroy(): void {
    for (const c of this.charts) c.destroy();
  }
}
