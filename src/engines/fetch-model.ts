/** Fetching model bytes with progress, and turning HTTP failures into errors that name the model and URL. */
import type { Progress } from '../core/spec.ts';

export class ModelFetchError extends Error {
  override name = 'ModelFetchError';
}

/**
 * Hub downloads are kept in the Cache API under their URL, in the cache transformers.js uses, so either engine
 * reuses a file the other (or an earlier, interrupted run) finished downloading.
 */
export const HUB_CACHE = 'transformers-cache';

export async function fetchModelBytes(id: string, url: string, onProgress: (p: Progress) => void, options: { cache?: boolean } = {}): Promise<Uint8Array> {
  const cache = options.cache && typeof caches !== 'undefined' ? await caches.open(HUB_CACHE).catch(() => null) : null;
  const cached = await cache?.match(url);
  if (cached) {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    onProgress({ phase: 'fetch', loadedBytes: bytes.byteLength, totalBytes: bytes.byteLength });
    return bytes;
  }
  const bytes = await download(id, url, onProgress);
  // Only a complete download is cached; a failed one leaves nothing behind.
  await cache?.put(url, new Response(bytes as BlobPart, { headers: { 'Content-Length': String(bytes.byteLength) } })).catch(() => undefined);
  return bytes;
}

async function download(id: string, url: string, onProgress: (p: Progress) => void): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new ModelFetchError(`Could not fetch model "${id}" from ${url}: ${String(err)}. Check the path or URL (and CORS for other hosts).`);
  }
  if (!response.ok) {
    const body = (await response.text().catch(() => '')).slice(0, 300).trim();
    const hint =
      response.status === 404
        ? ' No such file: check the model id, and that the model ships this level (transformers.js names: model.onnx, model_q4.onnx, …).'
        : '';
    throw new ModelFetchError(`Could not fetch model "${id}" from ${url}: HTTP ${response.status} ${response.statusText}${body ? ` (${body})` : ''}.${hint}`);
  }
  if (response.headers.get('content-type')?.includes('text/html')) {
    throw new ModelFetchError(
      `Could not fetch model "${id}" from ${url}: the server answered with an HTML page, not a model (is the file missing? \`npm run models\` builds the bundled ones).`,
    );
  }
  const total = Number(response.headers.get('content-length')) || null;
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const reader = response.body.getReader();
  // Preallocate when the size is known, so a large model is not copied twice.
  let buffer = new Uint8Array(total ?? 1 << 20);
  let loaded = 0;
  onProgress({ phase: 'fetch', loadedBytes: 0, totalBytes: total });
  const interrupted = (why: string) =>
    new ModelFetchError(
      `The download of model "${id}" from ${url} was interrupted after ${loaded} of ${total ?? 'unknown'} bytes (${why}). Run it again: finished files are cached, this one is not.`,
    );
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (err) {
      throw interrupted(String(err));
    }
    const { done, value } = chunk;
    if (done) break;
    if (loaded + value.byteLength > buffer.byteLength) {
      const grown = new Uint8Array(Math.max(buffer.byteLength * 2, loaded + value.byteLength));
      grown.set(buffer.subarray(0, loaded));
      buffer = grown;
    }
    buffer.set(value, loaded);
    loaded += value.byteLength;
    onProgress({ phase: 'fetch', loadedBytes: loaded, totalBytes: total });
  }
  if (total !== null && loaded < total) throw interrupted('the connection closed early');
  return buffer.byteLength === loaded ? buffer : buffer.slice(0, loaded);
}
