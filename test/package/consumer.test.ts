// slimegrad as a user gets it: `npm pack`, the tarball installed into a fresh folder, then used from plain node, a
// strict TypeScript project (TypeScript 5.9, this repo's 6 and 7; no @types packages), an esbuild browser bundle and
// a plain import-map page in headless Chromium (no COOP/COEP headers, so no SharedArrayBuffer; with and without
// WebGPU), the `slimegrad` command, publint and arethetypeswrong. The code that runs is the README's
// "Use it in your project" section wherever the README shows it.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { serveDirectory } from '../../examples/browser/build.js';
import { command, installInto, pack, readmeExamples, root, type Packed } from './consumer.js';

const CHROMIUM = '/usr/bin/chromium';
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];
const bin = (dir: string, name: string): string => join(dir, 'node_modules', '.bin', name);
const lossesIn = (lines: readonly string[]): number[] =>
  lines.flatMap((l) => /^step \d+: loss (\S+)$/.exec(l)?.[1] ?? []).map(Number);

const dir = mkdtempSync(join(tmpdir(), 'slimegrad-consumer-'));
const app = join(dir, 'app');
let packed: Packed;
let server: Server | undefined;

/** A TypeScript consumer touching both entries' types, written to compile only if the declarations are exact. */
const TYPED_CONSUMER = `import { Rng, crossEntropy, data, grad, initWebGPU, io, losses, nn, optim, tensor, tidy } from 'slimegrad';
import type { Tensor, WebGPUBackend } from 'slimegrad';
import { loadCheckpoint, readPreferenceJsonl, saveCheckpoint } from 'slimegrad/node';

export async function use(dir: string): Promise<number> {
  const model = new nn.GPT({ vocabSize: 10, blockSize: 8, nEmbd: 16, nLayer: 1, nHead: 2, dropout: 0 }, { seed: 1 });
  const optimizer = new optim.AdamW(model.namedParameters(), { lr: 2e-2 });
  const rng = new Rng(7);
  const loss: Tensor = tidy(() => {
    const batch: data.LmBatch = data.sampleWindows([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1], 2, 8, rng);
    return crossEntropy(model.forward(batch.inputs).reshape([-1, 10]), batch.targets.reshape([-1]));
  });
  const files: io.CheckpointFiles = await io.checkpointFiles(model, { optimizer, rng });
  const back: io.LoadedCheckpoint = io.checkpointFromFiles(files, { pathOf: (name) => \`upload/\${name}\` });
  await saveCheckpoint(dir, back.model, { step: back.step });
  const again = await loadCheckpoint(dir, { backend: 'cpu' });
  const rows: data.NumberedExample[] = [...data.parsePreferenceJsonl(new Uint8Array(0)), ...await readPreferenceJsonl(dir)];
  const first: data.NumberedExample | undefined = rows[0];
  const dx = grad((t: Tensor) => t.mul(t).sum())(tensor([1, 2, 3]));
  const gpu: WebGPUBackend = await initWebGPU();
  const names: string[] = Object.keys(losses);
  return (await loss.item()) + again.step + (first?.line ?? 0) + dx.dataSync().length + gpu.adapterName.length + names.length;
}
`;

/** A Web Worker training on the CPU (a worker has no SharedArrayBuffer either, here); posts its losses. */
const WORKER = `import { Rng, crossEntropy, data, nn, optim, tidy } from 'slimegrad';
const stream = Array.from({ length: 200 }, (_, i) => i % 10);
const model = new nn.GPT({ vocabSize: 10, blockSize: 8, nEmbd: 16, nLayer: 1, nHead: 2, dropout: 0 }, { seed: 1 });
const optimizer = new optim.AdamW(model.namedParameters(), { lr: 2e-2 });
const rng = new Rng(7);
const losses = [];
for (let step = 0; step < 4; step++) {
  const loss = tidy(() => {
    const { inputs, targets } = data.sampleWindows(stream, 4, 8, rng);
    const l = crossEntropy(model.forward(inputs).reshape([-1, 10]), targets.reshape([-1]));
    l.backward();
    return l;
  });
  optimizer.step();
  optimizer.zeroGrad();
  losses.push(loss.itemSync());
}
postMessage({ losses, sharedArrayBuffer: typeof SharedArrayBuffer });
`;

beforeAll(async () => {
  packed = await pack(dir);
  mkdirSync(app);
  await installInto(app, packed.tarball, ['typescript@5.9', 'typescript7@npm:typescript@7']);
  const examples = readmeExamples();
  writeFileSync(join(app, 'app.mjs'), examples.node);
  writeFileSync(join(app, 'main.js'), examples.bundler);
  writeFileSync(join(app, 'plain.html'), examples.page);
  writeFileSync(join(app, 'bundle.html'), '<!doctype html>\n<script type="module" src="./bundle.js"></script>\n');
  writeFileSync(join(app, 'worker.js'), WORKER);
  writeFileSync(
    join(app, 'worker.html'),
    `<!doctype html>\n<script type="module">
new Worker('./worker.bundle.js', { type: 'module' }).onmessage = (e) => console.log('worker ' + JSON.stringify(e.data));
</script>\n`,
  );
  writeFileSync(join(app, 'typed.ts'), TYPED_CONSUMER);
}, 240_000);

