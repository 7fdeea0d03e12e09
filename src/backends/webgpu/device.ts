// Getting a GPUDevice: navigator.gpu in browsers (and Deno); in Node, the optional `webgpu` package (Dawn), loaded
// only here and only when asked for, so the core library keeps zero runtime dependencies.

/** Debian's chromium package ships SwiftShader, a software Vulkan driver Dawn can use on machines with no GPU. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export const HOW_TO_ENABLE =
  'In Node, WebGPU needs the `webgpu` npm package (Dawn) and a Vulkan driver; without a GPU install ' +
  '`chromium` and `libvulkan1` (apt) and set VK_ICD_FILENAMES=' + SWIFTSHADER_ICD + ' (SwiftShader). ' +
  'In a browser, use one with WebGPU enabled (Chromium: --enable-unsafe-webgpu).';

interface NodeProcess {
  env: Record<string, string | undefined>;
  versions?: { node?: string };
}

function nodeProcess(): NodeProcess | undefined {
  const p = (globalThis as { process?: NodeProcess }).process;
  return p?.versions?.node ? p : undefined;
}

/** When running under Node with no Vulkan driver chosen, point Dawn at SwiftShader if it is installed: without a
 *  choice the Vulkan loader may pick an ICD that cannot run compute (seen with lavapipe builds lacking features). */
async function defaultToSwiftShader(proc: NodeProcess): Promise<void> {
  if (proc.env.VK_ICD_FILENAMES !== undefined) return;
  try {
    const fs = await import('node:fs');
    if (fs.existsSync(SWIFTSHADER_ICD)) proc.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  } catch {
    // not a real Node (a bundler shim): nothing to default
  }
}

async function findGpu(): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  const proc = nodeProcess();
  if (!proc) throw new Error(`initWebGPU: this environment has no navigator.gpu. ${HOW_TO_ENABLE}`);
  await defaultToSwiftShader(proc);
  // a variable specifier keeps bundlers from trying to pull the Node-only package into browser builds
  const pkg = 'webgpu';
  let mod: { create(flags: string[]): GPU; globals: object };
  try {
    mod = (await import(pkg)) as typeof mod;
  } catch (e) {
    throw new Error(`initWebGPU: could not load the \`webgpu\` package (${(e as Error).message}). ${HOW_TO_ENABLE}`);
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
    const icd = nodeProcess()?.env.VK_ICD_FILENAMES;
    throw new Error(`initWebGPU: no WebGPU adapter is available${icd ? ` (VK_ICD_FILENAMES=${icd})` : ''}. ${HOW_TO_ENABLE}`);
  }
  // ask for the adapter's full buffer limits: the defaults (128 MiB bindings) are smaller than many GPUs allow
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
    },
  });
  const info = adapter.info;
  const adapterName = [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ') || 'unknown adapter';
  return { device, adapterName };
}
