// TRL's dataset formats reduced to text: each format on a row written by hand, the expected text written out in
// full (not produced by the code), the default and a Jinja chat template, and errors that name the field.

import { describe, expect, it } from 'vitest';
import { Template } from '@huggingface/jinja';
import { data } from '../../src/index.js';

const { readTrlRow, pairUnpaired, defaultChatTemplate, jinjaChatTemplate, chatTemplateFromTokenizerConfig } = data;

const user = (content: string) => ({ role: 'user', content });
const assistant = (content: string) => ({ role: 'assistant', content });

// a ChatML-style template written for this test: <|im_start|>role\ncontent<|im_end|>\n per message
const CHATML =
  '{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}' +
  '{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}';

describe('TRL row formats', () => {
  it('standard: strings pass through unchanged', () => {
    expect(readTrlRow({ prompt: '23+41=', chosen: 'A:64.', rejected: 'A:68.', score: 3 })).toEqual({
      kind: 'preference',
      format: 'standard',
      example: { prompt: '23+41=', chosen: 'A:64.', rejected: 'A:68.' },
    });
  });

  it('conversational: the default template renders "role: content\\n" and the assistant generation prompt', () => {
    const row = { prompt: [user('2+2?')], chosen: [assistant('4')], rejected: [assistant('5')] };
    expect(readTrlRow(row)).toEqual({
      kind: 'preference',
      format: 'conversational',
      example: { prompt: 'user: 2+2?\nassistant: ', chosen: '4\n', rejected: '5\n' },
    });
  });

  it('conversational with a system message and several turns', () => {
    const prompt = [{ role: 'system', content: 'Be brief.' }, user('Hi'), assistant('Hello'), user('Sky colour?')];
    expect(
      readTrlRow({ prompt, chosen: [assistant('Blue')], rejected: [assistant('Green, I think')] }).example,
    ).toEqual({
      prompt: 'system: Be brief.\nuser: Hi\nassistant: Hello\nuser: Sky colour?\nassistant: ',
      chosen: 'Blue\n',
      rejected: 'Green, I think\n',
    });
  });

  it('implicit prompt, text: the shared start is the prompt; a shared final space goes to the completions', () => {
    expect(readTrlRow({ chosen: 'The sky is blue.', rejected: 'The sky is green.' })).toEqual({
      kind: 'preference',
      format: 'implicit prompt',
      example: { prompt: 'The sky is', chosen: ' blue.', rejected: ' green.' },
    });
    expect(readTrlRow({ chosen: '12=A:3.', rejected: '12=A:4.' }).example).toEqual({
      prompt: '12=A:',
      chosen: '3.',
      rejected: '4.',
    });
    // one completion extending the other still leaves each at least one character
    expect(readTrlRow({ chosen: 'abc', rejected: 'abcd' }).example).toEqual({
      prompt: 'ab',
      chosen: 'c',
      rejected: 'cd',
    });
  });

  it('implicit prompt, conversational: the shared messages are the prompt', () => {
    const row = { chosen: [user('2+2?'), assistant('4')], rejected: [user('2+2?'), assistant('5')] };
    expect(readTrlRow(row)).toEqual({
      kind: 'preference',
      format: 'conversational implicit prompt',
      example: { prompt: 'user: 2+2?\nassistant: ', chosen: '4\n', rejected: '5\n' },
    });
  });

  it('unpaired (KTO): text and conversational, label kept', () => {
    expect(readTrlRow({ prompt: '1+1=', completion: 'A:2.', label: true })).toEqual({
      kind: 'unpaired',
      format: 'unpaired',
      example: { prompt: '1+1=', completion: 'A:2.', label: true },
    });
    expect(readTrlRow({ prompt: [user('1+1?')], completion: [assistant('3')], label: false })).toEqual({
      kind: 'unpaired',
      format: 'conversational unpaired',
      example: { prompt: 'user: 1+1?\nassistant: ', completion: '3\n', label: false },
    });
  });

  it('a Jinja chat template (ChatML style) through @huggingface/jinja', () => {
    const template = jinjaChatTemplate(CHATML, Template);
    const row = { prompt: [user('2+2?')], chosen: [assistant('4')], rejected: [assistant('5')] };
    expect(readTrlRow(row, template).example).toEqual({
      prompt: '<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n',
      chosen: '4<|im_end|>\n',
      rejected: '5<|im_end|>\n',
    });
  });

  it('tokenizer_config.json: chat_template as a string or as named templates; bos/eos render empty', () => {
    const withTokens = '{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{{ eos_token }}{% endfor %}';
    const fromString = chatTemplateFromTokenizerConfig(
      JSON.stringify({ chat_template: withTokens, eos_token: '</s>' }),
      Template,
    );
    expect(fromString([user('a'), assistant('b')], { addGenerationPrompt: false })).toBe('[user]a[assistant]b');
    const named = JSON.stringify({
      chat_template: [
        { name: 'tool_use', template: 'x' },
        { name: 'default', template: CHATML },
      ],
    });
    expect(chatTemplateFromTokenizerConfig(named, Template)([user('a')], { addGenerationPrompt: true })).toBe(
      '<|im_start|>user\na<|im_end|>\n<|im_start|>assistant\n',
    );
    expect(() => chatTemplateFromTokenizerConfig('{}', Template, 'cfg.json')).toThrow(
      'cfg.json: has no "chat_template" field',
    );
    expect(() => chatTemplateFromTokenizerConfig('{"chat_template": "{% for %}"}', Template, 'cfg.json')).toThrow(
      /^cfg\.json chat_template: the chat template does not compile/,
    );
  });

  it('the default template is the documented layout', () => {
    expect(defaultChatTemplate([user('x'), assistant('y')], { addGenerationPrompt: false })).toBe(
      'user: x\nassistant: y\n',
    );
    expect(defaultChatTemplate([], { addGenerationPrompt: true })).toBe('assistant: ');
  });
});

