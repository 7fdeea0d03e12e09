// The addition task's generator at its edges, against a brute-force enumeration written here: which problems
// exist (leading digits non-zero, no carry), that a full draw reaches every one of them, which digits a rejected
// answer may use, the size checks with their messages, and the defaults.

import { describe, expect, it } from 'vitest';
import {
  ADDITION_DEFAULTS,
  additionPrompt,
  additionResponse,
  countAdditionProblems,
  generateAdditionTask,
  parseAnswer,
  scoreAdditionGeneration,
  scoreByExactMatch,
} from '../../src/data/preference-task.js';

/** Every carry-free problem with `digits`-digit operands, by brute force. */
function allProblems(digits: number): string[] {
  const [low, high] = digits === 1 ? [0, 9] : [10 ** (digits - 1), 10 ** digits - 1];
  const out: string[] = [];
  for (let a = low; a <= high; a++) {
    for (let b = low; b <= high; b++) {
      const da = String(a);
      const db = String(b);
      if ([...da].every((d, i) => Number(d) + Number(db[i]) <= 9)) out.push(`${a}+${b}=`);
    }
  }
  return out;
}

describe('addition task generator', () => {
  it('counts the problems as a brute-force enumeration does', () => {
    expect(countAdditionProblems(1)).toBe(allProblems(1).length);
    expect(countAdditionProblems(2)).toBe(allProblems(2).length);
    expect(countAdditionProblems(3)).toBe(allProblems(3).length);
    expect(countAdditionProblems(4)).toBe(36 * 55 * 55 * 55);
  });

  it('a draw of every problem reaches each exactly once (1 and 2 digits)', () => {
    for (const digits of [1, 2]) {
      const all = allProblems(digits);
      const task = generateAdditionTask({ seed: 3, digits, trainSize: all.length - 5, heldOutSize: 5 });
      expect(task.digits).toBe(digits);
      expect(task.train).toHaveLength(all.length - 5);
      expect(task.heldOut).toHaveLength(5);
      const prompts = [...task.train, ...task.heldOut].map((e) => e.prompt);
      expect(prompts.sort()).toEqual([...all].sort());
    }
  });

  it('a rejected answer changes one digit, to any other digit (not 0 in the leading place of a longer answer)', () => {
    for (const digits of [1, 2]) {
      const n = countAdditionProblems(digits);
      const task = generateAdditionTask({ seed: 5, digits, trainSize: n - 1, heldOutSize: 1 });
      const used = Array.from({ length: digits }, () => new Set<string>());
      for (const e of [...task.train, ...task.heldOut]) {
        const chosen = String(e.answer);
        const rejected = parseAnswer(e.rejected).value;
        expect(rejected).not.toBeNull();
        const text = String(rejected);
        expect(text).toHaveLength(digits);
        const changed = [...text].flatMap((d, i) => (d === chosen[i] ? [] : [i]));
        expect(changed).toHaveLength(1);
        used[changed[0]].add(text[changed[0]]);
      }
      const all = '0123456789'.split('');
      if (digits === 1) expect([...used[0]].sort()).toEqual(all);
      else {
        expect([...used[0]].sort()).toEqual(all.slice(1));
        expect([...used[1]].sort()).toEqual(all);
      }
    }
  });

  it('sizes: defaults, the exact limit, and every refusal with its message', () => {
    const task = generateAdditionTask({ seed: 1 });
    expect(ADDITION_DEFAULTS).toEqual({ digits: 2, trainSize: 1024, heldOutSize: 128 });
    expect([task.digits, task.train.length, task.heldOut.length]).toEqual([2, 1024, 128]);
    expect(task.train[0].prompt).toMatch(/^[1-9]\d\+[1-9]\d=$/);
    expect(generateAdditionTask({ seed: 1, digits: 1, trainSize: 1, heldOutSize: 54 }).heldOut).toHaveLength(54);
    expect(generateAdditionTask({ seed: 1, digits: 4, trainSize: 1, heldOutSize: 1 }).train[0].prompt).toMatch(
      /^[1-9]\d{3}\+[1-9]\d{3}=$/,
    );
    const refuse = (options: object, message: string) =>
      expect(() => generateAdditionTask({ seed: 1, ...options })).toThrow(new Error(`addition task: ${message}`));
    for (const digits of [0, 5, 1.5, Number.NaN])
      refuse({ digits }, `digits must be an integer from 1 to 4, got ${digits}`);
    for (const size of [0, -1, 2.5]) {
      refuse({ trainSize: size }, `trainSize must be a positive integer, got ${size}`);
      refuse({ heldOutSize: size }, `heldOutSize must be a positive integer, got ${size}`);
    }
    refuse(
      { digits: 1, trainSize: 50, heldOutSize: 6 },
      '50 train + 6 held-out problems requested, but only 55 distinct 1-digit carry-free problems exist',
    );
  });
});

describe('addition task text', () => {
  it('prompt, response and parse', () => {
    expect(additionPrompt(23, 41)).toBe('23+41=');
    expect(additionResponse(64)).toBe('A:64.');
    expect(additionResponse('x')).toBe('A:x.');
    expect(parseAnswer('A:0.')).toEqual({ formatValid: true, value: 0 });
    expect(parseAnswer('A:105.')).toEqual({ formatValid: true, value: 105 });
    expect(parseAnswer('A:00.')).toEqual({ formatValid: false, value: null });
    expect(parseAnswer('xA:5.')).toEqual({ formatValid: false, value: null });
    expect(parseAnswer('A:5.x')).toEqual({ formatValid: false, value: null });
  });

  it('scores', () => {
    expect(scoreAdditionGeneration(64, 'A:68.', false)).toEqual({ formatValid: false, correct: false });
    expect(scoreAdditionGeneration(0, 'A:0.', true)).toEqual({ formatValid: true, correct: true });
    expect(scoreAdditionGeneration(64, 'junk', true)).toEqual({ formatValid: false, correct: false });
    expect(scoreByExactMatch('Paris', 'Lyon', false)).toEqual({ formatValid: false, correct: false });
    expect(scoreByExactMatch('', '', true)).toEqual({ formatValid: true, correct: true });
  });
});
