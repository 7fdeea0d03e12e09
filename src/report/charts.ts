// Charts as SVG strings, rendered headless in Node with vega-lite + vega (no canvas, no DOM, no network).
// vega and vega-lite are dev dependencies loaded with dynamic import(), so the core library never needs them.

import type { TopLevelSpec } from 'vega-lite';
import type { Loader } from 'vega';
import { seriesStyle } from './chart-specs.js';

export interface ChartPoint {
  x: number;
  y: number;
  /** Lower edge of a shaded band around the line (e.g. mean - std over seeds); needs `hi` too. */
  lo?: number;
  hi?: number;
}

export interface ChartSeries {
  name: string;
  points: readonly ChartPoint[];
}

/** A labelled vertical rule, e.g. to mark a margin or a threshold on the x axis. */
export interface ChartMarker {
  x: number;
  label: string;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  width?: number;
  height?: number;
  /** A logarithmic y axis; every y (and lo/hi) must then be > 0. */
  logY?: boolean;
  /** A logarithmic x axis (e.g. learning rates); every x must then be > 0. */
  logX?: boolean;
  /** A fixed y domain (e.g. [0, 1] for rates) instead of one fitted to the data. */
  yDomain?: [number, number];
  markers?: readonly ChartMarker[];
  /** Colour and dash per series, in series order; default the report's colour-blind-safe palette (chart-specs.ts). */
  styles?: readonly { color: string; dash: readonly number[] }[];
  /** Opacity of the lo/hi bands: light enough that overlapping bands never hide a line. */
  bandOpacity?: number;
}

interface Row {
  series: string;
  x: number;
  y: number;
  lo?: number;
  hi?: number;
}

function checkedRows(opts: LineChartOptions): Row[] {
  if (opts.series.length === 0) throw new Error(`lineChart '${opts.title}': expected at least one series, got none`);
  const names = new Set<string>();
  const rows: Row[] = [];
  for (const s of opts.series) {
    if (names.has(s.name))
      throw new Error(`lineChart '${opts.title}': series name '${s.name}' is used twice (names key the legend)`);
    names.add(s.name);
    for (const [i, p] of s.points.entries()) {
      // not JSON.stringify: it would print NaN and Infinity as null
      const shown = Object.entries(p)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ');
      const where = `lineChart '${opts.title}': series '${s.name}' point ${i}`;
      const values = [p.x, p.y, ...(p.lo === undefined ? [] : [p.lo]), ...(p.hi === undefined ? [] : [p.hi])];
      if (!values.every(Number.isFinite)) throw new Error(`${where} has a non-finite value (${shown})`);
      if ((p.lo === undefined) !== (p.hi === undefined))
        throw new Error(`${where}: a band needs both lo and hi, got (${shown})`);
      if (opts.logX && p.x <= 0) throw new Error(`${where}: a log x axis needs x > 0, got (${shown})`);
      if (opts.logY && values.slice(1).some((v) => v <= 0))
        throw new Error(`${where}: a log y axis needs y, lo, hi > 0, got (${shown})`);
      rows.push({ series: s.name, ...p });
    }
  }
  return rows;
}

