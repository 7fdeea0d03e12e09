// slimegrad/node: everything of the browser-safe entry (index.ts) plus what needs Node's file system: checkpoint
// directories and JSONL files on disk. Kept apart so bundling `slimegrad` for a browser never meets a `node:` import.

export * from './index.js';
export { saveCheckpoint, loadCheckpoint, fileByteSource } from './io/checkpoint-files.js';
export { readPreferenceJsonl, readTrlJsonl, writePreferenceJsonl } from './data/jsonl-files.js';
