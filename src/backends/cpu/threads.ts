// An opt-in worker_threads pool for matmul: `setCpuThreads(n)` starts n - 1 workers; each large matmul is cut into
// chunks of output rows (or columns, when that re-packs less) that the workers and the calling thread claim with an
// atomic counter, so a thread the OS
// deschedules (a shared or busy machine) simply claims fewer chunks instead of stalling the others. Operands are
// copied into one grow-only SharedArrayBuffer (O(mk + kn) next to O(mnk) work) and the calling thread blocks on
// Atomics.wait until every chunk is done, so ops stay synchronous. Every output element is computed by one thread in
// the same order as on the single-threaded path, so results are bit-identical whatever the thread count.
// Workers are unref'd (they never keep the process alive) and run the same kernel functions as the single-threaded
// path, shipped as source so no separate worker file has to be resolved or transpiled. Where worker_threads or
// SharedArrayBuffer is missing (browsers, where the main thread may not block either; Node before 20.16, which has no
// process.getBuiltinModule) the pool stays off and matmuls run on the calling thread.

import type { MatmulSpec, TypedArray } from '../backend.js';
import { KERNEL_PARTS, MR, NR, PackBuffers, batchOffsets, runShare } from './matmul.js';

/** Below this many multiply-adds (about 0.15 ms of work) the tens of microseconds to wake a worker are not worth it. */
const MIN_WORK = 1 << 19;
const HEADER = 16; // int32 slots at the start of the data buffer describing the job
const SLOT = 4; // int32 slots per worker in the control buffer: [unused, unused, done generation, ready]
const CHUNKS_PER_THREAD = 3; // more chunks balance better; each chunk re-packs B, so not too many
const BOOT_MS = 10_000; // a worker that has not started by then is taken as unavailable
const JOB_MS = 120_000; // a share that takes longer means a dead worker; fail loudly instead of hanging
const GEN = 0; // control index: job generation, bumped per job; workers wait on it
const QUIT = 1;
const NEXT = 2; // control index: next chunk to claim
const CHUNK = 3; // rows or columns per chunk
const ROWS = 4; // rows (batch x m) or columns in the job

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
}
interface NodePort {
  postMessage(m: unknown): void;
  close(): void;
}
interface WorkerThreads {
  Worker: new (src: string, opts: { eval: true; workerData: unknown; transferList: unknown[] }) => NodeWorker;
  MessageChannel: new () => { port1: NodePort; port2: unknown };
}

/** Claims chunks of the current job until none are left. Self-contained: shipped to workers too. */
function claimChunks(ctrl: Int32Array, run: (lo: number, hi: number) => void): void {
  const chunk = ctrl[3];
  const rows = ctrl[4];
  for (let lo = Atomics.add(ctrl, 2, 1) * chunk; lo < rows; lo = Atomics.add(ctrl, 2, 1) * chunk)
    run(lo, Math.min(rows, lo + chunk));
}

/** The worker's program: wait for a generation bump, pick up a new data buffer if one was posted, claim chunks. */
// Self-contained like the kernels (a test runner may rewrite references to imports), so it gets `run` passed in.
function workerMain(
  ctrl: Int32Array,
  index: number,
  receive: () => SharedArrayBuffer | undefined,
  run: (data: SharedArrayBuffer, lo: number, hi: number) => void,
): void {
  let data: SharedArrayBuffer | undefined;
  let gen = 0;
  const slot = 8 + index * 4;
  Atomics.store(ctrl, slot + 3, 1); // ready
  Atomics.notify(ctrl, slot + 3);
  for (;;) {
    Atomics.wait(ctrl, 0, gen);
    gen = Atomics.load(ctrl, 0);
    if (Atomics.load(ctrl, 1) === 1) return;
    for (let next = receive(); next; next = receive()) data = next;
    let status = gen;
    try {
      const job = data!;
      claimChunks(ctrl, (lo, hi) => run(job, lo, hi));
    } catch {
      status = -gen;
    }
    Atomics.store(ctrl, slot + 2, status);
    Atomics.notify(ctrl, slot + 2);
  }
}

function workerSource(): string {
  const consts = Object.entries(KERNEL_PARTS.constants)
    .map(([k, v]) => `const ${k} = ${v};`)
    .join('\n');
  return [
    // transpilers that keep function names may emit __name(...) calls; make them no-ops here
    'const __name = (f) => f;',
    consts,
    ...KERNEL_PARTS.code.map((f) => f.toString()),
    claimChunks.toString(),
    workerMain.toString(),
    `const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const port = workerData.port;
const bufs = new PackBuffers();
workerMain(new Int32Array(workerData.ctrl), workerData.index, () => receiveMessageOnPort(port)?.message,
  (data, lo, hi) => runShare(data, lo, hi, bufs));`,
  ].join('\n');
}

interface Pool {
  workers: NodeWorker[];
  ports: NodePort[];
  ctrl: Int32Array;
  data: SharedArrayBuffer;
  bufs: PackBuffers;
}

let pool: Pool | null = null;
let threads = 1;

function workerThreads(): WorkerThreads | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined;
}

/**
 * Sets how many threads CPU matmuls may use (1 = off, the default). Returns the count actually in effect: 1
 * where worker_threads is unavailable. Workers start now and are stopped by `setCpuThreads(1)`.
 */
