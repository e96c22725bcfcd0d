/** Versions of ondevice and the runtimes it measures, baked in by Vite's `define` (see vite.config.ts). */
declare const __ONDEVICE_VERSIONS__: { ondevice: string; onnxruntimeWeb: string; transformers: string; wllama: string } | undefined;

export const VERSIONS = Object.freeze(
  typeof __ONDEVICE_VERSIONS__ !== 'undefined'
    ? __ONDEVICE_VERSIONS__
    : { ondevice: 'dev', onnxruntimeWeb: 'unknown', transformers: 'unknown', wllama: 'unknown' },
);
