/** Probing what the device offers, from inside the worker, before anything is loaded. */
import type { Capabilities, WebGpuInfo } from '../core/capabilities.ts';

// A module whose one function returns `v128.const 0`: it validates only where WASM SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // magic, version
  0x01,
  0x05,
  0x01,
  0x60,
  0x00,
  0x01,
  0x7b, //       type: () -> v128
  0x03,
  0x02,
  0x01,
  0x00, //                         func 0 has type 0
  0x0a,
  0x16,
  0x01,
  0x14,
  0x00,
  0xfd,
  0x0c,
  ...new Array<number>(16).fill(0),
  0x0b, // code: v128.const 0; end
]);

async function probeWebGpu(): Promise<{ info: WebGpuInfo | null; reason: string | null }> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return { info: null, reason: 'navigator.gpu is undefined (WebGPU is disabled or unsupported in this browser)' };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (err) {
    return { info: null, reason: `requestAdapter() failed: ${String(err)}` };
  }
  if (!adapter) return { info: null, reason: 'requestAdapter() returned null (no usable GPU adapter)' };
  const info = adapter.info;
  return {
    info: {
      vendor: info?.vendor ?? '',
      architecture: info?.architecture ?? '',
      description: info?.description ?? '',
      shaderF16: adapter.features.has('shader-f16'),
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    },
    reason: null,
  };
}

let cached: Promise<Capabilities> | null = null;

export function probeCapabilities(): Promise<Capabilities> {
  cached ??= (async () => {
    const webgpu = await probeWebGpu();
    const nav = navigator as Navigator & { deviceMemory?: number; ml?: unknown };
    return {
      webgpu: webgpu.info,
      webgpuReason: webgpu.reason,
      webnn: typeof nav.ml !== 'undefined',
      wasm: {
        simd: WebAssembly.validate(SIMD_PROBE),
        threads: globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined',
      },
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      hardwareConcurrency: nav.hardwareConcurrency ?? null,
      deviceMemory: nav.deviceMemory ?? null,
      userAgent: nav.userAgent,
    };
  })();
  return cached;
}
