// `npm run soak [-- --steps N] [-- --every N] [-- --generate-every N]`: 10,000 CPU training steps of a tiny GPT
// with varying sequence lengths and a generation every 500 steps, printing live tensors, live and pooled bytes and
// RSS as it goes. After warm-up (the first tenth) the live counts must not move and pool/RSS must stay bounded;
// the script exits 1 if they drift.

import { soak, type SoakSample } from './soak-loop.js';

const USAGE =
  'usage: npm run soak [-- --steps N (default 10000)] [-- --every N (default 500)] [-- --generate-every N (default 500)]';
const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(USAGE);
  process.exit(0);
}
function flag(name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    console.error(`--${name} needs a positive integer, got ${args[i + 1]}\n${USAGE}`);
    process.exit(2);
  }
  return v;
}
const steps = flag('steps', 10_000);
const every = flag('every', 500);
const generateEvery = flag('generate-every', 500);

const mib = (b: number) => (b / 2 ** 20).toFixed(1).padStart(8);
console.log('    step  tensors  live MiB  pool MiB   RSS MiB');
const started = Date.now();
const samples = await soak({
  steps,
  every,
  generateEvery,
  onSample: (s: SoakSample) =>
    console.log(
      `${String(s.step).padStart(8)} ${String(s.tensors).padStart(8)} ${mib(s.liveBytes)}  ${mib(s.pooledBytes)}  ${mib(s.rssBytes)}`,
    ),
});
const warm = samples.filter((s) => s.step >= steps / 10);
const first = warm[0];
const last = warm[warm.length - 1];
const drift = warm.filter((s) => s.tensors !== first.tensors || s.liveBytes !== first.liveBytes);
console.log(
  `\n${steps} steps in ${((Date.now() - started) / 1000).toFixed(0)} s; after warm-up (step ${first.step}): tensors ${first.tensors} -> ${last.tensors}, live ${mib(first.liveBytes).trim()} -> ${mib(last.liveBytes).trim()} MiB, pool max ${mib(Math.max(...warm.map((s) => s.pooledBytes))).trim()} MiB, RSS ${mib(first.rssBytes).trim()} -> ${mib(last.rssBytes).trim()} MiB (max ${mib(Math.max(...warm.map((s) => s.rssBytes))).trim()})`,
);
if (drift.length > 0) {
  console.error(`live tensors or bytes moved after warm-up at steps ${drift.map((s) => s.step).join(', ')}`);
  process.exit(1);
}
