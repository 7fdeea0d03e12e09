// readTrlRow's checks and splits, value by value: every error carries its full message (the field, what was
// found, what a TRL row needs), and the implicit-prompt splits are pinned on strings and message lists chosen at
// their edges (one side a prefix of the other, a shared trailing space, a role or content that differs).

import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatTemplate } from '../../src/data/chat-template.js';
import { describeValue, readTrlRow } from '../../src/data/trl-formats.js';

const u = (content: string): ChatMessage => ({ role: 'user', content });
const a = (content: string): ChatMessage => ({ role: 'assistant', content });
/** A template whose output is easy to write by hand: `<role>content` per message, `<assistant>` to prompt. */
const T: ChatTemplate = (messages, { addGenerationPrompt }) =>
  messages.map((m) => `<${m.role}>${m.content}`).join('') + (addGenerationPrompt ? '<assistant>' : '');

function messageOf(value: unknown, template: ChatTemplate = T): string {
  try {
    readTrlRow(value, template);
  } catch (e) {
    expect((e as Error).name).toBe('RowError');
    return (e as Error).message;
  }
  throw new Error('expected a RowError');
}

const PREF = 'TRL preference rows need "chosen" and "rejected", and "prompt" unless it is implicit';
const UNP = 'TRL unpaired rows need "prompt", "completion" and "label"';
const split = (chosen: unknown, rejected: unknown) => readTrlRow({ chosen, rejected }, T);

describe('readTrlRow: the row itself', () => {
  it('names what it got instead of an object', () => {
    for (const [value, name] of [
      [null, 'null'],
      [[], 'an array'],
      [3, 'a number'],
      ['row', 'a string'],
      [true, 'a boolean'],
    ] as const)
      expect(messageOf(value)).toBe(`expected a JSON object (a TRL preference or unpaired row), got ${name}`);
    expect(describeValue(undefined)).toBe('nothing');
  });

  it('refuses each mix of preference and unpaired fields', () => {
    const mix = 'the row mixes the preference fields "chosen"/"rejected" with the unpaired fields "completion"/"label"';
    for (const row of [
      { prompt: 'p', chosen: 'c', completion: 'x' },
      { prompt: 'p', rejected: 'r', completion: 'x' },
      { prompt: 'p', chosen: 'c', label: true },
      { prompt: 'p', rejected: 'r', label: false },
    ])
      expect(messageOf(row)).toBe(mix);
  });
});

describe('readTrlRow: fields', () => {
  it('missing and mistyped fields', () => {
    expect(messageOf({ prompt: 'p', rejected: 'r' })).toBe(`field "chosen" is missing (${PREF})`);
    expect(messageOf({ prompt: 'p', chosen: 'c' })).toBe(`field "rejected" is missing (${PREF})`);
    expect(messageOf({ prompt: 'p', chosen: 5, rejected: 'r' })).toBe(
      'field "chosen" must be a string or a list of messages, got a number',
    );
    expect(messageOf({ prompt: null, chosen: 'c', rejected: 'r' })).toBe(
      'field "prompt" must be a string or a list of messages, got null',
    );
  });

  it('messages that are not {role, content} objects', () => {
    const at = (list: unknown[]) => messageOf({ prompt: [u('q')], chosen: list, rejected: [a('r')] });
    expect(at([null])).toBe('field "chosen" message 1 must be an object {"role", "content"}, got null');
    expect(at([a('x'), []])).toBe('field "chosen" message 2 must be an object {"role", "content"}, got an array');
    expect(at([a('x'), a('y'), 'hi'])).toBe(
      'field "chosen" message 3 must be an object {"role", "content"}, got a string',
    );
    expect(at([{ content: 'x' }])).toBe('field "chosen" message 1: "role" must be a string, got nothing');
    expect(at([{ role: 'assistant', content: 5 }])).toBe(
      'field "chosen" message 1: "content" must be a string, got a number',
    );
  });

  it('a row is all text or all messages; the odd field is named', () => {
    const tail = '(a row is either all text or all messages)';
    expect(messageOf({ prompt: 'p', chosen: [a('c')], rejected: 'r' })).toBe(
      `field "chosen" must be a string like "prompt" ${tail}`,
    );
    expect(messageOf({ prompt: 'p', chosen: 'c', rejected: [a('r')] })).toBe(
      `field "rejected" must be a string like "prompt" ${tail}`,
    );
    expect(messageOf({ prompt: [u('q')], chosen: 'c', rejected: [a('r')] })).toBe(
      `field "chosen" must be a message list like "prompt" ${tail}`,
    );
    expect(messageOf({ chosen: [a('c')], rejected: 'r' })).toBe(
      `field "rejected" must be a message list like "chosen" ${tail}`,
    );
  });

  it('empty completions are refused, an empty prompt is not', () => {
    const empty = (f: string) => `field "${f}" is empty (a completion needs at least one character)`;
    expect(messageOf({ prompt: 'p', chosen: '', rejected: 'r' })).toBe(empty('chosen'));
    expect(messageOf({ prompt: 'p', chosen: 'c', rejected: '' })).toBe(empty('rejected'));
    expect(readTrlRow({ prompt: '', chosen: 'c', rejected: 'r' })).toEqual({
      kind: 'preference',
      format: 'standard',
      example: { prompt: '', chosen: 'c', rejected: 'r' },
    });
    expect(messageOf({ prompt: [u('q')], chosen: [a('')], rejected: [a('r')] })).toBe(empty('chosen'));
    expect(messageOf({ prompt: [u('q')], chosen: [a('c')], rejected: [a('')] })).toBe(empty('rejected'));
  });
});

