// The Try panel in real Chromium, driven as a person drives it: the OCR sample and a PNG picked as a file read back
// as text lines with boxes over the image, a level button re-running the same image at that level, a file that is
// not an image named in the panel, the speech clip's segments along a plotted waveform, a prompt's streamed text, a
// sentence's labels; every run in the history. Screenshots go to test-results/try/ (git-ignored).
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, findChromium } from '../../src/cli/browser.ts';
import { openApp } from '../../src/cli/driver.ts';
import { beforeAll, expect, it } from 'vitest';
import type { RunResult } from '../../src/core/schema.ts';
import { useApp } from './fixture.ts';
import { pngHeader } from '../fixtures/png-header.ts';

const app = useApp();
let page: Page;
const SHOTS = resolve('test-results/try');
/** The panel alone, without the run bar that floats over the page's bottom edge. */
const shot = async (name: string) => {
  await page.locator('#run-bar').evaluate((b) => (b.style.visibility = 'hidden'));
  await page.locator('#try').screenshot({ path: `${SHOTS}/${name}.png` });
  await page.locator('#run-bar').evaluate((b) => (b.style.visibility = ''));
};
/** Do `action` (a click, a file) and wait for the panel's run it starts to end at `level` (or any level): how it ended. */
const run = async (action: () => Promise<unknown>, level?: string) => {
  await page.evaluate(() => delete document.getElementById('try-output')!.dataset.state);
  await action();
  await page.waitForFunction(
    (l) => {
      const out = document.getElementById('try-output')!;
      return out.dataset.state && out.dataset.state !== 'running' && (!l || out.dataset.level === l) && !window.ondevice.isRunning();
    },
    level,
    { timeout: 60_000 },
  );
  return page.locator('#try-output').getAttribute('data-state');
};
/** How far right the panel and anything in it reach on a phone (390 px), once its chart has followed the resize. */
const phoneWidth = async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  const right = await page
    .locator('#try')
    .evaluate(
      (panel) =>
        new Promise<number>((done) =>
          setTimeout(
            () =>
              done(
                Math.max(
                  ...[panel, ...panel.querySelectorAll('*')].map((e) =>
                    e.parentElement?.closest('.table-wrap, .try-output') ? 0 : e.getBoundingClientRect().right,
                  ),
                  panel.scrollWidth,
                ),
              ),
            300,
          ),
        ),
    );
  await page.setViewportSize({ width: 1100, height: 900 });
  return right;
};
const results = () => page.evaluate(() => window.ondevice.results()) as Promise<RunResult[]>;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  page = app.page;
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.locator('#try-sample').waitFor();
});

it('reads the sample lines with boxes, re-runs them at another level in one click, and reads a PNG picked as a file', async () => {
  expect(await run(() => page.click('#try-sample'), 'fp32')).toBe('completed');
  const lines = await page.locator('#try-ocr-lines li').allInnerTexts();
  expect(lines.length).toBeGreaterThanOrEqual(5);
  expect(lines.join('\n')).toContain('ondevice');
  expect(await page.locator('#try-ocr-canvas').count()).toBe(1);
  expect(await page.locator('#try-output .try-run').innerText()).toMatch(/CER [\d.]+ % against the drawn text/);
  expect(await page.locator('.try-stages tbody tr').allInnerTexts()).toEqual([
    expect.stringMatching(/^det\s+ppocr-v4-det\s+fp32/),
    expect.stringMatching(/^cls\s+ppocr-v2-cls\s+fp32/),
    expect.stringMatching(/^rec\s+ppocr-v4-rec\s+fp32/),
  ]);
  await shot('image');
  expect(await phoneWidth()).toBeLessThanOrEqual(390);

  expect(await run(() => page.click('#try-levels [data-level=q8]'), 'q8')).toBe('completed');
  expect(await page.locator('#try-levels [aria-pressed=true]').innerText()).toBe('q8');
  expect((await page.locator('#try-ocr-lines li').allInnerTexts()).length).toBeGreaterThanOrEqual(5);

  const png = await page.evaluate(() => window.ondevice.renderText([{ text: 'Hello from a file', font: 'DejaVu Sans', size: 32 }]));
  const file = { name: 'hello.png', mimeType: 'image/png', buffer: Buffer.from(png.base64, 'base64') };
  expect(await run(() => page.setInputFiles('#try-image', file), 'q8')).toBe('completed');
  expect((await page.locator('#try-ocr-lines').innerText()).replace(/\s/g, '')).toContain('Hellofromafile');
  const ocr = (await results()).filter((r) => r.model.id === 'ocr:ppocr-v4');
  expect(ocr.map((r) => [r.model.dtype, r.pipeline?.input.name])).toEqual(
    expect.arrayContaining([
      ['fp32', 'rendered-lines.png'],
      ['q8', 'rendered-lines.png'],
      ['q8', 'hello.png'],
    ]),
  );
}, 120_000);

