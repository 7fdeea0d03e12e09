// Checkpoint directories on disk (Node only): the files of checkpoint.ts written under a temporary name and renamed
// into place, so a crash never leaves a half-written checkpoint; loading reads whatever files exist and leaves all
// checking to checkpointFromFiles.

import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { GPT } from '../nn/gpt.js';
import {
  CONFIG_FILE, MODEL_FILE, OPTIMIZER_FILE, STATE_FILE, checkpointFiles, checkpointFromFiles,
  type LoadOptions, type LoadedCheckpoint, type SaveCheckpointOptions,
} from './checkpoint.js';

/** Writes a checkpoint directory (replacing any previous one at `dir` only once the new one is complete). */
export async function saveCheckpoint(dir: string, model: GPT, opts: SaveCheckpointOptions = {}): Promise<void> {
  const files = await checkpointFiles(model, opts);
  const target = resolve(dir);
  const unique = `${process.pid}-${Date.now()}`;
  const tmp = `${target}.tmp-${unique}`;
  await mkdir(dirname(target), { recursive: true });
  await mkdir(tmp);
  try {
    for (const [name, content] of files) await writeFile(join(tmp, name), content);
    const old = `${target}.old-${unique}`;
    const exists = await stat(target).then(() => true, () => false);
    if (exists) await rename(target, old);
    await rename(tmp, target);
    if (exists) await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** Reads a checkpoint directory written by saveCheckpoint (or by Hugging Face: config.json + model.safetensors). */
export async function loadCheckpoint(dir: string, opts: LoadOptions = {}): Promise<LoadedCheckpoint> {
  const read = async (name: string): Promise<[string, Uint8Array] | null> => {
    try {
      return [name, new Uint8Array(await readFile(join(dir, name)))];
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new Error(`${join(dir, name)}: cannot be read (${(e as Error).message})`);
    }
  };
  const found = await Promise.all([CONFIG_FILE, MODEL_FILE, OPTIMIZER_FILE, STATE_FILE].map(read));
  const files = new Map(found.filter((f) => f !== null));
  return checkpointFromFiles(files, { ...opts, pathOf: (name) => join(dir, name) });
}
