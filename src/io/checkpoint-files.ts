// Checkpoint directories on disk (Node only), around the byte-level checkpoint.ts.
//
// Saving writes into the folder itself, never around it: every file first under a hidden temporary name (so a
// read-only folder, a full disk or any other write error stops the save before a single file is replaced), then
// renamed over its final name, slimegrad_state.json last. Only files slimegrad wrote are ever replaced or deleted:
// those of the new save, and stale ones the previous slimegrad_state.json lists (say, an optimizer state the new
// save lacks). A non-empty folder that is not a checkpoint is refused, so `saveCheckpoint('.')` in a project folder
// changes nothing. If the process dies between two renames, the folder mixes two saves; slimegrad_state.json's
// checksums make loading refuse it rather than load a model with the wrong optimizer state.
//
// Loading reads safetensors files by ranges (header first, then each tensor into its own buffer), so a damaged file
// costs an 8-byte read, and files over 2 GiB load: Node reads at most 2 GiB per call, so longer ranges are read in
// chunks (fileByteSource's maxReadBytes, which the tests set to a few bytes to exercise that path).

import { open, readFile, readdir, rename, rm, stat, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { GPT } from '../nn/gpt.js';
import {
  CONFIG_FILE,
  MODEL_FILE,
  STATE_FILE,
  checkpointFiles,
  checkpointFromContents,
  checkpointReadPlan,
  filesWrittenBySlimegrad,
  type LoadOptions,
  type LoadedCheckpoint,
  type SaveCheckpointOptions,
} from './checkpoint.js';
import { readSafetensors, type ByteSource, type SafetensorsContents } from './safetensors.js';
import { INDEX_FILE } from './hf-weights.js';

/** Node's limit for one read call is 2 GiB - 1 byte; stay a power of two below it. */
const MAX_READ_BYTES = 2 ** 30;

/** Writes a checkpoint folder at `dir` (new, empty, or holding a checkpoint); see the notes at the top of this file. */
export async function saveCheckpoint(dir: string, model: GPT, opts: SaveCheckpointOptions = {}): Promise<void> {
  const files = await checkpointFiles(model, opts);
  const target = resolve(dir);
  const previous = await previousSlimegradFiles(target, dir);
  const unique = `${process.pid}-${Date.now()}`;
  const temporary = (name: string) => join(target, `.${name}.tmp-${unique}`);
  const written: string[] = [];
  try {
    for (const [name, content] of files) {
      await writeFile(temporary(name), content);
      written.push(name);
    }
  } catch (e) {
    await Promise.all(written.map((name) => rm(temporary(name), { force: true }).catch(() => undefined)));
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new Error(
      `${dir}: cannot write the checkpoint files into this folder (${code}); it is unchanged (${(e as Error).message})`,
    );
  }
  // slimegrad_state.json, with the checksums of the rest, goes last (checkpointFiles puts it last)
  const replaced: string[] = [];
  try {
    for (const name of files.keys()) {
      await rename(temporary(name), join(target, name));
      replaced.push(name);
    }
  } catch (e) {
    await Promise.all(
      [...files.keys()]
        .filter((n) => !replaced.includes(n))
        .map((n) => rm(temporary(n), { force: true }).catch(() => undefined)),
    );
    throw new Error(
      `${dir}: the save stopped after replacing ${replaced.join(', ') || 'nothing'} (${(e as Error).message}); ` +
        `loading will refuse the folder until a save completes`,
    );
  }
  for (const name of previous.filter((n) => !files.has(n))) await rm(join(target, name), { force: true });
}

/**
 * Checks that `target` may hold a checkpoint (creating it if absent) and returns the files a previous slimegrad save
 * wrote there. Refuses a regular file and a non-empty folder that is not a checkpoint.
 */
async function previousSlimegradFiles(target: string, dir: string): Promise<string[]> {
  const info = await stat(target).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw new Error(`${dir}: cannot be inspected (${e.message})`);
  });
  if (!info) {
    await mkdir(target, { recursive: true });
    return [];
  }
  if (!info.isDirectory()) throw new Error(`${dir}: exists and is not a folder; a checkpoint is a folder`);
  const entries = await readdir(target);
  const has = (name: string) => entries.includes(name);
  const isCheckpoint = has(STATE_FILE) || (has(CONFIG_FILE) && (has(MODEL_FILE) || has(INDEX_FILE)));
  if (entries.length > 0 && !isCheckpoint) {
    const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? `, ... (${entries.length} entries)` : '');
    throw new Error(
      `${dir}: a non-empty folder that is not a checkpoint (it holds ${shown}); save into a new or empty folder`,
    );
  }
  const state = has(STATE_FILE) ? new Uint8Array(await readFile(join(target, STATE_FILE))) : undefined;
  try {
    return filesWrittenBySlimegrad(state, join(dir, STATE_FILE));
  } catch {
    return []; // a damaged state file cannot say which files were slimegrad's: then no stale file is deleted
  }
}

