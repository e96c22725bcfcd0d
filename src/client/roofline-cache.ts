/** The last roofline measured per (device, browser, adapter, threads), kept in localStorage: one small JSON object. */
import { rooflineCacheKey, type Roofline, type RooflineDevice } from '../core/roofline.ts';

export const ROOFLINE_STORAGE_KEY = 'ondevice.roofline/1';

/** The part of the Web Storage API used here, so tests can pass a Map-backed stand-in. */
export type RooflineStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface RooflineIdentity {
  device: RooflineDevice;
  userAgent: string;
  adapter: string;
  threads: number | null;
}

function readAll(storage: RooflineStorage): Record<string, Roofline> {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(ROOFLINE_STORAGE_KEY) ?? '{}');
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, Roofline>) : {};
  } catch {
    // A corrupt entry is a cache miss, not an error: the roofline is measured again and the entry rewritten.
    return {};
  }
}

export function readCachedRoofline(id: RooflineIdentity, storage: RooflineStorage = localStorage): Roofline | null {
  const r = readAll(storage)[rooflineCacheKey(id)];
  return r && typeof r.bandwidthGBps === 'number' && typeof r.gflops === 'number' ? r : null;
}

/** Keep `roofline` as the entry for its own identity (device, userAgent, adapter, threads), replacing the last. */
export function writeCachedRoofline(roofline: Roofline, storage: RooflineStorage = localStorage): void {
  const all = readAll(storage);
  all[rooflineCacheKey(roofline)] = roofline;
  storage.setItem(ROOFLINE_STORAGE_KEY, JSON.stringify(all));
}

export function clearRooflineCache(storage: RooflineStorage = localStorage): void {
  storage.removeItem(ROOFLINE_STORAGE_KEY);
}
