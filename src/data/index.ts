// data: tokenization and batching.

export { ByteTokenizer, BYTE_VOCAB } from './tokenizer.js';
export { padBatch, sampleWindows, disposeBatch, type LmBatch, type Example } from './batching.js';
