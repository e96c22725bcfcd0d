// The `ondevice` command as a user meets it: help, --version and usage errors answer at once, before any build and
// without a browser. CHROME_PATH and `npm` point at stand-ins that leave a mark when run, and the command runs as
// `npm run bench` runs it (npm_lifecycle_event=bench), so a build or a launch would show.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main as bench } from '../../src/cli/bench.ts';
import { main as inspect } from '../../src/cli/inspect.ts';
import { main as report } from '../../src/cli/report.ts';

type Main = (argv: string[], beforeLaunch?: () => void) => Promise<number>;

/** A main() run with its stderr captured (commander and the CLI write there). */
async function captured(run: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const spies = (['stdout', 'stderr'] as const).map((name) =>
    vi.spyOn(process[name], 'write').mockImplementation((chunk: string | Uint8Array) => {
      out[name] += String(chunk);
      return true;
    }),
  );
  try {
    return { code: await run(), ...out };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'ondevice-usage-'));
const stand = (name: string, mark: string) => {
  writeFileSync(join(dir, name), `#!/bin/sh\ntouch ${join(dir, mark)}\nexit 1\n`);
  chmodSync(join(dir, name), 0o755);
};
stand('chromium', 'launched');
stand('npm', 'built');
const marks = () => ({ launched: existsSync(join(dir, 'launched')), built: existsSync(join(dir, 'built')) });

const cli = (args: string[]) =>
  spawnSync(process.execPath, ['bin/ondevice.js', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      CHROME_PATH: join(dir, 'chromium'),
      PATH: `${dir}:${process.env.PATH ?? ''}`,
      npm_lifecycle_event: 'bench',
      npm_package_name: 'ondevice',
    },
  });

describe('ondevice usage errors', () => {
  it('--model nope: exit 2, the valid ids listed, nothing built or launched', () => {
    const p = cli(['--model', 'nope', '--iterations', '2']);
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/^ondevice: Unknown model "nope" \(--model\): not a bundled model and no such file\. Should be one of: ppocr-v4-rec, /);
    for (const id of ['mlp-1m', 'tiny-llama', 'tiny-bert-ner', 'replica:phi-3.5-mini', 'hub:ORG/NAME', 'a path to an .onnx file'])
      expect(p.stderr).toContain(id);
    expect(p.stdout).toBe('');
    expect(marks()).toEqual({ launched: false, built: false });
  });

  // In this process (a spawn each would cost seconds on a loaded machine): the same main() bin/ondevice.js calls.
  it('refuses bad flags with exit 2: a value out of range, an unknown flag, a stray argument, a bad replica or hub id', async () => {
    const cases: [Main, string[], RegExp][] = [
      [bench, ['--iterations', '-1'], /argument '-1' is invalid\. expected a whole number >= 1/],
      [bench, ['--nope'], /unknown option '--nope'/],
      [bench, ['mlp-1m'], /too many arguments/],
      [bench, ['--model', 'replica:nope'], /Unknown replica "replica:nope" \(--model\)\. Should be one of: replica:smollm2-135m/],
      [bench, ['--model', 'hub:nope'], /should look like hub:ORG\/NAME/],
      [inspect, ['nope'], /Unknown model "nope" \(inspect\)/],
      [report, ['--nope'], /unknown option '--nope'/],
    ];
    const launch = vi.fn();
    for (const [main, args, message] of cases) {
      const { code, stderr } = await captured(() => main(args, launch));
      expect({ args, code }).toEqual({ args, code: 2 });
      expect(stderr).toMatch(message);
    }
    expect(launch).not.toHaveBeenCalled();
  });

  it('takes paths as files without looking: a missing one is a run that ends errored, not a usage error', async () => {
    for (const model of [
      './missing.onnx',
      'models/missing',
      'missing.onnx',
      'mlp-1m',
      'replica:Phi-3.5-mini-instruct',
      'hub:Xenova/gpt2',
      'https://example.com/m.onnx',
    ]) {
      const launch = vi.fn(() => {
        throw new Error('stopped at launch');
      });
      const { code, stderr } = await captured(() => bench(['--model', model], launch));
      expect({ model, code, stderr }).toEqual({ model, code: 1, stderr: 'ondevice: Error: stopped at launch\n' });
      expect(launch).toHaveBeenCalledOnce();
    }
  });

  it('answers --help and --version with exit 0, before anything would be built', async () => {
    const launch = vi.fn();
    const help = await captured(() => bench(['--help'], launch));
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: ondevice \[options\]/);
    expect(help.stdout).toContain('--wide');
    const version = await captured(() => bench(['--version'], launch));
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
    expect((await captured(() => inspect(['--help'], launch))).code).toBe(0);
    expect(launch).not.toHaveBeenCalled();
  });

  it('builds first when a suite will run (npm run bench), and stops there when the build fails', () => {
    const p = cli(['--model', 'mlp-1m', '--iterations', '2']);
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(/the build failed/);
    expect(marks()).toEqual({ launched: false, built: true });
  });
});
