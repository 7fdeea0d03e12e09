// Running kernels: a pipeline cache, batched command submission, per-dispatch parameters in one uniform arena, async
// readback, and turning GPU-side failures (validation, out-of-memory, device loss, bad indices) into clear errors.
//
// Ops are synchronous to call, so every dispatch is only *encoded* here; the batch is submitted when a value is read
// or when the batch is full. Errors that WebGPU reports asynchronously are collected with error scopes (one pair per
// batch) and thrown from the next read, and from every op after that.

import type {
  GPUBindGroupLayout,
  GPUBuffer,
  GPUSupportedLimits,
  GPUCommandEncoder,
  GPUComputePassEncoder,
  GPUComputePipeline,
  GPUDevice,
  GPUUncapturedErrorEvent,
} from './gpu-types.js';
import { BufferPool } from './pool.js';
import { STATUS_WORDS, WORKGROUP } from './wgsl.js';
import { BufferUsage, MAP_MODE_READ } from './device.js';

/** Uniform slots are 256 bytes (the usual minUniformBufferOffsetAlignment): up to 64 u32 parameters per dispatch. */
export const PARAM_WORDS = 64;
const SLOT_BYTES = 256;
// 1024 slots (256 KiB of parameters): a small model's whole training step fits one batch, so one submit and one
// parameter upload per step
const SLOTS_PER_BATCH = 1024;
/** Uploads up to STAGED_MAX_BYTES (batches of ids, masks, sort plans) share one staging buffer of STAGE_BYTES per
 *  batch: one writeBuffer for all of them instead of one each. Larger ones are written directly. */
const STAGE_BYTES = 4 * 2 ** 20;
const STAGED_MAX_BYTES = 256 * 2 ** 10;

/** Names for the codes a kernel writes into the status buffer when it meets an index it cannot use. */
export const STATUS_OPS = ['', 'gather', 'scatterAdd'] as const;

/** Cumulative counts of what the backend asked the GPU to do, so tests and benchmarks can count what a step costs. */
export interface WebGPUStats {
  /** Compute dispatches encoded, and the workgroups they launch (64 invocations each for 1-D kernels). */
  dispatches: number;
  workgroups: number;
  /** queue.writeBuffer calls (tensor data and the per-batch parameter arena) and the bytes they moved. */
  uploads: number;
  uploadBytes: number;
  /** Command buffers submitted (batches and reads). */
  submits: number;
  /** GPU-to-CPU copies awaited (one per read). */
  readbacks: number;
  /** Compute pipelines compiled synchronously when first dispatched (each a stall: a shader compilation). */
  pipelines: number;
  /** Compute pipelines compiled ahead of use by warm() (createComputePipelineAsync). */
  warmedPipelines: number;
  /** Buffers zeroed on the GPU (clearBuffer) instead of uploading zeros. */
  clears: number;
}

const MIB = 2 ** 20;

/** How to get memory back after the GPU ran out: said in every out-of-memory error. */
export const OOM_RECOVERY =
  'tensors on this device are no longer valid; dispose what you no longer need (tidy() scopes, smaller batches or ' +
  'models), then call initWebGPU() again for a fresh device and re-create or reload your tensors';

/** Free-pool cap: a quarter of the largest buffer the device allows, at least 256 MiB, so big GPUs keep their
 *  temporaries warm and small ones do not hoard memory. */
export function poolCapFor(limits: GPUSupportedLimits): number {
  return Math.max(256 * MIB, Math.min(limits.maxBufferSize, 4096 * MIB) / 4);
}