/** The vega-lite spec lineChart renders: an escape hatch for callers who want to tweak it before renderVegaLite. */
export function lineChartSpec(opts: LineChartOptions): TopLevelSpec {
  const rows = checkedRows(opts);
  const order = opts.series.map((s) => s.name);
  // a log x axis (learning rates) spans exactly the values given and ticks at each of them
  const xValues = [...new Set(rows.map((r) => r.x))].sort((a, b) => a - b);
  const logX = opts.logX ? { scale: { type: 'log' as const, nice: false }, axis: { values: xValues } } : {};
  const x = { field: 'x', type: 'quantitative' as const, title: opts.xLabel, ...logX };
  const yScale = opts.logY ? { type: 'log' as const } : opts.yDomain ? { domain: opts.yDomain } : { zero: false };
  // stroke symbols, so the legend shows lines rather than the bands' pale swatches
  const legend = { symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolOpacity: 1, labelLimit: 360 };
  const styles = opts.series.map((_, i) => opts.styles?.[i] ?? seriesStyle(i));
  const color = {
    field: 'series',
    type: 'nominal' as const,
    title: null,
    sort: order,
    legend,
    scale: { domain: order, range: styles.map((st) => st.color) },
  };
  const strokeDash = {
    field: 'series',
    type: 'nominal' as const,
    title: null,
    sort: order,
    scale: { domain: order, range: styles.map((st) => (st.dash.length ? [...st.dash] : [1, 0])) },
  };
  const layers: TopLevelSpec[] = [];
  const banded = rows.filter((r) => r.lo !== undefined);
  if (banded.length > 0) {
    layers.push({
      data: { values: banded },
      mark: { type: 'area', opacity: opts.bandOpacity ?? 0.12 },
      encoding: {
        x,
        y: { field: 'lo', type: 'quantitative', scale: yScale, title: opts.yLabel },
        y2: { field: 'hi' },
        color,
      },
    } as TopLevelSpec);
  }
  layers.push({
    data: { values: rows },
    mark: { type: 'line', strokeWidth: 2.5 },
    encoding: { x, y: { field: 'y', type: 'quantitative', scale: yScale, title: opts.yLabel }, color, strokeDash },
  } as TopLevelSpec);
  if (opts.markers && opts.markers.length > 0) {
    const data = { values: opts.markers.map((m) => ({ x: m.x, label: m.label })) };
    layers.push({
      data,
      mark: { type: 'rule', strokeDash: [4, 4], color: '#666' },
      encoding: { x: { field: 'x', type: 'quantitative' } },
    } as TopLevelSpec);
    layers.push({
      data,
      mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 3, y: 0, color: '#444' },
      encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 'label' } },
    } as TopLevelSpec);
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    // "main point: detail" titles become a title and a subtitle, so no title is wider than its plot
    title: opts.title.includes(': ')
      ? {
          text: opts.title.slice(0, opts.title.indexOf(': ')),
          subtitle: opts.title.slice(opts.title.indexOf(': ') + 2),
        }
      : { text: opts.title, subtitle: ' ' }, // an empty subtitle keeps plot areas level with subtitled charts
    width: opts.width ?? 480,
    height: opts.height ?? 300,
    background: 'white',
    layer: layers,
    // fixed axis extents and a legend below: every chart's plot area has the same size and left edge, so charts
    // side by side or stacked line up
    config: {
      legend: { orient: 'bottom', columns: 4, labelFontSize: 13, symbolSize: 300 },
      axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal' },
      axisY: { minExtent: 48, maxExtent: 48 },
      title: { fontSize: 15, subtitleFontSize: 13, subtitleColor: '#444', anchor: 'start' },
    },
  } as TopLevelSpec;
}

/**
 * Charts are offline artefacts: any attempt to fetch data, images or fonts is a bug. vega only logs a failed load
 * and renders on, so the loader records what it refused and the render then fails loudly.
 */
function offlineLoader(refused: string[]): Loader {
  const refuse = async (uri: string): Promise<never> => {
    refused.push(uri);
    throw new Error(`charts: refusing to load '${uri}'`);
  };
  return { load: refuse, sanitize: refuse, http: refuse, file: refuse };
}

/** Renders any vega-lite spec to an SVG string, headless and offline. */
export async function renderVegaLite(spec: TopLevelSpec): Promise<string> {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const compiled = vl.compile(spec).spec;
  const refused: string[] = [];
  const view = new vega.View(vega.parse(compiled), {
    renderer: 'none',
    loader: offlineLoader(refused),
    logLevel: vega.None,
  });
  try {
    const svg = await view.toSVG();
    if (refused.length > 0) {
      throw new Error(
        `charts: refusing to load ${refused.map((u) => `'${u}'`).join(', ')}: ` +
          'charts render offline, so inline the data (data.values)',
      );
    }
    return svg;
  } finally {
    view.finalize();
  }
}

/** One line per series (with an optional lo/hi band), a legend, axis titles: an SVG string. */
export async function lineChart(opts: LineChartOptions): Promise<string> {
  return renderVegaLite(lineChartSpec(opts));
}
