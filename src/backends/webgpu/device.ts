// Getting a GPUDevice: navigator.gpu in browsers (and Deno); in Node, the optional `webgpu` package (Dawn), loaded
// only here and only when asked for, so the core library keeps zero runtime dependencies.

import type { GPU, GPUDevice } from './gpu-types.js';

/** Debian's chromium package ships SwiftShader, a software Vulkan driver Dawn can use on machines with no GPU. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** What a Node user can do when WebGPU is missing. */
export const NODE_ADVICE =
  'In Node, WebGPU needs the optional `webgpu` npm package (Dawn: `npm install webgpu`) ' +
  'and a Vulkan driver; without a ' +
  'GPU install `chromium` and `libvulkan1` (apt) and set VK_ICD_FILENAMES=' +
  SWIFTSHADER_ICD +
  ' (SwiftShader). ' +
  'The CPU backend needs none of this.';

/** What a browser user can do when WebGPU is missing. */
export const BROWSER_ADVICE =
  'Open the page in a browser with WebGPU turned on (recent Chrome or Edge; Safari and Firefox in their newest ' +
  'versions; on Linux Chrome needs chrome://flags/#enable-unsafe-webgpu) and with hardware acceleration enabled ' +
  '(chrome://gpu shows whether WebGPU is blocked). Or keep the CPU backend, which works in every browser.';

/** WebGPU's buffer usage flags (values fixed by the spec), so no code depends on the GPUBufferUsage global, which
 *  Node only has once Dawn's globals are installed and TypeScript only knows with extra type packages. */
export const BufferUsage = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
/** WebGPU's GPUMapMode.READ, for the same reason. */
export const MAP_MODE_READ = 0x1;

interface NodeProcess {
  env: Record<string, string | undefined>;
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

function nodeProcess(): NodeProcess | undefined {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p?.versions?.node ? p : undefined;
}

/** When running under Node with no Vulkan driver chosen, point Dawn at SwiftShader if it is installed: without a
 *  choice the Vulkan loader may pick an ICD that cannot run compute (seen with lavapipe builds lacking features). */
function defaultToSwiftShader(proc: NodeProcess): void {
  if (proc.env.VK_ICD_FILENAMES !== undefined) return;
  // getBuiltinModule instead of an import, so browser bundles never meet a `node:` specifier
  const fs = proc.getBuiltinModule?.('node:fs') as { existsSync(path: string): boolean } | undefined;
  if (fs?.existsSync(SWIFTSHADER_ICD)) proc.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
}

/** Said when this environment offers no WebGPU at all. */
function noWebGpuMessage(): string {
  const page = globalThis as { isSecureContext?: boolean; location?: { origin?: string } };
  if (page.isSecureContext === false) {
    return (
      `initWebGPU: this page (${page.location?.origin ?? 'unknown origin'}) is not a secure context, and browsers ` +
      'offer WebGPU only on https:// pages or on localhost. ' +
      'Serve it over https or from localhost, or keep the CPU backend.'
    );
  }
  return `initWebGPU: this browser has no navigator.gpu. ${BROWSER_ADVICE}`;
}

async function findGpu(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  const proc = nodeProcess();
  if (!proc) throw new Error(noWebGpuMessage());
  defaultToSwiftShader(proc);
  // a variable specifier keeps bundlers from trying to pull the Node-only package into browser builds
  const pkg = 'webgpu';
  let mod: { create(flags: string[]): GPU; globals: object };
  try {
    // the comments keep Vite and webpack from warning that they cannot follow the (deliberately) variable specifier
    mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ pkg)) as typeof mod;
  } catch (e) {
    throw new Error(`initWebGPU: could not load the \`webgpu\` package (${(e as Error).message}). ${NODE_ADVICE}`);
  }
  // Dawn's globals (GPUBufferUsage, GPUMapMode...) are what WebGPU code expects to find on globalThis
  for (const [k, v] of Object.entries(mod.globals)) {
    if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  }
  // Dawn tears its instance down when this object is garbage collected, even with devices still in use
  dawnInstance ??= mod.create([]);
  return dawnInstance;
}

let dawnInstance: GPU | undefined;

export interface AcquiredDevice {
  device: GPUDevice;
  adapterName: string;
}

export async function acquireDevice(): Promise<AcquiredDevice> {
  const gpu = await findGpu();
  // laptops with two GPUs otherwise hand out the integrated one; training wants the discrete one
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    const proc = nodeProcess();
    const icd = proc?.env.VK_ICD_FILENAMES;
    throw new Error(
      `initWebGPU: no WebGPU adapter is available${icd ? ` (VK_ICD_FILENAMES=${icd})` : ''}. ` +
        (proc ? NODE_ADVICE : BROWSER_ADVICE),
    );
  }
  // ask for the adapter's full buffer limits: the defaults (128 MiB bindings) are smaller than many GPUs allow
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
  const info = adapter.info;
  const adapterName =
    [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ') || 'unknown adapter';
  return { device, adapterName };
}
