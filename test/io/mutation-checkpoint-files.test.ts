// Checkpoint folders on disk (checkpoint-files.ts) at their edges, written against surviving mutants: which existing
// folders a save may write into and which files it may delete, the full message of each refusal, and the exact
// number of read calls a chunked read makes.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ByteTokenizer } from '../../src/data/index.js';
import { GPT, type GPTConfig } from '../../src/nn/index.js';
import { fileByteSource, loadCheckpoint, saveCheckpoint } from '../../src/io/checkpoint-files.js';

const cfg: GPTConfig = { vocabSize: 259, blockSize: 4, nEmbd: 8, nLayer: 1, nHead: 2, dropout: 0 };
const model = () => new GPT(cfg, { seed: 1 });
/** The message of the error the promise rejects with (fails the test if it resolves). */
async function messageOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'slimegrad-mut-dir-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('where a save may write', () => {
  it('refuses a file, a path through a file, and a non-empty folder that is no checkpoint, in full', async () => {
    const file = join(root, 'file');
    writeFileSync(file, 'x');
    expect(await messageOf(saveCheckpoint(file, model()))).toBe(
      `${file}: exists and is not a folder; a checkpoint is a folder`,
    );
    expect(await messageOf(saveCheckpoint(join(file, 'sub'), model()))).toMatch(
      new RegExp(`^${file}/sub: cannot be inspected \\(ENOTDIR: .+\\)$`),
    );
    const three = join(root, 'three');
    mkdirSync(three);
    for (const n of ['a', 'b', 'config.json']) writeFileSync(join(three, n), n);
    expect(await messageOf(saveCheckpoint(three, model()))).toBe(
      `${three}: a non-empty folder that is not a checkpoint (it holds ${readdirSync(three).join(', ')}); ` +
        'save into a new or empty folder',
    );
    writeFileSync(join(three, 'd'), 'd');
    const shown = readdirSync(three).slice(0, 3).join(', ');
    expect(await messageOf(saveCheckpoint(three, model()))).toBe(
      `${three}: a non-empty folder that is not a checkpoint (it holds ${shown}, ... (4 entries)); ` +
        'save into a new or empty folder',
    );
    expect(readdirSync(root).sort()).toEqual(['file', 'three']);
  });

  it('writes into a Hugging Face folder (config.json with weights or a shard index), keeping files it did not write', async () => {
    const hf = join(root, 'hf');
    mkdirSync(hf);
    writeFileSync(join(hf, 'config.json'), '{}');
    writeFileSync(join(hf, 'model.safetensors'), 'old');
    writeFileSync(join(hf, 'README.md'), 'card');
    await saveCheckpoint(hf, model());
    expect(readFileSync(join(hf, 'README.md'), 'utf8')).toBe('card');
    expect((await loadCheckpoint(hf)).config.vocabSize).toBe(259);
    const sharded = join(root, 'sharded');
    mkdirSync(sharded);
    writeFileSync(join(sharded, 'config.json'), '{}');
    writeFileSync(join(sharded, 'model.safetensors.index.json'), '{}');
    await saveCheckpoint(sharded, model());
    expect(readFileSync(join(sharded, 'model.safetensors.index.json'), 'utf8')).toBe('{}');
  });

  it('deletes the stale files a format-1 state implies, and none when the state file is damaged', async () => {
    const v1 = join(root, 'v1');
    mkdirSync(v1);
    writeFileSync(join(v1, 'slimegrad_state.json'), '{"step": 3}');
    writeFileSync(join(v1, 'optimizer.safetensors'), 'stale');
    writeFileSync(join(v1, 'notes.txt'), 'mine');
    await saveCheckpoint(v1, model());
    expect(readdirSync(v1).sort()).toEqual([
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'notes.txt',
      'slimegrad_state.json',
    ]);
    const damaged = join(root, 'damaged');
    mkdirSync(damaged);
    writeFileSync(join(damaged, 'slimegrad_state.json'), '{"step"');
    writeFileSync(join(damaged, 'optimizer.safetensors'), 'unknown');
    await saveCheckpoint(damaged, model());
    expect(readFileSync(join(damaged, 'optimizer.safetensors'), 'utf8')).toBe('unknown');
  });
});

