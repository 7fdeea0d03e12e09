// Times the lab's "Train live" tab in headless chromium at its default settings (SFT 200 steps, then one method
// for 48 steps, seed 0), on the CPU path (no WebGPU flags: the page falls back to the CPU backend) and on WebGPU
// (SwiftShader, a software adapter: its time says nothing about a real GPU).
//   npx tsx bench/lab-live.ts [--method slime] [--only cpu|webgpu]
// Prints wall time from pressing Start to the run's end, with the backend the page reported.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { buildLab, serveLab } from '../lab/build.js';

const { values } = parseArgs({ options: { method: { type: 'string', default: 'slime' }, only: { type: 'string' } } });
const FLAGS = ['--headless=new', '--no-sandbox', '--disable-background-networking', '--no-first-run'];
const PATHS = {
  cpu: [] as string[],
  webgpu: ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--disable-gpu-sandbox'],
};

interface State {
  done: boolean;
  error: string | null;
  backend: string | null;
}

const dir = mkdtempSync(join(tmpdir(), 'slimegrad-lab-bench-'));
await buildLab(dir);
const server = await serveLab(dir);
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
try {
  for (const [path, flags] of Object.entries(PATHS)) {
    if (values.only && values.only !== path) continue;
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...FLAGS, ...flags] });
    try {
      const page = await browser.newPage();
      await page.goto(url);
      await page.click('#tab-train');
      for (const box of await page.$$('input[name=method]')) {
        const value = await box.getAttribute('value');
        if ((value === values.method) !== (await box.isChecked())) await box.click();
      }
      const start = performance.now();
      await page.click('#live-start');
      await page.waitForFunction(
        () => {
          const s = (window as unknown as { slimegradLab: { train: { state: State } } }).slimegradLab.train.state;
          return s.done || s.error !== null;
        },
        null,
        { timeout: 1_800_000, polling: 250 },
      );
      const seconds = (performance.now() - start) / 1000;
      const state = await page.evaluate(
        () => (window as unknown as { slimegradLab: { train: { state: State } } }).slimegradLab.train.state,
      );
      if (state.error) throw new Error(`${path}: the run failed: ${state.error}`);
      const what = `SFT 200 + ${values.method} 48 steps`;
      console.log(`${path} path (page backend: ${state.backend}): ${what} in ${seconds.toFixed(1)} s`);
    } finally {
      await browser.close();
    }
  }
} finally {
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
