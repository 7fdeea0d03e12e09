import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  countAdditionProblems,
  generateAdditionTask,
  parseAnswer,
  scoreAdditionGeneration,
  scoreByExactMatch,
} from '../../src/data/preference-task.js';

describe('addition preference task', () => {
  it('is reproducible from the seed and differs across seeds', () => {
    const a = generateAdditionTask({ seed: 7, trainSize: 50, heldOutSize: 10 });
    const b = generateAdditionTask({ seed: 7, trainSize: 50, heldOutSize: 10 });
    const c = generateAdditionTask({ seed: 8, trainSize: 50, heldOutSize: 10 });
    expect(b).toEqual(a);
    expect(c.train.map((e) => e.prompt)).not.toEqual(a.train.map((e) => e.prompt));
  });

  it('keeps held-out prompts out of train, and every pair is carry-free, same template, different answer', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 1, max: 3 }), (seed, digits) => {
        const trainSize = Math.min(200, countAdditionProblems(digits) - 10);
        const task = generateAdditionTask({ seed, digits, trainSize, heldOutSize: 10 });
        const trainPrompts = new Set(task.train.map((e) => e.prompt));
        expect(task.heldOut.some((e) => trainPrompts.has(e.prompt))).toBe(false);
        for (const e of [...task.train, ...task.heldOut]) {
          expect(e.answer).toBe(e.a + e.b);
          const da = String(e.a).padStart(digits, '0');
          const db = String(e.b).padStart(digits, '0');
          for (let i = 0; i < digits; i++) expect(Number(da[i]) + Number(db[i])).toBeLessThanOrEqual(9);
          const chosen = parseAnswer(e.chosen);
          const rejected = parseAnswer(e.rejected);
          expect(chosen).toEqual({ formatValid: true, value: e.answer });
          expect(rejected.formatValid).toBe(true);
          expect(rejected.value).not.toBe(e.answer);
          expect(e.rejected.length).toBe(e.chosen.length);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('the parser rejects malformed answers', () => {
    for (const bad of [
      '',
      'A:64',
      'A: 64.',
      'A:64. ',
      ' A:64.',
      'a:64.',
      'A:6a.',
      'A:.',
      'A:064.',
      'A:64.A:64.',
      'A:64.\n',
      'A:-4.',
    ]) {
      expect(parseAnswer(bad).formatValid, JSON.stringify(bad)).toBe(false);
    }
    fc.assert(
      fc.property(fc.string(), (s) => {
        fc.pre(!/^A:(0|[1-9]\d*)\.$/.test(s));
        expect(parseAnswer(s)).toEqual({ formatValid: false, value: null });
      }),
    );
  });

  it('refuses impossible or invalid sizes with a clear message', () => {
    expect(() => generateAdditionTask({ seed: 1, digits: 1, trainSize: 50, heldOutSize: 10 })).toThrow(
      /only 55 distinct/,
    );
    expect(() => generateAdditionTask({ seed: 1, digits: 9 })).toThrow(/digits must be/);
    expect(() => generateAdditionTask({ seed: 1, trainSize: 0 })).toThrow(/trainSize/);
  });
});

describe('scoring generations', () => {
  it('counts an answer only when it stopped, kept the template and has the sum', () => {
    expect(scoreAdditionGeneration(64, 'A:64.', true)).toEqual({ formatValid: true, correct: true });
    expect(scoreAdditionGeneration(64, 'A:68.', true)).toEqual({ formatValid: true, correct: false });
    expect(scoreAdditionGeneration(64, 'A:64.', false)).toEqual({ formatValid: false, correct: false });
    expect(scoreAdditionGeneration(64, 'A:64.3', true)).toEqual({ formatValid: false, correct: false });
  });

  it('falls back to stopping and exact match for data without a template', () => {
    expect(scoreByExactMatch('Paris', 'Paris', true)).toEqual({ formatValid: true, correct: true });
    expect(scoreByExactMatch('Paris', 'Lyon', true)).toEqual({ formatValid: true, correct: false });
    expect(scoreByExactMatch('Paris', 'Paris', false)).toEqual({ formatValid: false, correct: false });
  });
});
