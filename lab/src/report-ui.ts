// The "Open a report" tab: drop (or pick) a summary.json written by `npm start` (or downloaded from a live run) and
// explore it with the live charts: the same RUN_CHARTS, one line per method (mean over seeds), one samples table.

import { EVAL_METRICS, type EvalMetrics } from '../../src/train/evaluate.js';
import type { Summary } from '../../src/report/summary.js';
import { RunView } from './run-view.js';
import { shortRunWarnings } from '../../src/report/guide.js';

/** Checks the parts of a summary the viewer reads, naming the first thing missing. */
export function checkSummary(json: unknown, file: string): Summary {
  const fail = (what: string): never => {
    throw new Error(`${file}: not a slimegrad summary.json (${what})`);
  };
  if (typeof json !== 'object' || json === null) fail('expected a JSON object');
  const s = json as Partial<Summary>;
  if (!Array.isArray(s.methods)) fail('no "methods" array');
  s.methods!.forEach((m, i) => {
    if (typeof m?.label !== 'string') fail(`methods[${i}] has no label`);
    for (const metric of EVAL_METRICS)
      if (!Array.isArray(m.curves?.[metric])) fail(`methods[${i}] (${m.label}) has no curve for ${metric}`);
  });
  return s as Summary;
}

export class ReportTab {
  /** What is shown, readable by tests. */
  state: { file: string | null; methods: string[]; error: string | null } = { file: null, methods: [], error: null };
  private view: RunView | null = null;
  private output: HTMLElement;
  private message: HTMLElement;

  constructor(root: HTMLElement) {
    const controls = document.createElement('div');
    controls.className = 'controls';
    controls.innerHTML = `
      <div class="drop" id="report-drop">
        <p>Drop a <code>summary.json</code> here</p>
        <p>(written by <code>npm start</code> into runs/showcase, or downloaded from Train live)</p>
        <label for="report-file">or choose one:</label> <input type="file" id="report-file" accept=".json,application/json">
      </div>
      <p id="report-message" role="status" aria-live="polite"></p>`;
    this.output = document.createElement('div');
    this.output.id = 'report-output';
    root.append(controls, this.output);
    this.message = controls.querySelector('#report-message')!;
    const drop = controls.querySelector<HTMLElement>('#report-drop')!;
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('over');
      const f = e.dataTransfer?.files[0];
      if (f) void this.open(f);
    });
    controls.querySelector<HTMLInputElement>('#report-file')!.addEventListener('change', (e) => {
      const f = (e.target as HTMLInputElement).files?.[0];
      if (f) void this.open(f);
    });
  }

  async open(file: File): Promise<void> {
    try {
      let json: unknown;
      try {
        json = JSON.parse(await file.text());
      } catch (e) {
        throw new Error(`${file.name}: not valid JSON (${(e as Error).message})`);
      }
      this.show(checkSummary(json, file.name), file.name);
    } catch (e) {
      this.state = { file: file.name, methods: [], error: (e as Error).message };
      this.message.textContent = (e as Error).message;
      this.message.className = 'bad';
    }
  }

  show(summary: Summary, file: string): void {
    this.view?.destroy();
    this.output.replaceChildren();
    const labels = summary.methods.map((m) => m.label);
    const intro = document.createElement('div');
    const seeds = summary.checkpoint?.perSeed?.length ?? 0;
    const esc = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const warnings = summary.checkpoint && summary.task ? shortRunWarnings(summary) : [];
    intro.innerHTML = `<h2>${esc(file)}</h2>${warnings.length ? `<div class="warn" id="report-warnings">${warnings.map((w) => `<p>${esc(w)}</p>`).join('')}</div>` : ''}
      <p>${labels.length} methods, ${seeds} seed${seeds === 1 ? '' : 's'}; lines are means over seeds.</p>
      <ul>${(summary.observations ?? []).map((o) => `<li>${esc(o)}</li>`).join('')}</ul>`;
    this.output.append(intro);
    this.view = new RunView(this.output, labels, 'report');
    for (const m of summary.methods) {
      const steps = m.curves[EVAL_METRICS[0]].map((p) => p.step);
      steps.forEach((step, i) => {
        const metrics = Object.fromEntries(EVAL_METRICS.map((k) => [k, m.curves[k][i]?.mean ?? NaN])) as EvalMetrics;
        this.view!.addPoint(m.label, step, metrics);
      });
      const prompts = m.samples.map((s) => s.prompt);
      if (m === summary.methods[0])
        this.view.setSamples(
          'SFT checkpoint',
          prompts,
          m.samples.map((s) => ({ text: s.before })),
        );
      this.view.setSamples(
        m.label,
        prompts,
        m.samples.map((s) => ({ text: s.after, formatValid: s.afterFormatValid, correct: s.afterCorrect })),
      );
    }
    this.state = { file, methods: labels, error: null };
    this.message.textContent = `Showing ${file}.`;
    this.message.className = 'ok';
  }
}