export class Runner {
  readonly pool: BufferPool;
  private readonly pipelines = new Map<string, { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private readonly arena: GPUBuffer;
  private readonly arenaData: Uint32Array;
  /** Small uploads of the batch, written with one writeBuffer at submit and copied into place in command order. */
  private readonly stage: GPUBuffer;
  private readonly stageData: Uint8Array;
  private staged = 0;
  /** While set (by warm), dispatches only note their kernel here. */
  private recording: Map<string, () => string> | null = null;
  private slots = 0;
  private readonly slotBytes: number;
  /** Kernels that meet an out-of-range index record [flag, op code, index, axis size, axis] here. */
  readonly status: GPUBuffer;
  private fatal: Error | null = null;
  /** Error-scope results not yet settled (settled ones remove themselves, so this stays small). */
  private readonly scopeErrors = new Set<Promise<void>>();
  private readonly lost: Promise<never>;
  private readonly counts: WebGPUStats = {
    dispatches: 0,
    workgroups: 0,
    uploads: 0,
    uploadBytes: 0,
    submits: 0,
    readbacks: 0,
    pipelines: 0,
    warmedPipelines: 0,
    clears: 0,
  };

  /** `poolCapBytes` overrides the free-pool cap (tests use a small one to exercise the over-cap path). */
  constructor(
    readonly device: GPUDevice,
    poolCapBytes = poolCapFor(device.limits),
  ) {
    this.pool = new BufferPool(
      device,
      poolCapBytes,
      Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize),
    );
    this.slotBytes = Math.max(SLOT_BYTES, device.limits.minUniformBufferOffsetAlignment);
    this.arenaData = new Uint32Array((SLOTS_PER_BATCH * this.slotBytes) / 4);
    this.arena = device.createBuffer({
      size: SLOTS_PER_BATCH * this.slotBytes,
      usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST,
    });
    this.stageData = new Uint8Array(STAGE_BYTES);
    this.stage = device.createBuffer({ size: STAGE_BYTES, usage: BufferUsage.COPY_SRC | BufferUsage.COPY_DST });
    this.status = device.createBuffer({
      size: STATUS_WORDS * 4,
      usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
    });
    this.lost = device.lost.then((info) => {
      const err = new Error(
        `webgpu: the device was lost (${info.reason}${info.message ? `: ${info.message}` : ''}); ` +
          'tensors on it are gone; call initWebGPU() again to get a new device',
      );
      this.fatal ??= err;
      throw err;
    });
    this.lost.catch(() => undefined); // observed through `fatal` and read(); never an unhandled rejection
    device.addEventListener('uncapturederror', (ev) => {
      this.fatal ??= new Error(`webgpu: ${(ev as GPUUncapturedErrorEvent).error.message}`);
    });
    this.openScopes();
  }

  /** True once a failure has made the device unusable (lost, out of memory, a validation error). */
  get failed(): boolean {
    return this.fatal !== null;
  }

  /**
   * Throws the first asynchronous failure seen so far; ops call this so they fail fast instead of computing garbage.
   */
  check(op: string): void {
    if (this.fatal) throw new Error(`${op}: ${this.fatal.message}`);
  }

  /** Fails with a clear message before WebGPU would reject a binding that is too large. */
  checkSize(op: string, bytes: number): void {
    const max = Math.min(this.device.limits.maxStorageBufferBindingSize, this.device.limits.maxBufferSize);
    if (bytes > max) {
      throw new Error(
        `${op}: needs a GPU buffer of ${bytes} bytes, ` +
          `over this device's limit of ${max} bytes (maxStorageBufferBindingSize)`,
      );
    }
  }

  /** Encodes one dispatch of `groups` workgroups; the grid is split into x*y and kernels rebuild the linear id.
   *  `code` is only called when the pipeline is not cached. */
  dispatch(
    key: string,
    code: () => string,
    params: ArrayLike<number>,
    buffers: readonly GPUBuffer[],
    groups: number,
  ): void {
    if (this.recording) {
      this.recording.set(key, code);
      return;
    }
    if (groups === 0) return;
    const xy = grid(groups, this.device.limits.maxComputeWorkgroupsPerDimension, key);
    if (params.length > PARAM_WORDS)
      throw new Error(`webgpu: kernel ${key} has ${params.length} parameters (max ${PARAM_WORDS})`);
    if (this.slots === SLOTS_PER_BATCH) this.flush();
    const { pipeline, layout } = this.pipeline(key, code);
    const slot = this.slots++;
    this.arenaData.set(params, (slot * this.slotBytes) / 4);
    const bindGroup = this.device.createBindGroup({
      layout,
      entries: [
        { binding: 0, resource: { buffer: this.arena, offset: slot * this.slotBytes, size: PARAM_WORDS * 4 } },
        ...buffers.map((buffer, i) => ({ binding: i + 1, resource: { buffer } })),
      ],
    });
    const pass = this.openPass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(...xy);
    this.counts.dispatches++;
    this.counts.workgroups += groups;
  }

  /** A copy of the cumulative counts. */
  stats(): WebGPUStats {
    return { ...this.counts };
  }

  /** A kernel-output buffer of `bytes` zeroed on the GPU, in command order (no upload of zeros). */
  zeros(op: string, bytes: number): GPUBuffer {
    const buf = this.output(op, bytes);
    if (bytes === 0) return buf;
    this.endPass();
    this.encoder ??= this.device.createCommandEncoder();
    this.encoder.clearBuffer(buf, 0, Math.ceil(bytes / 4) * 4);
    this.counts.clears++;
    return buf;
  }

