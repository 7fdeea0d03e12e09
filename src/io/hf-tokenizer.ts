// The byte-level tokenizer (ids 0..255 are the UTF-8 bytes, then special tokens) written as the Hugging Face
// tokenizer files a checkpoint folder carries, so AutoTokenizer / tokenizers.js / TRL tokenize exactly as slimegrad:
// the ByteLevel pre-tokenizer (no regex split, no prefix space) turns each UTF-8 byte into one printable
// character, and a BPE model with no merges maps each such character to its byte value. The specials are added
// tokens. Hugging Face tokenizers find added tokens' text inside the input, which slimegrad's tokenizer never does;
// tokenizer_config.json therefore sets split_special_tokens, so transformers encodes that text as bytes too.
// A JavaScript string with a lone surrogate encodes as U+FFFD's bytes (EF BF BD) here and in tokenizers.js, as
// TextEncoder does; a Python string with one cannot be encoded to UTF-8, so the Rust tokenizer never receives it.

/** What the tokenizer files need to know about a byte-level tokenizer (`data.ByteTokenizer` has these fields). */
export interface ByteLevelTokenizer {
  bos: number;
  eos: number;
  pad: number;
  vocabSize: number;
  /** How each special token is written in the Hugging Face files. */
  specialTexts: { bos: string; eos: string; pad: string };
}

/** The tokenizer files of a checkpoint folder, by file name. */
export type TokenizerFiles = Record<'tokenizer.json' | 'tokenizer_config.json' | 'special_tokens_map.json', string>;

/**
 * GPT-2's printable stand-in for each byte: printable Latin-1 bytes stand for themselves, the other 68 bytes
 * (controls, space, DEL, NBSP, soft hyphen) take the characters from U+0100 on, in byte order.
 */
export function byteLevelAlphabet(): string[] {
  const chars: string[] = [];
  let next = 0x100;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    chars.push(String.fromCodePoint(printable ? b : next++));
  }
  return chars;
}

/** tokenizer.json, tokenizer_config.json and special_tokens_map.json for `tok`; `modelMaxLength` is the context. */
export function byteTokenizerFiles(
  tok: ByteLevelTokenizer,
  modelMaxLength: number,
  opts: { chatTemplate?: string } = {},
): TokenizerFiles {
  const specials = (['bos', 'eos', 'pad'] as const).map((role) => ({
    role,
    id: tok[role],
    content: tok.specialTexts[role],
  }));
  const ids = [...Array.from({ length: 256 }, (_, i) => i), ...specials.map((s) => s.id)].sort((a, b) => a - b);
  if (ids.length !== tok.vocabSize || ids.some((id, i) => id !== i)) {
    throw new Error(
      `byteTokenizerFiles: expected ids 0..255 for bytes and ${specials.map((s) => `${s.role} ${s.id}`).join(', ')} ` +
        `to fill a vocabulary of ${tok.vocabSize} exactly`,
    );
  }
  const added = specials.map((s) => ({
    id: s.id,
    content: s.content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: null,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(byteLevelAlphabet().map((c, b) => [c, b])),
      merges: [],
    },
  };
  const named = Object.fromEntries(specials.map((s) => [`${s.role}_token`, s.content]));
  const config = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    ...named,
    model_max_length: modelMaxLength,
    clean_up_tokenization_spaces: false,
    split_special_tokens: true,
    added_tokens_decoder: Object.fromEntries(added.map(({ id, ...rest }) => [String(id), rest])),
    ...(opts.chatTemplate === undefined ? {} : { chat_template: opts.chatTemplate }),
  };
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  return {
    'tokenizer.json': json(tokenizer),
    'tokenizer_config.json': json(config),
    'special_tokens_map.json': json(named),
  };
}

/**
 * generation_config.json: the special ids generation needs (stop at EOS, pad with PAD),
 * taken from config.json's keys.
 */
export function generationConfig(config: Record<string, unknown>): string {
  const keys = ['bos_token_id', 'eos_token_id', 'pad_token_id'].filter((k) => config[k] !== undefined);
  return `${JSON.stringify(Object.fromEntries(keys.map((k) => [k, config[k]])), null, 2)}\n`;
}
