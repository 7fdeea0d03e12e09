// The loss explorer: pick a loss, move its hyperparameters, and watch the loss and its gradients against the
// margin, computed by slimegrad in the page (loss-curves.ts). A second loss can be overlaid at its defaults.

import { losses } from '../../src/index.js';
import { PALETTE } from '../../src/report/chart-specs.js';
import { CAPTIONS, RANGES } from './captions.js';
import { LineChart } from './chart.js';
import { grid, lossAt, lossCurve, stabilizerAt, type LossPoint, type PairLayout } from './loss-curves.js';

const MARGINS = grid(-4, 4, 81);
const TOKEN_LOGPS = grid(-10, 0, 101);
const PRIMARY = { color: PALETTE[0], dash: [] as number[] };
const OVERLAY = { color: PALETTE[5], dash: [] as number[] };
const dashed = (s: { color: string }): { color: string; dash: number[] } => ({ color: s.color, dash: [7, 4] });

/** What the explorer shows, readable by tests: the inputs and the numbers at the probe margin. */
export interface ExplorerState {
  loss: string;
  config: Record<string, number>;
  overlay: string | null;
  layout: PairLayout;
  probe: number;
  /** The primary loss at the probe margin, as displayed. */
  atProbe: LossPoint;
  overlayAtProbe: LossPoint | null;
}

const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};

const fmt = (v: number): string => (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(3));

/** A labelled range slider with its value shown, an optional tick at the default, and Home/reset to it. */
function slider(
  parent: HTMLElement,
  id: string,
  label: string,
  range: { min: number; max: number; step: number },
  value: number,
  onInput: () => void,
  defaultValue?: number,
): HTMLInputElement {
  const wrap = el('div', { class: 'slider' });
  const input = el('input', {
    type: 'range',
    id,
    min: String(range.min),
    max: String(range.max),
    step: String(range.step),
    value: String(value),
  });
  const out = el('output', { for: id, id: `${id}-value` }, String(value));
  const lab = el('label', { for: id }, label);
  wrap.append(lab, input, out);
  if (defaultValue !== undefined) {
    const list = el('datalist', { id: `${id}-ticks` });
    list.append(el('option', { value: String(defaultValue) }));
    input.setAttribute('list', list.id);
    const reset = el(
      'button',
      { type: 'button', class: 'reset', 'aria-label': `reset ${label} to its default ${defaultValue}` },
      `default ${defaultValue}`,
    );
    reset.addEventListener('click', () => {
      input.value = String(defaultValue);
      input.dispatchEvent(new Event('input'));
    });
    wrap.append(list, reset);
  }
  input.addEventListener('input', () => {
    out.textContent = input.value;
    onInput();
  });
  parent.append(wrap);
  return input;
}

export class Explorer {
  private lossSelect: HTMLSelectElement;
  private overlaySelect: HTMLSelectElement;
  private params = new Map<string, HTMLInputElement>();
  private layoutInputs: { centre: HTMLInputElement; tokens: HTMLInputElement; probe: HTMLInputElement };
  private paramBox: HTMLElement;
  private caption: HTMLElement;
  private readout: HTMLElement;
  private lossChart: LineChart | null = null;
  private gradChart: LineChart | null = null;
  private stabilizerChart: LineChart;
  private chartBox: HTMLElement;
  state: ExplorerState | null = null;

  constructor(root: HTMLElement) {
    const names = losses.lossNames();
    const controls = el('div', { class: 'controls' });
    const pick = el('div', { class: 'pick' });
    this.lossSelect = el('select', { id: 'loss' });
    this.overlaySelect = el('select', { id: 'overlay' });
    this.overlaySelect.append(el('option', { value: '' }, 'none'));
    for (const n of names) {
      this.lossSelect.append(el('option', { value: n }, n));
      this.overlaySelect.append(el('option', { value: n }, `${n} (defaults)`));
    }
    this.lossSelect.value = 'slime';
    pick.append(
      el('label', { for: 'loss' }, 'Loss'),
      this.lossSelect,
      el('label', { for: 'overlay' }, 'Overlay'),
      this.overlaySelect,
    );
    this.caption = el('p', { id: 'caption', class: 'caption' });
    this.paramBox = el('fieldset', { id: 'params' });
    const where = el('fieldset', { id: 'pair' });
    where.append(el('legend', {}, 'The pair'));
    const redraw = (): void => this.update();
    this.layoutInputs = {
      centre: slider(
        where,
        'centre',
        'centre lbar c (nats per token): lbar = c ± margin/2',
        { min: -6, max: -2.5, step: 0.1 },
        -3,
        redraw,
        -3,
      ),
      tokens: slider(
        where,
        'tokens',
        'tokens per completion (summed-log-prob losses scale with it)',
        { min: 1, max: 8, step: 1 },
        1,
        redraw,
        1,
      ),
      probe: slider(
        where,
        'probe',
        'read values at margin (nats per token)',
        { min: -4, max: 4, step: 0.05 },
        0.5,
        redraw,
      ),
    };
    this.readout = el('table', { id: 'readout', class: 'data' });
    controls.append(pick, this.caption, this.paramBox, where, this.readout);
    this.chartBox = el('div', { class: 'charts' });
    const stabBox = el('div');
    this.chartBox.append(el('div', { id: 'loss-chart' }), el('div', { id: 'grad-chart' }), stabBox);
    root.append(controls, this.chartBox);
    this.stabilizerChart = new LineChart(stabBox, {
      title: "SLIME's stabilizer for one rejected token",
      xLabel: 'rejected token log-prob (nats)',
      yLabel: 'value / derivative',
      series: ['stabilizer term', 'd term / d log-prob'],
      styles: [PRIMARY, dashed(PRIMARY)],
    });
    this.lossSelect.addEventListener('change', () => this.selectLoss());
    this.overlaySelect.addEventListener('change', () => this.rebuildCharts());
    this.selectLoss();
  }

