// Runs many slimegrad training steps of one bench model for a CPU profile:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-step.ts [gpt|mlp] [steps]
// then open the .cpuprofile in Chrome DevTools, or summarise it by self time.

import { slimegradEngine } from './engines.js';
import { benchGpt } from './gpt-bench.js';
import { benchMlp } from './mlp-bench.js';

const which = process.argv[2] ?? 'gpt';
const steps = Number(process.argv[3] ?? 30);
const run = which === 'mlp' ? await benchMlp(slimegradEngine(1), steps) : await benchGpt(slimegradEngine(1), steps);
const t = run.times.slice(1).sort((p, q) => p - q);
console.log(
  `${which}: median step ${t[t.length >> 1].toFixed(1)} ms over ${t.length} steps; first loss ${run.losses[0]}`,
);