/** A {@link ByteSource} over an open file. */
export interface FileByteSource extends ByteSource {
  /** Closes the file; call it when done reading. */
  close(): Promise<void>;
  /** How many reads reached the file so far (a range longer than `maxReadBytes` takes several). */
  readCalls: number;
}

/** A ByteSource over a file, reading ranges longer than `maxReadBytes` in several calls; close it when done. */
export async function fileByteSource(path: string, opts: { maxReadBytes?: number } = {}): Promise<FileByteSource> {
  const maxRead = opts.maxReadBytes ?? MAX_READ_BYTES;
  const handle = await open(path, 'r');
  const { size } = await handle.stat();
  const source = {
    size,
    readCalls: 0,
    async read(position: number, length: number): Promise<Uint8Array> {
      const out = new Uint8Array(length);
      for (let done = 0; done < length; ) {
        source.readCalls++;
        const { bytesRead } = await handle.read(out, done, Math.min(maxRead, length - done), position + done);
        if (bytesRead === 0)
          throw new Error(
            `${path}: ended at byte ${position + done} while ${size} were expected (changed while reading?)`,
          );
        done += bytesRead;
      }
      return out;
    },
    close: () => handle.close(),
  };
  return source;
}

/**
 * Reads a checkpoint folder written by saveCheckpoint, or a Hugging Face GPT-2 folder: config.json plus
 * model.safetensors or model.safetensors.index.json with its shards (F32, F64, F16 or BF16; bare or prefixed names).
 */
export async function loadCheckpoint(dir: string, opts: LoadOptions = {}): Promise<LoadedCheckpoint> {
  const pathOf = (name: string) => join(dir, name);
  const entries = new Set(
    await readdir(dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return [];
      throw new Error(`${dir}: cannot be read (${e.message})`);
    }),
  );
  const readWhole = async (name: string): Promise<[string, Uint8Array]> => {
    try {
      return [name, new Uint8Array(await readFile(pathOf(name)))];
    } catch (e) {
      throw new Error(`${pathOf(name)}: cannot be read (${(e as Error).message})`);
    }
  };
  const small = new Map(
    await Promise.all([CONFIG_FILE, STATE_FILE, INDEX_FILE].filter((n) => entries.has(n)).map(readWhole)),
  );
  const plan = checkpointReadPlan((name) => entries.has(name), small, pathOf);
  for (const [name, bytes] of await Promise.all(plan.bytes.filter((n) => entries.has(n)).map(readWhole)))
    small.set(name, bytes);
  const safetensors = new Map<string, SafetensorsContents>();
  for (const name of plan.safetensors) {
    if (!entries.has(name)) throw new Error(`${pathOf(name)}: missing`);
    const source = await fileByteSource(pathOf(name));
    try {
      safetensors.set(name, await readSafetensors(source, pathOf(name)));
    } finally {
      await source.close();
    }
  }
  return checkpointFromContents(small, safetensors, { ...opts, pathOf });
}