  private selectLoss(): void {
    const name = this.lossSelect.value;
    const spec = losses.getLoss(name);
    this.paramBox.replaceChildren(el('legend', {}, `${name} hyperparameters (tick and button: the default)`));
    this.params.clear();
    for (const [key, value] of Object.entries(spec.defaults)) {
      const range = RANGES[key] ?? { min: 0, max: Math.max(1, 4 * value), step: 0.01, label: key };
      const label = name === 'kto' && key === 'lambdaD' ? 'lambda_D (desirable weight)' : range.label;
      this.params.set(
        key,
        slider(this.paramBox, `param-${key}`, label, range, value, () => this.update(), value),
      );
    }
    if (spec.needsReference)
      this.paramBox.append(
        el(
          'p',
          { class: 'note' },
          'The reference model scores both completions at the centre c, so the reference margin is 0.',
        ),
      );
    this.caption.textContent = `${spec.description}. ${CAPTIONS[name] ?? ''} Formula: ${spec.formula}.`;
    this.rebuildCharts();
  }

  private rebuildCharts(): void {
    this.lossChart?.destroy();
    this.gradChart?.destroy();
    const name = this.lossSelect.value;
    const other = this.overlaySelect.value;
    const lossSeries = [`${name} loss`, ...(other ? [`${other} loss`] : [])];
    const gradSeries = [
      `${name}: d/d lbar(chosen)`,
      `${name}: d/d lbar(rejected)`,
      ...(other ? [`${other}: d/d lbar(chosen)`, `${other}: d/d lbar(rejected)`] : []),
    ];
    const x = 'margin lbar(chosen) - lbar(rejected) (nats per token)';
    const [lossBox, gradBox] = [this.chartBox.children[0] as HTMLElement, this.chartBox.children[1] as HTMLElement];
    lossBox.replaceChildren();
    gradBox.replaceChildren();
    this.lossChart = new LineChart(lossBox, {
      title: 'Loss against the margin',
      xLabel: x,
      yLabel: 'loss (nats)',
      series: lossSeries,
      styles: [PRIMARY, OVERLAY],
    });
    this.gradChart = new LineChart(gradBox, {
      title: 'Gradient against the margin',
      xLabel: x,
      yLabel: 'd loss / d lbar (per nat)',
      series: gradSeries,
      styles: [PRIMARY, dashed(PRIMARY), OVERLAY, dashed(OVERLAY)],
    });
    this.update();
  }

  private config(): Record<string, number> {
    return Object.fromEntries([...this.params].map(([k, input]) => [k, Number(input.value)]));
  }

  update(): void {
    const name = this.lossSelect.value;
    const other = this.overlaySelect.value || null;
    const config = this.config();
    const layout = { centre: Number(this.layoutInputs.centre.value), tokens: Number(this.layoutInputs.tokens.value) };
    const probe = Number(this.layoutInputs.probe.value);
    const main = lossCurve(name, config, MARGINS, layout);
    const second = other ? lossCurve(other, {}, MARGINS, layout) : null;
    this.lossChart?.setData(MARGINS, [main.map((p) => p.loss), ...(second ? [second.map((p) => p.loss)] : [])]);
    this.gradChart?.setData(MARGINS, [
      main.map((p) => p.gradChosen),
      main.map((p) => p.gradRejected),
      ...(second ? [second.map((p) => p.gradChosen), second.map((p) => p.gradRejected)] : []),
    ]);
    const slimeName = name === 'slime' || name === 'slime-script' ? name : 'slime';
    const stab = TOKEN_LOGPS.map((l) => stabilizerAt(slimeName, slimeName === name ? config : {}, l));
    this.stabilizerChart.setData(TOKEN_LOGPS, [stab.map((s) => s.value), stab.map((s) => s.grad)]);
    const atProbe = lossAt(name, config, probe, layout);
    const overlayAtProbe = other ? lossAt(other, {}, probe, layout) : null;
    this.state = { loss: name, config, overlay: other, layout, probe, atProbe, overlayAtProbe };
    this.renderReadout();
  }

  private renderReadout(): void {
    const s = this.state!;
    const head = `<caption>At margin ${s.probe} nats per token (lbar chosen ${fmt(s.layout.centre + s.probe / 2)}, rejected ${fmt(s.layout.centre - s.probe / 2)})</caption>`;
    const row = (label: string, p: LossPoint, id: string): string =>
      `<tr><th scope="row">${label}</th>${(['loss', 'gradChosen', 'gradRejected'] as const).map((k) => `<td id="${id}-${k}" data-value="${p[k]}">${fmt(p[k])}</td>`).join('')}</tr>`;
    this.readout.innerHTML = `${head}<tr><th></th><th scope="col">loss (nats)</th><th scope="col">d/d lbar(chosen)</th><th scope="col">d/d lbar(rejected)</th></tr>${row(s.loss, s.atProbe, 'probe')}${s.overlayAtProbe ? row(s.overlay!, s.overlayAtProbe, 'probe-overlay') : ''}`;
  }
}
