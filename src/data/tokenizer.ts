// Byte-level tokenizer: ids 0..255 are the UTF-8 bytes, followed by three special tokens. Every string encodes
// (no unknown token) and decoding a valid byte sequence gives the string back.

/** Number of byte tokens; the special tokens follow them. */
export const BYTE_VOCAB = 256;

/** A byte-level tokenizer: ids 0..255 are UTF-8 bytes, then BOS, EOS and PAD. */
export class ByteTokenizer {
  readonly bos = BYTE_VOCAB;
  readonly eos = BYTE_VOCAB + 1;
  readonly pad = BYTE_VOCAB + 2;
  readonly vocabSize = BYTE_VOCAB + 3;
  /**
   * How the special tokens are written where a text form is needed (Hugging Face tokenizer files, chat templates).
   * `encode` never maps these texts to the special ids: they encode as their bytes.
   */
  readonly specialTexts = { bos: '<|bos|>', eos: '<|eos|>', pad: '<|pad|>' } as const;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder('utf-8');

  /** Token ids of the UTF-8 bytes of `text`, optionally wrapped in BOS / EOS. */
  encode(text: string, opts: { bos?: boolean; eos?: boolean } = {}): number[] {
    if (typeof text !== 'string') throw new Error(`ByteTokenizer.encode: expected a string, got ${typeof text}`);
    const ids = Array.from(this.encoder.encode(text));
    if (opts.bos) ids.unshift(this.bos);
    if (opts.eos) ids.push(this.eos);
    return ids;
  }

  /**
   * The text of the byte tokens; special tokens are dropped. Byte sequences that are not valid UTF-8 (a model's
   * sample can produce them) become U+FFFD rather than an error.
   */
  decode(ids: readonly number[]): string {
    const bytes: number[] = [];
    for (const [i, id] of ids.entries()) {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
        throw new Error(`ByteTokenizer.decode: id ${id} at position ${i} is outside [0, ${this.vocabSize})`);
      }
      if (id < BYTE_VOCAB) bytes.push(id);
    }
    return this.decoder.decode(Uint8Array.from(bytes));
  }

  /** Whether `id` is BOS, EOS or PAD. */
  isSpecial(id: number): boolean {
    return id >= BYTE_VOCAB && id < this.vocabSize;
  }
}
