/** Measuring the device roofline in a fresh worker (terminated afterwards), and the per-device cache in front of it. */
import { proxy, type Remote } from 'comlink';
import { withWorker } from '../client/worker-lifecycle.ts';
import type { RooflineDevice, RooflineOptions, RooflineProgress, RooflineResult } from './roofline.ts';
import type { RooflineApi } from './measure.ts';
import { readCachedRoofline, writeCachedRoofline } from './cache.ts';

/**
 * Run one task in a fresh roofline worker and terminate it, whatever happens; rejects if the worker dies. Terminating
 * also ends its nested thread workers and frees the bandwidth buffer (up to 1 GiB) at once.
 */
const withRooflineWorker = <T>(task: (api: Remote<RooflineApi>) => Promise<T>): Promise<T> =>
  withWorker<RooflineApi, T>(
    new Worker(new URL('../../workers/roofline.worker.ts', import.meta.url), { type: 'module', name: 'ondevice-roofline' }),
    'The roofline worker',
    task,
  );

const errored = (err: unknown): RooflineResult => {
  const e = err as { name?: string; message?: string } | null;
  return { state: 'errored', roofline: null, reason: `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}` };
};

/**
 * Measure the roofline of `device` now (a few seconds on WASM, more on a software WebGPU adapter) and keep it as the
 * cached figure for this device. Always resolves: no WebGPU, or a failed kernel check, is a result with a reason.
 */
export async function measureDeviceRoofline(
  device: RooflineDevice,
  onProgress: (p: RooflineProgress) => void = () => undefined,
  options: Omit<RooflineOptions, 'device'> = {},
): Promise<RooflineResult> {
  const result = await withRooflineWorker<RooflineResult>((api) => api.measure({ ...options, device }, proxy(onProgress))).catch(errored);
  if (result.roofline) {
    try {
      writeCachedRoofline(result.roofline);
    } catch {
      // Storage full or blocked: the figure is still returned, only not kept.
    }
  }
  return result;
}

/** The cached roofline for this device (same browser, adapter and thread count) or, failing that, a new measurement. */
export async function deviceRoofline(
  device: RooflineDevice,
  options: Omit<RooflineOptions, 'device'> & { refresh?: boolean; onProgress?: (p: RooflineProgress) => void } = {},
): Promise<RooflineResult & { cached: boolean }> {
  const { refresh = false, onProgress, ...rest } = options;
  if (!refresh) {
    type Identity = Awaited<ReturnType<RooflineApi['identify']>>;
    const id = await withRooflineWorker<Identity>((api) => api.identify({ ...rest, device })).catch((err: unknown): Identity => ({
      reason: errored(err).reason ?? '',
    }));
    if ('reason' in id) return { state: 'unsupported', roofline: null, reason: id.reason, cached: false };
    const hit = readCachedRoofline({ device, ...id });
    if (hit) return { state: 'completed', roofline: hit, reason: null, cached: true };
  }
  return { ...(await measureDeviceRoofline(device, onProgress, rest)), cached: false };
}
