/** The last roofline measured per (device, browser, adapter, threads), kept in localStorage: one small JSON object. */
import { rooflineCacheKey, type Roofline, type RooflineDevice } from './roofline.ts';
import { keyedCache, type KeyedStorage } from '../client/keyed-storage.ts';

export const ROOFLINE_STORAGE_KEY = 'ondevice.roofline/1';

/** The part of the Web Storage API used here, so tests can pass a Map-backed stand-in. */
export type RooflineStorage = KeyedStorage;

const cache = keyedCache<Roofline>(ROOFLINE_STORAGE_KEY, (r) => typeof r.bandwidthGBps === 'number' && typeof r.gflops === 'number');

export interface RooflineIdentity {
  device: RooflineDevice;
  userAgent: string;
  adapter: string;
  threads: number | null;
}

export function readCachedRoofline(id: RooflineIdentity, storage: RooflineStorage = localStorage): Roofline | null {
  return cache.read(rooflineCacheKey(id), storage);
}

/** Keep `roofline` as the entry for its own identity (device, userAgent, adapter, threads), replacing the last. */
export function writeCachedRoofline(roofline: Roofline, storage: RooflineStorage = localStorage): void {
  cache.write(rooflineCacheKey(roofline), roofline, storage);
}

export function clearRooflineCache(storage: RooflineStorage = localStorage): void {
  cache.clear(storage);
}