  /** True while encoded work has not been submitted (buffers it uses must not receive uploads yet). */
  get pending(): boolean {
    return this.encoder !== null;
  }

  /** Submits everything encoded so far. */
  flush(): void {
    if (this.encoder) {
      this.pass?.end();
      this.pass = null;
      // written just before the submit that reads it: queue order keeps it after the previous batch's use
      if (this.slots > 0) {
        this.device.queue.writeBuffer(this.arena, 0, this.arenaData, 0, (this.slots * this.slotBytes) / 4);
        this.counts.uploads++;
        this.counts.uploadBytes += this.slots * this.slotBytes;
      }
      if (this.staged > 0) {
        this.device.queue.writeBuffer(this.stage, 0, this.stageData, 0, this.staged);
        this.counts.uploads++;
        this.counts.uploadBytes += this.staged;
        this.staged = 0;
      }
      this.device.queue.submit([this.encoder.finish()]);
      this.counts.submits++;
      this.encoder = null;
      this.slots = 0;
    }
    this.pool.onSubmit();
    this.closeScopes();
    this.openScopes();
  }

  /**
   * Copies `bytes` from `buf` back to the CPU. Also reports errors raised by earlier work, so nothing fails silently.
   */
  async read(buf: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    this.check('read');
    this.flush();
    this.counts.readbacks++;
    const statusAt = Math.ceil(bytes / 4) * 4;
    // the status words ride along in the same staging buffer unless that would pass the device's buffer size limit
    const together = statusAt + STATUS_WORDS * 4 <= this.device.limits.maxBufferSize;
    // the read's own error scopes: a staging buffer the GPU has no memory for is reported as this read's failure
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    const data = this.device.createBuffer({
      size: together ? statusAt + STATUS_WORDS * 4 : Math.max(statusAt, 4),
      usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST,
    });
    const status = together
      ? data
      : this.device.createBuffer({ size: STATUS_WORDS * 4, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    const enc = this.device.createCommandEncoder();
    if (bytes > 0) enc.copyBufferToBuffer(buf, 0, data, 0, statusAt);
    enc.copyBufferToBuffer(this.status, 0, status, together ? statusAt : 0, STATUS_WORDS * 4);
    this.device.queue.submit([enc.finish()]);
    this.counts.submits++;
    const failure = this.popScopes(`read of ${bytes} bytes`, {
      count: together ? 1 : 2,
      bytes: statusAt + STATUS_WORDS * 4,
      largest: statusAt,
    });
    try {
      const maps = [data, status].filter((b, i) => i === 0 || b !== data).map((b) => b.mapAsync(MAP_MODE_READ));
      const mapped = Promise.all(maps);
      // when device loss or a failed allocation wins the race, the map's own rejection is expected
      mapped.catch(() => undefined);
      await Promise.race([mapped, this.lost]);
      const own = await failure;
      if (own) throw own;
      const all = data.getMappedRange().slice(0);
      const words = together
        ? new Int32Array(all, statusAt, STATUS_WORDS)
        : new Int32Array(status.getMappedRange().slice(0));
      data.unmap();
      if (status !== data) status.unmap();
      await this.throwScopeErrors();
      this.throwStatus(words);
      return all.slice(0, bytes);
    } catch (e) {
      this.check('read');
      const own = await failure;
      if (own) throw own;
      throw e;
    } finally {
      data.destroy();
      if (status !== data) status.destroy();
    }
  }

  /** A buffer for a kernel to write. */
  output(op: string, bytes: number): GPUBuffer {
    this.check(op);
    this.checkSize(op, bytes);
    return this.pool.acquire(bytes, false);
  }

  /** A buffer holding `data`. Small uploads are staged and copied in command order; large ones are written to the
   *  queue at once, so they take only buffers no unsubmitted command uses (see pool.ts). */
  upload(op: string, data: ArrayBufferView): GPUBuffer {
    this.check(op);
    this.checkSize(op, data.byteLength);
    const padded = Math.ceil(data.byteLength / 4) * 4;
    if (padded > 0 && padded <= STAGED_MAX_BYTES && this.staged + padded <= STAGE_BYTES) {
      // staged: copied into place by a command in encoder order, so any buffer will do, even one queued work still
      // reads
      const buf = this.pool.acquire(data.byteLength, false);
      this.stageData.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), this.staged);
      this.endPass();
      this.encoder ??= this.device.createCommandEncoder();
      this.encoder.copyBufferToBuffer(this.stage, this.staged, buf, 0, padded);
      this.staged += padded;
      return buf;
    }
    const buf = this.pool.acquire(data.byteLength, true);
    if (data.byteLength > 0) {
      this.device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
      this.counts.uploads++;
      this.counts.uploadBytes += data.byteLength;
    }
    return buf;
  }

