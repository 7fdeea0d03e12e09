// Every branch of the chat-template loaders and of the byte tokenizer's checks, with the full message each error
// carries. A hand-written engine stands in for Jinja, so what reaches it (the variables) and what comes back
// (including its failures) is known exactly.

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chatTemplateFromTokenizerConfig, jinjaChatTemplate, type JinjaEngine } from '../../src/data/chat-template.js';
import { readPreferenceJsonl, readTrlJsonl, writePreferenceJsonl } from '../../src/data/jsonl-files.js';
import { ByteTokenizer } from '../../src/data/tokenizer.js';

/** An engine whose "template" is the source text followed by the JSON of the context it was given. */
const Echo: JinjaEngine = class {
  constructor(readonly source: string) {
    if (source === 'no-compile') throw new Error('bad syntax');
  }
  render(context: Record<string, unknown>): string {
    if (this.source === 'no-render') throw new Error('bad variable');
    return `${this.source}|${JSON.stringify(context)}`;
  }
};

const msgs = [{ role: 'user', content: 'hi' }];
const ctx = (gen: boolean) =>
  JSON.stringify({ messages: msgs, add_generation_prompt: gen, bos_token: '', eos_token: '' });

describe('jinjaChatTemplate', () => {
  it('passes exactly the Hugging Face variables, with empty special tokens', () => {
    const t = jinjaChatTemplate('T', Echo);
    expect(t(msgs, { addGenerationPrompt: true })).toBe(`T|${ctx(true)}`);
    expect(t(msgs, { addGenerationPrompt: false })).toBe(`T|${ctx(false)}`);
  });

  it('names the source when the template does not compile or does not render', () => {
    expect(() => jinjaChatTemplate('no-compile', Echo)).toThrow(
      new Error('chat_template: the chat template does not compile (bad syntax)'),
    );
    expect(() => jinjaChatTemplate('no-compile', Echo, 'mine')).toThrow(
      new Error('mine: the chat template does not compile (bad syntax)'),
    );
    const t = jinjaChatTemplate('no-render', Echo, 'mine');
    expect(() => t(msgs, { addGenerationPrompt: false })).toThrow(
      new Error('mine: rendering the chat template failed (bad variable)'),
    );
  });
});

describe('chatTemplateFromTokenizerConfig', () => {
  const load = (config: unknown, file?: string) =>
    chatTemplateFromTokenizerConfig(typeof config === 'string' ? config : JSON.stringify(config), Echo, file);

  it('a string field, named in later errors as "<file> chat_template"', () => {
    expect(load({ chat_template: 'S' })(msgs, { addGenerationPrompt: true })).toBe(`S|${ctx(true)}`);
    expect(() => load({ chat_template: 'no-compile' })).toThrow(
      new Error('tokenizer_config.json chat_template: the chat template does not compile (bad syntax)'),
    );
  });

  it('a list: the entry named "default" among others (nulls and non-objects skipped)', () => {
    const list = [null, 3, 'default', { name: 'tool_use', template: 'X' }, { name: 'default', template: 'D' }];
    expect(load({ chat_template: list })(msgs, { addGenerationPrompt: false })).toBe(`D|${ctx(false)}`);
    expect(() => load({ chat_template: [{ name: 'default', template: 'no-compile' }] }, 'c.json')).toThrow(
      new Error('c.json chat_template "default": the chat template does not compile (bad syntax)'),
    );
  });

  it('a list without a usable "default" entry', () => {
    const message = 'c.json: "chat_template" is a list without a template named "default"';
    for (const list of [
      [],
      [{ name: 'other', template: 'X' }],
      [{ name: 'default' }],
      [{ name: 'default', template: 1 }],
    ])
      expect(() => load({ chat_template: list }, 'c.json')).toThrow(new Error(message));
  });

  it('the config itself: not JSON, not an object, no field, a field of another type', () => {
    expect(() => load('{', 'c.json')).toThrow(/^c\.json: not valid JSON \(.+\)$/);
    for (const notObject of ['null', '[]', '"text"', '3'])
      expect(() => load(notObject, 'c.json')).toThrow(new Error('c.json: expected a JSON object'));
    expect(() => load({})).toThrow(new Error('tokenizer_config.json: has no "chat_template" field'));
    for (const [value, type] of [
      [3, 'number'],
      [true, 'boolean'],
      [null, 'object'],
      [{ default: 'x' }, 'object'],
    ] as const)
      expect(() => load({ chat_template: value }, 'c.json')).toThrow(
        new Error(`c.json: "chat_template" must be a string or a list of {name, template}, got ${type}`),
      );
  });
});

describe('ByteTokenizer checks', () => {
  const tok = new ByteTokenizer();

  it('decode accepts ids 0..258 and refuses everything else, naming the id and its position', () => {
    expect(tok.decode([0, 0x41, 255, 256, 257, 258])).toBe('\u0000A\ufffd');
    for (const id of [-1, 259, 1.5, Number.NaN])
      expect(() => tok.decode([0x41, id])).toThrow(
        new Error(`ByteTokenizer.decode: id ${id} at position 1 is outside [0, 259)`),
      );
  });

  it('encode refuses a non-string; bos and eos only when asked', () => {
    expect(() => tok.encode(3 as unknown as string)).toThrow(
      new Error('ByteTokenizer.encode: expected a string, got number'),
    );
    expect(tok.encode('a', { bos: true })).toEqual([256, 0x61]);
    expect(tok.encode('a', { eos: true })).toEqual([0x61, 257]);
    expect(tok.encode('a', { bos: false, eos: false })).toEqual([0x61]);
    expect(tok.specialTexts).toEqual({ bos: '<|bos|>', eos: '<|eos|>', pad: '<|pad|>' });
    expect([-1, 0, 255, 256, 258, 259].map((id) => tok.isSpecial(id))).toEqual([
      false,
      false,
      false,
      true,
      true,
      false,
    ]);
  });
});

describe('JSONL files', () => {
  it('a missing file is reported by path and error code', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'jsonl-missing-')), 'none.jsonl');
    await expect(readPreferenceJsonl(path)).rejects.toThrow(new Error(`cannot read data file ${path}: ENOENT`));
    await expect(readTrlJsonl(path)).rejects.toThrow(new Error(`cannot read data file ${path}: ENOENT`));
  });

  it('readTrlJsonl reads unpaired rows and names the file in errors', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'jsonl-kto-')), 'kto.jsonl');
    await writeFile(path, '{"prompt":"p","completion":"c","label":true}\n');
    expect(await readTrlJsonl(path)).toEqual({
      kind: 'unpaired',
      rows: [{ prompt: 'p', completion: 'c', label: true, line: 1 }],
      formats: ['unpaired'],
    });
    await writeFile(path, '\n');
    await expect(readTrlJsonl(path)).rejects.toMatchObject({
      name: 'JsonlError',
      file: path,
      line: 1,
      message: `${path}:1: the file has no rows (expected one JSON object per line)`,
    });
  });

  it('writePreferenceJsonl writes one UTF-8 row per example', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'jsonl-write-')), 'out.jsonl');
    await writePreferenceJsonl(path, [{ prompt: 'é', chosen: 'c', rejected: 'r' }]);
    expect(await readFile(path, 'utf8')).toBe('{"prompt":"é","chosen":"c","rejected":"r"}\n');
  });
});
