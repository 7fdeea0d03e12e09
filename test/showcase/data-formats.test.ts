// `npm start -- --data FILE` with TRL's other formats: conversational rows rendered by the default template or a
// tokenizer_config.json's chat_template, implicit prompts, and unpaired (KTO) rows paired by prompt. The token ids
// the showcase trains on are checked against ids written out by hand from the byte tokenizer's definition
// (BOS = 256, EOS = 257; every other id is a UTF-8 byte).

import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Template } from '@huggingface/jinja';
import { ByteTokenizer } from '../../src/data/tokenizer.js';
import { parseShowcaseArgs } from '../../src/cli/args.js';
import { prepareTask } from '../../src/cli/task-setup.js';
import { runShowcase, type ShowcaseIo } from '../../src/cli/showcase.js';
import type { Summary } from '../../src/report/summary.js';

const BOS = 256;
const EOS = 257;
const bytes = (s: string) => [...s].map((c) => c.charCodeAt(0)); // ASCII only here
const tokenizer = new ByteTokenizer();

async function tempFile(name: string, text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'slimegrad-formats-')), name);
  await writeFile(path, text);
  return path;
}

function capture(): ShowcaseIo & { errors: () => string } {
  let err = '';
  return {
    out: () => {},
    err: (t) => {
      err += t;
    },
    progressStream: null,
    errors: () => err,
  };
}

const conv = (q: string, good: string, bad: string) =>
  JSON.stringify({
    prompt: [{ role: 'user', content: q }],
    chosen: [{ role: 'assistant', content: good }],
    rejected: [{ role: 'assistant', content: bad }],
  });

describe('--data in TRL formats', () => {
  it("conversational rows train on the default template's text", async () => {
    // 5 rows: a fifth (1) is held out, 4 train; every row is the same, so the split does not matter
    const path = await tempFile(
      'conv.jsonl',
      `${Array(5)
        .fill(conv('1+1', '2', '3'))
        .join('\n')}\n`,
    );
    const settings = parseShowcaseArgs(['--data', path, '--block-size', '64'])!;
    const task = await prepareTask(settings, tokenizer, '.');
    expect(task.trainPairs).toHaveLength(4);
    expect(task.trainPairs[0]).toEqual({
      prompt: [BOS, ...bytes('user: 1+1\nassistant: ')],
      chosen: [...bytes('2\n'), EOS],
      rejected: [...bytes('3\n'), EOS],
    });
    expect(task.info.description).toContain('TRL format: conversational');
  });

  it('--chat-template: a tokenizer_config.json chat_template renders the rows (Jinja injected by the entry point)', async () => {
    const path = await tempFile(
      'conv.jsonl',
      `${Array(5)
        .fill(conv('1+1', '2', '3'))
        .join('\n')}\n`,
    );
    const template =
      '{% for m in messages %}<{{ m.role }}>{{ m.content }}{{ eos_token }}{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}';
    const config = await tempFile(
      'tokenizer_config.json',
      JSON.stringify({ chat_template: template, eos_token: '</s>' }),
    );
    const out = await mkdtemp(join(tmpdir(), 'slimegrad-formats-out-'));
    // no Jinja engine handed in: a clear usage error before anything runs
    const io = capture();
    expect(await runShowcase(['--data', path, '--chat-template', config, '--out', out, '--no-progress'], io)).toBe(2);
    expect(io.errors()).toContain('--chat-template needs a Jinja engine');
    const { chatTemplateFromTokenizerConfig } = await import('../../src/data/chat-template.js');
    const settings = parseShowcaseArgs(['--data', path, '--block-size', '64'])!;
    const task = await prepareTask(settings, tokenizer, '.', {
      chatTemplate: chatTemplateFromTokenizerConfig(readFileSync(config, 'utf8'), Template),
    });
    expect(task.trainPairs[0]).toEqual({
      prompt: [BOS, ...bytes('<user>1+1<assistant>')],
      chosen: [...bytes('2'), EOS],
      rejected: [...bytes('3'), EOS],
    });
  });

  it('implicit-prompt rows split at the shared start', async () => {
    const row = JSON.stringify({ chosen: '7+1=A:8.', rejected: '7+1=A:9.' });
    const path = await tempFile('implicit.jsonl', `${Array(5).fill(row).join('\n')}\n`);
    const task = await prepareTask(parseShowcaseArgs(['--data', path])!, tokenizer, '.');
    expect(task.trainPairs[0]).toEqual({
      prompt: [BOS, ...bytes('7+1=A:')],
      chosen: [...bytes('8.'), EOS],
      rejected: [...bytes('9.'), EOS],
    });
  });

  it('unpaired (KTO) rows are paired by prompt; rows without a partner are counted in the report and not used', async () => {
    const rows = [];
    for (let a = 0; a < 6; a++) {
      rows.push(
        { prompt: `${a}+1=`, completion: `A:${a + 1}.`, label: true },
        { prompt: `${a}+1=`, completion: `A:${a + 2}.`, label: false },
      );
    }
    rows.push({ prompt: '9+0=', completion: 'A:9.', label: true }); // no undesirable partner
    const path = await tempFile('kto.jsonl', rows.map((r) => JSON.stringify(r)).join('\n'));
    const out = await mkdtemp(join(tmpdir(), 'slimegrad-formats-out-'));
    const io = capture();
    const argv = [
      '--data',
      path,
      '--out',
      out,
      '--methods',
      'kto,slime',
      '--seeds',
      '1',
      '--model',
      'micro',
      '--sft-steps',
      '4',
      '--steps',
      '2',
      '--eval-every',
      '2',
      '--batch',
      '2',
      '--no-progress',
    ];
    const code = await runShowcase(argv, io);
    expect(io.errors()).toBe('');
    expect(code).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
    expect(summary.task.description).toContain(
      `13 unpaired (KTO) rows from ${path} (TRL format: unpaired), paired by prompt into 6 preference pairs`,
    );
    expect(summary.task.description).toContain('1 row without a partner of the other label not used');
    expect(summary.task.trainPairs + summary.task.heldOutPairs).toBe(6);
    expect(summary.methods.map((m) => m.name)).toEqual(['kto', 'slime']);
  });

  it('unpaired rows that form fewer than 2 pairs, and a conversational row with a bad message, stop with exit code 2', async () => {
    const out = await mkdtemp(join(tmpdir(), 'slimegrad-formats-out-'));
    const lonely = await tempFile(
      'kto.jsonl',
      '{"prompt": "a", "completion": "b", "label": true}\n{"prompt": "c", "completion": "d", "label": false}\n',
    );
    const io = capture();
    expect(await runShowcase(['--data', lonely, '--out', out, '--no-progress'], io)).toBe(2);
    expect(io.errors()).toContain(
      `${lonely}: its 2 unpaired (KTO) rows give 0 prompts with both a desirable and an undesirable completion`,
    );
    const bad = await tempFile(
      'conv.jsonl',
      `${conv('q', 'a', 'b')}\n{"prompt": [{"role": "user", "content": 3}], "chosen": [], "rejected": []}\n`,
    );
    const io2 = capture();
    expect(await runShowcase(['--data', bad, '--out', out, '--no-progress'], io2)).toBe(2);
    expect(io2.errors()).toContain(`${bad}:2: field "prompt" message 1: "content" must be a string, got a number`);
  });
});
