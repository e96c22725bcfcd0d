import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findChromium } from '../../src/cli/browser.ts';
import { parseInputFlag, program } from '../../src/cli/bench.ts';

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