it('names an image that is not one, is 0×0 or is too big in the panel, and logs each run with its reason', async () => {
  const bad = [
    { name: 'notes.png', buffer: Buffer.from('these are words, not pixels'), reason: /notes\.png.*PNG, JPEG/ },
    { name: 'zero.png', buffer: pngHeader(0, 0), reason: /"zero\.png" is 0×0 pixels/ },
    { name: 'huge.png', buffer: pngHeader(9000, 100), reason: /"huge\.png" is 9000×100 pixels .*over the size cap/ },
  ];
  for (const b of bad) {
    expect(await run(() => page.setInputFiles('#try-image', { name: b.name, mimeType: 'image/png', buffer: b.buffer }))).toBe('errored');
    expect(await page.locator('#try-status').innerText()).toMatch(b.reason);
    expect(await page.locator('#try-status').innerText()).toMatch(/logged in the history/);
  }
  const logged = await results();
  for (const b of bad) expect(logged.find((r) => r.error?.message.includes(b.name))?.state).toBe('errored');
}, 60_000);

it('finds the speech clip’s two segments and plots the probability along the waveform', async () => {
  await page.click('[data-try-mode=vad]');
  expect(await run(() => page.setInputFiles('#try-audio', 'test/fixtures/audio/speech-clip.wav'), 'fp32')).toBe('completed');
  expect(await page.locator('#try-vad-segments li').count()).toBe(2);
  await page.waitForFunction(() => {
    const c = document.getElementById('try-vad-chart') as HTMLCanvasElement | null;
    return !!c && c.width > 0 && !c.parentElement!.hidden;
  });
  expect(await page.locator('#try-output').innerText()).toMatch(/at 16 kHz · real-time factor/);
  await shot('wav');
  expect(await phoneWidth()).toBeLessThanOrEqual(390);

  // Not a WAV: the page's AudioContext decodes it, the pipeline resamples it, and the panel says both.
  const flac = 'test/fixtures/audio/speech-clip-22k.flac';
  expect(await run(() => page.setInputFiles('#try-audio', flac), 'fp32')).toBe('completed');
  expect(await page.locator('#try-status').innerText()).toMatch(/speech-clip-22k\.flac is not a WAV: the browser decoded it/);
  expect(await page.locator('#try-output').innerText()).toMatch(/resampled from \d+ Hz to 16 kHz/);
  expect(await page.locator('#try-vad-segments li').count()).toBe(2);
}, 60_000);

it('names audio that is not audio, a WAV whose header lies, and a microphone it cannot use; reads a blank image as no text', async () => {
  const noise = { name: 'song.mp3', mimeType: 'audio/mpeg', buffer: Buffer.from('not audio at all, just words') };
  expect(await run(() => page.setInputFiles('#try-audio', noise))).toBe('errored');
  expect(await page.locator('#try-status').innerText()).toMatch(/song\.mp3 is neither a WAV nor audio this browser can decode[\s\S]*song\.mp3/);
  const clip = readFileSync('test/fixtures/audio/speech-clip.wav');
  const lying = Buffer.from(clip.subarray(0, 4096));
  // Dropped on the panel, as a person drags a file in.
  const drop = () =>
    page.evaluate(
      (bytes) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(bytes)], 'cut.wav', { type: 'audio/wav' }));
        document.getElementById('try-audio-drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      },
      [...lying],
    );
  expect(await run(drop)).toBe('errored');
  expect(await page.locator('#try-status').innerText()).toContain('cut.wav');
  // Headless Chromium grants no microphone here: the panel says why instead of failing silently.
  await page.click('#try-record');
  await page.waitForFunction(() => /microphone was not allowed|No microphone was found/.test(document.getElementById('try-status')!.textContent ?? ''));

  await page.click('[data-try-mode=ocr]');
  const blank = await page.evaluate(() => window.ondevice.renderText([]));
  // Pasted from the clipboard.
  const paste = () =>
    page.evaluate((base64) => {
      const data = new DataTransfer();
      data.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], 'blank.png', { type: 'image/png' }));
      document.getElementById('try-drop')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, blank.base64);
  expect(await run(paste)).toBe('completed');
  expect(await page.locator('#try-ocr-lines').innerText()).toMatch(/No text found/);
  const logged = await results();
  // Every one is in the log: the failed ones by the reason naming their file (they have no output to record).
  const named = (name: string) => logged.find((r) => r.pipeline?.input.name === name || r.error?.message.includes(name))?.state;
  expect(['song.mp3', 'cut.wav', 'blank.png'].map(named)).toEqual(['errored', 'errored', 'completed']);
}, 60_000);

