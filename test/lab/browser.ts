// Shared by the lab's browser tests: build the lab once into a temporary folder, serve it on 127.0.0.1, and drive
// Debian's chromium through playwright-core (never a downloaded browser). Screenshots go to test-output/lab/.

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildLab, serveLab } from '../../lab/build.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(process.cwd(), 'test-output', 'lab');
export const available = existsSync(CHROMIUM);
if (!available) {
  const why = `${CHROMIUM} is missing (apt-get install chromium)`;
  if (process.env.CI) throw new Error(`the lab's browser tests must run in CI, but ${why}`);
  console.warn(`*** lab browser tests SKIPPED: ${why}`);
}

const COMMON_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** SwiftShader's WebGPU adapter: WebGPU on the CPU, as in test/webgpu/browser.test.ts. */
export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--disable-gpu-sandbox'];

export interface LabSession {
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  url: string;
  close: () => Promise<void>;
}

/** Builds and serves the lab, launches chromium (with extra flags) and opens the page. */
export async function openLab(extraFlags: readonly string[] = []): Promise<LabSession> {
  const dir = mkdtempSync(join(tmpdir(), 'slimegrad-lab-'));
  let server: Server | undefined;
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await buildLab(dir);
    server = await serveLab(dir);
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: [...COMMON_FLAGS, ...extraFlags] });
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    await page.goto(url);
    return { page, errors, url, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Saves a full-page screenshot as test-output/lab/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
