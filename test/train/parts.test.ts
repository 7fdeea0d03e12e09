// The small shared parts of the training loops, each pinned on its own: one-readback scalars, the metrics sinks,
// the non-finite error's wording, and the event-loop yield with and without setImmediate.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { memory, tensor } from '../../src/index.js';
import { NonFiniteLossError, yieldToEventLoop } from '../../src/train/loop.js';
import { JsonlMetricsLogger, MemoryMetrics } from '../../src/train/metrics.js';
import { formatDuration, ProgressBar } from '../../src/train/progress.js';
import { readScalars } from '../../src/train/read-scalars.js';

describe('readScalars', () => {
  it('reads one-element tensors of any shape in order, cast to the first one’s dtype, and frees its temporaries', async () => {
    const a = tensor([1.5], { dtype: 'float64' });
    const b = tensor([[2.25]], { dtype: 'float32' });
    const c = tensor(Int32Array.from([7]), { shape: [] });
    const before = memory().tensors;
    expect(await readScalars([a, b, c])).toEqual([1.5, 2.25, 7]);
    expect(memory().tensors).toBe(before);
    // the first dtype wins: 0.1 read through float32 is not 0.1
    expect(await readScalars([b, tensor([0.1], { dtype: 'float64' })])).toEqual([2.25, Math.fround(0.1)]);
    expect(await readScalars([])).toEqual([]);
  });
});

