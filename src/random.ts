// Counter-based random numbers (Philox 4x32-10, Salmon et al. 2011). Element i of a draw depends only on
// (seed, i), never on how many numbers came before, so every backend reproduces the same tensor from a seed:
// numbers are generated here and uploaded.

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High and low 32 bits of a 32x32-bit product, exact in doubles by splitting into 16-bit halves. */
function mulHi(a: number, b: number): number {
  const aH = a >>> 16,
    aL = a & 0xffff,
    bH = b >>> 16,
    bL = b & 0xffff;
  const ll = aL * bL,
    lh = aL * bH,
    hl = aH * bL,
    hh = aH * bH;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + Math.floor(lh / 65536) + Math.floor(hl / 65536) + Math.floor(mid / 65536)) >>> 0;
}

/** One Philox 4x32-10 block: four 32-bit outputs for a 128-bit counter and a 64-bit key. */
export function philox4x32(
  counter: readonly [number, number, number, number],
  key: readonly [number, number],
): [number, number, number, number] {
  let [c0, c1, c2, c3] = counter.map((v) => v >>> 0);
  let [k0, k1] = key.map((v) => v >>> 0);
  for (let round = 0; round < 10; round++) {
    const hi0 = mulHi(M0, c0),
      lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulHi(M1, c2),
      lo1 = Math.imul(M1, c2) >>> 0;
    [c0, c1, c2, c3] = [(hi1 ^ c1 ^ k0) >>> 0, lo1, (hi0 ^ c3 ^ k1) >>> 0, lo0];
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  return [c0, c1, c2, c3];
}

/** Splits a JS number seed into Philox's 64-bit key (also what a backend's dropout kernel is keyed with). */
export function keyOf(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed)) throw new Error(`random: seed must be a safe integer, got ${seed}`);
  const s = seed < 0 ? -seed * 2 + 1 : seed * 2;
  return [s >>> 0, Math.floor(s / 2 ** 32) >>> 0];
}

/** n uniform numbers in the open interval (0, 1), element i from counter block floor(i / 4). */
export function uniformArray(n: number, seed: number, stream = 0): Float64Array {
  const key = keyOf(seed);
  const out = new Float64Array(n);
  for (let block = 0; block * 4 < n; block++) {
    const words = philox4x32([block, stream, 0, 0], key);
    for (let j = 0; j < 4 && block * 4 + j < n; j++) out[block * 4 + j] = (words[j] + 0.5) / 2 ** 32;
  }
  return out;
}

/** n standard normal numbers by Box-Muller on pairs of uniforms. */
export function normalArray(n: number, seed: number, stream = 0): Float64Array {
  const u = uniformArray(n + (n % 2), seed, stream);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(u[i]));
    const theta = 2 * Math.PI * u[i + 1];
    out[i] = r * Math.cos(theta);
    if (i + 1 < n) out[i + 1] = r * Math.sin(theta);
  }
  return out;
}

/** A seeded stream of sub-seeds, for code that needs fresh randomness on every call (dropout, sampling). */
export class Rng {
  constructor(
    readonly seed: number,
    public counter = 0,
  ) {}
  /** A new seed derived from (seed, counter); advances the counter. */
  nextSeed(): number {
    const [a, b] = philox4x32([this.counter++, 0, 0, 0x5eed], keyOf(this.seed));
    return (a >>> 0) * 2 ** 21 + (b >>> 11); // 53 bits, a safe integer
  }
  /** The seed and counter, for checkpoints: `new Rng(seed, counter)` continues the stream exactly. */
  state(): { seed: number; counter: number } {
    return { seed: this.seed, counter: this.counter };
  }
}
