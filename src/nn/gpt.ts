// GPT-2: token + learned position embeddings, dropout, nLayer pre-LN blocks, a final LayerNorm and an LM head tied
// to the token embedding. Parameter names are Hugging Face's GPT2LMHeadModel names.

import type { Backend, DType } from '../backends/backend.js';
import { getBackend, defaultBackend } from '../backends/backend.js';
import type { Tensor } from '../tensor.js';
import { arange, tensor } from '../creation.js';
import { keep } from '../memory.js';
import { Rng } from '../random.js';
import { fmt } from '../shape.js';
import { matmulT } from '../autograd/ops/matmul.js';
import { Module } from './module.js';
import { Embedding } from './embedding.js';
import { LayerNorm } from './layer-norm.js';
import { Block } from './block.js';
import { GPT2_INIT_STD } from './init.js';
import type { ForwardContext } from './attention.js';

/** The shape of a GPT-2 model (GPT-2's config.json fields, in camelCase). */
export interface GPTConfig {
  vocabSize: number;
  /** Longest sequence the model can read (GPT-2's n_positions). */
  blockSize: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  /** One rate for embedding, attention and residual dropout, as GPT-2's configs use. */
  dropout: number;
  layerNormEpsilon?: number;
}

/** How a GPT is built: the seed of its initialisation, its dtype and backend. */
export interface GPTOptions {
  seed: number;
  dtype?: DType;
  backend?: Backend | string;
}

/** Options of GPT.forward. */
export interface GPTForwardOptions {
  /**
   * Source of dropout seeds; defaults to the model's own stream.
   * Training loops pass theirs so it can be checkpointed.
   */
  rng?: Rng;
}

/** A GPT-2 language model: token and position embeddings, blocks, a final LayerNorm, tied output weights. */
export class GPT extends Module {
  readonly config: Required<GPTConfig>;
  readonly dtype: DType;
  readonly backend: Backend;
  readonly wte: Embedding;
  readonly wpe: Embedding;
  readonly h: Block[];
  readonly lnF: LayerNorm;
  /** Dropout seeds when the caller passes no Rng. */
  readonly rng: Rng;
  /**
   * Causal mask for the longest sequence seen so far (grown on demand, never beyond blockSize); shorter inputs use
   * its top-left corner. Sized by use, not by config: a blockSize of 30000 with 12-token rows costs a 12 x 12 mask.
   */
  private mask: Tensor | null = null;

  constructor(config: GPTConfig, opts: GPTOptions) {
    super();
    this.config = { ...config, layerNormEpsilon: config.layerNormEpsilon ?? 1e-5 };
    validateConfig(this.config);
    const { vocabSize, blockSize, nEmbd, nLayer, nHead, layerNormEpsilon } = this.config;
    this.dtype = opts.dtype ?? 'float32';
    if (this.dtype === 'int32') throw new Error('GPT: dtype must be float32 or float64, got int32');
    this.backend =
      opts.backend === undefined
        ? defaultBackend()
        : typeof opts.backend === 'string'
          ? getBackend(opts.backend)
          : opts.backend;
    const initRng = new Rng(opts.seed);
    const seeds = (): number => initRng.nextSeed();
    const where = { dtype: this.dtype, backend: this.backend };
    this.wte = this.registerModule('transformer.wte', new Embedding(vocabSize, nEmbd, { ...where, seed: seeds() }));
    this.wpe = this.registerModule('transformer.wpe', new Embedding(blockSize, nEmbd, { ...where, seed: seeds() }));
    // GPT-2 scales the projections that write into the residual stream by 1/sqrt(2 * nLayer)
    const projStd = GPT2_INIT_STD / Math.sqrt(2 * nLayer);
    this.h = Array.from({ length: nLayer }, (_, i) =>
      this.registerModule(
        `transformer.h.${i}`,
        new Block(nEmbd, nHead, { ...where, seeds, projStd, eps: layerNormEpsilon }),
      ),
    );
    this.lnF = this.registerModule('transformer.ln_f', new LayerNorm(nEmbd, { ...where, eps: layerNormEpsilon }));
    this.rng = new Rng(seeds());
  }

