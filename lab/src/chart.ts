// A thin wrapper over uPlot for the lab: labelled axes with units, the report's colour-blind-safe palette and dash
// patterns, and data given as named series over one x array (gaps as null). uPlot draws to a canvas and redraws a
// few thousand points in well under a millisecond, so charts can be updated on every slider move or training step.

import uPlot from 'uplot';
import { seriesStyle } from '../../src/report/chart-specs.js';

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly string[];
  logY?: boolean;
  /** A fixed y range (e.g. [0, 1] for rates), instead of one fitted to the data. */
  yRange?: [number, number];
  width?: number;
  height?: number;
  /** Colour and dash per series when they must not follow the series order (e.g. a method keeps its colour). */
  styles?: readonly { color: string; dash: readonly number[] }[];
}

/** Every live chart on the page by its title, so tests (and the curious, in the console) can read what is drawn. */
export const charts = new Map<string, LineChart>();

export class LineChart {
  private plot: uPlot;
  private data: (number | null)[][] = [];

  constructor(
    container: HTMLElement,
    readonly options: LineChartOptions,
  ) {
    const { title, xLabel, yLabel, logY } = options;
    const font = '13px system-ui, sans-serif';
    const axis = {
      font,
      labelFont: 'bold 13px system-ui, sans-serif',
      stroke: '#222',
      grid: { stroke: '#e5e5e5', width: 1 },
      ticks: { stroke: '#bbb' },
    };
    this.plot = new uPlot(
      {
        title,
        width: options.width ?? 470,
        height: options.height ?? 300,
        scales: { x: { time: false }, y: logY ? { distr: 3 } : options.yRange ? { range: options.yRange } : {} },
        axes: [
          { ...axis, label: xLabel },
          // uPlot's default labels round small probabilities on a log axis to 0; write them as powers of ten
          {
            ...axis,
            label: yLabel,
            size: 64,
            ...(logY
              ? {
                  values: (_u: uPlot, splits: (number | null)[]) =>
                    splits.map((v) => (v === null ? '' : v.toExponential(0))),
                }
              : {}),
          },
        ],
        series: [
          { label: xLabel },
          ...options.series.map((name, i) => {
            const { color, dash } = options.styles?.[i] ?? seriesStyle(i);
            return { label: name, stroke: color, width: 2, dash: [...dash], spanGaps: true, points: { show: false } };
          }),
        ],
        legend: { live: true },
      },
      [[], ...options.series.map(() => [])],
      container,
    );
    charts.set(title, this);
  }

  /** Replaces the data: x values and one y array per series (null where a series has no value). */
  setData(x: readonly number[], ys: readonly (readonly (number | null)[])[]): void {
    this.data = [[...x], ...ys.map((y) => [...y])];
    this.plot.setData(this.data as uPlot.AlignedData);
  }

  /** How many non-null values each series holds. */
  pointCounts(): number[] {
    return this.data.slice(1).map((y) => y.filter((v) => v !== null && Number.isFinite(v)).length);
  }

  destroy(): void {
    charts.delete(this.options.title);
    this.plot.destroy();
  }
}