export function setCpuThreads(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setCpuThreads: expected an integer >= 1, got ${n}`);
  if (n === threads) return threads;
  stopPool();
  const wt = n > 1 && typeof SharedArrayBuffer === 'function' ? workerThreads() : undefined;
  if (!wt) return (threads = 1);
  const ctrl = new Int32Array(new SharedArrayBuffer(4 * (8 + SLOT * (n - 1))));
  const src = workerSource();
  const workers: NodeWorker[] = [];
  const ports: NodePort[] = [];
  for (let i = 0; i < n - 1; i++) {
    const { port1, port2 } = new wt.MessageChannel();
    const w = new wt.Worker(src, {
      eval: true,
      workerData: { ctrl: ctrl.buffer, index: i, port: port2 },
      transferList: [port2],
    });
    w.unref();
    workers.push(w);
    ports.push(port1);
  }
  pool = { workers, ports, ctrl, data: new SharedArrayBuffer(0), bufs: new PackBuffers() };
  threads = n;
  for (let w = 0; w < n - 1; w++) {
    if (Atomics.wait(ctrl, 8 + w * SLOT + 3, 0, BOOT_MS) === 'timed-out') {
      stopPool();
      return threads;
    }
  }
  return threads;
}

/** The number of threads the CPU matmul uses (1 unless setCpuThreads raised it). */
export function cpuThreads(): number {
  return threads;
}

function stopPool(): void {
  if (!pool) return;
  Atomics.store(pool.ctrl, QUIT, 1);
  Atomics.add(pool.ctrl, GEN, 1);
  Atomics.notify(pool.ctrl, GEN);
  for (const w of pool.workers) void w.terminate();
  for (const p of pool.ports) p.close();
  pool = null;
  threads = 1;
}

/** Lays the job out in the shared buffer (growing it if needed); returns the views the result is read from. */
function stage(
  p: Pool,
  a: TypedArray,
  b: TypedArray,
  outLen: number,
  spec: MatmulSpec,
  batches: number,
  byColumns: boolean,
): TypedArray {
  const f64 = a instanceof Float64Array;
  const bytes = f64 ? 8 : 4;
  const view = (pos: number, len: number): Float32Array | Float64Array =>
    f64 ? new Float64Array(p.data, pos, len) : new Float32Array(p.data, pos, len);
  const align = (x: number): number => Math.ceil(x / 8) * 8;
  const aOffsPos = HEADER * 4;
  const bOffsPos = align(aOffsPos + batches * 4);
  const aPos = align(bOffsPos + batches * 4);
  const bPos = align(aPos + a.length * bytes);
  const outPos = align(bPos + b.length * bytes);
  const need = outPos + outLen * bytes;
  if (p.data.byteLength < need) {
    p.data = new SharedArrayBuffer(Math.max(need, 2 * p.data.byteLength));
    for (const port of p.ports) port.postMessage(p.data);
  }
  const h = new Int32Array(p.data, 0, HEADER);
  h.set([
    f64 ? 1 : 0,
    batches,
    spec.m,
    spec.n,
    spec.k,
    spec.transA ? 1 : 0,
    spec.transB ? 1 : 0,
    aOffsPos,
    bOffsPos,
    aPos,
    bPos,
    outPos,
    a.length,
    b.length,
    outLen,
    byColumns ? 1 : 0,
  ]);
  new Int32Array(p.data, aOffsPos, batches).set(batchOffsets(spec.batchShape, spec.aBatchStrides));
  new Int32Array(p.data, bOffsPos, batches).set(batchOffsets(spec.batchShape, spec.bBatchStrides));
  view(aPos, a.length).set(a);
  view(bPos, b.length).set(b);
  const out = view(outPos, outLen);
  out.fill(0);
  return out;
}

/** Runs the matmul on the pool into `out` (zeroed); returns false when the pool is off or the job is too small. */
export function threadedMatmul(a: TypedArray, b: TypedArray, out: TypedArray, spec: MatmulSpec): boolean {
  const p = pool;
  const batches = out.length / Math.max(1, spec.m * spec.n);
  if (!p || a instanceof Int32Array || out.length === 0 || batches * spec.m * spec.n * spec.k < MIN_WORK) return false;
  // a row chunk re-packs all of B (k x n), a column chunk all of A (m x k): split so the smaller one is repeated
  const byColumns = batches === 1 && spec.m < spec.n;
  const shared = stage(p, a, b, out.length, spec, batches, byColumns);
  const units = byColumns ? spec.n : batches * spec.m;
  const align = byColumns ? NR : MR;
  const { ctrl } = p;
  ctrl[ROWS] = units;
  ctrl[CHUNK] = Math.max(align, Math.ceil(units / (threads * CHUNKS_PER_THREAD) / align) * align);
  Atomics.store(ctrl, NEXT, 0);
  const gen = Atomics.add(ctrl, GEN, 1) + 1;
  Atomics.notify(ctrl, GEN);
  claimChunks(ctrl, (lo, hi) => runShare(p.data, lo, hi, p.bufs));
  for (let w = 0; w < p.workers.length; w++) {
    const at = 8 + w * SLOT + 2;
    for (let s = Atomics.load(ctrl, at); s !== gen && s !== -gen; s = Atomics.load(ctrl, at)) {
      if (Atomics.wait(ctrl, at, s, JOB_MS) === 'timed-out')
        throw new Error(`matmul: worker ${w} did not answer in ${JOB_MS / 1000} s`);
    }
    if (Atomics.load(ctrl, at) === -gen)
      throw new Error(`matmul: worker ${w} failed on ${spec.m}x${spec.k} @ ${spec.k}x${spec.n}`);
  }
  out.set(shared);
  return true;
}
