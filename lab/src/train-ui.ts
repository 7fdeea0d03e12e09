// The "Train live" tab: controls for the run, the worker that trains, and the charts and samples it feeds.

import { METHOD_NAMES, methodLabel } from '../../src/cli/methods.js';
import type { Summary } from '../../src/report/summary.js';
import { LineChart } from './chart.js';
import type { FromWorker, LiveSettings, ToWorker } from './protocol.js';
import { RunView } from './run-view.js';

/** What the live run has done so far, readable by tests. */
export interface LiveState {
  backend: string | null;
  phase: string | null;
  running: boolean;
  paused: boolean;
  sftSteps: number;
  evals: number;
  done: boolean;
  seconds: number | null;
  error: string | null;
}

const html = (parent: HTMLElement, markup: string): void => parent.insertAdjacentHTML('beforeend', markup);

function download(name: string, body: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([body], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export class TrainTab {
  state: LiveState = {
    backend: null,
    phase: null,
    running: false,
    paused: false,
    sftSteps: 0,
    evals: 0,
    done: false,
    seconds: null,
    error: null,
  };
  private worker: Worker | null = null;
  private view: RunView | null = null;
  private sftChart: LineChart | null = null;
  private sftLosses: number[] = [];
  private summary: Summary | null = null;
  private labels = new Map<string, string>();
  private $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

  constructor(private readonly root: HTMLElement) {
    const controls = document.createElement('form');
    controls.className = 'controls';
    controls.id = 'live-controls';
    html(
      controls,
      `
      <fieldset><legend>Methods, each from the same SFT checkpoint</legend>
        ${METHOD_NAMES.map((m) => `<label><input type="checkbox" name="method" value="${m}" ${m === 'dpo' || m === 'slime' ? 'checked' : ''}> ${methodLabel(m)}</label><br>`).join('')}
      </fieldset>
      <fieldset><legend>Budget</legend>
        <div class="pick">
          <label for="live-lr">learning rate</label><input id="live-lr" type="number" min="0.00001" max="0.1" step="any" value="0.001">
          <label for="live-sft-steps">SFT steps</label><input id="live-sft-steps" type="number" min="1" max="2000" value="200">
          <label for="live-steps">preference steps</label><input id="live-steps" type="number" min="1" max="2000" value="48">
          <label for="live-seed">seed</label><input id="live-seed" type="number" min="0" max="1000" value="0">
          <label for="live-backend-choice">backend</label>
          <select id="live-backend-choice"><option value="auto">WebGPU if available, else CPU</option><option value="cpu">CPU</option></select>
        </div>
      </fieldset>
      <p><button type="submit" id="live-start">Start</button> <button type="button" id="live-pause" disabled>Stop</button></p>
      <p>Backend: <span id="live-backend" class="status">not started</span></p>
      <p id="live-status" role="status" aria-live="polite">Press Start: SFT a tiny GPT on 2-digit addition, then train each method from it.</p>
      <fieldset><legend>Download</legend>
        <button type="button" id="live-summary" disabled>summary.json</button>
        <label for="live-ckpt-method">checkpoint of</label> <select id="live-ckpt-method"><option value="sft">SFT checkpoint</option></select>
        <button type="button" id="live-ckpt" disabled>model.safetensors + config.json</button>
      </fieldset>`,
    );
    const output = document.createElement('div');
    output.id = 'live-output';
    root.append(controls, output);
    controls.addEventListener('submit', (e) => {
      e.preventDefault();
      this.start();
    });
    this.$('live-pause').addEventListener('click', () => this.send({ type: this.state.paused ? 'resume' : 'pause' }));
    this.$('live-summary').addEventListener(
      'click',
      () => this.summary && download('summary.json', `${JSON.stringify(this.summary, null, 2)}\n`, 'application/json'),
    );
    this.$('live-ckpt').addEventListener('click', () =>
      this.send({ type: 'checkpoint', method: this.$<HTMLSelectElement>('live-ckpt-method').value }),
    );
  }

  private send(m: ToWorker): void {
    this.worker?.postMessage(m);
  }

  private settings(): LiveSettings {
    const num = (id: string): number => Number(this.$<HTMLInputElement>(id).value);
    const methods = [...this.root.querySelectorAll<HTMLInputElement>('input[name=method]:checked')].map((i) => i.value);
    return {
      methods,
      lr: num('live-lr'),
      sftSteps: num('live-sft-steps'),
      steps: num('live-steps'),
      seed: num('live-seed'),
      backend: this.$<HTMLSelectElement>('live-backend-choice').value as LiveSettings['backend'],
    };
  }

  start(): void {
    const s = this.settings();
    if (s.methods.length === 0) {
      this.$('live-status').textContent = 'Pick at least one method.';
      return;
    }
    this.worker?.terminate();
    this.view?.destroy();
    this.sftChart?.destroy();
    const output = this.$('live-output');
    output.replaceChildren();
    this.labels = new Map(s.methods.map((m) => [m, methodLabel(m)]));
    const sftBox = document.createElement('div');
    output.append(sftBox);
    this.sftChart = new LineChart(sftBox, {
      title: 'SFT loss (training batches)',
      xLabel: 'SFT step',
      yLabel: 'NLL (nats per token)',
      series: ['SFT'],
      width: 470,
      height: 220,
    });
    this.sftLosses = [];
    this.view = new RunView(output, [...this.labels.values()], 'live');
    this.summary = null;
    this.state = {
      backend: null,
      phase: null,
      running: true,
      paused: false,
      sftSteps: 0,
      evals: 0,
      done: false,
      seconds: null,
      error: null,
    };
    const ckpt = this.$<HTMLSelectElement>('live-ckpt-method');
    ckpt.innerHTML = `<option value="sft">SFT checkpoint</option>${s.methods.map((m) => `<option value="${m}">${methodLabel(m)}</option>`).join('')}`;
    for (const id of ['live-summary', 'live-ckpt']) this.$<HTMLButtonElement>(id).disabled = true;
    this.$<HTMLButtonElement>('live-pause').disabled = false;
    this.$('live-pause').textContent = 'Stop';
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
    this.worker.onerror = (e) => this.fail(e.message || 'the training worker failed to start');
    this.send({ type: 'start', settings: s });
  }

  private fail(message: string): void {
    this.state.error = message;
    this.state.running = false;
    this.$('live-status').textContent = `Error: ${message}`;
  }

  private receive(m: FromWorker): void {
    const status = this.$('live-status');
    switch (m.type) {
      case 'backend':
        this.state.backend = m.backend;
        this.$('live-backend').textContent = m.detail;
        break;
      case 'phase':
        this.state.phase = m.phase;
        status.textContent = `${m.label}: starting`;
        break;
      case 'sft':
        this.sftLosses.push(m.loss);
        this.state.sftSteps = m.step;
        this.sftChart?.setData(
          this.sftLosses.map((_, i) => i + 1),
          [this.sftLosses],
        );
        status.textContent = `SFT step ${m.step} / ${m.total}, loss ${m.loss.toFixed(3)} nats per token`;
        if (m.step === m.total) status.textContent += '; measuring the checkpoint on held-out data';
        this.$<HTMLButtonElement>('live-ckpt').disabled = false;
        break;
      case 'step':
        status.textContent = `${this.labels.get(m.method)}: step ${m.step} / ${m.total}, loss ${m.loss.toFixed(4)}`;
        break;
      case 'eval': {
        this.state.evals++;
        const cells = m.samples.map((s) => ({ text: s.completion, formatValid: s.formatValid, correct: s.correct }));
        const prompts = m.samples.map((s) => s.prompt);
        if (m.method === 'sft-checkpoint') {
          for (const label of this.labels.values()) this.view?.addPoint(label, 0, m.metrics);
          this.view?.setSamples('SFT checkpoint', prompts, cells);
        } else {
          this.view?.addPoint(m.label, m.step, m.metrics);
          this.view?.setSamples(m.label, prompts, cells);
        }
        break;
      }
      case 'paused':
        this.state.paused = m.paused;
        this.$('live-pause').textContent = m.paused ? 'Resume' : 'Stop';
        status.textContent = m.paused ? 'Stopped after the current step; Resume carries on from there.' : 'Resumed.';
        break;
      case 'done':
        this.summary = m.summary;
        this.state = { ...this.state, done: true, running: false, seconds: m.seconds };
        status.textContent = `Done in ${m.seconds.toFixed(1)} s.`;
        this.$<HTMLButtonElement>('live-summary').disabled = false;
        this.$<HTMLButtonElement>('live-pause').disabled = true;
        break;
      case 'checkpoint':
        download(`${m.method}-model.safetensors`, m.weights as Uint8Array<ArrayBuffer>, 'application/octet-stream');
        download(`${m.method}-config.json`, m.config, 'application/json');
        break;
      case 'error':
        this.fail(m.message);
        break;
    }
  }
}
