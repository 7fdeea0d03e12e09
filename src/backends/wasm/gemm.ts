// The float32 matmul kernel, emitted as WebAssembly SIMD: C += A @ B over packed panels. A is packed into MR-row
// panels (k-major: MR values per k step) and B into NR-column panels (NR values per k step), both zero-padded to
// whole panels, so the kernel has no edge cases; C is (mPanels*MR) x (nPanels*NR), row-major.
// Loop order: k in blocks of kc, then blocks of mc A panels (an mc x kc block of A stays in L2), then B panels (one
// B micro-panel of kc x NR floats stays in L1), then the A panels of the block;
// the MR x NR tile of C lives in SIMD registers while the kernel sweeps the block: MR*NR/4 accumulators, NR/4 B
// vectors and one broadcast A value, which fits the 16 XMM registers V8 has on x64.

import { FuncBuilder } from './emit.js';

/** Rows of the register tile (one broadcast A value each). */
export const MR = 4;
/** Columns of the register tile (NR / 4 f32x4 vectors). */
export const NR = 8;

/**
 * gemm(ap, bp, cp, mPanels, nPanels, k, kc, mc): byte addresses, panel counts, the depth, its block size and the
 * number of A panels per block.
 */
export function emitGemm(): FuncBuilder {
  const f = new FuncBuilder('gemm', ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const [ap, bp, cp, mPanels, nPanels, k, kc, mc] = [0, 1, 2, 3, 4, 5, 6, 7];
  const p0 = f.local('i32'),
    jp = f.local('i32'),
    ip = f.local('i32'),
    len = f.local('i32');
  const i0 = f.local('i32'),
    iEnd = f.local('i32');
  const a = f.local('i32'),
    b = f.local('i32'),
    c = f.local('i32'),
    aEnd = f.local('i32'),
    ldc = f.local('i32');
  const vecs = NR / 4;
  const acc: number[][] = [];
  for (let r = 0; r < MR; r++) acc.push(Array.from({ length: vecs }, () => f.local('v128')));
  const bv = Array.from({ length: vecs }, () => f.local('v128'));
  const av = f.local('v128');
  // row r of the C tile starts at c + r * ldc
  const rowAddress = (r: number) => {
    f.get(c);
    if (r > 0) f.get(ldc).i32(r).op('i32.mul').op('i32.add');
  };

  f.get(nPanels)
    .i32(NR * 4)
    .op('i32.mul')
    .set(ldc);
  f.forRange(
    p0,
    () => f.i32(0),
    () => f.get(k),
    () => f.get(kc),
    () => {
      // len = min(kc, k - p0)
      f.get(k)
        .get(p0)
        .op('i32.sub')
        .tee(len)
        .get(kc)
        .op('i32.gt_s')
        .if(() => f.get(kc).set(len));
      f.forRange(
        i0,
        () => f.i32(0),
        () => f.get(mPanels),
        () => f.get(mc),
        () => {
          // iEnd = min(i0 + mc, mPanels)
          f.get(i0)
            .get(mc)
            .op('i32.add')
            .tee(iEnd)
            .get(mPanels)
            .op('i32.gt_s')
            .if(() => f.get(mPanels).set(iEnd));
          f.forRange(
            jp,
            () => f.i32(0),
            () => f.get(nPanels),
            1,
            () => {
              f.forRange(
                ip,
                () => f.get(i0),
                () => f.get(iEnd),
                1,
                () => {
                  // a = ap + (ip * k + p0) * MR * 4; b = bp + (jp * k + p0) * NR * 4;
                  // c = cp + ip * MR * ldc + jp * NR * 4
                  f.get(ap)
                    .get(ip)
                    .get(k)
                    .op('i32.mul')
                    .get(p0)
                    .op('i32.add')
                    .i32(MR * 4)
                    .op('i32.mul')
                    .op('i32.add')
                    .tee(a);
                  f.get(len)
                    .i32(MR * 4)
                    .op('i32.mul')
                    .op('i32.add')
                    .set(aEnd);
                  f.get(bp)
                    .get(jp)
                    .get(k)
                    .op('i32.mul')
                    .get(p0)
                    .op('i32.add')
                    .i32(NR * 4)
                    .op('i32.mul')
                    .op('i32.add')
                    .set(b);
                  f.get(cp).get(ip).i32(MR).op('i32.mul').get(ldc).op('i32.mul').op('i32.add');
                  f.get(jp)
                    .i32(NR * 4)
                    .op('i32.mul')
                    .op('i32.add')
                    .set(c);
                  for (let r = 0; r < MR; r++)
                    for (let h = 0; h < vecs; h++) {
                      rowAddress(r);
                      f.v128('v128.load', h * 16).set(acc[r][h]);
                    }
                  f.loop(() => {
                    for (let h = 0; h < vecs; h++)
                      f.get(b)
                        .v128('v128.load', h * 16)
                        .set(bv[h]);
                    for (let r = 0; r < MR; r++) {
                      f.get(a)
                        .v128('v128.load32_splat', r * 4)
                        .set(av);
                      for (let h = 0; h < vecs; h++) {
                        f.get(acc[r][h]).get(av).get(bv[h]).simd('f32x4.mul').simd('f32x4.add').set(acc[r][h]);
                      }
                    }
                    f.get(b)
                      .i32(NR * 4)
                      .op('i32.add')
                      .set(b);
                    f.get(a)
                      .i32(MR * 4)
                      .op('i32.add')
                      .tee(a)
                      .get(aEnd)
                      .op('i32.lt_u')
                      .brIf(0);
                  });
                  for (let r = 0; r < MR; r++)
                    for (let h = 0; h < vecs; h++) {
                      rowAddress(r);
                      f.get(acc[r][h]).v128('v128.store', h * 16);
                    }
                },
              );
            },
          );
        },
      );
    },
  );
  return f;
}

/**
 * <name>(src, dst, panels, k, laneStride, kStride): for each whole panel q < panels, dst gets W lanes per k step,
 * dst[(q*k + p)*W + l] = src[(q*W + l)*laneStride + p*kStride] (element strides; addresses in bytes). Lanes that
 * are adjacent in src (laneStride 1) move as f32x4 vectors. The caller zero-pads a final partial panel itself.
 */
export function emitPack(name: string, width: number): FuncBuilder {
  const f = new FuncBuilder(name, ['i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
  const [src, dst, panels, k, laneStride, kStride] = [0, 1, 2, 3, 4, 5];
  const q = f.local('i32'),
    p = f.local('i32'),
    s = f.local('i32'),
    panel = f.local('i32');
  const ls = f.local('i32'),
    ks = f.local('i32');
  f.get(laneStride).i32(4).op('i32.mul').set(ls);
  f.get(kStride).i32(4).op('i32.mul').set(ks);
  f.forRange(
    q,
    () => f.i32(0),
    () => f.get(panels),
    1,
    () => {
      // panel = src + q*W*ls: lane 0 of this panel at k step 0
      f.get(src).get(q).i32(width).op('i32.mul').get(ls).op('i32.mul').op('i32.add').set(panel);
      f.forRange(
        p,
        () => f.i32(0),
        () => f.get(k),
        1,
        () => {
          f.get(panel).get(p).get(ks).op('i32.mul').op('i32.add').set(s);
          f.get(laneStride)
            .i32(1)
            .op('i32.eq')
            .if(
              () => {
                for (let v = 0; v < width / 4; v++)
                  f.get(dst)
                    .get(s)
                    .v128('v128.load', v * 16)
                    .v128('v128.store', v * 16);
              },
              () => {
                for (let l = 0; l < width; l++) {
                  f.get(dst)
                    .get(s)
                    .load('f32.load')
                    .store('f32.store', l * 4);
                  if (l < width - 1) f.get(s).get(ls).op('i32.add').set(s);
                }
              },
            );
          f.get(dst)
            .i32(width * 4)
            .op('i32.add')
            .set(dst);
        },
      );
    },
  );
  return f;
}