describe('metrics sinks', () => {
  it('MemoryMetrics keeps a copy of each record', () => {
    const sink = new MemoryMetrics();
    const record = { step: 1, loss: 0.5 };
    sink.log(record);
    record.loss = 9;
    expect(sink.records).toEqual([{ step: 1, loss: 0.5 }]);
  });

  it('JsonlMetricsLogger writes a line per record, non-finite numbers as null; truncates unless appending', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slimegrad-metrics-'));
    try {
      const path = join(dir, 'new', 'deeper', 'metrics.jsonl');
      const logger = await JsonlMetricsLogger.open(path);
      expect(logger.path).toBe(path);
      logger.log({ step: 1, loss: Number.NaN, grad_norm: Infinity, low: -Infinity, note: 'x', none: null, lr: 0.5 });
      expect(readFileSync(path, 'utf8')).toBe(
        '{"step":1,"loss":null,"grad_norm":null,"low":null,"note":"x","none":null,"lr":0.5}\n',
      );
      const more = await JsonlMetricsLogger.open(path, { append: true });
      more.log({ step: 2 });
      expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(3);
      writeFileSync(path, 'old\n');
      await JsonlMetricsLogger.open(path);
      expect(readFileSync(path, 'utf8')).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('NonFiniteLossError', () => {
  it('names the loop, the step and what went wrong, with the values when given', () => {
    const e = new NonFiniteLossError('trainSft', 3, 'non-finite loss', 'loss NaN, lr 0.1');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('NonFiniteLossError');
    expect([e.loop, e.step]).toEqual(['trainSft', 3]);
    expect(e.message).toBe(
      'trainSft: non-finite loss at step 3 (loss NaN, lr 0.1); the parameters were left as they were before this step',
    );
    expect(new NonFiniteLossError('trainPreference', 1, 'dpo produced a non-finite loss (NaN)').message).toBe(
      'trainPreference: dpo produced a non-finite loss (NaN) at step 1; ' +
        'the parameters were left as they were before this step',
    );
  });
});

describe('yieldToEventLoop', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('uses setImmediate where there is one, a zero timeout where there is none', async () => {
    const immediate = vi.fn((fn: () => void) => setTimeout(fn, 0));
    vi.stubGlobal('setImmediate', immediate);
    await yieldToEventLoop();
    expect(immediate).toHaveBeenCalledTimes(1);
    vi.stubGlobal('setImmediate', undefined);
    const timeout = vi.spyOn(globalThis, 'setTimeout');
    await yieldToEventLoop();
    expect(timeout).toHaveBeenCalledWith(expect.any(Function), 0);
    timeout.mockRestore();
  });
});

describe('ProgressBar and formatDuration, on a fake clock', () => {
  afterEach(() => vi.useRealTimers());

  it('formatDuration: seconds, minutes, hours, and ? for no estimate', () => {
    expect([0, 59.4, 59.6, 60, 61, 3599, 3600, 3661, 7260].map(formatDuration)).toEqual([
      '0s',
      '59s',
      '1m00s',
      '1m00s',
      '1m01s',
      '59m59s',
      '1h00m',
      '1h01m',
      '2h01m',
    ]);
    expect([Number.NaN, Infinity].map(formatDuration)).toEqual(['?', '?']);
  });

  it('the ETA is elapsed / done * remaining; a terminal redraw waits redrawMs unless the bar is full', () => {
    vi.useFakeTimers({ now: 10_000 });
    const out: string[] = [];
    const bar = new ProgressBar(4, { stream: { write: (s: string) => out.push(s), isTTY: true }, redrawMs: 1000 });
    bar.update(0);
    expect(out).toEqual([`\r[${'.'.repeat(24)}] 0/4   0% 0s < ?\x1b[K`]);
    vi.setSystemTime(10_999);
    bar.update(1, 'too soon');
    expect(out).toHaveLength(1);
    vi.setSystemTime(11_000);
    bar.update(1, 'loss 2');
    expect(out[1]).toBe(`\r[${'#'.repeat(6)}${'.'.repeat(18)}] 1/4  25% 1s < 3s | loss 2\x1b[K`);
    vi.setSystemTime(11_001);
    bar.update(4);
    expect(out[2]).toBe(`\r[${'#'.repeat(24)}] 4/4 100% 1s\x1b[K`);
    bar.finish();
    expect(out[3]).toBe(`\r[${'#'.repeat(24)}] 4/4 100% 1s\x1b[K\n`);
    bar.update(2);
    bar.finish('again');
    expect(out).toHaveLength(4);
  });

  it('plain lines: one per tenth, none repeated; a finished run ends with no extra line; progress is clamped', () => {
    vi.useFakeTimers({ now: 0 });
    const out: string[] = [];
    const bar = new ProgressBar(100, { stream: { write: (s: string) => out.push(s) } });
    for (const done of [0, 5, 9, 10, 19, 100]) bar.update(done);
    expect(out).toEqual(['0/100   0% 0s < ?\n', '10/100  10% 0s < 0s\n', '100/100 100% 0s\n']);
    bar.finish();
    expect(out).toHaveLength(3);
    const over: string[] = [];
    const wild = new ProgressBar(2, { label: 'x', stream: { write: (s: string) => over.push(s) } });
    wild.update(-1);
    wild.update(3);
    expect(over).toEqual(['x -1/2   0% 0s < ?\n', 'x 3/2 100% 0s\n']);
  });

  it('defaults: process.stdout, no label, a terminal redraw at most every 100 ms', () => {
    vi.useFakeTimers({ now: 10_000 });
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const tty = process.stdout.isTTY;
    try {
      process.stdout.isTTY = true;
      const bar = new ProgressBar(10);
      bar.update(1);
      vi.setSystemTime(10_099);
      bar.update(2);
      vi.setSystemTime(10_100);
      bar.update(3);
      expect(write.mock.calls.map(([text]) => String(text).slice(0, 2))).toEqual(['\r[', '\r[']);
      expect(String(write.mock.calls[1][0])).toContain('] 3/10  30% ');
    } finally {
      process.stdout.isTTY = tty;
      write.mockRestore();
    }
  });

  it('plain lines from a first update past 0, a rewritten full bar, an early finish, nothing after finish', () => {
    vi.useFakeTimers({ now: 0 });
    const out: string[] = [];
    const bar = new ProgressBar(10, { stream: { write: (s: string) => out.push(s) } });
    bar.update(1);
    vi.setSystemTime(4000);
    bar.update(2, 'a');
    bar.update(3, 'b');
    expect(out).toEqual(['1/10  10% 0s < 0s\n', '2/10  20% 4s < 16s | a\n', '3/10  30% 4s < 9s | b\n']);
    bar.finish('stopped');
    expect(out[3]).toBe('3/10  30% 4s < 9s | stopped\n');
    bar.update(9);
    bar.finish();
    expect(out).toHaveLength(4);
    const full: string[] = [];
    const done = new ProgressBar(2, { stream: { write: (s: string) => full.push(s) } });
    done.update(2, 'x');
    done.update(2, 'y');
    done.finish();
    expect(full).toEqual(['2/2 100% 0s | x\n', '2/2 100% 0s | y\n']);
  });

  it('total must be a positive integer', () => {
    for (const total of [0, -1, 2.5, Number.NaN]) {
      expect(() => new ProgressBar(total)).toThrow(`ProgressBar: total must be a positive integer, got ${total}`);
    }
  });
});
