// From text preference rows to the token ids the losses and the model read: BOS + prompt bytes, then the
// completion bytes + EOS (so every completion also teaches when to stop). A row that cannot fit the model's
// block size is an error naming its line, raised before any training starts.

import type { TokenPair } from '../losses/batch.js';
import type { ByteTokenizer } from './tokenizer.js';
import type { PreferenceExample } from './jsonl.js';

// the type lives with the batching code that consumes it (losses/batch.ts); re-exported here for data users
export type { TokenPair } from '../losses/batch.js';

/** Tokenizes rows; `lines` (1-based file lines, when the rows came from a file) make errors point at the row. */
export function encodePreferencePairs(
  rows: readonly PreferenceExample[],
  tokenizer: ByteTokenizer,
  blockSize: number,
  where: { file: string; lines?: readonly number[] },
): TokenPair[] {
  return rows.map((row, i) => {
    const pair = {
      prompt: tokenizer.encode(row.prompt, { bos: true }),
      chosen: tokenizer.encode(row.chosen, { eos: true }),
      rejected: tokenizer.encode(row.rejected, { eos: true }),
    };
    // the model reads prompt + completion minus the last token, so that many positions must fit
    const longest = pair.prompt.length + Math.max(pair.chosen.length, pair.rejected.length) - 1;
    if (longest > blockSize) {
      const at = where.lines ? `${where.file}:${where.lines[i]}` : `${where.file} row ${i + 1}`;
      throw new Error(
        `${at}: prompt + completion is ${longest} tokens (bytes + BOS/EOS), ` +
          `more than the model's block size ${blockSize}; shorten the row or use a model with a larger block size`,
      );
    }
    return pair;
  });
}
