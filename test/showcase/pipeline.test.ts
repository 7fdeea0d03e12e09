// The showcase end to end at a tiny size: every artefact is written, every figure is finite, and the report shows
// exactly the numbers of summary.json.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runShowcase, type ShowcaseIo } from '../../src/cli/showcase.js';
import { TABLE_COLUMNS } from '../../src/report/table.js';
import { RUN_CHARTS } from '../../src/report/run-charts.js';
import type { Summary } from '../../src/report/summary.js';
import { tinyRunArgs } from './tiny-run.js';

const TINY = tinyRunArgs({ seeds: 2, sftSteps: 6, steps: 4, evalEvery: 2 });

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

function numbersIn(value: unknown, path: string, into: [string, unknown][]): void {
  if (typeof value === 'number' || value === null) into.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => numbersIn(v, `${path}[${i}]`, into));
  else if (typeof value === 'object')
    for (const [k, v] of Object.entries(value as object)) numbersIn(v, `${path}.${k}`, into);
}

/** The final table of report.md as label -> cells. */
function markdownTable(md: string): Map<string, string[]> {
  const section = md.split('## Final held-out figures')[1].split('\n## ')[0];
  const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| method'));
  return new Map(
    rows.map((l) => {
      const cells = l.slice(2, -2).split(' | ');
      return [cells[0], cells.slice(1)];
    }),
  );
}

describe('showcase pipeline (tiny)', () => {
  let out: string;
  let io: ReturnType<typeof capture>;
  let code: number;
  let summary: Summary;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'showcase-'));
    io = capture();
    code = await runShowcase([...TINY, '--methods', 'sft,dpo,slime', '--out', out], io);
    summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  }, 120_000);

  it('writes every artefact', () => {
    expect(code, io.errors()).toBe(0);
    for (const f of [
      'report.html',
      'report.md',
      'summary.json',
      'metrics.jsonl',
      'task-train.jsonl',
      'task-heldout.jsonl',
    ])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(readdirSync(join(out, 'charts')).sort()).toEqual(RUN_CHARTS.map((c) => c.file).sort());
    for (const seed of [0, 1]) {
      for (const run of ['sft-checkpoint', 'sft', 'dpo', 'slime'])
        expect(existsSync(join(out, 'checkpoints', `seed${seed}`, run, 'model.safetensors'))).toBe(true);
      expect(existsSync(join(out, 'checkpoints', `seed${seed}`, 'sft-checkpoint', 'config.json'))).toBe(true);
    }
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/<svg/g)?.length).toBe(RUN_CHARTS.length);
    expect(html).not.toMatch(/src="http|href="http/);
  });

  it('summarises every method over both seeds with finite figures only', () => {
    expect(summary.methods.map((m) => m.name)).toEqual(['sft', 'dpo', 'slime']);
    for (const m of summary.methods) {
      expect(m.seeds).toEqual([0, 1]);
      expect(m.curves['eval_lbar/chosen'].map((p) => p.step)).toEqual([0, 2, 4]);
    }
    const numbers: [string, unknown][] = [];
    // the figures: everything measured (settings are inputs, e.g. data: null when no file is given)
    numbersIn(
      { checkpoint: summary.checkpoint, methods: summary.methods, wallSeconds: summary.wallSeconds },
      'summary',
      numbers,
    );
    expect(numbers.length).toBeGreaterThan(100);
    const bad = numbers.filter(([, v]) => typeof v !== 'number' || !Number.isFinite(v));
    expect(bad).toEqual([]);
    expect(summary.observations.length).toBeGreaterThan(3);
  });

  it('report.md shows the numbers of summary.json', () => {
    const table = markdownTable(readFileSync(join(out, 'report.md'), 'utf8'));
    const expected: [string, Summary['checkpoint']['final']][] = [
      ['SFT checkpoint (start)', summary.checkpoint.final],
      ...summary.methods.map((m) => [m.label, m.final] as [string, Summary['checkpoint']['final']]),
    ];
    expect([...table.keys()]).toEqual(expected.map(([label]) => label));
    for (const [label, stats] of expected) {
      TABLE_COLUMNS.forEach((col, i) => {
        const [mean, std] = table.get(label)![i].split(' ± ').map(Number);
        const { mean: m, std: s } = stats[col.metric];
        // what rounding to the printed digits allows, and no more
        const tol = (x: number) =>
          col.style === 'exp' ? Math.abs(x) * 0.051 + 1e-300 : 0.5 * 10 ** -col.digits + 1e-12;
        expect(Math.abs(mean - m), `${label} ${col.header} mean`).toBeLessThanOrEqual(tol(m));
        expect(Math.abs(std - s), `${label} ${col.header} std`).toBeLessThanOrEqual(tol(s));
      });
    }
  });

  it('starts every method from the same SFT checkpoint: a method alone gives exactly what it gave after others', async () => {
    const alone = await mkdtemp(join(tmpdir(), 'showcase-alone-'));
    expect(await runShowcase([...TINY, '--methods', 'slime', '--out', alone], capture())).toBe(0);
    const slimeAlone: Summary = JSON.parse(readFileSync(join(alone, 'summary.json'), 'utf8'));
    const afterOthers = summary.methods.find((m) => m.name === 'slime')!;
    expect(slimeAlone.methods[0].perSeed.map((r) => r.final)).toEqual(afterOthers.perSeed.map((r) => r.final));
  });

  it('logs SFT, preference and evaluation records to metrics.jsonl', () => {
    const records = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.filter((r) => r.phase === 'sft')).toHaveLength(2 * 6);
    const pref = records.filter((r) => r.phase === 'preference');
    expect(pref).toHaveLength(2 * 3 * 4);
    const slime = pref.find((r) => r.method === 'slime')!;
    for (const k of [
      'loss',
      'rewards/margins',
      'rewards/accuracies',
      'lbar/chosen',
      'terms/anchor',
      'terms/stabilizer',
      'terms/margin',
    ])
      expect(slime[k], k).toBeTypeOf('number');
    expect(pref.find((r) => r.method === 'dpo' && r.step === 4)!.eval_format_valid_rate).toBeTypeOf('number');
  });
});

