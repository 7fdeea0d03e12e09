// Live training in the lab, in headless chromium: on the CPU (no WebGPU flags: the page must fall back and say
// so) and on WebGPU (SwiftShader). The charts gain points, the page handles a click while the worker trains,
// stop and resume work, and the run's summary.json downloads and then renders when dropped on the report tab.

import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { RUN_CHARTS } from '../../src/report/chart-specs.js';
import { available, openLab, screenshot, WEBGPU_FLAGS, type LabSession } from './browser.js';

// SwiftShader runs WebGPU on the CPU; on a loaded 2-core machine a few dozen steps can take minutes
const SLOW_TIMEOUT = 300_000;

interface LiveState {
  backend: string | null;
  running: boolean;
  paused: boolean;
  sftSteps: number;
  evals: number;
  done: boolean;
  error: string | null;
}
const liveState = (page: Page): Promise<LiveState> =>
  page.evaluate(
    () => (window as unknown as { slimegradLab: { train: { state: LiveState } } }).slimegradLab.train.state,
  );
/** A run chart's title by its metric (the charts are keyed by title). */
const titleOf = (metric: string): string => RUN_CHARTS.find((c) => c.metric === metric)!.title;
const pointCounts = (page: Page): Promise<Record<string, number[]>> =>
  page.evaluate(() => {
    const charts = (window as unknown as { slimegradLab: { charts: Map<string, { pointCounts(): number[] }> } })
      .slimegradLab.charts;
    return Object.fromEntries([...charts].map(([k, c]) => [k, c.pointCounts()]));
  });

/** Starts a small run of one method (SLIME) and waits until the worker is into SFT. */
async function startSmallRun(page: Page, sftSteps: number, steps: number): Promise<void> {
  await page.click('#tab-train');
  await page.uncheck('input[value=dpo]');
  await page.fill('#live-sft-steps', String(sftSteps));
  await page.fill('#live-steps', String(steps));
  await page.selectOption('#live-backend-choice', 'auto');
  await page.click('#live-start');
  await page.waitForFunction(
    () =>
      (window as unknown as { slimegradLab: { train: { state: LiveState } } }).slimegradLab.train.state.sftSteps > 0,
    null,
    { timeout: 120_000 },
  );
}

const waitDone = (page: Page, timeout: number): Promise<unknown> =>
  page.waitForFunction(
    () => {
      const s = (window as unknown as { slimegradLab: { train: { state: LiveState } } }).slimegradLab.train.state;
      return s.done || s.error !== null;
    },
    null,
    { timeout },
  );

describe.skipIf(!available)('the lab: live training', () => {
  const sessions: LabSession[] = [];
  afterAll(async () => {
    for (const s of sessions) await s.close();
  });

  it(
    'trains on the CPU without WebGPU flags, stays responsive, stops, resumes, and its summary renders when dropped',
    async () => {
      const lab = await openLab();
      sessions.push(lab);
      const { page } = lab;
      // served as a plain static host would: no SharedArrayBuffer, which the CPU backend must not need
      expect(await page.evaluate(() => [crossOriginIsolated, typeof SharedArrayBuffer])).toEqual([false, 'undefined']);
      await startSmallRun(page, 24, 8);
      expect((await liveState(page)).backend).toBe('cpu');
      expect(await page.textContent('#live-backend')).toMatch(/^CPU/);
      // a click on the main thread while the worker trains
      await page.click('#tab-explore', { timeout: 2000 });
      expect(await page.getAttribute('#tab-explore', 'aria-selected')).toBe('true');
      expect((await liveState(page)).done).toBe(false);
      await page.click('#tab-train');
      // stop: no step is done while stopped; resume carries on
      await page.click('#live-pause');
      await page.waitForFunction(
        () => (window as unknown as { slimegradLab: { train: { state: LiveState } } }).slimegradLab.train.state.paused,
      );
      const stoppedAt = (await liveState(page)).sftSteps;
      await page.waitForTimeout(1500);
      expect((await liveState(page)).sftSteps).toBeLessThanOrEqual(stoppedAt + 4); // at most the segment under way
      const settled = (await liveState(page)).sftSteps;
      await page.waitForTimeout(1000);
      expect((await liveState(page)).sftSteps).toBe(settled);
      await page.click('#live-pause');
      await waitDone(page, 240_000);
      const state = await liveState(page);
      expect(state.error).toBeNull();
      expect(state.sftSteps).toBe(24);
      const counts = await pointCounts(page);
      expect(counts['SFT loss (training batches)']).toEqual([24]);
      // the checkpoint (step 0) and steps 4 and 8
      expect(counts[titleOf('eval_lbar/chosen')]).toEqual([3]);
      expect(counts[titleOf('eval_answer_accuracy')]).toEqual([3]);
      expect(await page.locator('#live-samples tr').count()).toBeGreaterThan(1);
      await screenshot(page, 'train-cpu');

      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#live-summary')]);
      const text = readFileSync((await download.path())!, 'utf8');
      expect(JSON.parse(text).methods.map((m: { label: string }) => m.label)).toEqual(['SLIME']);
      await page.click('#tab-report');
      await page.evaluate((body) => {
        const dt = new DataTransfer();
        dt.items.add(new File([body], 'summary.json', { type: 'application/json' }));
        document
          .getElementById('report-drop')!
          .dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, text);
      await page.waitForFunction(
        () =>
          (window as unknown as { slimegradLab: { report: { state: { file: string | null } } } }).slimegradLab.report
            .state.file !== null,
      );
      const shown = await page.evaluate(
        () => (window as unknown as { slimegradLab: { report: { state: unknown } } }).slimegradLab.report.state,
      );
      expect(shown).toEqual({ file: 'summary.json', methods: ['SLIME'], error: null });
      expect((await pointCounts(page))[`Report: ${titleOf('eval_answer_accuracy')}`]).toEqual([3]);
      await screenshot(page, 'report-dropped');
      expect(lab.errors).toEqual([]);
    },
    SLOW_TIMEOUT,
  );

  it(
    'trains on WebGPU (SwiftShader) and the charts gain points',
    async () => {
      const lab = await openLab(WEBGPU_FLAGS);
      sessions.push(lab);
      const { page } = lab;
      // fewer steps than on the CPU: SwiftShader is slow, and greedy generation at each evaluation dominates
      await startSmallRun(page, 8, 4);
      expect((await liveState(page)).backend).toBe('webgpu');
      expect(await page.textContent('#live-backend')).toMatch(/^WebGPU/);
      await page.click('#tab-explore', { timeout: 2000 });
      expect(await page.getAttribute('#tab-explore', 'aria-selected')).toBe('true');
      await page.click('#tab-train');
      await waitDone(page, 280_000);
      const state = await liveState(page);
      expect(state.error).toBeNull();
      const counts = await pointCounts(page);
      expect(counts['SFT loss (training batches)']).toEqual([8]);
      // the checkpoint (step 0) and step 4
      expect(counts[titleOf('eval_margin/lbar')]).toEqual([2]);
      await screenshot(page, 'train-webgpu');
      expect(lab.errors).toEqual([]);
    },
    SLOW_TIMEOUT,
  );
});
