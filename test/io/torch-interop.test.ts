// Real-format check against PyTorch (Debian's python3-torch for /usr/bin/python3): slimegrad's files read by torch,
// torch's F16 / BF16 / sharded files read by slimegrad. The safetensors Python package is not assumed; the script
// reads and writes the format with struct + json + torch.frombuffer. Runs whenever torch imports; in CI it must.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GPT } from '../../src/nn/index.js';
import { ByteTokenizer } from '../../src/data/index.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/io/checkpoint-files.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'torch_safetensors.py');
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
if (process.env.CI && !hasTorch) throw new Error(`${PYTHON} cannot import torch; CI installs python3-torch (.ci/run)`);

type Dump = Record<string, { dtype: string; shape: number[]; values: (number | string)[] }>;
const torch = (...args: string[]): unknown =>
  JSON.parse(execFileSync(PYTHON, [SCRIPT, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 }));
const numbers = (values: (number | string)[]) =>
  values.map((v) => (typeof v === 'number' ? v : Number(v.replace('inf', 'Infinity'))));

describe.skipIf(!hasTorch)("PyTorch reads slimegrad's checkpoints and slimegrad reads PyTorch's", () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'slimegrad-torch-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("torch reads every tensor of a saved checkpoint with slimegrad's values, and its own rounding matches F16 / BF16 saves", async () => {
    const model = new GPT({ vocabSize: 259, blockSize: 8, nEmbd: 16, nLayer: 2, nHead: 2, dropout: 0 }, { seed: 5 });
    await saveCheckpoint(join(root, 'f32'), model, { tokenizer: new ByteTokenizer() });
    await saveCheckpoint(join(root, 'f16'), model, { tokenizer: new ByteTokenizer(), weightsDtype: 'F16' });
    await saveCheckpoint(join(root, 'bf16'), model, { tokenizer: new ByteTokenizer(), weightsDtype: 'BF16' });
    const read = torch('read', join(root, 'f32'), 'model.safetensors') as Dump;
    const params = model.namedParameters();
    expect(Object.keys(read).sort()).toEqual(params.map(([n]) => `model.safetensors:${n}`).sort());
    for (const [name, p] of params) {
      const t = read[`model.safetensors:${name}`];
      expect(t.dtype).toBe('F32');
      expect(t.shape).toEqual(p.shape);
      expect(t.values).toEqual(Array.from(p.dataSync()));
    }
    // torch's .to(float16) / .to(bfloat16) (round to nearest even) of the F32 file gives the F16 / BF16 files' bits
    const report = torch(
      'compare',
      root,
      'f32/model.safetensors',
      'f16/model.safetensors',
      'bf16/model.safetensors',
    ) as Record<string, { dtype: string; mismatches: number }>;
    expect(Object.keys(report)).toHaveLength(2 * params.length);
    for (const [key, r] of Object.entries(report))
      expect(r).toEqual({ dtype: key.startsWith('f16/') ? 'F16' : 'BF16', mismatches: 0 });
  });

  it('slimegrad loads a sharded BF16 bare-GPT2Model checkpoint and an F16 file written by torch, exactly', async () => {
    const dir = join(root, 'from-torch');
    execFileSync('mkdir', ['-p', dir]);
    const expected = torch('write', dir) as Dump;
    const { model, config } = await loadCheckpoint(dir);
    expect(config).toMatchObject({ vocabSize: 13, blockSize: 6, nEmbd: 8, nLayer: 2, nHead: 2 });
    for (const [name, p] of model.namedParameters()) {
      const t = expected[name.replace(/^transformer\./, '')];
      expect(t.shape).toEqual(p.shape);
      expect(Array.from(p.dataSync())).toEqual(numbers(t.values));
    }
    const { readSafetensors } = await import('../../src/io/index.js');
    const { fileByteSource } = await import('../../src/io/checkpoint-files.js');
    const source = await fileByteSource(join(dir, 'half.safetensors'));
    try {
      const half = (await readSafetensors(source, 'half.safetensors')).tensors;
      for (const name of ['edge', 'noise']) {
        expect(half.get(name)!.dtype).toBe('float32');
        expect(Array.from(half.get(name)!.data)).toEqual(numbers(expected[`half.${name}`].values));
      }
      expect(Object.is(half.get('edge')!.data[7], -0)).toBe(true);
    } finally {
      await source.close();
    }
  });
});
