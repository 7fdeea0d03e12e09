import { describe, expect, it } from 'vitest';
import { lineChart, lineChartSpec, renderVegaLite } from '../../src/report/charts.js';

/** The `d` attribute of every path drawn by a line mark (one per series). */
function linePaths(svg: string): string[] {
  const re = /<g class="mark-line role-mark[^"]*"[^>]*><path[^>]*?\sd="([^"]*)"/g;
  return [...svg.matchAll(re)].map((m) => m[1]);
}

const xs = [0, 1, 2, 3, 4];
const options = {
  title: 'Loss over steps',
  xLabel: 'step',
  yLabel: 'loss',
  series: [
    { name: 'dpo-seeds', points: xs.map((x) => ({ x, y: 1 / (1 + x), lo: 0.9 / (1 + x), hi: 1.1 / (1 + x) })) },
    { name: 'slime', points: xs.map((x) => ({ x, y: Math.exp(-x) })) },
    { name: 'simpo', points: xs.map((x) => ({ x, y: 2 - x / 4 })) },
  ],
};

describe('lineChart', () => {
  it('renders an SVG with the title, axis labels, every series name and one line path per series', async () => {
    const svg = await lineChart(options);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const text of ['Loss over steps', '>step<', '>loss<', 'dpo-seeds', 'slime', 'simpo'])
      expect(svg).toContain(text);
    const paths = linePaths(svg);
    expect(paths).toHaveLength(3);
    // 5 points per series: a move and 4 line segments in every path
    for (const d of paths) expect(d.match(/[ML]/g)?.length).toBe(5);
    // the band of the first series is drawn as one area
    expect(svg.match(/class="mark-area role-mark/g)).toHaveLength(1);
  });

  it('is deterministic and draws labelled markers', async () => {
    const withMarker = { ...options, markers: [{ x: 1.5, label: 'm_h' }] };
    const [a, b] = await Promise.all([lineChart(withMarker), lineChart(withMarker)]);
    expect(a).toBe(b);
    expect(a).toContain('m_h');
  });

  it('supports a log y axis and rejects values it cannot draw', async () => {
    const svg = await lineChart({ ...options, series: options.series.slice(1), logY: true });
    expect(linePaths(svg)).toHaveLength(2);
    await expect(
      lineChart({ ...options, logY: true, series: [{ name: 'bad', points: [{ x: 0, y: 0 }] }] }),
    ).rejects.toThrow(/'bad'.*log y axis/);
    expect(() => lineChartSpec({ ...options, series: [{ name: 'nan', points: [{ x: 0, y: NaN }] }] })).toThrow(
      /'nan'.*non-finite.*y=NaN/,
    );
    expect(() => lineChartSpec({ ...options, series: [] })).toThrow(/at least one series/);
    expect(() => lineChartSpec({ ...options, series: [{ name: 'half', points: [{ x: 0, y: 1, lo: 0 }] }] })).toThrow(
      /both lo and hi/,
    );
  });

  it('refuses to load anything over the network', async () => {
    const spec = { data: { url: 'https://example.com/data.json' }, mark: 'point' as const, encoding: {} };
    await expect(renderVegaLite(spec)).rejects.toThrow(/refusing to/);
  });
});
