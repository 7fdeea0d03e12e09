// The browser demo (examples/browser) in headless Chromium: bundled with esbuild, served on 127.0.0.1, driven through
// playwright-core with the system's /usr/bin/chromium (never a downloaded browser) on SwiftShader's WebGPU adapter.
// It must pick the WebGPU backend and its tiny GPT's loss must fall.

import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { buildBrowserExample, serveDirectory } from '../../examples/browser/build.js';

const CHROMIUM = '/usr/bin/chromium';
// SwiftShader runs these on the CPU; on a loaded 2-core CI machine they need more than the default 120 s budget
const SLOW_TIMEOUT = 300_000;
const available = existsSync(CHROMIUM);
if (!available) {
  const why = `${CHROMIUM} is missing (apt-get install chromium libvulkan1)`;
  if (process.env.CI) throw new Error(`the browser WebGPU test must run in CI, but ${why}`);
  console.warn(`*** WebGPU browser test SKIPPED: ${why}`);
}

interface DemoResult {
  backend: string;
  detail: string;
  losses: number[];
  done: boolean;
  error?: string;
}

describe.skipIf(!available)('the browser demo in headless chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slimegrad-browser-'));
  let server: Server | undefined;
  let browser: Browser | undefined;

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'trains the tiny GPT on the WebGPU backend and the loss falls',
    async () => {
      await buildBrowserExample(dir);
      server = await serveDirectory(dir);
      const { port } = server.address() as { port: number };
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless=new',
          '--enable-unsafe-webgpu',
          '--use-webgpu-adapter=swiftshader',
          '--no-sandbox',
          '--disable-gpu-sandbox',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ], // playwright gives the browser a fresh temporary profile itself (it refuses --user-data-dir here)
      });
      const page = await browser.newPage();
      const logs: string[] = [];
      page.on('console', (m) => logs.push(m.text()));
      page.on('pageerror', (e) => logs.push(`page error: ${e.message}`));
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(
        () => (window as unknown as { slimegradDemo?: DemoResult }).slimegradDemo?.done === true,
        null,
        { timeout: 150_000 },
      );
      const result = await page.evaluate(() => (window as unknown as { slimegradDemo: DemoResult }).slimegradDemo);
      const context = `${JSON.stringify(result)}\nconsole: ${logs.join('\n')}`;
      expect(result.error, context).toBeUndefined();
      expect(result.backend, context).toBe('webgpu');
      expect(result.losses.length, context).toBe(15);
      expect(result.losses[14], context).toBeLessThan(result.losses[0] * 0.8);
      expect(await page.textContent('#backend')).toBe('webgpu');
    },
    SLOW_TIMEOUT,
  );
});
