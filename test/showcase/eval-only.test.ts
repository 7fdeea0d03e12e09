// `npm start -- --eval-only DIR`: scores a checkpoint folder on the held-out set with no training and writes the
// same report. The figures must be those of evaluateHeldOut on that very model and held-out set, computed here
// directly; a wrong checkpoint, block size or held-out split would change them.

import { readFileSync, existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nn, data } from '../../src/index.js';
import { saveCheckpoint, loadCheckpoint } from '../../src/io/checkpoint-files.js';
import { runShowcase, type ShowcaseIo } from '../../src/cli/showcase.js';
import { parseShowcaseArgs } from '../../src/cli/args.js';
import { prepareTask } from '../../src/cli/task-setup.js';
import { evaluateHeldOut } from '../../src/train/evaluate.js';
import type { Summary } from '../../src/report/summary.js';

function capture(): ShowcaseIo & { text: () => string; errors: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    progressStream: null,
    text: () => out,
    errors: () => err,
  };
}

const tokenizer = new data.ByteTokenizer();

/** A small random byte-level GPT saved as a checkpoint, of a size no preset has (so the flags cannot supply it). */
async function savedModel(vocabSize = tokenizer.vocabSize): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slimegrad-evalonly-ckpt-'));
  const model = new nn.GPT({ vocabSize, blockSize: 24, nEmbd: 12, nLayer: 1, nHead: 3, dropout: 0 }, { seed: 7 });
  await saveCheckpoint(dir, model, { step: 42 });
  model.dispose();
  return dir;
}

describe('--eval-only', () => {
  it('scores the checkpoint on the held-out set and writes the report with those figures', async () => {
    const ckpt = await savedModel();
    const out = await mkdtemp(join(tmpdir(), 'slimegrad-evalonly-out-'));
    const io = capture();
    const argv = ['--quick', '--eval-only', ckpt, '--out', out, '--no-progress'];
    const code = await runShowcase(argv, io);
    expect(io.errors()).toBe('');
    expect(code).toBe(0);
    for (const f of ['summary.json', 'report.md', 'report.html', 'metrics.jsonl'])
      expect(existsSync(join(out, f)), f).toBe(true);

    // the same figures, computed directly from the checkpoint and the quick run's held-out set
    const settings = parseShowcaseArgs(['--quick', '--block-size', '24'])!;
    const task = await prepareTask(settings, tokenizer, await mkdtemp(join(tmpdir(), 'slimegrad-evalonly-task-')));
    const { model } = await loadCheckpoint(ckpt);
    const expected = await evaluateHeldOut(model, task.heldOut, tokenizer);
    model.dispose();

    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
    expect(summary.methods).toEqual([]);
    expect(summary.checkpoint.perSeed).toHaveLength(1);
    expect(summary.checkpoint.perSeed[0].sftSteps).toBe(42);
    expect(summary.checkpoint.perSeed[0].metrics).toEqual(expected.metrics);
    expect(summary.task.description).toContain(`Evaluation only, no training: checkpoint ${ckpt} (saved at step 42)`);
    expect(summary.settings.model).toEqual({ blockSize: 24, nEmbd: 12, nLayer: 1, nHead: 3 });
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain(
      "Evaluation only: the checkpoint's model, a byte-level GPT-2 (1 layers, 12 wide, 3 heads, block 24), was scored",
    );
    expect(md).not.toContain('Pipeline:');
    expect(summary.observations).toEqual([
      'One checkpoint was evaluated (--eval-only): there are no methods to compare.',
    ]);
    expect(md).toContain(
      `| checkpoint ${ckpt} (evaluated) | ${expected.metrics['eval_lbar/chosen'].toFixed(3)} ± 0.000 |`,
    );
    const logged = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(logged).toEqual([{ phase: 'eval', method: 'checkpoint', seed: 0, step: 42, ...expected.metrics }]);
  });

  it("a method's checkpoint, scored with --eval-only, gives exactly the figures its run reported", async () => {
    const run = await mkdtemp(join(tmpdir(), 'slimegrad-evalonly-run-'));
    const flags = ['--quick', '--model', 'micro', '--no-progress'];
    const train = [
      '--methods',
      'slime',
      '--seeds',
      '1',
      '--sft-steps',
      '4',
      '--steps',
      '2',
      '--eval-every',
      '2',
      '--batch',
      '4',
    ];
    expect(await runShowcase([...flags, ...train, '--out', run], capture())).toBe(0);
    const trained = JSON.parse(readFileSync(join(run, 'summary.json'), 'utf8')) as Summary;
    const out = await mkdtemp(join(tmpdir(), 'slimegrad-evalonly-out-'));
    const io = capture();
    expect(
      await runShowcase([...flags, '--eval-only', join(run, 'checkpoints', 'seed0', 'slime'), '--out', out], io),
    ).toBe(0);
    const evaluated = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
    const final = Object.fromEntries(Object.entries(trained.methods[0].final).map(([k, stat]) => [k, stat.mean]));
    expect(evaluated.checkpoint.perSeed[0].metrics).toEqual(final);
    expect(evaluated.checkpoint.perSeed[0].sftSteps).toBe(2);
  });

  it('a folder that is not a checkpoint, or a model of another vocabulary, exits 2 before anything runs', async () => {
    const out = await mkdtemp(join(tmpdir(), 'slimegrad-evalonly-out-'));
    const empty = await mkdtemp(join(tmpdir(), 'slimegrad-evalonly-empty-'));
    const io = capture();
    expect(await runShowcase(['--eval-only', empty, '--out', out, '--no-progress'], io)).toBe(2);
    expect(io.errors()).toContain(`${join(empty, 'config.json')}: missing`);
    const wide = await savedModel(300);
    const io2 = capture();
    expect(await runShowcase(['--eval-only', wide, '--out', out, '--no-progress'], io2)).toBe(2);
    expect(io2.errors()).toContain("the model has 300 tokens, but the showcase's byte tokenizer has 259");
    expect(existsSync(join(out, 'summary.json'))).toBe(false);
  });
});
