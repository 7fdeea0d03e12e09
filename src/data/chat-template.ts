// Chat templates: how a conversation (TRL's conversational format, a list of {role, content} messages) becomes the
// text the byte tokenizer reads. slimegrad's own default is a plain, documented layout; a model's Jinja template
// (the `chat_template` of a Hugging Face tokenizer_config.json) can be used instead. Jinja rendering needs a
// template engine, which the core library does not ship (it has no runtime dependencies): the caller passes the
// engine in (the showcase passes `Template` from @huggingface/jinja).

/** One message of a conversation, as TRL's conversational datasets store it. */
export interface ChatMessage {
  /** Who speaks: "system", "user", "assistant" (any string; the template decides what it means). */
  role: string;
  /** What is said. */
  content: string;
}

/**
 * Renders messages to text. With `addGenerationPrompt`, the text ends where the assistant's answer would start
 * (this is how a prompt is rendered); without it, the messages are rendered as they are.
 */
export type ChatTemplate = (messages: readonly ChatMessage[], options: { addGenerationPrompt: boolean }) => string;

/**
 * The default template: every message is `role: content` followed by a newline, and the generation prompt is
 * `assistant: `. So the prompt [{user, "2+2?"}] renders as "user: 2+2?\nassistant: " and the completion
 * [{assistant, "4"}] as "4\n". BOS and EOS are not text: slimegrad adds them as tokens around prompt and completion.
 */
export const defaultChatTemplate: ChatTemplate = (messages, { addGenerationPrompt }) =>
  messages.map((m) => `${m.role}: ${m.content}\n`).join('') + (addGenerationPrompt ? 'assistant: ' : '');

/** What a Jinja engine must offer: a template class compiled from source with a `render(context)` method. */
export interface JinjaEngine {
  new (
    source: string,
  ): {
    /** The template rendered with `context`'s variables. */
    render(context: Record<string, unknown>): string;
  };
}

/**
 * A ChatTemplate from Jinja source, rendered with the variables Hugging Face templates read: `messages`,
 * `add_generation_prompt`, `bos_token` and `eos_token`. The special tokens render as empty strings, because
 * slimegrad's byte tokenizer adds BOS and EOS as tokens of their own (as text they would be plain bytes).
 * `source` names the template in errors.
 */
export function jinjaChatTemplate(template: string, Engine: JinjaEngine, source = 'chat_template'): ChatTemplate {
  let compiled: InstanceType<JinjaEngine>;
  try {
    compiled = new Engine(template);
  } catch (e) {
    throw new Error(`${source}: the chat template does not compile (${(e as Error).message})`);
  }
  return (messages, { addGenerationPrompt }) => {
    try {
      return compiled.render({ messages, add_generation_prompt: addGenerationPrompt, bos_token: '', eos_token: '' });
    } catch (e) {
      throw new Error(`${source}: rendering the chat template failed (${(e as Error).message})`);
    }
  };
}

/**
 * The `chat_template` of a tokenizer_config.json (its text), as a ChatTemplate. The field may be a string or, as
 * some models save it, a list of named templates, of which the one named "default" is used. `file` names the
 * config in errors.
 */
export function chatTemplateFromTokenizerConfig(
  configText: string,
  Engine: JinjaEngine,
  file = 'tokenizer_config.json',
): ChatTemplate {
  let config: unknown;
  try {
    config = JSON.parse(configText);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config))
    throw new Error(`${file}: expected a JSON object`);
  const field = (config as Record<string, unknown>).chat_template;
  if (typeof field === 'string') return jinjaChatTemplate(field, Engine, `${file} chat_template`);
  if (Array.isArray(field)) {
    const named = field.find(
      (t) => t !== null && typeof t === 'object' && (t as Record<string, unknown>).name === 'default',
    );
    const text = named === undefined ? undefined : (named as Record<string, unknown>).template;
    if (typeof text === 'string') return jinjaChatTemplate(text, Engine, `${file} chat_template "default"`);
    throw new Error(`${file}: "chat_template" is a list without a template named "default"`);
  }
  if (field === undefined) throw new Error(`${file}: has no "chat_template" field`);
  throw new Error(`${file}: "chat_template" must be a string or a list of {name, template}, got ${typeof field}`);
}
