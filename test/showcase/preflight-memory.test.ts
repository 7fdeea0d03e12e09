// Resource limits are checked before training (issue 12, defect 12): `--batch 100000000` used to run for a minute
// and 1.7 GB before failing with exit 1, and `--n-embd 100000` wrote an empty report. Both now stop in preflight
// with exit code 2, a message naming what to lower, and nothing written but the output folder.

import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runShowcase, type ShowcaseIo } from '../../src/cli/showcase.js';
import { parseShowcaseArgs } from '../../src/cli/args.js';
import { estimateMemory, longestInput, memoryProblem } from '../../src/cli/memory-estimate.js';

async function run(extra: string[]): Promise<{ code: number; err: string; out: string }> {
  const out = await mkdtemp(join(tmpdir(), 'showcase-mem-'));
  let err = '';
  const io: ShowcaseIo = {
    out: () => undefined,
    err: (t) => {
      err += t;
    },
    progressStream: null,
  };
  const code = await runShowcase(['--quick', '--no-progress', '--out', out, ...extra], io);
  return { code, err, out };
}

describe('showcase memory preflight', () => {
  it('--batch 100000000: exit 2 before training, naming the tensor and the flag', async () => {
    const r = await run(['--batch', '100000000']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: this run needs a tensor of \d\.\d+e\+11 elements for the logits .* lower --batch/);
    expect(existsSync(join(r.out, 'metrics.jsonl'))).toBe(false);
    expect(existsSync(join(r.out, 'report.md'))).toBe(false);
  });

  it('--n-embd 100000: exit 2, no empty report', async () => {
    const r = await run(['--n-embd', '100000']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/MLP weight \(100000 x 400000\)/);
    expect(existsSync(join(r.out, 'report.md'))).toBe(false);
  });

  it('a run within tensor limits but beyond the machine is refused by its byte estimate', () => {
    const s = parseShowcaseArgs(['--batch', '2000'])!;
    const e = estimateMemory(s, 259, 20);
    // 4000 rows x 20 positions x 259 logits alone is 83 MB in float32; the estimate is above that
    expect(e.bytes).toBeGreaterThan(4000 * 20 * 259 * 4);
    expect(memoryProblem(s, 259, 20, e.bytes - 1)).toMatch(
      /needs about \d+\.\d GiB .* more than the \d+\.\d GiB this machine has; lower --batch/,
    );
    expect(memoryProblem(s, 259, 20, e.bytes)).toBeNull();
  });

  it('the default settings fit in well under 1 GiB, and the estimate grows with every size flag', () => {
    const base = estimateMemory(parseShowcaseArgs([])!, 259, 20);
    expect(base.bytes).toBeLessThan(2 ** 30);
    for (const flag of [
      ['--batch', '128'],
      ['--n-embd', '96'],
      ['--n-layer', '4'],
      ['--block-size', '64'],
    ]) {
      expect(estimateMemory(parseShowcaseArgs(flag)!, 259, 20).bytes, flag.join(' ')).toBeGreaterThan(base.bytes);
    }
    expect(longestInput([{ prompt: [1, 2, 3], chosen: [4, 5], rejected: [6, 7, 8, 9] }])).toBe(6);
  });
});
