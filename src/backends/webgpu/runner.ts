// Running kernels: a pipeline cache, batched command submission, per-dispatch parameters in one uniform arena, async
// readback, and turning GPU-side failures (validation, out-of-memory, device loss, bad indices) into clear errors.
//
// Ops are synchronous to call, so every dispatch is only *encoded* here; the batch is submitted when a value is read
// or when the batch is full. Errors that WebGPU reports asynchronously are collected with error scopes (one pair per
// batch) and thrown from the next read, and from every op after that.

import type { GPUBindGroupLayout, GPUBuffer, GPUCommandEncoder, GPUComputePassEncoder, GPUComputePipeline, GPUDevice, GPUUncapturedErrorEvent } from './gpu-types.js';
import { BufferPool } from './pool.js';
import { STATUS_WORDS, WORKGROUP } from './wgsl.js';
import { BufferUsage, MAP_MODE_READ } from './device.js';

/** Uniform slots are 256 bytes (the usual minUniformBufferOffsetAlignment): up to 64 u32 parameters per dispatch. */
export const PARAM_WORDS = 64;
const SLOT_BYTES = 256;
const SLOTS_PER_BATCH = 256;

/** Names for the codes a kernel writes into the status buffer when it meets an index it cannot use. */
export const STATUS_OPS = ['', 'gather', 'scatterAdd'] as const;

export class Runner {
  readonly pool: BufferPool;
  private readonly pipelines = new Map<string, { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private readonly arena: GPUBuffer;
  private readonly arenaData: Uint32Array;
  private slots = 0;
  private readonly slotBytes: number;
  /** Kernels that meet an out-of-range index record [flag, op code, index, axis size, axis] here. */
  readonly status: GPUBuffer;
  private fatal: Error | null = null;
  /** Error-scope results not yet settled (settled ones remove themselves, so this stays small). */
  private readonly scopeErrors = new Set<Promise<void>>();
  private readonly lost: Promise<never>;

  constructor(readonly device: GPUDevice) {
    this.pool = new BufferPool(device, 256 * 2 ** 20, Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize));
    this.slotBytes = Math.max(SLOT_BYTES, device.limits.minUniformBufferOffsetAlignment);
    this.arenaData = new Uint32Array((SLOTS_PER_BATCH * this.slotBytes) / 4);
    this.arena = device.createBuffer({ size: SLOTS_PER_BATCH * this.slotBytes, usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST });
    this.status = device.createBuffer({ size: STATUS_WORDS * 4, usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST });
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

  /** Throws the first asynchronous failure seen so far; ops call this so they fail fast instead of computing garbage. */
  check(op: string): void {
    if (this.fatal) throw new Error(`${op}: ${this.fatal.message}`);
  }

  /** Fails with a clear message before WebGPU would reject a binding that is too large. */
  checkSize(op: string, bytes: number): void {
    const max = Math.min(this.device.limits.maxStorageBufferBindingSize, this.device.limits.maxBufferSize);
    if (bytes > max) {
      throw new Error(`${op}: needs a GPU buffer of ${bytes} bytes, over this device's limit of ${max} bytes (maxStorageBufferBindingSize)`);
    }
  }

  /** Encodes one dispatch of `groups` workgroups of a 1-D kernel. `code` is only called when the pipeline is not cached. */
  dispatch(key: string, code: () => string, params: ArrayLike<number>, buffers: readonly GPUBuffer[], groups: number): void {
    const [x, y] = grid(groups, this.device.limits.maxComputeWorkgroupsPerDimension, key);
    this.dispatch3(key, code, params, buffers, [x, y, 1]);
  }

  /** Encodes one dispatch of a kernel that indexes its grid in up to three dimensions (matmul: tiles x batch). */
  dispatch3(key: string, code: () => string, params: ArrayLike<number>, buffers: readonly GPUBuffer[], xyz: [number, number, number]): void {
    const max = this.device.limits.maxComputeWorkgroupsPerDimension;
    if (xyz.some((d) => d > max)) throw new Error(`webgpu: kernel ${key} needs a grid of [${xyz}] workgroups, over the limit of ${max} per dimension`);
    if (xyz.some((d) => d === 0)) return;
    if (params.length > PARAM_WORDS) throw new Error(`webgpu: kernel ${key} has ${params.length} parameters (max ${PARAM_WORDS})`);
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
    pass.dispatchWorkgroups(...xyz);
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
      this.device.queue.writeBuffer(this.arena, 0, this.arenaData, 0, (this.slots * this.slotBytes) / 4);
      this.device.queue.submit([this.encoder.finish()]);
      this.encoder = null;
      this.slots = 0;
    }
    this.pool.onSubmit();
    this.closeScopes();
    this.openScopes();
  }

