/**
 * A small per-device cache in Web Storage: one JSON object of entries under one key (the roofline's, the thread
 * calibration's). Entries are written whole, so a measurement that never finishes never leaves half an entry.
 */

/** The part of the Web Storage API used here, so tests can pass a Map-backed stand-in. */
export type KeyedStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface KeyedCache<T> {
  read(key: string, storage?: KeyedStorage): T | null;
  write(key: string, value: T, storage?: KeyedStorage): void;
  clear(storage?: KeyedStorage): void;
}

/** The cache under `storageKey`; `valid` turns an entry of an older or foreign shape into a miss. */
export function keyedCache<T>(storageKey: string, valid: (entry: T) => boolean): KeyedCache<T> {
  const readAll = (storage: KeyedStorage): Record<string, T> => {
    try {
      const parsed: unknown = JSON.parse(storage.getItem(storageKey) ?? '{}');
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, T>) : {};
    } catch {
      // A corrupt entry is a cache miss, not an error: the measurement runs again and rewrites it.
      return {};
    }
  };
  return {
    read(key, storage = localStorage) {
      const entry = readAll(storage)[key];
      return entry && valid(entry) ? entry : null;
    },
    write(key, value, storage = localStorage) {
      const all = readAll(storage);
      all[key] = value;
      storage.setItem(storageKey, JSON.stringify(all));
    },
    clear(storage = localStorage) {
      storage.removeItem(storageKey);
    },
  };
}
