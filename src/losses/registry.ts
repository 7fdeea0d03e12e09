// Losses by name, for CLIs and config files. Built from the specs the loss files export (each loss states its own
// defaults, presets, log-prob kind and reference need); a preset becomes an entry of its own.

import { withPreset } from './config.js';
import { cpoSpec } from './cpo.js';
import { dpoSpec, robustSpec } from './dpo.js';
import { hingeSpec } from './hinge.js';
import { ipoSpec } from './ipo.js';
import { ktoSpec } from './kto.js';
import { orpoSpec } from './orpo.js';
import { sftSpec } from './sft.js';
import { cpoSimpoSpec, simpoSpec } from './simpo.js';
import { slimeSpec } from './slime.js';
import type { LossSpec } from './types.js';

const SPECS: readonly LossSpec[] = [
  sftSpec,
  dpoSpec,
  robustSpec,
  hingeSpec,
  ipoSpec,
  simpoSpec,
  cpoSpec,
  cpoSimpoSpec,
  orpoSpec,
  slimeSpec,
  ktoSpec,
];

/** A spec followed by one entry per preset: the same loss with the preset's values as its defaults. */
function withPresets(spec: LossSpec): LossSpec[] {
  const presets = Object.entries(spec.presets ?? {}).map(
    ([name, preset]): LossSpec => ({
      name,
      description: preset.description,
      formula: spec.formula,
      logps: spec.logps,
      needsReference: spec.needsReference,
      defaults: { ...spec.defaults, ...preset.config },
      fn: withPreset(spec.fn, preset.config),
    }),
  );
  return [spec, ...presets];
}

/** Every loss and preset by registry name. */
export const registry: ReadonlyMap<string, LossSpec> = new Map(SPECS.flatMap(withPresets).map((s) => [s.name, s]));

/** The registry's names, in registry order. */
export function lossNames(): string[] {
  return [...registry.keys()];
}

/** The spec of a loss by name; an unknown name lists the known ones. */
export function getLoss(name: string): LossSpec {
  const spec = registry.get(name);
  if (!spec) throw new Error(`losses: unknown loss '${name}' (known: ${lossNames().join(', ')})`);
  return spec;
}
