import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findChromium } from '../../src/cli/browser.ts';
import { bench, parseInputFlag, program, type BenchOptions } from '../../src/cli/bench.ts';
import { cpus } from 'node:os';
import { parseEndpoint, parseEndpoints } from '../../src/cli/remote.ts';

describe('bench flags', () => {
  it('parses shapes and fills', () => {
    expect(parseInputFlag('x=1,3,48,320')).toEqual(['x', { shape: [1, 3, 48, 320] }]);
    expect(parseInputFlag('x=1x3x224x224')).toEqual(['x', { shape: [1, 3, 224, 224] }]);
    expect(parseInputFlag('sr==16000')).toEqual(['sr', { fill: 16000 }]);
    expect(() => parseInputFlag('x')).toThrow(/NAME=1,3,224,224/);
    expect(() => parseInputFlag('x=1,a')).toThrow(/whole numbers/);
  });
  it('has the flags the README documents, with defaults', () => {
    const opts = program().parse(['--model', 'a', '--model', 'b.onnx', '--iterations', '5', '--strict'], { from: 'user' }).opts();
    expect(opts).toMatchObject({ suite: 'default', model: ['a', 'b.onnx'], device: 'wasm,webgpu', iterations: 5, warmup: 2, strict: true });
    const names = program().options.map((o) => o.long);
    for (const flag of ['--suite', '--model', '--device', '--dtype', '--iterations', '--warmup', '--out', '--json', '--strict']) expect(names).toContain(flag);
  });
});

describe('--threads', () => {
  const parse = (args: string[]) =>
    program()
      .exitOverride()
      .configureOutput({ writeErr: () => undefined })
      .parse(args, { from: 'user' })
      .opts<BenchOptions>();
  it('takes a count, auto or sweep, and names the valid values for anything else', () => {
    expect(parse(['--threads', '2']).threads).toBe(2);
    expect(parse(['--threads', 'auto']).threads).toBe('auto');
    expect(parse(['--threads', 'sweep']).threads).toBe('sweep');
    expect(() => parse(['--threads', '0'])).toThrow('Bad --threads "0". Should be a whole number from 1 to 256, auto or sweep.');
    expect(() => parse(['--threads', 'x'])).toThrow('Bad --threads "x". Should be a whole number from 1 to 256, auto or sweep.');
  });
  // Each is refused before a browser is launched or a server started.
  it('refuses more threads than this machine has cores, naming them', async () => {
    const cores = cpus().length;
    await expect(bench(parse(['--threads', String(cores + 1), '--model', 'mlp-1m']))).rejects.toThrow(
      `Bad --threads "${cores + 1}". Should be ${cores === 1 ? '1' : `a whole number from 1 to ${cores}`} (this device has ${cores} core${cores === 1 ? '' : 's'}), auto or sweep.`,
    );
  });
  it('refuses a sweep on webgpu or over more than one model', async () => {
    await expect(bench(parse(['--threads', 'sweep', '--model', 'mlp-1m', '--device', 'wasm,webgpu']))).rejects.toThrow(
      '--threads sweep is for --device wasm: webgpu runs its kernels off the CPU, so a sweep there would time the CPU fallback. Use --device wasm, or --threads auto or a count.',
    );
    await expect(bench(parse(['--threads', 'sweep', '--model', 'mlp-1m', '--model', 'ppocr-v2-cls']))).rejects.toThrow(
      '--threads sweep runs one model at every thread count; this run names 2 models. Give one --model, or use --threads auto or a count.',
    );
    await expect(bench(parse(['--threads', 'sweep']))).rejects.toThrow(/this run names every bundled model \(no --model\)/);
  });
});

describe('findChromium', () => {
  it('prefers CHROME_PATH and reports none when it points nowhere', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ondevice-'));
    const fake = join(dir, 'chrome');
    writeFileSync(fake, '');
    expect(findChromium({ CHROME_PATH: fake })).toBe(fake);
    expect(findChromium({ CHROME_PATH: join(dir, 'missing') })).toBeNull();
  });
});

describe('--connect endpoints', () => {
  it('takes Playwright ws:// endpoints and cdp: DevTools ones, labelled or not, and hides credentials', () => {
    expect(parseEndpoint('ws://10.0.0.5:3000/abc')).toEqual({
      label: 'ws://10.0.0.5:3000/abc',
      url: 'ws://10.0.0.5:3000/abc',
      protocol: 'playwright',
      shown: 'ws://10.0.0.5:3000/abc',
    });
    expect(parseEndpoint('pixel-8=cdp:http://10.0.0.6:9222')).toMatchObject({ label: 'pixel-8', url: 'http://10.0.0.6:9222', protocol: 'cdp' });
    expect(parseEndpoint('ws://grid:4444/session/1/se/cdp', true)).toMatchObject({ protocol: 'cdp', url: 'ws://grid:4444/session/1/se/cdp' });
    expect(parseEndpoint('wss://user:key@cloud.example/playwright?caps=%7B%22key%22%3A1%7D')).toMatchObject({
      shown: 'wss://cloud.example/playwright?…',
      label: 'wss://cloud.example/playwright?…',
    });
  });
  it('names what would be valid, and wants devices told apart', () => {
    expect(() => parseEndpoint('http://grid:4444')).toThrow(
      /--connect "http:\/\/grid:4444": expected a Playwright browser server's ws:\/\/ or wss:\/\/ endpoint/,
    );
    expect(() => parseEndpoints(['a=ws://h:1/x', 'a=ws://h:2/y'])).toThrow(/two devices are labelled "a"/);
  });
  it('has the flags, with defaults', () => {
    const opts = program().parse(['--connect', 'ws://h:1/x', '--connect', 'b=cdp:http://h:9222', '--connect-cdp', 'http://h:9223'], { from: 'user' }).opts();
    expect(opts).toMatchObject({ connect: ['ws://h:1/x', 'b=cdp:http://h:9222'], connectCdp: ['http://h:9223'], concurrency: 2, host: '127.0.0.1' });
    const names = program().options.map((o) => o.long);
    for (const flag of ['--connect', '--connect-cdp', '--concurrency', '--host', '--port', '--public-url', '--resume']) expect(names).toContain(flag);
  });
});
