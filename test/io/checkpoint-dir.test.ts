import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GPT, type GPTConfig } from '../../src/nn/index.js';
import { AdamW } from '../../src/optim/index.js';
import { ByteTokenizer } from '../../src/data/index.js';
import { fileByteSource, loadCheckpoint, saveCheckpoint } from '../../src/io/checkpoint-files.js';
import { encodeSafetensors, readSafetensors } from '../../src/io/index.js';

const cfg: GPTConfig = { vocabSize: 259, blockSize: 8, nEmbd: 8, nLayer: 1, nHead: 2, dropout: 0 };
const bitsOf = (m: GPT) =>
  m.namedParameters().map(([n, p]) => [n, Array.from(new Uint32Array(p.dataSync().slice().buffer))]);
/** Every file under `dir` with its content, so "nothing lost" can be checked byte for byte. */
const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const p = join(e.parentPath, e.name);
        return [p.slice(dir.length), readFileSync(p).toString('base64')];
      }),
  );

/**
 * Runs `fn` with `dir` as the working folder. Worker threads (StrykerJS runs vitest in them) cannot chdir: there
 * process.cwd() alone is redirected, which is what path.resolve consults.
 */
async function inFolder<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const cwd = process.cwd();
  try {
    process.chdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_WORKER_UNSUPPORTED_OPERATION') throw e;
    const spy = vi.spyOn(process, 'cwd').mockReturnValue(dir);
    try {
      return await fn();
    } finally {
      spy.mockRestore();
    }
  }
  try {
    return await fn();
  } finally {
    process.chdir(cwd);
  }
}

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'slimegrad-dir-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('checkpoint folders (issue 12, defect 1): never delete what slimegrad did not write', () => {
  it('writes a complete Hugging Face model folder', async () => {
    await saveCheckpoint(join(root, 'ck'), new GPT(cfg, { seed: 1 }), { tokenizer: new ByteTokenizer(), step: 3 });
    expect(readdirSync(join(root, 'ck')).sort()).toEqual([
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'slimegrad_state.json',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect(JSON.parse(readFileSync(join(root, 'ck', 'config.json'), 'utf8'))).toMatchObject({
      bos_token_id: 256,
      eos_token_id: 257,
      pad_token_id: 258,
    });
    expect(readdirSync(root)).toEqual(['ck']);
  });

  it('refuses a non-empty folder that is not a checkpoint, and a regular file, changing nothing', async () => {
    const model = new GPT(cfg, { seed: 1 });
    mkdirSync(join(root, 'work'));
    writeFileSync(join(root, 'work', 'notes.txt'), 'precious');
    writeFileSync(join(root, 'file'), 'also precious');
    const before = snapshot(root);
    await expect(saveCheckpoint(join(root, 'work'), model)).rejects.toThrow(
      /work: a non-empty folder that is not a checkpoint \(it holds notes\.txt\)/,
    );
    await expect(saveCheckpoint(join(root, 'file'), model)).rejects.toThrow(/file: exists and is not a folder/);
    expect(snapshot(root)).toEqual(before);
  });

  it('saving over "." refuses a working folder and keeps every file in it', async () => {
    const work = join(root, 'project');
    mkdirSync(join(work, 'src'), { recursive: true });
    writeFileSync(join(work, 'src', 'main.ts'), 'code');
    const before = snapshot(root);
    await inFolder(work, () =>
      expect(saveCheckpoint('.', new GPT(cfg, { seed: 1 }))).rejects.toThrow(/not a checkpoint/),
    );
    expect(snapshot(root)).toEqual(before);
  });

  it("saving over a checkpoint replaces slimegrad's files only: others stay, stale ones of its own go", async () => {
    const dir = join(root, 'ck');
    const model = new GPT(cfg, { seed: 1 });
    await saveCheckpoint(dir, model, { optimizer: new AdamW(model.namedParameters(), { lr: 1e-3 }), step: 1 });
    writeFileSync(join(dir, 'README.md'), 'model card');
    mkdirSync(join(dir, 'runs'));
    writeFileSync(join(dir, 'runs', 'log.txt'), 'log');
    const other = new GPT(cfg, { seed: 2 });
    await saveCheckpoint(dir, other, { step: 2 }); // no optimizer this time: the old optimizer state must not linger
    expect(readdirSync(dir).sort()).toEqual([
      'README.md',
      'config.json',
      'generation_config.json',
      'model.safetensors',
      'runs',
      'slimegrad_state.json',
    ]);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('model card');
    expect(readFileSync(join(dir, 'runs', 'log.txt'), 'utf8')).toBe('log');
    const back = await loadCheckpoint(dir);
    expect(bitsOf(back.model)).toEqual(bitsOf(other));
    expect(back.optimizerState).toBeNull();
    // saving into "." when "." is a checkpoint folder works and touches nothing else
    await inFolder(dir, () => saveCheckpoint('.', model, { step: 3 }));
    expect(bitsOf((await loadCheckpoint(dir)).model)).toEqual(bitsOf(model));
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('model card');
    expect(readdirSync(root)).toEqual(['ck']);
  });

  it('a folder mixing two saves (interrupted between renames) is refused on load, naming the file', async () => {
    const a = join(root, 'a');
    const b = join(root, 'b');
    await saveCheckpoint(a, new GPT(cfg, { seed: 1 }));
    await saveCheckpoint(b, new GPT(cfg, { seed: 2 }));
    writeFileSync(join(a, 'model.safetensors'), readFileSync(join(b, 'model.safetensors')));
    await expect(loadCheckpoint(a)).rejects.toThrow(
      /model\.safetensors: does not match slimegrad_state\.json .*interrupted/,
    );
  });
});

