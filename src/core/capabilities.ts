/** What the device offers, probed before loading, and the pure rule that turns a spec into "unsupported: why" on this device. */
import type { RunSpec } from './spec.ts';
import { ortDefaultThreads, type ThreadDevice } from './threads.ts';
import { FP16_COMPUTE_DTYPES, type Device } from './vocab.ts';

export interface WebGpuInfo {
  vendor: string;
  architecture: string;
  description: string;
  shaderF16: boolean;
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

export interface Capabilities {
  /** Adapter details, or null with `webgpuReason`. */
  webgpu: WebGpuInfo | null;
  webgpuReason: string | null;
  webnn: boolean;
  wasm: {
    simd: boolean;
    /** SharedArrayBuffer is only there when cross-origin isolated, so WASM threads need COOP/COEP. */
    threads: boolean;
  };
  crossOriginIsolated: boolean;
  hardwareConcurrency: number | null;
  deviceMemory: number | null;
  userAgent: string;
}

/**
 * Why this device cannot run the spec (its backend is missing, or lacks what the level needs), or null when it can
 * try. Checked before anything is fetched, after the engine's own limits (src/engines/engine.ts's unsupportedBy).
 */
export function unsupportedReason(spec: RunSpec, caps: Capabilities): string | null {
  switch (spec.device) {
    case 'webgpu': {
      const gpu = caps.webgpu;
      if (!gpu) return `WebGPU is not available here: ${caps.webgpuReason ?? 'no adapter'}. Use device "wasm".`;
      if (FP16_COMPUTE_DTYPES.has(spec.model.dtype) && !gpu.shaderF16) {
        return `The WebGPU adapter (${gpu.vendor} ${gpu.architecture}) lacks the "shader-f16" feature that ${spec.model.dtype} needs. Use fp32, q8 or q4 on webgpu, or ${spec.model.dtype} on wasm.`;
      }
      return null;
    }
    case 'webnn':
      return caps.webnn ? null : 'WebNN (navigator.ml) is not available in this browser. Use device "wasm" or "webgpu".';
    case 'wasm':
      return caps.wasm.simd ? null : 'This browser lacks WebAssembly SIMD, which onnxruntime-web requires.';
  }
}

/** WASM threads for work the page did not choose a count for (inspection, bare loops): the count asked, else onnxruntime-web's default. */
export function resolveThreads(requested: number | null | undefined, caps: Capabilities): number {
  if (!caps.wasm.threads) return 1;
  if (requested != null && requested >= 1) return Math.floor(requested);
  return ortDefaultThreads({ hardwareConcurrency: caps.hardwareConcurrency, threads: true });
}

/** The part of the capabilities thread choices depend on. */
export const threadDevice = (caps: Capabilities): ThreadDevice => ({ hardwareConcurrency: caps.hardwareConcurrency, threads: caps.wasm.threads });

/**
 * A WebGPU adapter that is the CPU pretending to be a GPU (SwiftShader, llvmpipe, Windows' basic render driver):
 * correct, but its timings say nothing about a GPU and it is ~1 GFLOP/s, so the claims suite leaves it out unless asked.
 */
export function isSoftwareAdapter(gpu: Pick<WebGpuInfo, 'vendor' | 'architecture' | 'description'>): boolean {
  return /swiftshader|llvmpipe|lavapipe|software|basic render/i.test(`${gpu.vendor} ${gpu.architecture} ${gpu.description}`);
}

/**
 * The backends a suite runs when none are named (the default bench, the claims suite): wasm, and webgpu unless the
 * adapter is a CPU emulation (SwiftShader here runs a 3.8 B model's prefill for tens of minutes, and its figures say
 * nothing about a GPU). `note` says in one line why WebGPU was left out.
 */
export function defaultDevices(
  caps: Pick<Capabilities, 'webgpu' | 'webgpuReason'>,
  /** Who reads the note: the CLI's advice names a flag, the app's a checkbox. */
  reader: 'cli' | 'app' = 'cli',
): { devices: Device[]; note: string | null } {
  if (caps.webgpu && !isSoftwareAdapter(caps.webgpu)) return { devices: ['wasm', 'webgpu'], note: null };
  const why = caps.webgpu
    ? `the WebGPU adapter is ${caps.webgpu.vendor} ${caps.webgpu.architecture}, a CPU emulation whose timings say nothing about a GPU`
    : `there is no WebGPU (${caps.webgpuReason ?? 'no adapter'})`;
  const how = reader === 'cli' ? 'Name it to run it too (--device wasm,webgpu).' : 'Tick WebGPU under Backends to run it too.';
  return { devices: ['wasm'], note: `WebGPU left out: ${why}. ${how}` };
}
