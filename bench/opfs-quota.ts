/**
 * How much a page may store, measured in the two kinds of Chromium context the CLI could open: a fresh
 * (off-the-record) context, `browser.newContext()`, and a persistent profile, `launchPersistentContext(dir)`. For
 * each: navigator.storage.estimate(); how many bytes a streamed OPFS write (a sync access handle in a worker, 64 MiB
 * chunks, as the replica writer does) gets before it fails, and the error; and whether Blobs built in memory from
 * 64 MiB parts (0.5 to 3 GiB) can be read back at their end (the replicas' in-memory fallback). Writes zeros; removes what it wrote.
 * Usage: npx tsx bench/opfs-quota.ts [--gib 3]
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM_FLAGS, findChromium } from '../src/cli/browser.ts';

const { values } = parseArgs({ options: { gib: { type: 'string', default: '3' } } });
const target = Number(values.gib) * 2 ** 30;
/** In-memory Blobs tried, smallest first. */
const BLOB_SIZES = [0.5, 1, 1.5, 2, 3].map((g) => g * 2 ** 30);
const gib = (b: number) => `${(b / 2 ** 30).toFixed(3)} GiB`;

const WORKER = `onmessage = async (e) => {
  const target = e.data, chunk = new Uint8Array(64 * 2 ** 20);
  const dir = await navigator.storage.getDirectory();
  const handle = await dir.getFileHandle('quota-probe', { create: true });
  const access = await handle.createSyncAccessHandle();
  let at = 0, error = null;
  try {
    while (at < target) { const n = access.write(chunk, { at }); if (n !== chunk.length) { error = 'write returned ' + n + ' for ' + chunk.length + ' bytes'; break; } at += n; }
    access.flush();
  } catch (err) { error = err.name + ': ' + err.message; }
  access.close();
  await dir.removeEntry('quota-probe');
  postMessage({ at, error });
};`;
const PAGE = `<!doctype html><script>window.workerSource = ${JSON.stringify(WORKER)};</script>`;
const server = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;

async function probe(label: string, context: BrowserContext): Promise<void> {
  const page = await context.newPage();
  await page.goto(url);
  const estimate = await page.evaluate(() => navigator.storage.estimate());
  console.log(`${label}: storage.estimate() quota ${gib(estimate.quota ?? 0)}, usage ${gib(estimate.usage ?? 0)}`);
  const write = await page.evaluate(
    (t) =>
      new Promise<{ at: number; error: string | null }>((resolve) => {
        const w = new Worker(URL.createObjectURL(new Blob([(window as unknown as { workerSource: string }).workerSource])));
        w.onmessage = (e) => resolve(e.data);
        w.postMessage(t);
      }),
    target,
  );
  console.log(`  OPFS streamed write of ${gib(target)}: ${gib(write.at)} written${write.error ? `, then ${write.error}` : ', complete'}`);
  for (const size of BLOB_SIZES) {
    const blob = await page.evaluate(async (t) => {
      const parts: Uint8Array[] = [];
      for (let at = 0; at < t; at += 64 * 2 ** 20) parts.push(new Uint8Array(64 * 2 ** 20).fill(7));
      const b = new Blob(parts as BlobPart[]);
      try {
        const tail = new Uint8Array(await b.slice(b.size - 4).arrayBuffer());
        const mid = new Uint8Array(await b.slice(Math.floor(b.size / 2), Math.floor(b.size / 2) + 4).arrayBuffer());
        return { size: b.size, ok: tail[3] === 7 && mid[0] === 7, error: null };
      } catch (err) {
        return { size: b.size, ok: false, error: `${(err as Error).name}: ${(err as Error).message}` };
      }
    }, size);
    console.log(`  in-memory Blob of ${gib(blob.size)} from 64 MiB parts: ${blob.ok ? 'read back at its middle and end' : `not readable (${blob.error})`}`);
  }
  await page.close();
}

const executablePath = findChromium()!;
const browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_FLAGS] });
await probe('browser.newContext() (off the record)', await browser.newContext());
await browser.close();
const dir = mkdtempSync(join(tmpdir(), 'ondevice-quota-'));
const persistent = await chromium.launchPersistentContext(dir, { executablePath, headless: true, args: [...CHROMIUM_FLAGS] });
await probe(`launchPersistentContext(${dir})`, persistent);
await persistent.close();
rmSync(dir, { recursive: true, force: true });
server.close();
