// The preference losses and their plumbing: `import { losses } from 'slimegrad'; losses.slime(inputs)`.

export { sft } from './sft.js';
export type { SftInputs } from './sft.js';
export { dpo, robust, DPO_DEFAULTS, ROBUST_DEFAULTS } from './dpo.js';
export type { DpoConfig } from './dpo.js';
export { hinge, HINGE_DEFAULTS } from './hinge.js';
export type { HingeConfig } from './hinge.js';
export { ipo, IPO_DEFAULTS } from './ipo.js';
export type { IpoConfig } from './ipo.js';
export { simpo, cpoSimpo, SIMPO_DEFAULTS, SIMPO_TRL_PRESET, CPO_SIMPO_DEFAULTS } from './simpo.js';
export type { SimpoConfig, CpoSimpoConfig } from './simpo.js';
export { cpo, CPO_DEFAULTS } from './cpo.js';
export type { CpoConfig } from './cpo.js';
export { orpo, ORPO_DEFAULTS } from './orpo.js';
export type { OrpoConfig } from './orpo.js';
export { slime, slimeScript, SLIME_DEFAULTS, SLIME_SCRIPT_PRESET } from './slime.js';
export type { SlimeConfig } from './slime.js';
export { kto, KTO_DEFAULTS } from './kto.js';
export type { KtoConfig } from './kto.js';
export { registry, getLoss, lossNames } from './registry.js';
export type { LossSpec } from './registry.js';
export { tokenLogps, sequenceLogps } from './logprobs.js';
export type { SequenceLogps } from './logprobs.js';
export { buildPreferenceBatch } from './batch.js';
export type { PreferenceExample, BatchOptions, SequenceBatch, PreferenceBatch } from './batch.js';
export { referenceLogps, ReferenceCache } from './reference.js';
export type { LogitsFn, ReferenceLogps, ExampleKey } from './reference.js';
export type { PreferenceInputs, LossOutput, LossConfig, LossFn } from './types.js';