/** Makes `dir` unwritable even for root (chattr +i) when chmod is not enough; returns the undo, or null if impossible. */
function makeReadOnly(dir: string): (() => void) | null {
  chmodSync(dir, 0o555);
  const probe = join(dir, '.probe');
  try {
    writeFileSync(probe, '');
    rmSync(probe);
  } catch {
    return () => chmodSync(dir, 0o755);
  }
  chmodSync(dir, 0o755);
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
    return () => execFileSync('chattr', ['-i', dir], { stdio: 'ignore' });
  } catch {
    return null;
  }
}

describe('checkpoint folders (issue 12, defect 10): a read-only folder', () => {
  it('fails before anything is replaced and leaves no temporary or *.old-* files', async (ctx) => {
    const dir = join(root, 'ck');
    await saveCheckpoint(dir, new GPT(cfg, { seed: 1 }), { step: 1 });
    const before = snapshot(root);
    const undo = makeReadOnly(dir);
    if (!undo) ctx.skip('cannot make a folder read-only here (root without chattr)');
    try {
      await expect(saveCheckpoint(dir, new GPT(cfg, { seed: 2 }), { step: 2 })).rejects.toThrow(
        /ck: cannot write the checkpoint files into this folder \(E(ACCES|PERM)\); it is unchanged/,
      );
    } finally {
      undo!();
    }
    expect(snapshot(root)).toEqual(before);
    expect((await loadCheckpoint(dir)).step).toBe(1);
  });
});

describe('checkpoint folders: a file that cannot be replaced midway', () => {
  it('stops with the list of replaced files, leaves no temporary files, and loading refuses the mixed folder', async (ctx) => {
    const dir = join(root, 'ck');
    await saveCheckpoint(dir, new GPT(cfg, { seed: 1 }), { step: 1 });
    const locked = join(dir, 'config.json');
    try {
      execFileSync('chattr', ['+i', locked], { stdio: 'ignore' });
    } catch {
      ctx.skip('chattr is not available to make one file unreplaceable');
    }
    try {
      await expect(saveCheckpoint(dir, new GPT(cfg, { seed: 2 }), { step: 2 })).rejects.toThrow(
        /ck: the save stopped after replacing model\.safetensors \(.*\); loading will refuse the folder/,
      );
    } finally {
      execFileSync('chattr', ['-i', locked], { stdio: 'ignore' });
    }
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([]);
    await expect(loadCheckpoint(dir)).rejects.toThrow(/model\.safetensors: does not match slimegrad_state\.json/);
  });
});

describe('reading by ranges (issue 12, defect 6)', () => {
  it('a garbage file costs one 8-byte read, not the whole file', async () => {
    const file = join(root, 'junk.safetensors');
    writeFileSync(file, Buffer.alloc(1 << 20, 0x41));
    const source = await fileByteSource(file);
    const reads: number[] = [];
    const watched = {
      size: source.size,
      read: (p: number, n: number) => {
        reads.push(n);
        return source.read(p, n);
      },
    };
    try {
      await expect(readSafetensors(watched, file)).rejects.toThrow(/header length \d+ does not fit the file/);
    } finally {
      await source.close();
    }
    expect(reads).toEqual([8]);
  });

  it('loadCheckpoint on a 3 GiB damaged weights file fails at its 8-byte header (it used to read the whole file, or fail past 2 GiB)', async () => {
    const dir = join(root, 'big');
    await saveCheckpoint(dir, new GPT(cfg, { seed: 1 }));
    const weights = join(dir, 'model.safetensors');
    writeFileSync(weights, Buffer.from('garbage!'));
    truncateSync(weights, 3 * 2 ** 30); // sparse: no disk space, no memory
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      /model\.safetensors: header length 2406443243860549991 does not fit the file \(3221225464 bytes follow/,
    );
  });

  it('a range longer than one read call is read in chunks (the > 2 GiB logic, with a 7-byte limit)', async () => {
    const data = Float32Array.from({ length: 101 }, (_, i) => Math.sin(i));
    const file = join(root, 'w.safetensors');
    writeFileSync(file, encodeSafetensors(new Map([['w', { dtype: 'float32', shape: [101], data }]])));
    const source = await fileByteSource(file, { maxReadBytes: 7 });
    try {
      expect(Array.from((await readSafetensors(source, file)).tensors.get('w')!.data)).toEqual(Array.from(data));
      expect(source.readCalls).toBeGreaterThan(404 / 7);
    } finally {
      await source.close();
    }
    expect(existsSync(file)).toBe(true);
  });
});
