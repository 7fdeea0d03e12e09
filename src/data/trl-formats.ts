// TRL's dataset formats for preference and unpaired (KTO) data, one JSON object per row, reduced to plain text:
//   standard                 {"prompt": "...", "chosen": "...", "rejected": "..."}
//   conversational           the same fields as message lists [{"role": ..., "content": ...}]
//   implicit prompt          {"chosen": ..., "rejected": ...}: the prompt is what both share at the start
//   unpaired                 {"prompt": ..., "completion": ..., "label": true|false}, strings or message lists
// Message lists go through a chat template (see chat-template.ts). Fields TRL datasets often carry besides these
// (scores, ids) are ignored. Every problem names the field, so the caller can report it with the row's line.

import { defaultChatTemplate, type ChatMessage, type ChatTemplate } from './chat-template.js';

/** A preference row as text: what the model reads after BOS, and the two completions. */
export interface PreferenceExample {
  /** The text before either completion (may be empty). */
  prompt: string;
  /** The preferred completion (non-empty). */
  chosen: string;
  /** The dispreferred completion (non-empty). */
  rejected: string;
}

/** An unpaired row (TRL's KTO format): one completion, labelled desirable (true) or undesirable (false). */
export interface UnpairedExample {
  /** The text before the completion (may be empty). */
  prompt: string;
  /** The completion (non-empty). */
  completion: string;
  /** true: desirable; false: undesirable. */
  label: boolean;
}

/** The TRL format a row was written in. */
export type TrlFormat =
  | 'standard'
  | 'conversational'
  | 'implicit prompt'
  | 'conversational implicit prompt'
  | 'unpaired'
  | 'conversational unpaired';

/** One row, reduced to text, with the format it was written in. */
export type TrlRow =
  | { kind: 'preference'; format: TrlFormat; example: PreferenceExample }
  | { kind: 'unpaired'; format: TrlFormat; example: UnpairedExample };

/** A problem with one field of one row; the JSONL reader adds file and line. */
export class RowError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'RowError';
  }
}

/** How a value is named in an error message: 'a string', 'an array', 'null', 'nothing'. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function messagesOf(field: string, value: unknown[]): ChatMessage[] {
  return value.map((m, i) => {
    const at = `field "${field}" message ${i + 1}`;
    if (m === null || typeof m !== 'object' || Array.isArray(m)) {
      throw new RowError(`${at} must be an object {"role", "content"}, got ${describeValue(m)}`);
    }
    const { role, content } = m as Record<string, unknown>;
    if (typeof role !== 'string') throw new RowError(`${at}: "role" must be a string, got ${describeValue(role)}`);
    if (typeof content !== 'string') {
      throw new RowError(`${at}: "content" must be a string, got ${describeValue(content)}`);
    }
    return { role, content };
  });
}

interface TextField {
  field: string;
  text: string;
}
interface MessagesField {
  field: string;
  messages: ChatMessage[];
}
type Field = TextField | MessagesField;

function fieldOf(row: Record<string, unknown>, field: string, expected: string): Field {
  const v = row[field];
  if (v === undefined) throw new RowError(`field "${field}" is missing (${expected})`);
  if (typeof v === 'string') return { field, text: v };
  if (Array.isArray(v)) return { field, messages: messagesOf(field, v) };
  throw new RowError(`field "${field}" must be a string or a list of messages, got ${describeValue(v)}`);
}

/** All strings (standard) or all message lists (conversational); a mix is an error naming the odd field. */
function allText(fields: Field[]): fields is TextField[] {
  const text = 'text' in fields[0];
  const odd = fields.find((f) => 'text' in f !== text);
  if (odd) {
    const like = `${text ? 'a string' : 'a message list'} like "${fields[0].field}"`;
    throw new RowError(`field "${odd.field}" must be ${like} (a row is either all text or all messages)`);
  }
  return text;
}

function nonEmpty(field: string, text: string): string {
  if (text === '') throw new RowError(`field "${field}" is empty (a completion needs at least one character)`);
  return text;
}

/** The completion's text: prompt + completion rendered, minus the prompt rendered with a generation prompt. */
function renderCompletion(
  template: ChatTemplate,
  prompt: ChatMessage[],
  renderedPrompt: string,
  completion: MessagesField,
): string {
  const whole = template([...prompt, ...completion.messages], { addGenerationPrompt: false });
  if (!whole.startsWith(renderedPrompt)) {
    throw new RowError(
      `field "${completion.field}": the chat template renders prompt + ${completion.field} so that ` +
        'it does not start with the rendered prompt; cannot split off the completion',
    );
  }
  return nonEmpty(completion.field, whole.slice(renderedPrompt.length));
}

/** Length of the shared start of two strings, leaving at least one character of each. */
function sharedTextPrefix(a: string, b: string): number {
  const limit = Math.min(a.length, b.length) - 1;
  let n = 0;
  while (n < limit && a[n] === b[n]) n++;
  // a shared trailing space belongs to the completions, as in TRL's extract_prompt
  if (n > 0 && a[n - 1] === ' ') n--;
  return n;
}

function sharedMessagePrefix(a: ChatMessage[], b: ChatMessage[]): number {
  const limit = Math.min(a.length, b.length) - 1;
  let n = 0;
  while (n < limit && a[n].role === b[n].role && a[n].content === b[n].content) n++;
  return n;
}

