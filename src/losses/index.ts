// The preference losses and their plumbing: `import { losses } from 'slimegrad'; losses.slime(inputs)`.
// Each loss comes with its config type, its defaults and its registry spec (`dpoSpec`, ...); docs/losses.md
// gives the formulas.

export { sft, sftSpec } from './sft.js';
export type { SftInputs } from './sft.js';
export { dpo, robust, DPO_DEFAULTS, ROBUST_DEFAULTS, dpoSpec, robustSpec } from './dpo.js';
export type { DpoConfig } from './dpo.js';
export { hinge, HINGE_DEFAULTS, hingeSpec } from './hinge.js';
export type { HingeConfig } from './hinge.js';
export { ipo, IPO_DEFAULTS, ipoSpec } from './ipo.js';
export type { IpoConfig } from './ipo.js';
export {
  simpo,
  cpoSimpo,
  SIMPO_DEFAULTS,
  SIMPO_TRL_PRESET,
  CPO_SIMPO_DEFAULTS,
  simpoSpec,
  cpoSimpoSpec,
} from './simpo.js';
export type { SimpoConfig, CpoSimpoConfig } from './simpo.js';
export { cpo, CPO_DEFAULTS, cpoSpec } from './cpo.js';
export type { CpoConfig } from './cpo.js';
export { orpo, ORPO_DEFAULTS, orpoSpec } from './orpo.js';
export type { OrpoConfig } from './orpo.js';
export { slime, slimeScript, SLIME_DEFAULTS, SLIME_SCRIPT_PRESET, slimeSpec } from './slime.js';
export type { SlimeConfig } from './slime.js';
export { kto, KTO_DEFAULTS, ktoSpec } from './kto.js';
export type { KtoConfig } from './kto.js';
export { registry, getLoss, lossNames } from './registry.js';
export { tokenLogps, sequenceLogps } from './logprobs.js';
export type { SequenceLogps } from './logprobs.js';
export { buildPreferenceBatch } from './batch.js';
export type { TokenPair, BatchOptions, SequenceBatch, PreferenceBatch } from './batch.js';
export { referenceLogps, ReferenceCache } from './reference.js';
export type { LogitsFn, ReferenceLogps, ExampleKey } from './reference.js';
export type { PreferenceInputs, LossOutput, LossConfig, LossFn, LossSpec, LossPreset, LogpKind } from './types.js';
