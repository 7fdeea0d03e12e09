// The showcase's synthetic preference task: carry-free addition in a strict answer template.
//
//   prompt "23+41="      chosen "A:64."      rejected "A:68."
//
// Chosen and rejected share the template and differ only in content (one answer digit), so a parser can score any
// generation for format validity (does it match the template?) and correctness (is the number the sum?). The sums
// never carry, so every answer digit depends only on the two digits above it: a tiny byte-level GPT learns the 55
// digit facts in a minute and then answers held-out problems it never saw, which makes held-out accuracy meaningful.

import { Rng } from '../random.js';
import type { PreferenceExample } from './jsonl.js';

/** How additionTask() builds the synthetic task. */
export interface AdditionTaskOptions {
  /** Seeds which problems go to train and held-out, and which wrong digit each rejected answer gets. */
  seed: number;
  /** Digits per operand (1 to 4); answers have the same number of digits because nothing carries. */
  digits?: number;
  trainSize?: number;
  heldOutSize?: number;
}

/** One problem as a TRL preference row, plus its numbers so generations can be scored. */
export interface AdditionExample extends PreferenceExample {
  a: number;
  b: number;
  answer: number;
}

/** The synthetic addition task: training and held-out problems as preference rows. */
export interface AdditionTask {
  digits: number;
  train: AdditionExample[];
  heldOut: AdditionExample[];
}

/** The default digits per operand and set sizes of the addition task. */
export const ADDITION_DEFAULTS = { digits: 2, trainSize: 1024, heldOutSize: 128 } as const;

/** The answer template, anchored: "A:" then a number without leading zeros then "." and nothing else. */
const ANSWER_PATTERN = /^A:(0|[1-9]\d*)\.$/;

/** The prompt of a problem, e.g. "23+41=". */
export function additionPrompt(a: number, b: number): string {
  return `${a}+${b}=`;
}

/** The answer in the task's format, e.g. "A:64.". */
export function additionResponse(answer: number | string): string {
  return `A:${answer}.`;
}

/** How many distinct carry-free problems exist with `digits`-digit operands (leading digits non-zero). */
export function countAdditionProblems(digits: number): number {
  // leading digit pairs with a, b >= 1 and a + b <= 9: 36; other positions, a + b <= 9 with zeros allowed: 55
  return digits === 1 ? 55 : 36 * 55 ** (digits - 1);
}

function randInt(rng: Rng, n: number): number {
  return rng.nextSeed() % n;
}

/** A uniformly drawn carry-free pair of `digits`-digit operands (single digits may be 0). */
function drawProblem(rng: Rng, digits: number): { a: number; b: number } {
  let a = 0;
  let b = 0;
  for (let position = 0; position < digits; position++) {
    const leading = position === 0 && digits > 1;
    let da: number;
    let db: number;
    do {
      da = randInt(rng, 10);
      db = randInt(rng, 10);
    } while (da + db > 9 || (leading && (da === 0 || db === 0)));
    a = a * 10 + da;
    b = b * 10 + db;
  }
  return { a, b };
}

/** The answer with one digit replaced by a different digit (a leading digit stays non-zero): same template, wrong. */
function wrongAnswer(rng: Rng, answer: number, digits: number): number {
  const text = String(answer).padStart(digits, '0');
  const position = randInt(rng, digits);
  const lowest = position === 0 && digits > 1 ? 1 : 0;
  const choices: string[] = [];
  for (let d = lowest; d <= 9; d++) if (String(d) !== text[position]) choices.push(String(d));
  const replaced = text.slice(0, position) + choices[randInt(rng, choices.length)] + text.slice(position + 1);
  return Number(replaced);
}

/** Distinct problems, split so that no held-out prompt appears in train. */
export function generateAdditionTask(options: AdditionTaskOptions): AdditionTask {
  const digits = options.digits ?? ADDITION_DEFAULTS.digits;
  const trainSize = options.trainSize ?? ADDITION_DEFAULTS.trainSize;
  const heldOutSize = options.heldOutSize ?? ADDITION_DEFAULTS.heldOutSize;
  if (!Number.isInteger(digits) || digits < 1 || digits > 4)
    throw new Error(`addition task: digits must be an integer from 1 to 4, got ${digits}`);
  for (const [name, size] of [
    ['trainSize', trainSize],
    ['heldOutSize', heldOutSize],
  ] as const) {
    if (!Number.isInteger(size) || size < 1)
      throw new Error(`addition task: ${name} must be a positive integer, got ${size}`);
  }
  const available = countAdditionProblems(digits);
  if (trainSize + heldOutSize > available) {
    throw new Error(
      `addition task: ${trainSize} train + ${heldOutSize} held-out problems requested, ` +
        `but only ${available} distinct ${digits}-digit carry-free problems exist`,
    );
  }
  const rng = new Rng(options.seed);
  const seen = new Set<string>();
  const examples: AdditionExample[] = [];
  while (examples.length < trainSize + heldOutSize) {
    const { a, b } = drawProblem(rng, digits);
    const key = `${a}+${b}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const answer = a + b;
    examples.push({
      prompt: additionPrompt(a, b),
      chosen: additionResponse(answer),
      rejected: additionResponse(wrongAnswer(rng, answer, digits)),
      a,
      b,
      answer,
    });
  }
  return { digits, train: examples.slice(0, trainSize), heldOut: examples.slice(trainSize) };
}

/** A parsed answer: whether its format is valid, and its number when it is. */
export interface AnswerScore {
  /** The text matches "A:<digits>." exactly (a generation must also have stopped; see scoreAdditionGeneration). */
  formatValid: boolean;
  /** The parsed number, when the format is valid. */
  value: number | null;
}

/** Parses a completion against the answer template. Leading/trailing whitespace counts as a format error. */
export function parseAnswer(completion: string): AnswerScore {
  const match = ANSWER_PATTERN.exec(completion);
  return match ? { formatValid: true, value: Number(match[1]) } : { formatValid: false, value: null };
}

/** What the showcase measures on one generation: did it keep the template (and stop), and is the answer right? */
export interface GenerationScore {
  formatValid: boolean;
  correct: boolean;
}

/** A generation counts only if it stopped (emitted EOS) within the token budget and matches the template. */
export function scoreAdditionGeneration(answer: number, completion: string, stopped: boolean): GenerationScore {
  const parsed = parseAnswer(completion);
  const formatValid = stopped && parsed.formatValid;
  return { formatValid, correct: formatValid && parsed.value === answer };
}

/**
 * For data without a known template (a user's own JSONL), only weaker checks can be measured: "format" becomes
 * "stopped within the budget" and "correct" becomes "exactly the chosen completion".
 */
export function scoreByExactMatch(chosen: string, completion: string, stopped: boolean): GenerationScore {
  return { formatValid: stopped, correct: stopped && completion === chosen };
}