describe('TRL row errors name the field', () => {
  const cases: Array<[string, unknown, string]> = [
    ['not an object', [1, 2], 'expected a JSON object (a TRL preference or unpaired row), got an array'],
    ['missing chosen', { prompt: 'p', rejected: 'r' }, 'field "chosen" is missing'],
    [
      'number',
      { prompt: 'p', chosen: 3, rejected: 'r' },
      'field "chosen" must be a string or a list of messages, got a number',
    ],
    [
      'mixed styles',
      { prompt: 'p', chosen: [assistant('a')], rejected: [assistant('b')] },
      'field "chosen" must be a string like "prompt"',
    ],
    [
      'bad message',
      { prompt: [user('p')], chosen: [{ role: 'assistant' }], rejected: [assistant('b')] },
      'field "chosen" message 1: "content" must be a string, got nothing',
    ],
    ['empty completion', { prompt: 'p', chosen: 'a', rejected: '' }, 'field "rejected" is empty'],
    ['identical implicit', { chosen: 'same', rejected: 'same' }, 'fields "chosen" and "rejected" are identical'],
    [
      'label type',
      { prompt: 'p', completion: 'c', label: 'yes' },
      'field "label" must be true (desirable) or false (undesirable), got a string',
    ],
    ['label missing', { prompt: 'p', completion: 'c' }, 'field "label" is missing'],
    ['mixed kinds', { prompt: 'p', chosen: 'a', rejected: 'b', label: true }, 'mixes the preference fields'],
  ];
  for (const [name, row, message] of cases) {
    it(name, () => expect(() => readTrlRow(row)).toThrow(message));
  }

  it('a template whose completion rendering does not extend the prompt rendering', () => {
    const odd = (messages: readonly { content: string }[], o: { addGenerationPrompt: boolean }) =>
      (o.addGenerationPrompt ? '>' : '') + messages.map((m) => m.content).join('|');
    expect(() =>
      readTrlRow({ prompt: [user('p')], chosen: [assistant('a')], rejected: [assistant('b')] }, odd),
    ).toThrow(
      'field "chosen": the chat template renders prompt + chosen so that it does not start with the rendered prompt',
    );
  });
});