describe('showcase preflight', () => {
  it('a malformed data file is an error with its line number, before any training', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'showcase-bad-'));
    const data = join(dir, 'pairs.jsonl');
    await writeFile(data, '{"prompt": "a", "chosen": "b", "rejected": "c"}\n{"prompt": "a", "chosen": "b"}\n');
    const io = capture();
    expect(await runShowcase([...TINY, '--data', data, '--out', join(dir, 'out')], io)).toBe(2);
    expect(io.errors()).toContain(`${data}:2: field "rejected" is missing`);
    expect(existsSync(join(dir, 'out', 'metrics.jsonl'))).toBe(false);
  });

  it('a row too long for the model names its line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'showcase-long-'));
    const data = join(dir, 'pairs.jsonl');
    const row = (chosen: string) => JSON.stringify({ prompt: 'q', chosen, rejected: 'n' });
    await writeFile(data, `${row('y')}\n${row('y')}\n${row('y'.repeat(40))}\n`);
    const io = capture();
    expect(await runShowcase([...TINY, '--data', data, '--out', join(dir, 'out')], io)).toBe(2);
    expect(io.errors()).toMatch(new RegExp(`${data}:3: prompt \\+ completion is 42 tokens.*block size 32`));
  });

  it('an unreadable data file, an unwritable output folder and a bad flag exit with code 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'showcase-io-'));
    const io = capture();
    expect(await runShowcase([...TINY, '--data', join(dir, 'nope.jsonl'), '--out', join(dir, 'out')], io)).toBe(2);
    expect(io.errors()).toMatch(/cannot read data file .*nope\.jsonl: ENOENT/);
    await writeFile(join(dir, 'file'), '');
    expect(await runShowcase([...TINY, '--out', join(dir, 'file', 'sub')], io)).toBe(2);
    expect(io.errors()).toMatch(/cannot write to the output folder .*file\/sub: ENOTDIR/);
    expect(await runShowcase(['--steps', 'x'], io)).toBe(2);
    expect(io.errors()).toMatch(/--steps expects a positive integer[\s\S]*--help/);
  });

  it('--help prints the options and exits 0', async () => {
    const io = capture();
    expect(await runShowcase(['--help'], io)).toBe(0);
    for (const flag of [
      '--methods',
      '--seeds',
      '--steps',
      '--lr',
      '--model',
      '--backend',
      '--data',
      '--out',
      '--ablations',
      '--quick',
    ])
      expect(io.text()).toContain(flag);
  });
});

describe('showcase interrupted', () => {
  it('Ctrl-C stops after the current step and still writes a report of what finished', async () => {
    const out = await mkdtemp(join(tmpdir(), 'showcase-int-'));
    const io = capture();
    const metrics = join(out, 'metrics.jsonl');
    // interrupt once the second method of seed 0 has logged a step
    const poll = setInterval(() => {
      if (existsSync(metrics) && readFileSync(metrics, 'utf8').includes('"method":"slime"')) {
        clearInterval(poll);
        process.emit('SIGINT');
      }
    }, 5);
    const code = await runShowcase([...TINY, '--methods', 'dpo,slime', '--steps', '30', '--out', out], io);
    clearInterval(poll);
    expect(code).toBe(130);
    expect(io.errors()).toMatch(/Interrupted/);
    const summary: Summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.interrupted).toBe(true);
    expect(summary.methods.map((m) => m.name)).toEqual(['dpo']);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(/interrupted/);
    const logged = readFileSync(metrics, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(logged.filter((r) => r.method === 'dpo' && r.phase === 'preference')).toHaveLength(30);
    expect(logged.some((r) => r.method === 'slime')).toBe(true);
  });
});

describe('showcase failure midway', () => {
  it('a loss that goes non-finite ends the run with exit code 1, an error naming the method, and a report', async () => {
    const out = await mkdtemp(join(tmpdir(), 'showcase-nan-'));
    const io = capture();
    const code = await runShowcase([...TINY, '--seeds', '1', '--methods', 'sft,dpo', '--lr', '1e30', '--out', out], io);
    expect(code).toBe(1);
    expect(io.errors()).toMatch(/sft produced a non-finite loss .* lower --lr/);
    const summary: Summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.interrupted).toBe(true);
    expect(summary.checkpoint.perSeed).toHaveLength(1);
  });
});
