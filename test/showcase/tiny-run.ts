// Flags for a showcase run small enough for a unit test (the micro model, a few steps), shared by the tests that
// run the whole pipeline, and an output sink that prints nothing.

/** Showcase flags for a tiny run; the defaults are one seed, 4 SFT steps, 2 preference steps, evaluated every step. */
export function tinyRunArgs(
  o: { seeds?: number; sftSteps?: number; steps?: number; evalEvery?: number } = {},
): string[] {
  const { seeds = 1, sftSteps = 4, steps = 2, evalEvery = 1 } = o;
  return [
    '--quick',
    '--model',
    'micro',
    '--seeds',
    String(seeds),
    '--sft-steps',
    String(sftSteps),
    '--steps',
    String(steps),
    '--eval-every',
    String(evalEvery),
    '--batch',
    '4',
    '--no-progress',
  ];
}

/** A ShowcaseIo that discards everything. */
export const quietIo = { out: () => {}, err: () => {}, progressStream: null };