afterAll(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  rmSync(dir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds dist, README and LICENSE, and the README states its size', () => {
    const top = [...new Set(packed.files.map((f) => f.split('/')[0]))].sort();
    expect(top).toEqual(['LICENSE', 'README.md', 'dist', 'package.json']);
    expect(packed.files.filter((f) => /\.test\.|^test\/|^bench\/|^src\//.test(f))).toEqual([]);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const stated = /The package is about (\d+) kB packed, (\d+) kB unpacked \((\d+) files/.exec(readme);
    expect(stated, 'README states "The package is about N kB packed, N kB unpacked (N files"').not.toBeNull();
    // the figures move with every edit; the README's must stay within 10% of the real ones
    const near = (claimed: string | undefined, real: number): number => Math.abs(Number(claimed) - real) / real;
    const real = `${Math.round(packed.size / 1000)} kB packed, ${Math.round(packed.unpackedSize / 1000)} kB unpacked (${packed.files.length} files`;
    const stale = `README.md's package figures are stale; now: ${real}`;
    expect(near(stated![1], packed.size / 1000), stale).toBeLessThan(0.1);
    expect(near(stated![2], packed.unpackedSize / 1000), stale).toBeLessThan(0.1);
    expect(near(stated![3], packed.files.length), stale).toBeLessThan(0.1);
  });

  it('plain node runs the README example: 3 CPU steps, then saves and reloads a checkpoint folder', async () => {
    const r = await command(process.execPath, ['app.mjs'], app);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const losses = lossesIn(lines);
    expect(losses).toHaveLength(3);
    expect(losses[2]).toBeLessThan(losses[0]!);
    expect(lines.at(-1)).toBe('reloaded the checkpoint of step 3');
    const saved = readdirSync(join(app, 'tiny-model'));
    expect(saved).toEqual(
      expect.arrayContaining(['config.json', 'model.safetensors', 'optimizer.safetensors', 'slimegrad_state.json']),
    );
    // require() works too, through Node's require(esm)
    const cjs = await command(process.execPath, ['-e', "console.log(typeof require('slimegrad').tensor)"], app);
    expect(cjs.stdout.trim(), cjs.stderr).toBe('function');
  });

  // like test/webgpu: runs wherever SwiftShader is installed, and always in CI
  it.skipIf(!existsSync(SWIFTSHADER_ICD) && !process.env.CI)(
    'plain node loads the optional webgpu package (Dawn) on demand and computes on it',
    async () => {
      // the repo's copy stands in for `npm install webgpu`, a large native download
      symlinkSync(join(root, 'node_modules', 'webgpu'), join(app, 'node_modules', 'webgpu'), 'dir');
      const script = `import { initWebGPU, tensor } from 'slimegrad';
await initWebGPU();
console.log(await tensor([1, 2, 3], { backend: 'webgpu' }).mul(2).sum().item());`;
      const r = await command(process.execPath, ['--input-type=module', '-e', script], app);
      expect(r.stdout.trim(), r.stderr).toBe('12');
    },
  );

  it.each([
    ['TypeScript 5.9', 'typescript/bin/tsc'],
    ['TypeScript 6 (this repo)', null],
    ['TypeScript 7', 'typescript7/bin/tsc'],
  ])('a strict %s consumer with no @types packages type-checks with zero errors', async (_name, tsc) => {
    const config = {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2022'],
        types: [],
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: false,
        noEmit: true,
      },
      files: ['typed.ts'],
    };
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(config));
    const compiler = tsc ? join(app, 'node_modules', tsc) : join(root, 'node_modules/typescript/bin/tsc');
    const r = await command(process.execPath, [compiler, '-p', 'tsconfig.json'], app);
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.code).toBe(0);
  });

  it('esbuild bundles it for the browser with no plugins and no externals, reaching no Node built-in', async () => {
    for (const [entry, outfile] of [
      ['main.js', 'bundle.js'],
      ['worker.js', 'worker.bundle.js'],
    ] as const) {
      const result = await build({
        absWorkingDir: app,
        entryPoints: [entry],
        outfile,
        bundle: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        metafile: true,
        logLevel: 'silent',
      });
      expect(result.errors).toEqual([]);
      expect(result.warnings).toEqual([]);
      const inputs = Object.keys(result.metafile.inputs);
      expect(inputs.filter((p) => p !== entry && !p.startsWith('node_modules/slimegrad/dist/'))).toEqual([]);
    }
  });

  it('the slimegrad command: --version, --help, negative values, and vega checked before any training', async () => {
    const slimegrad = bin(app, 'slimegrad');
    const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version as string;
    expect((await command(slimegrad, ['--version'], app)).stdout.trim()).toBe(version);
    const help = await command(slimegrad, ['showcase', '-h'], app);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: npx slimegrad showcase/);
    const negative = await command(slimegrad, ['showcase', '--lr', '-1'], app);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toMatch(/--lr expects a positive number, got '-1'/);
    // vega and vega-lite are optional peers, not installed in this folder
    const started = Date.now();
    const run = await command(slimegrad, ['showcase', '--quick', '--out', 'runs/quick'], app);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/vega and vega-lite.*not installed: vega, vega-lite/);
    expect(run.stdout).not.toMatch(/SLIME showcase/);
    expect(existsSync(join(app, 'runs'))).toBe(false);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('publint and arethetypeswrong (ESM-only profile) report no problems', async () => {
    const publint = await command(bin(root, 'publint'), ['run', packed.tarball, '--strict'], root);
    expect(publint.stdout, publint.stderr).toMatch(/All good!/);
    expect(publint.code).toBe(0);
    const attw = await command(bin(root, 'attw'), [packed.tarball, '--profile', 'esm-only', '--format', 'ascii'], root);
    expect(attw.code, `${attw.stdout}${attw.stderr}`).toBe(0);
    // the profile leaves out node10 (no subpaths) and require() (ESM only: Node's require(esm), tested above, covers it)
    const problems = attw.stdout.split('\n').filter((l) => /⚠️|💀|❌|🐛|🎭|🥴/u.test(l) && !l.includes('(ignored'));
    expect(problems).toEqual([]);
    expect(attw.stdout.match(/node16 \(from ESM\): 🟢 \(ESM\)/gu)).toHaveLength(2);
  });
});

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  const why = `${CHROMIUM} is missing (apt-get install chromium libvulkan1)`;
  if (process.env.CI) throw new Error(`the package's browser test must run in CI, but ${why}`);
  console.warn(`*** package browser test SKIPPED: ${why}`);
}

