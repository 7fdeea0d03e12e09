// nn: the GPT-2 building blocks and sampling.

export { Module } from './module.js';
export { Linear, type LinearOptions } from './linear.js';
export { Embedding } from './embedding.js';
export { LayerNorm } from './layer-norm.js';
export { CausalSelfAttention, type ForwardContext } from './attention.js';
export { MLP } from './mlp.js';
export { Block } from './block.js';
export { GPT, type GPTConfig, type GPTOptions, type GPTForwardOptions } from './gpt.js';
export { generate, type GenerateOptions } from './generate.js';
export { GPT2_INIT_STD, type InitOptions } from './init.js';