  /** Copies `bytes` from `buf` back to the CPU. Also reports errors raised by earlier work, so nothing fails silently. */
  async read(buf: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    this.check('read');
    this.flush();
    const statusAt = Math.ceil(bytes / 4) * 4;
    const staging = this.device.createBuffer({ size: statusAt + STATUS_WORDS * 4, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    const enc = this.device.createCommandEncoder();
    if (bytes > 0) enc.copyBufferToBuffer(buf, 0, staging, 0, statusAt);
    enc.copyBufferToBuffer(this.status, 0, staging, statusAt, STATUS_WORDS * 4);
    this.device.queue.submit([enc.finish()]);
    try {
      const mapped = staging.mapAsync(MAP_MODE_READ);
      mapped.catch(() => undefined); // when device loss wins the race, the map's own rejection is expected
      await Promise.race([mapped, this.lost]);
      const all = staging.getMappedRange().slice(0);
      staging.unmap();
      await this.throwScopeErrors();
      this.throwStatus(new Int32Array(all, statusAt, STATUS_WORDS));
      return all.slice(0, bytes);
    } catch (e) {
      this.check('read');
      throw e;
    } finally {
      staging.destroy();
    }
  }

  /** A buffer for a kernel to write. */
  output(op: string, bytes: number): GPUBuffer {
    this.check(op);
    this.checkSize(op, bytes);
    return this.pool.acquire(bytes, false);
  }

  /** A buffer holding `data`, taken only from buffers no unsubmitted command uses (see pool.ts). */
  upload(op: string, data: ArrayBufferView): GPUBuffer {
    this.check(op);
    this.checkSize(op, data.byteLength);
    const buf = this.pool.acquire(data.byteLength, true);
    if (data.byteLength > 0) this.device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
    return buf;
  }

  /** Back to the pool (a tensor was disposed, or a kernel's temporary is done). */
  release(buf: GPUBuffer): void {
    this.pool.release(buf, this.pending);
  }

  private pipeline(key: string, code: () => string): { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout } {
    let p = this.pipelines.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ label: key, code: code() });
      const pipeline = this.device.createComputePipeline({ label: key, layout: 'auto', compute: { module, entryPoint: 'main' } });
      p = { pipeline, layout: pipeline.getBindGroupLayout(0) };
      this.pipelines.set(key, p);
    }
    return p;
  }

  private openPass(): GPUComputePassEncoder {
    if (!this.pass) {
      this.encoder = this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass();
    }
    return this.pass;
  }

  private openScopes(): void {
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
  }

  private closeScopes(): void {
    // scopes pop in reverse order of openScopes: validation first, then out-of-memory
    for (const kind of ['validation error', 'out of GPU memory']) {
      const p: Promise<void> = this.device.popErrorScope().then((err) => {
        if (err) this.fatal ??= new Error(`webgpu: ${kind}: ${err.message}`);
      }, () => undefined).finally(() => this.scopeErrors.delete(p));
      this.scopeErrors.add(p);
    }
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
  if (y > max) throw new Error(`webgpu: kernel ${key} needs ${groups} workgroups of ${WORKGROUP}, over the device limit`);
  return [Math.ceil(groups / y), y];
}
