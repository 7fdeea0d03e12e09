// Ctrl-C during the SFT stage (issue 12, defect 3): trainSft never yielded to the event loop, so the SIGINT
// handler ran only after SFT had finished every step. A signal is delivered as a macrotask; here it is emitted
// from setImmediate right after the run starts, as the OS would deliver it.

import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runShowcase, type ShowcaseIo } from '../../src/cli/showcase.js';

const SFT_STEPS = 400;

describe('showcase interrupted during SFT', () => {
  it('stops SFT within a few steps, exits 130 and writes the partial report', async () => {
    const out = await mkdtemp(join(tmpdir(), 'showcase-int-'));
    let err = '';
    const io: ShowcaseIo = {
      out: (t) => {
        if (t.startsWith('SLIME showcase')) setImmediate(() => process.emit('SIGINT'));
      },
      err: (t) => {
        err += t;
      },
      progressStream: null,
    };
    const argv = [
      '--quick',
      '--model',
      'micro',
      '--seeds',
      '1',
      '--sft-steps',
      String(SFT_STEPS),
      '--steps',
      '4',
      '--eval-every',
      '2',
      '--batch',
      '4',
      '--no-progress',
      '--methods',
      'sft',
      '--out',
      out,
    ];
    const code = await runShowcase(argv, io);
    expect(code, err).toBe(130);
    expect(err).toMatch(/Interrupted/);
    const sftRecords = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((r) => r.phase === 'sft');
    expect(sftRecords.length).toBeGreaterThan(0);
    expect(sftRecords.length).toBeLessThan(10);
    for (const f of ['report.md', 'report.html', 'summary.json']) expect(existsSync(join(out, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).interrupted).toBe(true);
  }, 120_000);
});
