// The part of the WebGPU API this backend uses, declared here so that slimegrad's published declarations need
// neither @webgpu/types nor a TypeScript whose DOM library knows WebGPU (5.x does not, and Node consumers have no DOM
// library at all). The backend's files import these names, which shadow the global ones where a DOM library declares
// them; the objects a browser or Dawn hands out have every member listed here. Usage flags are plain numbers (see
// BufferUsage in device.ts).

export interface GPUBuffer {
  readonly size: number;
  mapAsync(mode: number, offset?: number, size?: number): Promise<unknown>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}

export interface GPUSupportedLimits {
  readonly maxBufferSize: number;
  readonly maxStorageBufferBindingSize: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly minUniformBufferOffsetAlignment: number;
}

export interface GPUShaderModule {
  readonly label: string;
}

export interface GPUBindGroupLayout {
  readonly label: string;
}

export interface GPUBindGroup {
  readonly label: string;
}

export interface GPUComputePipeline {
  getBindGroupLayout(index: number): GPUBindGroupLayout;
}

export interface GPUBufferBinding {
  buffer: GPUBuffer;
  offset?: number;
  size?: number;
}

export interface GPUComputePassEncoder {
  setPipeline(pipeline: GPUComputePipeline): void;
  setBindGroup(index: number, group: GPUBindGroup): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}

/** The opaque result of GPUCommandEncoder.finish(). */
export interface GPUCommandBuffer {
  readonly label: string;
}

export interface GPUCommandEncoder {
  beginComputePass(): GPUComputePassEncoder;
  copyBufferToBuffer(
    source: GPUBuffer,
    sourceOffset: number,
    destination: GPUBuffer,
    destinationOffset: number,
    size: number,
  ): void;
  clearBuffer(buffer: GPUBuffer, offset?: number, size?: number): void;
  finish(): GPUCommandBuffer;
}

export interface GPUQueue {
  writeBuffer(
    buffer: GPUBuffer,
    bufferOffset: number,
    data: ArrayBufferLike | ArrayBufferView,
    dataOffset?: number,
    size?: number,
  ): void;
  submit(commandBuffers: readonly GPUCommandBuffer[]): void;
}

export interface GPUError {
  readonly message: string;
}

export interface GPUUncapturedErrorEvent {
  readonly error: GPUError;
}

export interface GPUDeviceLostInfo {
  readonly reason: string;
  readonly message: string;
}

export interface GPUDevice {
  readonly limits: GPUSupportedLimits;
  readonly queue: GPUQueue;
  readonly lost: Promise<GPUDeviceLostInfo>;
  createBuffer(descriptor: { size: number; usage: number; label?: string }): GPUBuffer;
  createShaderModule(descriptor: { code: string; label?: string }): GPUShaderModule;
  createComputePipeline(descriptor: {
    layout: 'auto';
    compute: { module: GPUShaderModule; entryPoint?: string };
    label?: string;
  }): GPUComputePipeline;
  createComputePipelineAsync(descriptor: {
    layout: 'auto';
    compute: { module: GPUShaderModule; entryPoint?: string };
    label?: string;
  }): Promise<GPUComputePipeline>;
  createBindGroup(descriptor: {
    layout: GPUBindGroupLayout;
    entries: readonly { binding: number; resource: GPUBufferBinding }[];
    label?: string;
  }): GPUBindGroup;
  createCommandEncoder(): GPUCommandEncoder;
  pushErrorScope(filter: 'validation' | 'out-of-memory' | 'internal'): void;
  popErrorScope(): Promise<GPUError | null>;
  addEventListener(type: 'uncapturederror', listener: (event: GPUUncapturedErrorEvent) => void): void;
  destroy(): void;
}

export interface GPUAdapterInfo {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
}

export interface GPUAdapter {
  readonly limits: GPUSupportedLimits;
  readonly info?: GPUAdapterInfo;
  requestDevice(descriptor?: { requiredLimits?: Record<string, number> }): Promise<GPUDevice>;
}

export interface GPU {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<GPUAdapter | null>;
}
