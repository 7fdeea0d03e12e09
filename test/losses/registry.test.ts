// The registry's defaults are the numbers of losses.md (typed in here from the document, not read from src).

import { describe, expect, it } from 'vitest';
import { losses } from '../../src/index.js';

const FROM_LOSSES_MD: Record<string, { defaults: Record<string, number>; needsReference: boolean; logps: 'sum' | 'mean' }> = {
  sft: { defaults: {}, needsReference: false, logps: 'mean' },
  dpo: { defaults: { beta: 0.1, labelSmoothing: 0 }, needsReference: true, logps: 'sum' },
  robust: { defaults: { beta: 0.1, labelSmoothing: 0 }, needsReference: true, logps: 'sum' },
  hinge: { defaults: { beta: 0.1 }, needsReference: true, logps: 'sum' },
  ipo: { defaults: { beta: 0.1 }, needsReference: true, logps: 'mean' },
  simpo: { defaults: { beta: 2.0, gamma: 1.0 }, needsReference: false, logps: 'mean' },
  'simpo-trl': { defaults: { beta: 0.1, gamma: 0.5 }, needsReference: false, logps: 'mean' },
  cpo: { defaults: { beta: 0.1, alpha: 1.0 }, needsReference: false, logps: 'sum' },
  cpoSimpo: { defaults: { beta: 2.0, gamma: 1.0, alpha: 1.0 }, needsReference: false, logps: 'mean' },
  orpo: { defaults: { beta: 0.1 }, needsReference: false, logps: 'mean' },
  slime: { defaults: { lambdaW: 0.1, lambdaL: 0.1, lambdaD: 1.0, delta: 1.25, mHard: 1.5, mSoft: 1.0, kappa: 2.5, p: 2.5 }, needsReference: false, logps: 'mean' },
  'slime-script': { defaults: { lambdaW: 0.1, lambdaL: 0.0005, lambdaD: 1.0, delta: 1.25, mHard: 1.5, mSoft: 1.0, kappa: 2.5, p: 2.5 }, needsReference: false, logps: 'mean' },
  kto: { defaults: { beta: 0.1, lambdaD: 1, lambdaU: 1 }, needsReference: true, logps: 'sum' },
};

describe('loss registry', () => {
  it('holds every loss of losses.md with its defaults, reference need and log-prob kind', () => {
    expect(losses.lossNames().sort()).toEqual(Object.keys(FROM_LOSSES_MD).sort());
    for (const [name, want] of Object.entries(FROM_LOSSES_MD)) {
      const spec = losses.getLoss(name);
      expect({ ...spec.defaults }, name).toEqual(want.defaults);
      expect(spec.needsReference, name).toBe(want.needsReference);
      expect(spec.logps, name).toBe(want.logps);
      expect(spec.description.length).toBeGreaterThan(10);
    }
  });
});