describe.skipIf(!hasChromium)('the packed package in headless Chromium, served without COOP/COEP', () => {
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens a page and collects its console lines until one matches `until` (or the page fails). */
  async function consoleOf(flags: readonly string[], page: string, until: RegExp): Promise<string[]> {
    server ??= await serveDirectory(app);
    const { port } = server.address() as { port: number };
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless=new', '--no-sandbox', ...flags] });
    try {
      const tab = await browser.newPage();
      const lines: string[] = [];
      const done = new Promise<void>((resolve, reject) => {
        tab.on('console', (m) => {
          lines.push(m.text());
          if (until.test(m.text())) resolve();
        });
        tab.on('pageerror', (e) => reject(new Error(`${page}: ${e.message}\n${lines.join('\n')}`)));
        tab.on('response', (r) => {
          if (r.url().endsWith('.js') && !r.ok()) reject(new Error(`${page}: ${r.url()} answered ${r.status()}`));
        });
      });
      await tab.goto(`http://127.0.0.1:${port}/${page}`);
      await Promise.race([
        done,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`${page}: timed out\n${lines.join('\n')}`)), 90_000),
        ),
      ]);
      return lines;
    } finally {
      await browser.close();
      browser = undefined;
    }
  }

  it('the bundle trains on the CPU where WebGPU is off, and says what a browser user can do', async () => {
    const lines = await consoleOf([], 'bundle.html', /^checkpoint:/);
    const advice = lines.find((l) => l.startsWith('initWebGPU:')) ?? lines.join('\n');
    expect(advice).toMatch(/browser.*Training on the CPU\./);
    expect(advice).not.toMatch(/\bapt\b|\bnpm\b|VK_ICD|\bNode\b/);
    const losses = lossesIn(lines);
    expect(losses).toHaveLength(5);
    expect(losses[4]).toBeLessThan(losses[0]!);
    expect(lines.find((l) => l.startsWith('checkpoint:'))).toMatch(
      /^checkpoint: model\.safetensors, config\.json, .*slimegrad_state\.json$/,
    );
  }, 120_000);

  it('the same bundle trains on WebGPU (SwiftShader) where the browser offers it', async () => {
    const lines = await consoleOf(WEBGPU_FLAGS, 'bundle.html', /^checkpoint:/);
    expect(lines.find((l) => /^(WebGPU|initWebGPU):/.test(l))).toMatch(/^WebGPU: /);
    const losses = lossesIn(lines);
    expect(losses).toHaveLength(5);
    expect(losses[4]).toBeLessThan(losses[0]!);
  }, 120_000);

  it('a plain page imports dist/ through an import map, and a Web Worker trains on the CPU', async () => {
    expect(await consoleOf([], 'plain.html', /^gradient:/)).toContain('gradient: 2, 4, 6');
    const message = (await consoleOf([], 'worker.html', /^worker /)).find((l) => l.startsWith('worker ')) ?? '';
    const { losses, sharedArrayBuffer } = JSON.parse(message.slice('worker '.length)) as {
      losses: number[];
      sharedArrayBuffer: string;
    };
    expect(sharedArrayBuffer).toBe('undefined');
    expect(losses).toHaveLength(4);
    expect(losses[3]).toBeLessThan(losses[0]!);
  }, 120_000);
});
