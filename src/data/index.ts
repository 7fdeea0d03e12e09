// data: tokenization and batching.

export { ByteTokenizer, BYTE_VOCAB } from './tokenizer.js';
export { padBatch, sampleWindows, type LmBatch, type Example } from './batching.js';
export { parsePreferenceJsonl, formatPreferenceJsonl, JsonlError, type PreferenceExample, type NumberedExample } from './jsonl.js';
export { encodePreferencePairs, type TokenPair } from './preference-pairs.js';
export {
  generateAdditionTask, parseAnswer, scoreAdditionGeneration, scoreByExactMatch, countAdditionProblems, additionPrompt, additionResponse,
  ADDITION_DEFAULTS, type AdditionTask, type AdditionExample, type AdditionTaskOptions, type AnswerScore, type GenerationScore,
} from './preference-task.js';