describe('pairUnpaired', () => {
  it('pairs desirable with undesirable completions of the same prompt, in file order, and returns the rest', () => {
    const rows = [
      { prompt: 'p', completion: 'good1', label: true, line: 1 },
      { prompt: 'q', completion: 'bad-q', label: false, line: 2 },
      { prompt: 'p', completion: 'bad1', label: false, line: 3 },
      { prompt: 'p', completion: 'good2', label: true, line: 4 },
      { prompt: 'q', completion: 'good-q', label: true, line: 5 },
    ];
    const { pairs, unused } = pairUnpaired(rows);
    expect(pairs.map(({ prompt, chosen, rejected }) => ({ prompt, chosen, rejected }))).toEqual([
      { prompt: 'p', chosen: 'good1', rejected: 'bad1' },
      { prompt: 'q', chosen: 'good-q', rejected: 'bad-q' },
    ]);
    expect(pairs.map((p) => p.rows.map((r) => r.line))).toEqual([
      [1, 3],
      [5, 2],
    ]);
    expect(unused.map((r) => r.line)).toEqual([4]);
  });
});

describe('parseTrlJsonl: every format in one file, with lines', () => {
  it('reads standard, conversational and implicit-prompt rows together, and unpaired files on their own', () => {
    const lines = [
      '{"prompt": "23+41=", "chosen": "A:64.", "rejected": "A:68."}',
      '{"prompt": [{"role": "user", "content": "2+2?"}], "chosen": [{"role": "assistant", "content": "4"}], "rejected": [{"role": "assistant", "content": "5"}]}',
      '',
      '{"chosen": "The sky is blue.", "rejected": "The sky is green."}',
      '{"chosen": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"}], "rejected": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "5"}]}',
    ];
    const parsed = data.parseTrlJsonl(lines.join('\n'), 'mixed.jsonl');
    expect(parsed.kind).toBe('preference');
    expect(parsed.formats).toEqual(['standard', 'conversational', 'implicit prompt', 'conversational implicit prompt']);
    expect(parsed.rows).toEqual([
      { prompt: '23+41=', chosen: 'A:64.', rejected: 'A:68.', line: 1 },
      { prompt: 'user: 2+2?\nassistant: ', chosen: '4\n', rejected: '5\n', line: 2 },
      { prompt: 'The sky is', chosen: ' blue.', rejected: ' green.', line: 4 },
      { prompt: 'user: 2+2?\nassistant: ', chosen: '4\n', rejected: '5\n', line: 5 },
    ]);
    const kto = data.parseTrlJsonl(
      '{"prompt": "1+1=", "completion": "A:2.", "label": true}\n{"prompt": "1+1=", "completion": "A:3.", "label": false}\n',
    );
    expect(kto).toEqual({
      kind: 'unpaired',
      formats: ['unpaired'],
      rows: [
        { prompt: '1+1=', completion: 'A:2.', label: true, line: 1 },
        { prompt: '1+1=', completion: 'A:3.', label: false, line: 2 },
      ],
    });
  });

  it('renders conversational rows with the chat template it is given', () => {
    const text =
      '{"prompt": [{"role": "user", "content": "hi"}], "chosen": [{"role": "assistant", "content": "yo"}], "rejected": [{"role": "assistant", "content": "no"}]}';
    const rows = data.parsePreferenceJsonl(text, 'c.jsonl', { chatTemplate: jinjaChatTemplate(CHATML, Template) });
    expect(rows).toEqual([
      {
        prompt: '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n',
        chosen: 'yo<|im_end|>\n',
        rejected: 'no<|im_end|>\n',
        line: 1,
      },
    ]);
  });
});
