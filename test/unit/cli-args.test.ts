import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findChromium } from '../../src/cli/browser.ts';
import { parseInputFlag, program } from '../../src/cli/bench.ts';
import { parseEndpoint, parseEndpoints } from '../../src/cli/remote.ts';

describe('bench flags', () => {
  it('parses shapes and fills', () => {
    expect(parseInputFlag('x=1,3,48,320')).toEqual(['x', { shape: [1, 3, 48, 320] }]);
    expect(parseInputFlag('x=1x3x224x224')).toEqual(['x', { shape: [1, 3, 224, 224] }]);
    expect(parseInputFlag('sr==16000')).toEqual(['sr', { fill: 16000 }]);
    expect(() => parseInputFlag('x')).toThrow(/NAME=1,3,224,224/);
    expect(() => parseInputFlag('x=1,a')).toThrow(/whole numbers/);
  });
  it('has the flags DESIGN.md promises, with defaults', () => {
    const opts = program().parse(['--model', 'a', '--model', 'b.onnx', '--iterations', '5', '--strict'], { from: 'user' }).opts();
    expect(opts).toMatchObject({ suite: 'default', model: ['a', 'b.onnx'], device: 'wasm,webgpu', iterations: 5, warmup: 2, strict: true });
    const names = program().options.map((o) => o.long);
    for (const flag of ['--suite', '--model', '--device', '--dtype', '--iterations', '--warmup', '--out', '--json', '--strict']) expect(names).toContain(flag);
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
    expect(parseEndpoint('ws://10.0.0.5:3000/abc')).toEqual({ label: 'ws://10.0.0.5:3000/abc', url: 'ws://10.0.0.5:3000/abc', protocol: 'playwright', shown: 'ws://10.0.0.5:3000/abc' });
    expect(parseEndpoint('pixel-8=cdp:http://10.0.0.6:9222')).toMatchObject({ label: 'pixel-8', url: 'http://10.0.0.6:9222', protocol: 'cdp' });
    expect(parseEndpoint('ws://grid:4444/session/1/se/cdp', true)).toMatchObject({ protocol: 'cdp', url: 'ws://grid:4444/session/1/se/cdp' });
    expect(parseEndpoint('wss://user:key@cloud.example/playwright?caps=%7B%22key%22%3A1%7D')).toMatchObject({ shown: 'wss://cloud.example/playwright?…', label: 'wss://cloud.example/playwright?…' });
  });
  it('names what would be valid, and wants devices told apart', () => {
    expect(() => parseEndpoint('http://grid:4444')).toThrow(/--connect "http:\/\/grid:4444": expected a Playwright browser server's ws:\/\/ or wss:\/\/ endpoint/);
    expect(() => parseEndpoints(['a=ws://h:1/x', 'a=ws://h:2/y'])).toThrow(/two devices are labelled "a"/);
  });
  it('has the flags, with defaults', () => {
    const opts = program().parse(['--connect', 'ws://h:1/x', '--connect', 'b=cdp:http://h:9222', '--connect-cdp', 'http://h:9223'], { from: 'user' }).opts();
    expect(opts).toMatchObject({ connect: ['ws://h:1/x', 'b=cdp:http://h:9222'], connectCdp: ['http://h:9223'], concurrency: 2, host: '127.0.0.1' });
    const names = program().options.map((o) => o.long);
    for (const flag of ['--connect', '--connect-cdp', '--concurrency', '--host', '--port', '--public-url', '--resume']) expect(names).toContain(flag);
  });
});
