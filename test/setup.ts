// Property tests draw fresh random cases on every local run (so they keep finding new counterexamples), but CI
// replays one fixed seed, so a landing never depends on the luck of the draw. FC_SEED overrides it to reproduce a
// local failure (fast-check prints the seed of any failing run).
import fc from 'fast-check';

const seed = process.env.FC_SEED ?? (process.env.CI ? '20261127' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
