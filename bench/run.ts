// `npm run bench [-- --quick] [-- --threads N] [-- --only matmul,mlp,gpt] [-- --engines LIST]`: slimegrad's CPU
// backend against tfjs-cpu, tfjs-wasm and jax-js in one process, engines interleaved within each round, several
// rounds, medians with min–max.
// Writes bench/results/<date>.json and .md (…-quick.* for --quick) and prints the Markdown table.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { jaxEngine, peerEngine, slimegradEngine, type Engine } from './engines.js';
import { benchMatmul, VARIANTS } from './matmul-bench.js';
import { benchMlp, type StepRun } from './mlp-bench.js';
import { benchGpt } from './gpt-bench.js';
import { loadTf } from './peers.js';
import { Samples } from './stats.js';
import { renderTable, type CaseResult } from './report.js';
import { checkLosses, type LossCheck } from './losses-agree.js';

const ENGINES = ['slimegrad', 'slimegrad-Nt', 'tfjs-cpu', 'tfjs-wasm', 'jax-js'];
const USAGE = `usage: npm run bench [-- --quick] [-- --threads N] [-- --only matmul,mlp,gpt] [-- --engines LIST]
  --quick        one round, matmul up to 256, a few steps (about a minute)
  --threads N    also run slimegrad with setCpuThreads(N) (default 2; 1 = single-threaded only)
  --only LIST    a comma-separated subset of matmul, mlp, gpt
  --engines LIST a comma-separated subset of ${ENGINES.join(', ')} (default all; slimegrad is always
                 included, as the reference the losses are checked against; jax-js has no gpt case)`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const KNOWN = new Set(['--quick', '--threads', '--only', '--engines']);
args.forEach((a, i) => {
  const isValue = i > 0 && ['--threads', '--only', '--engines'].includes(args[i - 1]);
  if (!isValue && !KNOWN.has(a)) {
    console.error(`bench: unknown argument '${a}'\n${USAGE}`);
    process.exit(2);
  }
});
const quick = args.includes('--quick');
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const threads = Number(flag('--threads') ?? 2);
const only = new Set((flag('--only') ?? 'matmul,mlp,gpt').split(','));
if (!Number.isInteger(threads) || threads < 1) {
  console.error(`bench: --threads must be a positive integer, got '${flag('--threads')}'`);
  process.exit(2);
}
for (const name of only) {
  if (!['matmul', 'mlp', 'gpt'].includes(name)) {
    console.error(`bench: --only takes matmul, mlp and gpt, got '${name}'`);
    process.exit(2);
  }
}

const rounds = quick ? 1 : 3;
const sizes = quick ? [64, 128, 256] : [64, 128, 256, 512, 1024];
const matmulBudgetMs = quick ? 80 : 400;
const mlpSteps = quick ? 3 : 30;
const gptSteps = quick ? 2 : 5;

const wanted = new Set((flag('--engines') ?? ENGINES.join(',')).split(','));
for (const name of wanted) {
  if (!ENGINES.includes(name)) {
    console.error(`bench: --engines takes ${ENGINES.join(', ')}, got '${name}'`);
    process.exit(2);
  }
}
const engines: Engine[] = [
  slimegradEngine(1),
  ...(threads > 1 && wanted.has('slimegrad-Nt') ? [slimegradEngine(threads)] : []),
  ...(['tfjs-cpu', 'tfjs-wasm'] as const).filter((p) => wanted.has(p)).map(peerEngine),
  ...(wanted.has('jax-js') ? [jaxEngine()] : []),
];

/** Rotates the engine order every round so no engine always runs right after the same neighbour. */
const order = (round: number): Engine[] => engines.map((_, i) => engines[(i + round) % engines.length]);

async function main(): Promise<void> {
  await loadTf();
  const samples = new Samples();
  const firstRuns = new Map<string, Map<string, number[]>>();
  const keepLosses = (bench: string, engine: string, run: StepRun): void => {
    const m = firstRuns.get(bench) ?? new Map<string, number[]>();
    if (!m.has(engine)) m.set(engine, run.losses);
    firstRuns.set(bench, m);
  };
  for (let round = 0; round < rounds; round++) {
    console.error(`round ${round + 1}/${rounds}`);
    if (only.has('matmul')) {
      for (const n of sizes) {
        for (const v of VARIANTS) {
          for (const e of order(round))
            samples.add(`matmul ${n} ${v}|${e.name}`, await benchMatmul(e, n, v, matmulBudgetMs));
        }
      }
    }
    if (only.has('mlp')) {
      for (const e of order(round)) {
        const run = await benchMlp(e, mlpSteps);
        keepLosses('mlp', e.name, run);
        samples.add(`mlp step|${e.name}`, run.times.slice(1)); // the first step pays for JIT and buffer set-up
        samples.add(`mlp step, CPU time|${e.name}`, run.cpuTimes.slice(1));
      }
    }
    if (only.has('gpt')) {
      for (const e of order(round).filter((x) => x.kind !== 'jax')) {
        const run = await benchGpt(e, gptSteps);
        keepLosses('gpt', e.name, run);
        samples.add(`gpt step|${e.name}`, run.times.slice(1));
        samples.add(`gpt step, CPU time|${e.name}`, run.cpuTimes.slice(1));
      }
    }
  }
  const cases: CaseResult[] = [];
  const caseNames = [...new Set(samples.keys().map((k) => k.split('|')[0]))];
  for (const name of caseNames) {
    const unit = name.startsWith('matmul') ? 'GFLOP/s' : 'ms';
    cases.push({
      name,
      unit,
      byEngine: Object.fromEntries(engines.map((e) => [e.name, samples.get(`${name}|${e.name}`)])),
    });
  }
  const checks: LossCheck[] = [...firstRuns].map(([bench, m]) => checkLosses(bench, m));
  const table = renderTable(
    cases,
    engines.map((e) => e.name),
    checks,
  );
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    quick,
    rounds,
    threads,
    command: args.length ? `npm run bench -- ${args.join(' ')}` : 'npm run bench',
  };
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const stem = join(dir, `${meta.date.slice(0, 10)}${quick ? '-quick' : ''}`);
  writeFileSync(`${stem}.json`, JSON.stringify({ meta, cases, lossChecks: checks }, null, 2));
  writeFileSync(
    `${stem}.md`,
    `# slimegrad CPU benchmark\n\n\`${meta.command}\` — ${meta.date}, Node ${meta.node}, ${meta.cores}× ${meta.cpu}\n\n${table}\n`,
  );
  console.log(table);
  if (checks.some((c) => !c.ok)) {
    console.error('LOSS MISMATCH: engines disagree (see the table)');
    process.exitCode = 1;
  }
}

await main();
