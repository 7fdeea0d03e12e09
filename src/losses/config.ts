// Config resolution shared by the losses: defaults from docs/losses.md, unknown keys and bad values are errors.

import type { LossConfig, LossFn } from './types.js';

export interface KeyRule {
  /** Why the value is constrained, for the error message (e.g. 'beta > 0'). */
  rule: string;
  ok: (v: number) => boolean;
}

export const positive: KeyRule = { rule: '> 0', ok: (v) => v > 0 };
export const nonNegative: KeyRule = { rule: '>= 0', ok: (v) => v >= 0 };
export const anyFinite: KeyRule = { rule: 'finite', ok: () => true };

/**
 * Merges `config` over `defaults`. A key the loss does not know is an error (a typo must not silently fall back
 * to a default), as is a non-finite number or a value breaking the key's rule.
 */
export function resolveConfig<K extends string>(
  loss: string,
  defaults: Readonly<Record<K, number>>,
  rules: Readonly<Record<K, KeyRule>>,
  config: Readonly<Record<string, number>> | undefined,
): Record<K, number> {
  const known = Object.keys(defaults) as K[];
  const out = { ...defaults } as Record<K, number>;
  if (config === undefined) return out;
  if (typeof config !== 'object' || config === null)
    throw new Error(`${loss}: config must be an object of numbers, got ${String(config)}`);
  for (const [key, value] of Object.entries(config)) {
    if (!known.includes(key as K)) {
      throw new Error(
        `${loss}: unknown config key '${key}' (${loss} accepts ${known.length ? known.join(', ') : 'no keys'})`,
      );
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new Error(`${loss}: config '${key}' must be a finite number, got ${String(value)}`);
    }
    const rule = rules[key as K];
    if (!rule.ok(value)) throw new Error(`${loss}: config '${key}' must be ${rule.rule}, got ${value}`);
    out[key as K] = value;
  }
  return out;
}

/** `fn` with `preset` merged under the caller's config: the preset's values, unless the caller overrides them. */
export function withPreset(fn: LossFn, preset: LossConfig): LossFn {
  return (inputs, config) => fn(inputs, { ...preset, ...config });
}
