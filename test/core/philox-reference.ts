// An independent Philox 4x32-10 (Salmon et al., SC'11) using BigInt arithmetic, so the 32x32->64-bit products are
// exact without the 16-bit splitting src/random.ts relies on. Used as the oracle for the RNG and dropout masks.

const MASK32 = 0xffffffffn;
const MULTIPLIERS = [0xd2511f53n, 0xcd9e8d57n] as const;
const WEYL = [0x9e3779b9n, 0xbb67ae85n] as const;

export function philoxReference(counter: readonly number[], key: readonly number[]): number[] {
  let c = counter.map((v) => BigInt(v >>> 0));
  let k = key.map((v) => BigInt(v >>> 0));
  for (let round = 0; round < 10; round++) {
    if (round > 0) k = [(k[0] + WEYL[0]) & MASK32, (k[1] + WEYL[1]) & MASK32];
    const p0 = MULTIPLIERS[0] * c[0];
    const p1 = MULTIPLIERS[1] * c[2];
    c = [(p1 >> 32n) ^ c[1] ^ k[0], p1 & MASK32, (p0 >> 32n) ^ c[3] ^ k[1], p0 & MASK32];
  }
  return c.map(Number);
}

/** The documented uniform stream: element i is word i%4 of block [i/4, 0, 0, 0] under the seed's key, mapped to (0,1). */
export function uniformReference(n: number, seed: number): number[] {
  const s = seed < 0 ? -seed * 2 + 1 : seed * 2;
  const key = [s % 2 ** 32, Math.floor(s / 2 ** 32)];
  return Array.from(
    { length: n },
    (_, i) => (philoxReference([Math.floor(i / 4), 0, 0, 0], key)[i % 4] + 0.5) / 2 ** 32,
  );
}