  /** Back to the pool (a tensor was disposed, or a kernel's temporary is done). */
  release(buf: GPUBuffer): void {
    this.pool.release(buf, this.pending);
  }

  /**
   * Compiles, with createComputePipelineAsync (off the calling thread where the browser can), the kernels that
   * `calls` would dispatch: they are run in a recording mode that only notes each kernel's key and source. Kernels
   * already compiled are skipped; a kernel needed before its warm-up finishes is compiled synchronously as usual.
   */
  async warm(calls: () => void): Promise<number> {
    const found = new Map<string, () => string>();
    this.recording = found;
    try {
      calls();
    } finally {
      this.recording = null;
    }
    const todo = [...found].filter(([key]) => !this.pipelines.has(key));
    await Promise.all(
      todo.map(async ([key, code]) => {
        const module = this.device.createShaderModule({ label: key, code: code() });
        const pipeline = await this.device.createComputePipelineAsync({
          label: key,
          layout: 'auto',
          compute: { module, entryPoint: 'main' },
        });
        this.counts.warmedPipelines++;
        if (!this.pipelines.has(key)) this.pipelines.set(key, { pipeline, layout: pipeline.getBindGroupLayout(0) });
      }),
    );
    return todo.length;
  }

  private pipeline(key: string, code: () => string): { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout } {
    let p = this.pipelines.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ label: key, code: code() });
      const pipeline = this.device.createComputePipeline({
        label: key,
        layout: 'auto',
        compute: { module, entryPoint: 'main' },
      });
      this.counts.pipelines++;
      p = { pipeline, layout: pipeline.getBindGroupLayout(0) };
      this.pipelines.set(key, p);
    }
    return p;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  private openPass(): GPUComputePassEncoder {
    if (!this.pass) {
      this.encoder ??= this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass();
    }
    return this.pass;
  }

  private openScopes(): void {
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
  }

  private closeScopes(): void {
    const p = this.popScopes('batch of GPU work', this.pool.takeCreated())
      .then((err) => {
        if (err) this.fatal ??= err;
      })
      .finally(() => this.scopeErrors.delete(p));
    this.scopeErrors.add(p);
  }

  /**
   * Pops a pair of scopes pushed as [out-of-memory, validation] and turns what they caught into one error. Running out
   * of memory wins over the validation errors it causes ("Invalid Buffer ... due to a previous error"), and says how
   * many bytes the work was asking for and how to recover.
   */
  private popScopes(what: string, asked: { count: number; bytes: number; largest: number }): Promise<Error | null> {
    const validation = this.device.popErrorScope().catch(() => null);
    const oom = this.device.popErrorScope().catch(() => null);
    return Promise.all([validation, oom]).then(([v, o]) => {
      if (o) {
        return new Error(
          `webgpu: out of GPU memory during a ${what} ` +
            `that allocated ${asked.count} new buffer(s) of ${asked.bytes} bytes ` +
            `in total (largest ${asked.largest} bytes): ${o.message}. To recover: ${OOM_RECOVERY}`,
        );
      }
      return v ? new Error(`webgpu: validation error: ${v.message}`) : null;
    });
  }

  /** Waits for the error scopes still open on the GPU timeline, then throws what they caught. */
  private async throwScopeErrors(): Promise<void> {
    await Promise.all([...this.scopeErrors]);
    this.check('read');
  }

  private throwStatus(words: Int32Array): void {
    if (words[0] === 0) return;
    this.device.queue.writeBuffer(this.status, 0, new Uint32Array(STATUS_WORDS));
    const op = STATUS_OPS[words[1]] ?? 'kernel';
    throw new Error(
      `${op}: index ${words[2]} is out of range for axis ${words[4]} of size ${words[3]} ` +
        '(found by a GPU kernel that ran before this read; the result it computed is not valid)',
    );
  }
}

/** Splits a 1-D workgroup count into x*y within the per-dimension limit; kernels rebuild the linear id. */
function grid(groups: number, max: number, key: string): [number, number] {
  if (groups <= max) return [groups, 1];
  const y = Math.ceil(groups / max);
  if (y > max)
    throw new Error(`webgpu: kernel ${key} needs ${groups} workgroups of ${WORKGROUP}, over the device limit`);
  return [Math.ceil(groups / y), y];
}