  /** Logits [B, T, vocabSize] for int32 tokens [B, T]. */
  forward(tokens: Tensor, opts: GPTForwardOptions = {}): Tensor {
    this.checkTokens(tokens);
    const [, T] = tokens.shape;
    const rng = opts.rng ?? this.rng;
    const ctx: ForwardContext = {
      causalMask: this.causalMask(T),
      dropout: this.config.dropout,
      training: this.training,
      nextSeed: () => rng.nextSeed(),
    };
    const positions = arange(T, undefined, 1, { backend: this.backend });
    let x = this.wte.forward(tokens).add(this.wpe.forward(positions));
    x = x.dropout(ctx.dropout, ctx.nextSeed(), ctx.training);
    for (const block of this.h) x = block.forward(x, ctx);
    return this.lmHead(this.lnF.forward(x));
  }

  /** The tied LM head: hidden [B, T, C] @ wte^T. */
  private lmHead(hidden: Tensor): Tensor {
    const [B, T, C] = hidden.shape;
    return matmulT(hidden.reshape([B * T, C]), this.wte.weight, false, true).reshape([B, T, this.config.vocabSize]);
  }

  private causalMask(T: number): Tensor {
    if (!this.mask || this.mask.shape[0] < T) {
      // doubling: a sequence growing a token at a time (generation) rebuilds the mask log(T) times, not T times
      const n = Math.min(this.config.blockSize, Math.max(T, 2 * (this.mask?.shape[0] ?? 0)));
      this.mask?.dispose();
      const allowed = new Int32Array(n * n);
      for (let t = 0; t < n; t++) allowed.fill(1, t * n, t * n + t + 1);
      this.mask = keep(tensor(allowed, { shape: [n, n], backend: this.backend }));
    }
    // a view (or a copy) rather than the mask itself: a graph still holding it survives the mask being regrown
    return T === this.mask.shape[0] ? this.mask.detach() : this.mask.slice([0, 0], [T, T]);
  }

  private checkTokens(tokens: Tensor): void {
    const { vocabSize, blockSize } = this.config;
    if (tokens.dtype !== 'int32' || tokens.rank !== 2) {
      throw new Error(`GPT.forward: expected int32 tokens [B, T], got ${fmt(tokens.shape)} ${tokens.dtype}`);
    }
    const T = tokens.shape[1];
    if (T < 1 || T > blockSize)
      throw new Error(
        `GPT.forward: sequence length ${T} must be in [1, blockSize = ${blockSize}] (tokens ${fmt(tokens.shape)})`,
      );
    if (tokens.backend !== this.backend) {
      throw new Error(`GPT.forward: tokens are on '${tokens.backend.name}' but the model is on '${this.backend.name}'`);
    }
    // An out-of-range id would read past the embedding table; check where reading is cheap (the CPU).
    if (tokens.backend.readSync) {
      const ids = tokens.backend.readSync(tokens.storage);
      for (let i = 0; i < ids.length; i++) {
        if (!(ids[i] >= 0 && ids[i] < vocabSize)) {
          throw new Error(
            `GPT.forward: token id ${ids[i]} at flat index ${i} of ${fmt(tokens.shape)} ` +
              `is outside [0, vocabSize = ${vocabSize})`,
          );
        }
      }
    }
  }

  override dispose(): void {
    this.mask?.dispose();
    this.mask = null;
    super.dispose();
  }
}

function validateConfig(c: Required<GPTConfig>): void {
  for (const key of ['vocabSize', 'blockSize', 'nEmbd', 'nLayer', 'nHead'] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1)
      throw new Error(`GPT: config.${key} must be a positive integer, got ${c[key]}`);
  }
  if (c.nEmbd % c.nHead !== 0) throw new Error(`GPT: nEmbd (${c.nEmbd}) must be divisible by nHead (${c.nHead})`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new Error(`GPT: config.dropout must be in [0, 1), got ${c.dropout}`);
  if (!(c.layerNormEpsilon > 0)) throw new Error(`GPT: config.layerNormEpsilon must be > 0, got ${c.layerNormEpsilon}`);
}
