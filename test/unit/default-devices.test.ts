// Which backends a suite runs when none are named: a software WebGPU adapter is left out, with the reason.
import { describe, expect, it } from 'vitest';
import { defaultDevices } from '../../src/core/capabilities.ts';

const gpu = (vendor: string, architecture: string, description = '') => ({
  webgpu: { vendor, architecture, description, shaderF16: true, maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 2 ** 27 },
  webgpuReason: null,
});

describe('defaultDevices', () => {
  it('runs both backends on a real GPU', () => {
    expect(defaultDevices(gpu('nvidia', 'hopper'))).toEqual({ devices: ['wasm', 'webgpu'], note: null });
    expect(defaultDevices(gpu('apple', 'metal-3'))).toEqual({ devices: ['wasm', 'webgpu'], note: null });
  });

  it.each([
    ['google', 'swiftshader', ''],
    ['mesa', '', 'llvmpipe (LLVM 15.0.6, 256 bits)'],
    ['microsoft', '', 'Microsoft Basic Render Driver'],
  ])('leaves out %s %s %s, saying why and how to force it', (vendor, architecture, description) => {
    const { devices, note } = defaultDevices(gpu(vendor, architecture, description));
    expect(devices).toEqual(['wasm']);
    expect(note).toMatch(/CPU emulation/);
    expect(note).toContain('--device wasm,webgpu');
    // The app's reader gets the app's advice, never a CLI flag.
    const app = defaultDevices(gpu(vendor, architecture, description), 'app').note!;
    expect(app).toContain('Tick WebGPU');
    expect(app).not.toMatch(/--\w/);
  });

  it('names the reason when there is no WebGPU at all', () => {
    const { devices, note } = defaultDevices({ webgpu: null, webgpuReason: 'navigator.gpu is undefined' });
    expect(devices).toEqual(['wasm']);
    expect(note).toContain('navigator.gpu is undefined');
  });
});