it('streams a prompt’s generated text with its tok/s, and labels a sentence', async () => {
  await page.click('[data-try-mode=generate]');
  expect(await page.locator('#try-lm').inputValue()).toBe('tiny-llama');
  await page.fill('#try-prompt', 'Once upon a time');
  const streamed = page.evaluate(
    () =>
      new Promise<number>((done) => {
        let chunks = 0;
        const stop = window.ondevice.subscribe((e) => {
          if (e.type === 'run-progress' && e.progress.phase === 'generate' && e.progress.text) chunks++;
          if (e.type === 'suite-end') {
            stop();
            done(chunks);
          }
        });
      }),
  );
  expect(await run(() => page.click('#try-generate'), 'fp32')).toBe('completed');
  expect(await streamed).toBeGreaterThan(0);
  expect((await page.locator('#try-stream').innerText()).length).toBeGreaterThan(0);
  expect(await page.locator('#try-output').innerText()).toMatch(/tok\/s/);
  expect(await page.locator('#try-output').innerText()).toContain('weights are random');
  await shot('prompt');
  expect(await phoneWidth()).toBeLessThanOrEqual(390);
  // A GGUF level is one click too: the same prompt on llama.cpp (wllama).
  expect(await run(() => page.click('#try-levels [data-level=q8_0]'), 'q8_0')).toBe('completed');
  expect((await results()).find((r) => r.model.dtype === 'q8_0')?.engine).toBe('wllama');

  await page.click('[data-try-mode=classify]');
  expect(await run(() => page.click('#try-classify'), 'fp32')).toBe('completed');
  expect(await page.locator('#try-labels tbody tr').allInnerTexts()).toEqual(
    expect.arrayContaining([expect.stringMatching(/POSITIVE/), expect.stringMatching(/NEGATIVE/)]),
  );
  expect(await page.locator('#try-output').innerText()).toContain('random');

  const ids = (await results()).map((r) => r.model.id);
  expect(ids).toEqual(expect.arrayContaining(['ocr:ppocr-v4', 'vad:silero-v5', 'tiny-llama', 'tiny-bert-sst']));
  // And in the history panel, as any run.
  await page.waitForFunction(() =>
    ['ocr:ppocr-v4', 'vad:silero-v5', 'tiny-llama', 'tiny-bert-sst'].every((id) => document.getElementById('history-table')!.textContent!.includes(id)),
  );
  console.log(`try screenshots: ${SHOTS}`);
}, 90_000);

it('records from a microphone (Chromium’s fake device, permission granted) and runs voice activity on it', async () => {
  // Another browser: the fake capture device and permission prompt are launch switches.
  const executablePath = findChromium();
  if (!executablePath) throw new Error('no Chromium');
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_FLAGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });
  const session = await openApp({ browser });
  try {
    const p = session.page;
    await p.click('[data-try-mode=vad]');
    await p.click('#try-record');
    await p.waitForFunction(() => document.getElementById('try-record')!.textContent === 'Stop and run');
    await p.waitForTimeout(1500);
    await p.evaluate(() => delete document.getElementById('try-output')!.dataset.state);
    await p.click('#try-record');
    await p.waitForFunction(() => ['completed', 'errored'].includes(document.getElementById('try-output')!.dataset.state ?? ''), undefined, {
      timeout: 60_000,
    });
    expect(await p.locator('#try-output').getAttribute('data-state'), await p.locator('#try-status').innerText()).toBe('completed');
    expect(await p.locator('#try-status').innerText()).toMatch(/microphone-recording is not a WAV: the browser decoded it/);
    expect(await p.locator('#try-vad-chart').count()).toBe(1);
    const logged = (await p.evaluate(() => window.ondevice.results())) as RunResult[];
    expect(logged.map((r) => r.pipeline?.input.name)).toContain('microphone-recording (decoded)');
  } finally {
    await session.close();
    await browser.close();
  }
}, 90_000);