describe('reading a checkpoint folder', () => {
  it('reads ranges in calls of at most maxReadBytes, from the given position', async () => {
    const file = join(root, 'bytes');
    writeFileSync(
      file,
      Uint8Array.from({ length: 40 }, (_, i) => i),
    );
    const chunked = await fileByteSource(file, { maxReadBytes: 7 });
    try {
      expect(chunked.size).toBe(40);
      expect(Array.from(await chunked.read(5, 20))).toEqual(Array.from({ length: 20 }, (_, i) => 5 + i));
      expect(chunked.readCalls).toBe(3);
      expect(Array.from(await chunked.read(33, 7))).toEqual([33, 34, 35, 36, 37, 38, 39]);
      expect(chunked.readCalls).toBe(4);
    } finally {
      await chunked.close();
    }
    const whole = await fileByteSource(file);
    try {
      await whole.read(0, 40);
      expect(whole.readCalls).toBe(1);
      truncateSync(file, 10);
      expect(await messageOf(whole.read(0, 40))).toBe(
        `${file}: ended at byte 10 while 40 were expected (changed while reading?)`,
      );
    } finally {
      await whole.close();
    }
  });

  it('refuses unreadable folders and files, missing shards and listed files, and changed tokenizer files, in full', async () => {
    const loop = join(root, 'loop');
    symlinkSync(loop, loop);
    expect(await messageOf(loadCheckpoint(loop))).toMatch(new RegExp(`^${loop}: cannot be read \\(ELOOP: .+\\)$`));
    const file = join(root, 'file');
    writeFileSync(file, 'x');
    expect(await messageOf(loadCheckpoint(file))).toBe(`${file}/config.json: missing (not a checkpoint directory?)`);

    const dir = join(root, 'ck');
    await saveCheckpoint(dir, model(), { tokenizer: new ByteTokenizer() });
    const tokenizer = readFileSync(join(dir, 'tokenizer.json'));
    writeFileSync(join(dir, 'tokenizer.json'), Buffer.concat([tokenizer, Buffer.from(' ')]));
    expect(await messageOf(loadCheckpoint(dir))).toMatch(
      new RegExp(`^${dir}/tokenizer\\.json: does not match slimegrad_state\\.json \\(checksum [0-9a-f]{8}, listed`),
    );
    unlinkSync(join(dir, 'tokenizer.json'));
    expect(await messageOf(loadCheckpoint(dir))).toBe(
      `${dir}/tokenizer.json: missing, but slimegrad_state.json lists it`,
    );

    const sharded = join(root, 'sharded');
    mkdirSync(sharded);
    writeFileSync(join(sharded, 'config.json'), readFileSync(join(dir, 'config.json')));
    writeFileSync(join(sharded, 'model.safetensors.index.json'), '{"weight_map": {"w": "s.safetensors"}}');
    expect(await messageOf(loadCheckpoint(sharded))).toBe(`${sharded}/s.safetensors: missing`);
    rmSync(join(sharded, 'config.json'));
    mkdirSync(join(sharded, 'config.json'));
    expect(await messageOf(loadCheckpoint(sharded))).toMatch(
      new RegExp(`^${sharded}/config\\.json: cannot be read \\(EISDIR: .+\\)$`),
    );
  });
});

describe('saving into new and empty folders, loading from missing ones', () => {
  it('creates every missing parent of a new checkpoint folder', async () => {
    const dir = join(root, 'runs', 'a', 'ckpt');
    await saveCheckpoint(dir, model());
    expect(readdirSync(dir)).toContain('config.json');
  });

  it('saves into an existing empty folder (only a non-empty one that is not a checkpoint is refused)', async () => {
    const dir = join(root, 'empty');
    mkdirSync(dir);
    await saveCheckpoint(dir, model());
    expect(readdirSync(dir)).toContain('config.json');
  });

  it('a missing folder, or a file in its place, reads as a checkpoint without config.json', async () => {
    for (const dir of [join(root, 'absent'), join(root, 'a-file')]) {
      if (dir.endsWith('a-file')) writeFileSync(dir, 'x');
      expect(await messageOf(loadCheckpoint(dir))).toBe(
        `${join(dir, 'config.json')}: missing (not a checkpoint directory?)`,
      );
    }
  });
});
