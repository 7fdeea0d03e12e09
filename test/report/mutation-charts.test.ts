// lineChartSpec's vega-lite spec written out in full for small inputs, and every input check's message, so that
// each option and default is pinned without rendering (test/report/charts.test.ts renders the SVG).

import { describe, expect, it } from 'vitest';
import { lineChartSpec, renderVegaLite } from '../../src/report/charts.js';

const CONFIG = {
  legend: { orient: 'bottom', columns: 4, labelFontSize: 13, symbolSize: 300 },
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal' },
  axisY: { minExtent: 48, maxExtent: 48 },
  title: { fontSize: 15, subtitleFontSize: 13, subtitleColor: '#444', anchor: 'start' },
};
const LEGEND = { symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolOpacity: 1, labelLimit: 360 };

describe('lineChartSpec', () => {
  it('bands, markers, a log x axis ticked at each x, a subtitle, the default palette and size', () => {
    const spec = lineChartSpec({
      title: 'Loss: lower is better',
      xLabel: 'step',
      yLabel: 'loss',
      series: [
        {
          name: 'a',
          points: [
            { x: 2, y: 1, lo: 0.5, hi: 1.5 },
            { x: 1, y: 2, lo: 1, hi: 3 },
          ],
        },
        {
          name: 'b',
          points: [
            { x: 4, y: 4 },
            { x: 1, y: 3 },
          ],
        },
      ],
      logX: true,
      markers: [{ x: 1.5, label: 'm' }],
    });
    const rows = [
      { series: 'a', x: 2, y: 1, lo: 0.5, hi: 1.5 },
      { series: 'a', x: 1, y: 2, lo: 1, hi: 3 },
      { series: 'b', x: 4, y: 4 },
      { series: 'b', x: 1, y: 3 },
    ];
    const x = {
      field: 'x',
      type: 'quantitative',
      title: 'step',
      scale: { type: 'log', nice: false },
      axis: { values: [1, 2, 4] },
    };
    const color = {
      field: 'series',
      type: 'nominal',
      title: null,
      sort: ['a', 'b'],
      legend: LEGEND,
      scale: { domain: ['a', 'b'], range: ['#000000', '#E69F00'] },
    };
    const strokeDash = {
      field: 'series',
      type: 'nominal',
      title: null,
      sort: ['a', 'b'],
      scale: {
        domain: ['a', 'b'],
        range: [
          [1, 0],
          [8, 4],
        ],
      },
    };
    const markers = { values: [{ x: 1.5, label: 'm' }] };
    expect(spec).toEqual({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Loss', subtitle: 'lower is better' },
      width: 480,
      height: 300,
      background: 'white',
      layer: [
        {
          data: { values: rows.slice(0, 2) },
          mark: { type: 'area', opacity: 0.12 },
          encoding: {
            x,
            y: { field: 'lo', type: 'quantitative', scale: { zero: false }, title: 'loss' },
            y2: { field: 'hi' },
            color,
          },
        },
        {
          data: { values: rows },
          mark: { type: 'line', strokeWidth: 2.5 },
          encoding: {
            x,
            y: { field: 'y', type: 'quantitative', scale: { zero: false }, title: 'loss' },
            color,
            strokeDash,
          },
        },
        {
          data: markers,
          mark: { type: 'rule', strokeDash: [4, 4], color: '#666' },
          encoding: { x: { field: 'x', type: 'quantitative' } },
        },
        {
          data: markers,
          mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 3, y: 0, color: '#444' },
          encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 'label' } },
        },
      ],
      config: CONFIG,
    });
  });

  it('a log y axis, given styles and size, no markers, a title without a subtitle', () => {
    const spec = lineChartSpec({
      title: 'Plain',
      xLabel: 'x',
      yLabel: 'y',
      series: [{ name: 'p', points: [{ x: -1, y: 1 }] }],
      logY: true,
      yDomain: [0, 1],
      width: 100,
      height: 50,
      styles: [{ color: 'red', dash: [3, 1] }],
      markers: [],
    });
    expect(spec).toEqual({
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Plain', subtitle: ' ' },
      width: 100,
      height: 50,
      background: 'white',
      layer: [
        {
          data: { values: [{ series: 'p', x: -1, y: 1 }] },
          mark: { type: 'line', strokeWidth: 2.5 },
          encoding: {
            x: { field: 'x', type: 'quantitative', title: 'x' },
            y: { field: 'y', type: 'quantitative', scale: { type: 'log' }, title: 'y' },
            color: {
              field: 'series',
              type: 'nominal',
              title: null,
              sort: ['p'],
              legend: LEGEND,
              scale: { domain: ['p'], range: ['red'] },
            },
            strokeDash: {
              field: 'series',
              type: 'nominal',
              title: null,
              sort: ['p'],
              scale: { domain: ['p'], range: [[3, 1]] },
            },
          },
        },
      ],
      config: CONFIG,
    });
  });

  it('a fixed y domain and a given band opacity; a style left out falls back to the palette', () => {
    const spec = lineChartSpec({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        { name: 'p', points: [{ x: 0, y: 0.5, lo: 0, hi: 1 }] },
        { name: 'q', points: [{ x: 0, y: 0.5 }] },
      ],
      yDomain: [0, 1],
      bandOpacity: 0.5,
      styles: [{ color: 'red', dash: [] }],
    }) as { layer: { mark: unknown; encoding: { y: unknown; color: { scale: unknown } } }[] };
    expect(spec.layer[0].mark).toEqual({ type: 'area', opacity: 0.5 });
    expect(spec.layer[0].encoding.y).toEqual({
      field: 'lo',
      type: 'quantitative',
      scale: { domain: [0, 1] },
      title: 'y',
    });
    expect(spec.layer[1].encoding.color.scale).toEqual({ domain: ['p', 'q'], range: ['red', '#E69F00'] });
  });

  it('refuses what it cannot draw, naming the chart, the series, the point and its values', () => {
    const chart =
      (series: { name: string; points: object[] }[], more = {}) =>
      () =>
        lineChartSpec({ title: 'T', xLabel: 'x', yLabel: 'y', series: series as never, ...more });
    expect(chart([])).toThrow(new Error("lineChart 'T': expected at least one series, got none"));
    expect(
      chart([
        { name: 'a', points: [] },
        { name: 'a', points: [] },
      ]),
    ).toThrow(new Error("lineChart 'T': series name 'a' is used twice (names key the legend)"));
    expect(
      chart([
        {
          name: 'a',
          points: [
            { x: 0, y: 1 },
            { x: 1, y: NaN },
          ],
        },
      ]),
    ).toThrow(new Error("lineChart 'T': series 'a' point 1 has a non-finite value (x=1, y=NaN)"));
    expect(chart([{ name: 'a', points: [{ x: 0, y: 1, lo: Infinity, hi: 2 }] }])).toThrow(/non-finite/);
    expect(chart([{ name: 'a', points: [{ x: 0, y: 1, lo: 0, hi: -Infinity }] }])).toThrow(/non-finite/);
    expect(chart([{ name: 'a', points: [{ x: 0, y: 1, lo: 0 }] }])).toThrow(
      new Error("lineChart 'T': series 'a' point 0: a band needs both lo and hi, got (x=0, y=1, lo=0)"),
    );
    expect(chart([{ name: 'a', points: [{ x: 0, y: 1, hi: 2 }] }])).toThrow(/both lo and hi, got \(x=0, y=1, hi=2\)/);
    expect(chart([{ name: 'a', points: [{ x: 0, y: 1 }] }], { logX: true })).toThrow(
      new Error("lineChart 'T': series 'a' point 0: a log x axis needs x > 0, got (x=0, y=1)"),
    );
    expect(chart([{ name: 'a', points: [{ x: 1e-9, y: 1 }] }], { logX: true })).not.toThrow();
    expect(chart([{ name: 'a', points: [{ x: 1, y: 0 }] }], { logY: true })).toThrow(
      new Error("lineChart 'T': series 'a' point 0: a log y axis needs y, lo, hi > 0, got (x=1, y=0)"),
    );
    expect(chart([{ name: 'a', points: [{ x: 1, y: 1, lo: 0, hi: 2 }] }], { logY: true })).toThrow(/log y axis/);
    expect(chart([{ name: 'a', points: [{ x: 1, y: 1, lo: 1e-9, hi: 2 }] }], { logY: true })).not.toThrow();
  });
});

describe('renderVegaLite', () => {
  it('names every address it refused, and says how to render offline', async () => {
    const layer = [
      { data: { url: 'https://a.example/1.json' }, mark: 'point' },
      { data: { url: 'https://b.example/2.json' }, mark: 'point' },
    ];
    await expect(renderVegaLite({ layer } as never)).rejects.toThrow(
      new Error(
        "charts: refusing to load 'https://a.example/1.json', 'https://b.example/2.json': " +
          'charts render offline, so inline the data (data.values)',
      ),
    );
  });
});
