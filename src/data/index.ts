// data: tokenization and batching.

export { ByteTokenizer, BYTE_VOCAB } from './tokenizer.js';
export { padBatch, sampleWindows, type LmBatch, type Example } from './batching.js';
export {
  parsePreferenceJsonl,
  parseTrlJsonl,
  formatPreferenceJsonl,
  JsonlError,
  type PreferenceExample,
  type NumberedExample,
  type NumberedUnpaired,
  type TrlJsonl,
  type JsonlOptions,
} from './jsonl.js';
export { encodePreferencePairs, type TokenPair } from './preference-pairs.js';
export {
  generateAdditionTask,
  parseAnswer,
  scoreAdditionGeneration,
  scoreByExactMatch,
  countAdditionProblems,
  additionPrompt,
  additionResponse,
  ADDITION_DEFAULTS,
  type AdditionTask,
  type AdditionExample,
  type AdditionTaskOptions,
  type AnswerScore,
  type GenerationScore,
} from './preference-task.js';
export {
  readTrlRow,
  pairUnpaired,
  RowError,
  type TrlRow,
  type TrlFormat,
  type UnpairedExample,
  type UnpairedPair,
} from './trl-formats.js';
export {
  defaultChatTemplate,
  jinjaChatTemplate,
  chatTemplateFromTokenizerConfig,
  type ChatMessage,
  type ChatTemplate,
  type JinjaEngine,
} from './chat-template.js';