describe('readTrlRow: implicit prompts', () => {
  const text = (chosen: string, rejected: string) => split(chosen, rejected).example;

  it('text: the shared start, leaving a character on each side and a shared trailing space to the completions', () => {
    expect(text('The answer is 4', 'The answer is 5')).toEqual({
      prompt: 'The answer is',
      chosen: ' 4',
      rejected: ' 5',
    });
    expect(text('ab', 'abc')).toEqual({ prompt: 'a', chosen: 'b', rejected: 'bc' });
    expect(text('abc', 'ab')).toEqual({ prompt: 'a', chosen: 'bc', rejected: 'b' });
    expect(text('x', 'y')).toEqual({ prompt: '', chosen: 'x', rejected: 'y' });
    expect(text(' x', ' y')).toEqual({ prompt: '', chosen: ' x', rejected: ' y' });
    expect(text('a  b', 'a  c')).toEqual({ prompt: 'a ', chosen: ' b', rejected: ' c' });
    expect(text('ab-x', 'ab-y')).toEqual({ prompt: 'ab-', chosen: 'x', rejected: 'y' });
    expect(split('ab', 'abc').format).toBe('implicit prompt');
    const empty = (f: string) => `field "${f}" is empty (a completion needs at least one character)`;
    expect(messageOf({ chosen: '', rejected: 'x' })).toBe(empty('chosen'));
    expect(messageOf({ chosen: 'x', rejected: '' })).toBe(empty('rejected'));
    expect(messageOf({ chosen: 'same', rejected: 'same' })).toBe(
      'fields "chosen" and "rejected" are identical, so no prompt can be split off ' +
        '(implicit-prompt rows differ after the shared prompt)',
    );
  });

  it('messages: the shared messages (same role and content), leaving one message on each side', () => {
    expect(split([u('q'), a('x')], [u('q'), a('y')])).toEqual({
      kind: 'preference',
      format: 'conversational implicit prompt',
      example: { prompt: '<user>q<assistant>', chosen: 'x', rejected: 'y' },
    });
    expect(split([u('q'), a('x')], [u('q'), a('x'), a('z')]).example).toEqual({
      prompt: '<user>q<assistant>',
      chosen: 'x',
      rejected: 'x<assistant>z',
    });
    expect(split([a('x')], [a('y')]).example).toEqual({ prompt: '<assistant>', chosen: 'x', rejected: 'y' });
    const noSplit = (f: string) =>
      `field "${f}": the chat template renders prompt + ${f} so that it does not start with the rendered prompt; ` +
      'cannot split off the completion';
    // a different role or content ends the shared part, so nothing is shared and the render cannot be split
    expect(messageOf({ chosen: [u('q'), a('x')], rejected: [{ role: 'system', content: 'q' }, a('y')] })).toBe(
      noSplit('chosen'),
    );
    expect(messageOf({ chosen: [u('q'), a('x')], rejected: [u('Q'), a('y')] })).toBe(noSplit('chosen'));
    expect(messageOf({ prompt: [u('q')], chosen: [a('x')], rejected: [u('y')] })).toBe(noSplit('rejected'));
    expect(messageOf({ chosen: [], rejected: [a('y')] })).toBe('field "chosen" has no messages');
    expect(messageOf({ chosen: [a('x')], rejected: [] })).toBe('field "rejected" has no messages');
  });

  it('explicit conversational prompts keep every completion message', () => {
    expect(readTrlRow({ prompt: [u('q')], chosen: [a('x'), a('x')], rejected: [a('y')] }, T)).toEqual({
      kind: 'preference',
      format: 'conversational',
      example: { prompt: '<user>q<assistant>', chosen: 'x<assistant>x', rejected: 'y' },
    });
  });
});

describe('readTrlRow: unpaired rows', () => {
  it('fields and label', () => {
    expect(messageOf({ completion: 'c', label: true })).toBe(`field "prompt" is missing (${UNP})`);
    expect(messageOf({ prompt: 'p', label: true })).toBe(`field "completion" is missing (${UNP})`);
    expect(messageOf({ prompt: 'p', completion: 'c' })).toBe(`field "label" is missing (${UNP})`);
    expect(messageOf({ prompt: 'p', completion: 'c', label: 1 })).toBe(
      'field "label" must be true (desirable) or false (undesirable), got a number',
    );
    expect(messageOf({ prompt: 'p', completion: '', label: true })).toBe(
      'field "completion" is empty (a completion needs at least one character)',
    );
    expect(messageOf({ prompt: 'p', completion: [a('c')], label: true })).toBe(
      'field "completion" must be a string like "prompt" (a row is either all text or all messages)',
    );
    expect(readTrlRow({ prompt: 'p', completion: 'c', label: false })).toEqual({
      kind: 'unpaired',
      format: 'unpaired',
      example: { prompt: 'p', completion: 'c', label: false },
    });
    expect(readTrlRow({ prompt: [u('q')], completion: [a('c')], label: true }, T)).toEqual({
      kind: 'unpaired',
      format: 'conversational unpaired',
      example: { prompt: '<user>q<assistant>', completion: 'c', label: true },
    });
    expect(messageOf({ prompt: [u('q')], completion: [u('c')], label: true })).toBe(
      'field "completion": the chat template renders prompt + completion so that it does not start with the ' +
        'rendered prompt; cannot split off the completion',
    );
  });
});
