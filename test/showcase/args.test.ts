import { describe, expect, it } from 'vitest';
import { parseShowcaseArgs, UsageError } from '../../src/cli/args.js';
import { ABLATION_NAMES, METHOD_NAMES, resolveMethod } from '../../src/cli/methods.js';

function usageError(argv: string[]): string {
  try {
    parseShowcaseArgs(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

describe('showcase flags', () => {
  it('defaults to every method, 3 seeds and the tiny model', () => {
    const s = parseShowcaseArgs([])!;
    expect(s.methods).toEqual([...METHOD_NAMES]);
    expect(s.seeds).toEqual([0, 1, 2]);
    expect(s.backend).toBe('cpu');
    expect(s.out).toBe('runs/showcase');
    expect(parseShowcaseArgs(['--quick'])!.out).toBe('runs/quick');
  });

  it('reads every flag', () => {
    const s = parseShowcaseArgs([
      '--methods',
      'dpo, slime',
      '--ablations',
      '--seeds',
      '2',
      '--steps',
      '7',
      '--sft-steps',
      '9',
      '--batch',
      '4',
      '--lr',
      '2e-4',
      '--sft-lr',
      '1e-3',
      '--eval-every',
      '3',
      '--model',
      'micro',
      '--n-embd',
      '24',
      '--n-head',
      '3',
      '--n-layer',
      '2',
      '--block-size',
      '20',
      '--backend',
      'webgpu',
      '--data',
      'x.jsonl',
      '--out',
      'o',
      '--no-progress',
    ])!;
    expect(s.methods).toEqual(['dpo', 'slime', ...ABLATION_NAMES]);
    expect(s).toMatchObject({
      seeds: [0, 1],
      steps: 7,
      sftSteps: 9,
      batchSize: 4,
      lr: 2e-4,
      sftLr: 1e-3,
      evalEvery: 3,
      backend: 'webgpu',
      data: 'x.jsonl',
      out: 'o',
      progress: false,
    });
    expect(s.model).toEqual({ nEmbd: 24, nHead: 3, nLayer: 2, blockSize: 20 });
  });

  it('returns null for --help', () => {
    expect(parseShowcaseArgs(['--steps', '3', '--help'])).toBeNull();
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['--steps'], /argument missing/],
    [['--steps', '0'], /--steps expects a positive integer, got '0'/],
    [['--seeds', '2.5'], /--seeds expects a positive integer/],
    [['--lr', 'fast'], /--lr expects a positive number, got 'fast'/],
    [['--lr=-1e-3'], /--lr expects a positive number/],
    [['--lr', '-1e-3'], /--lr expects a positive number, got '-1e-3'/],
    [['--steps', '-2', '--quick'], /--steps expects a positive integer, got '-2'/],
    [['--out', '-x'], /argument is ambiguous/],
    [['--methods', 'dpo,kto2'], /unknown method 'kto2'/],
    [['--methods', ','], /at least one method/],
    [['--model', 'huge'], /unknown preset 'huge'/],
    [['--n-embd', '30', '--n-head', '4'], /must be divisible/],
    [['--backend', 'cuda'], /cpu or webgpu/],
    [['stray'], /unexpected argument 'stray'/],
  ])('rejects %j', (argv, message) => {
    expect(usageError(argv as string[])).toMatch(message);
  });

  it('resolves every method to a loss that knows whether it needs a reference', () => {
    for (const name of [...METHOD_NAMES, ...ABLATION_NAMES]) {
      const m = resolveMethod(name);
      expect(m.name).toBe(name);
      expect(m.needsReference).toBe(name === 'dpo' || name === 'ipo');
    }
  });
});