function textPair(prompt: TextField | null, chosen: TextField, rejected: TextField): TrlRow {
  const [c, r] = [chosen.text, rejected.text];
  if (prompt) {
    const example = { prompt: prompt.text, chosen: nonEmpty('chosen', c), rejected: nonEmpty('rejected', r) };
    return { kind: 'preference', format: 'standard', example };
  }
  if (c === r) {
    throw new RowError(
      'fields "chosen" and "rejected" are identical, so no prompt can be split off ' +
        '(implicit-prompt rows differ after the shared prompt)',
    );
  }
  const n = sharedTextPrefix(c, r);
  const example = {
    prompt: c.slice(0, n),
    chosen: nonEmpty('chosen', c.slice(n)),
    rejected: nonEmpty('rejected', r.slice(n)),
  };
  return { kind: 'preference', format: 'implicit prompt', example };
}

function conversationPair(
  template: ChatTemplate,
  prompt: MessagesField | null,
  chosen: MessagesField,
  rejected: MessagesField,
): TrlRow {
  let promptMessages = prompt?.messages ?? [];
  let completions = [chosen, rejected];
  if (!prompt) {
    const empty = completions.find((f) => f.messages.length === 0);
    if (empty) throw new RowError(`field "${empty.field}" has no messages`);
    const n = sharedMessagePrefix(chosen.messages, rejected.messages);
    promptMessages = chosen.messages.slice(0, n);
    completions = completions.map((f) => ({ field: f.field, messages: f.messages.slice(n) }));
  }
  const renderedPrompt = template(promptMessages, { addGenerationPrompt: true });
  const [c, r] = completions.map((f) => renderCompletion(template, promptMessages, renderedPrompt, f));
  const format = prompt ? 'conversational' : 'conversational implicit prompt';
  return { kind: 'preference', format, example: { prompt: renderedPrompt, chosen: c, rejected: r } };
}

function preferenceRow(row: Record<string, unknown>, template: ChatTemplate): TrlRow {
  const needs = 'TRL preference rows need "chosen" and "rejected", and "prompt" unless it is implicit';
  const chosen = fieldOf(row, 'chosen', needs);
  const rejected = fieldOf(row, 'rejected', needs);
  const prompt = row.prompt === undefined ? null : fieldOf(row, 'prompt', needs);
  const fields = prompt ? [prompt, chosen, rejected] : [chosen, rejected];
  if (allText(fields)) return textPair(prompt as TextField | null, chosen as TextField, rejected as TextField);
  return conversationPair(template, prompt as MessagesField | null, chosen as MessagesField, rejected as MessagesField);
}

function unpairedRow(row: Record<string, unknown>, template: ChatTemplate): TrlRow {
  const needs = 'TRL unpaired rows need "prompt", "completion" and "label"';
  const prompt = fieldOf(row, 'prompt', needs);
  const completion = fieldOf(row, 'completion', needs);
  const label = row.label;
  if (label === undefined) throw new RowError(`field "label" is missing (${needs})`);
  if (typeof label !== 'boolean') {
    throw new RowError(`field "label" must be true (desirable) or false (undesirable), got ${describeValue(label)}`);
  }
  const fields = [prompt, completion];
  if (allText(fields)) {
    const example = { prompt: fields[0].text, completion: nonEmpty('completion', fields[1].text), label };
    return { kind: 'unpaired', format: 'unpaired', example };
  }
  const promptMessages = (prompt as MessagesField).messages;
  const renderedPrompt = template(promptMessages, { addGenerationPrompt: true });
  const text = renderCompletion(template, promptMessages, renderedPrompt, completion as MessagesField);
  return {
    kind: 'unpaired',
    format: 'conversational unpaired',
    example: { prompt: renderedPrompt, completion: text, label },
  };
}

/**
 * Reads one parsed JSON row in any of TRL's preference or unpaired formats; message lists are rendered with
 * `template` (default: defaultChatTemplate). Throws RowError naming the field.
 */
export function readTrlRow(value: unknown, template: ChatTemplate = defaultChatTemplate): TrlRow {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RowError(`expected a JSON object (a TRL preference or unpaired row), got ${describeValue(value)}`);
  }
  const row = value as Record<string, unknown>;
  const unpaired = row.completion !== undefined || row.label !== undefined;
  if (unpaired && (row.chosen !== undefined || row.rejected !== undefined)) {
    throw new RowError(
      'the row mixes the preference fields "chosen"/"rejected" with the unpaired fields ' + '"completion"/"label"',
    );
  }
  return unpaired ? unpairedRow(row, template) : preferenceRow(row, template);
}

/** A preference pair made of two unpaired rows: `rows` are the desirable and the undesirable row. */
export type UnpairedPair<T extends UnpairedExample> = PreferenceExample & { rows: [T, T] };

/**
 * Preference pairs from unpaired rows, for trainers that need pairs (every loss of the showcase): for each prompt,
 * its desirable and undesirable completions are matched in file order, as many pairs as the smaller side has.
 * Rows left without a partner are returned too, so the caller can say how many went unused.
 */
export function pairUnpaired<T extends UnpairedExample>(rows: readonly T[]): { pairs: UnpairedPair<T>[]; unused: T[] } {
  const byPrompt = new Map<string, { good: T[]; bad: T[] }>();
  for (const row of rows) {
    const group = byPrompt.get(row.prompt) ?? { good: [], bad: [] };
    (row.label ? group.good : group.bad).push(row);
    byPrompt.set(row.prompt, group);
  }
  const pairs: UnpairedPair<T>[] = [];
  const unused: T[] = [];
  for (const [prompt, { good, bad }] of byPrompt) {
    const n = Math.min(good.length, bad.length);
    for (let i = 0; i < n; i++) {
      pairs.push({ prompt, chosen: good[i].completion, rejected: bad[i].completion, rows: [good[i], bad[i]] });
    }
    unused.push(...good.slice(n), ...bad.slice(n));
  }
  return { pairs, unused };
}
