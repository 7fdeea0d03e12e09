// The data a showcase run trains and evaluates on: the synthetic addition task (also exported as TRL JSONL), or a
// user's own TRL JSONL file split into train and held-out rows. Everything that can be wrong with the data is found
// here, before training starts.

import { join } from 'node:path';
import type { ByteTokenizer } from '../data/tokenizer.js';
import type { NumberedExample, PreferenceExample } from '../data/jsonl.js';
import { readTrlJsonl, writePreferenceJsonl } from '../data/jsonl-files.js';
import { pairUnpaired } from '../data/trl-formats.js';
import { encodePreferencePairs, type TokenPair } from '../data/preference-pairs.js';
import {
  generateAdditionTask,
  scoreAdditionGeneration,
  scoreByExactMatch,
  type GenerationScore,
} from '../data/preference-task.js';
import { trainingOrder } from '../train/preference.js';
import type { HeldOutSet } from '../train/evaluate.js';
import type { RunResults } from '../report/summary.js';
import type { ChatTemplate } from '../data/chat-template.js';
import type { ShowcaseSettings } from './args.js';

/** The task is the same for every seed, so all seeds are scored on the same held-out prompts. */
export const TASK_SEED = 2602;
export const ADDITION_DIGITS = 2;
/** Room beyond the longest expected answer, so a model that does not stop is caught as format-invalid. */
const EXTRA_TOKENS = 4;

export interface PreparedTask {
  info: RunResults['task'];
  trainPairs: TokenPair[];
  heldOut: HeldOutSet;
}

/** The held-out pairs (likelihoods) and prompts (greedy answers, scored by `scorer`) a run measures. */
export function heldOutSet(
  rows: readonly PreferenceExample[],
  pairs: TokenPair[],
  settings: ShowcaseSettings,
  scorer: (row: number) => (completion: string, stopped: boolean) => GenerationScore,
): HeldOutSet {
  const promptCount = Math.min(settings.evalGenerations, rows.length);
  const prompts = rows
    .slice(0, promptCount)
    .map((row, i) => ({ ids: pairs[i].prompt, text: row.prompt, score: scorer(i) }));
  const longest = Math.max(...pairs.slice(0, promptCount).map((p) => p.chosen.length));
  return { pairs: pairs.slice(0, settings.evalPairs), prompts, maxNewTokens: longest + EXTRA_TOKENS };
}

async function additionTask(
  settings: ShowcaseSettings,
  tokenizer: ByteTokenizer,
  outDir: string,
): Promise<PreparedTask> {
  const heldOutSize = Math.max(settings.evalPairs, settings.evalGenerations);
  const task = generateAdditionTask({
    seed: TASK_SEED,
    digits: ADDITION_DIGITS,
    trainSize: settings.trainSize,
    heldOutSize,
  });
  await writePreferenceJsonl(join(outDir, 'task-train.jsonl'), task.train);
  await writePreferenceJsonl(join(outDir, 'task-heldout.jsonl'), task.heldOut);
  const blockSize = settings.model.blockSize;
  const trainPairs = encodePreferencePairs(task.train, tokenizer, blockSize, { file: 'synthetic task (train)' });
  const heldOutPairs = encodePreferencePairs(task.heldOut, tokenizer, blockSize, { file: 'synthetic task (held-out)' });
  const heldOut = heldOutSet(
    task.heldOut,
    heldOutPairs,
    settings,
    (i) => (text, stopped) => scoreAdditionGeneration(task.heldOut[i].answer, text, stopped),
  );
  return {
    info: {
      kind: 'addition',
      description:
        `synthetic carry-free addition of ${ADDITION_DIGITS}-digit numbers, prompt "23+41=", ` +
        'chosen "A:64." (the sum), rejected "A:68." (one digit wrong, same template); ' +
        'a greedy answer is format-valid if it is exactly "A:<number>." followed by end-of-sequence, ' +
        'and correct if the number is the sum. Exported as TRL JSONL: task-train.jsonl, task-heldout.jsonl.',
      trainPairs: trainPairs.length,
      heldOutPairs: heldOut.pairs.length,
      generationPrompts: heldOut.prompts.length,
    },
    trainPairs,
    heldOut,
  };
}

