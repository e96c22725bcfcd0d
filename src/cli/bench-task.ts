/**
 * `npm run bench -- --task ocr [--image FILE] [--expect TEXT]` (and `--task vad --audio FILE.wav`): a task pipeline on
 * one input, at the levels `--dtype` names (`all`: every level its models ship), in the CLI's Chromium through the
 * app's page like any run. Without `--image`, OCR reads the bundled sample lines the page renders (its ground truth
 * is known). Prints the per-level table (stage timings, CER against the expectation and against fp32).
 */
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { RunResult } from '../core/schema.ts';
import { DEFAULT_WORKLOAD } from '../core/spec.ts';
import { pipelineLevels } from '../core/task/pipelines.ts';
import { parseExpectedSegments } from '../core/task/vad-expect.ts';
import { DEVICES, DTYPES, InvalidInputError, parseList, TASK_KINDS, type TaskKind } from '../core/vocab.ts';
import type { BenchOptions } from './bench-args.ts';
import { openApp } from './driver.ts';
import { startAppServer } from './serve.ts';
import { taskTable } from './task-table.ts';

/** Whether `--task` names a task pipeline (else it is the task of hub: models). */
export const isPipelineTask = (task: string | undefined): task is TaskKind => (TASK_KINDS as readonly string[]).includes(task ?? '');

/** A file the user named, read, or an InvalidInputError naming the flag and the path. */
function readInput(flag: string, path: string): { name: string; base64: string } {
  if (!existsSync(path)) throw new InvalidInputError(`${flag} ${path}: no such file.`);
  if (!statSync(path).isFile()) throw new InvalidInputError(`${flag} ${path}: not a file.`);
  return { name: basename(path), base64: readFileSync(path).toString('base64') };
}

/** A text file the user named, or an InvalidInputError naming the flag and the path. */
function readText(flag: string, path: string): string {
  if (!existsSync(path) || !statSync(path).isFile()) throw new InvalidInputError(`${flag} ${path}: no such file.`);
  return readFileSync(path, 'utf8');
}

/** The flags a task run takes, checked before the browser starts. */
export function taskFlags(opts: BenchOptions, kind: TaskKind) {
  if (opts.model.length) throw new InvalidInputError(`--task ${kind} runs its own pipeline's models; drop --model (${opts.model.join(', ')}).`);
  if (kind === 'ocr' && opts.audio) throw new InvalidInputError('--audio is for --task vad; OCR reads --image.');
  if (kind === 'vad' && opts.image) throw new InvalidInputError('--image is for --task ocr; VAD reads --audio.');
  if (kind === 'vad' && !opts.audio)
    throw new InvalidInputError('--task vad needs --audio FILE.wav (16 kHz mono is what Silero takes; other rates are resampled).');
  const input = kind === 'ocr' ? (opts.image ? readInput('--image', opts.image) : null) : readInput('--audio', opts.audio!);
  if (opts.expectSegments && kind !== 'vad') throw new InvalidInputError('--expect-segments is for --task vad.');
  const expectedSegments = opts.expectSegments ? parseExpectedSegments(readText('--expect-segments', opts.expectSegments), opts.expectSegments) : undefined;
  const devices = parseList('device', DEVICES, opts.device ?? 'wasm');
  return { input, devices, expectedSegments };
}

export async function benchTask(opts: BenchOptions, kind: TaskKind, beforeLaunch: () => void = () => undefined): Promise<number> {
  const { input, devices, expectedSegments } = taskFlags(opts, kind);
  beforeLaunch();
  const server = await startAppServer();
  const results: RunResult[] = [];
  if (opts.out) writeFileSync(opts.out, '');
  const session = await openApp({
    server,
    onEvent: (e) => {
      if (e.type === 'run-start' && !opts.quiet && !opts.json)
        process.stderr.write(`ondevice: ${e.spec.model.id} ${e.spec.model.dtype} on ${e.spec.device}…\n`);
      if (e.type === 'run-end' && opts.out) appendFileSync(opts.out, JSON.stringify(e.result) + '\n');
    },
  }).catch(async (err) => {
    await server.close();
    throw err;
  });
  try {
    const catalog = await session.page.evaluate(() => window.ondevice.catalog());
    const levels = !opts.dtype ? ['fp32' as const] : opts.dtype.trim() === 'all' ? pipelineLevels(kind, catalog) : parseList('dtype', DTYPES, opts.dtype);
    let chosen = input;
    let expectedText = opts.expect;
    if (!chosen) {
      const rendered = await session.page.evaluate(() => window.ondevice.renderText());
      chosen = { name: rendered.name, base64: rendered.base64 };
      expectedText ??= rendered.expected;
    }
    const workload = {
      iterations: opts.iterations,
      warmup: opts.warmup,
      timeBudgetMs: opts.timeBudget ?? DEFAULT_WORKLOAD.timeBudgetMs,
      numThreads: typeof opts.threads === 'number' ? opts.threads : null,
    };
    for (const device of devices) {
      const request = {
        kind,
        input: chosen,
        levels,
        device,
        workload,
        ...(expectedText !== undefined ? { expectedText } : {}),
        ...(expectedSegments ? { expectedSegments } : {}),
      };
      results.push(...(await session.page.evaluate((r) => window.ondevice.runTask(r), request)));
    }
  } finally {
    await session.close();
    await server.close();
  }
  if (opts.json) process.stdout.write(results.map((r) => JSON.stringify(r)).join('\n') + '\n');
  else if (!opts.quiet) process.stdout.write(taskTable(results) + '\n');
  return opts.strict && results.some((r) => r.state === 'errored') ? 1 : 0;
}