/**
 * The preference pairs of a --data file, and what the report says about them. Every method trains on pairs, so
 * unpaired (KTO) rows are paired by prompt: desirable as chosen, undesirable as rejected; a pair carries the line of
 * its desirable row, and rows left without a partner are counted, not used.
 */
async function pairsOfFile(path: string, options: DataOptions): Promise<{ rows: NumberedExample[]; about: string }> {
  const parsed = await readTrlJsonl(path, { chatTemplate: options.chatTemplate });
  const formats = `TRL format${parsed.formats.length > 1 ? 's' : ''}: ${parsed.formats.join(', ')}`;
  if (parsed.kind === 'preference')
    return { rows: parsed.rows, about: `preference pairs from ${path} (${parsed.rows.length} rows; ${formats}` };
  const { pairs, unused } = pairUnpaired(parsed.rows);
  if (pairs.length < 2) {
    throw new Error(
      `${path}: its ${parsed.rows.length} unpaired (KTO) rows give ` +
        `${pairs.length} prompt${pairs.length === 1 ? '' : 's'} with both a desirable and an undesirable completion; ` +
        'the showcase trains every method on such pairs and needs at least 2',
    );
  }
  const rows = pairs.map(({ prompt, chosen, rejected, rows: [desirable] }) => ({
    prompt,
    chosen,
    rejected,
    line: desirable.line,
  }));
  const about =
    `${parsed.rows.length} unpaired (KTO) rows from ${path} (${formats}), ` +
    `paired by prompt into ${pairs.length} preference pairs ` +
    '(desirable completion as chosen, undesirable as rejected; ' +
    `${unused.length} row${unused.length === 1 ? '' : 's'} without a partner of the other label not used`;
  return { rows, about };
}

async function fileTask(
  path: string,
  settings: ShowcaseSettings,
  tokenizer: ByteTokenizer,
  options: DataOptions,
): Promise<PreparedTask> {
  const { rows, about } = await pairsOfFile(path, options);
  if (rows.length < 2)
    throw new Error(
      `${path}: has ${rows.length} row; the showcase needs at least 2 (some rows are held out for evaluation)`,
    );
  // a seeded shuffle, so a file sorted by topic or length still gets a representative held-out split
  const order = trainingOrder(rows.length, rows.length, TASK_SEED);
  const heldOutCount = Math.max(
    1,
    Math.min(Math.max(settings.evalPairs, settings.evalGenerations), Math.floor(rows.length / 5)),
  );
  const heldOutRows = order.slice(0, heldOutCount).map((i) => rows[i]);
  const trainRows = order.slice(heldOutCount).map((i) => rows[i]);
  const blockSize = settings.model.blockSize;
  const trainPairs = encodePreferencePairs(trainRows, tokenizer, blockSize, {
    file: path,
    lines: trainRows.map((r) => r.line),
  });
  const heldOutPairs = encodePreferencePairs(heldOutRows, tokenizer, blockSize, {
    file: path,
    lines: heldOutRows.map((r) => r.line),
  });
  const heldOut = heldOutSet(
    heldOutRows,
    heldOutPairs,
    settings,
    (i) => (text, stopped) => scoreByExactMatch(heldOutRows[i].chosen, text, stopped),
  );
  return {
    info: {
      kind: 'file',
      description:
        `${about}; ${heldOutCount} held out by a seeded shuffle). ` +
        'With no known answer template, "format-valid" here means the greedy answer stopped ' +
        '(emitted end-of-sequence) within the token budget, ' +
        'and "answer accuracy" means it equals the chosen completion exactly; ' +
        'the likelihood figures are measured as for the synthetic task.',
      trainPairs: trainPairs.length,
      heldOutPairs: heldOut.pairs.length,
      generationPrompts: heldOut.prompts.length,
    },
    trainPairs,
    heldOut,
  };
}

/** How --data rows are read: the chat template for conversational rows (default: defaultChatTemplate). */
export interface DataOptions {
  chatTemplate?: ChatTemplate;
}

export async function prepareTask(
  settings: ShowcaseSettings,
  tokenizer: ByteTokenizer,
  outDir: string,
  options: DataOptions = {},
): Promise<PreparedTask> {
  return settings.data === null
    ? additionTask(settings, tokenizer, outDir)
    : fileTask(settings.data, settings, tokenizer, options);
}
