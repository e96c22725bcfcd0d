/** What setup a set of runs measured (runtime build, compile, threads, warm-up, iterations), as lines of text. */
import type { RunResult } from '../core/schema.ts';
import { formatMs } from './format.ts';

const distinct = <T>(xs: readonly T[]): T[] => [...new Set(xs)];
/** "1 run", "2 runs". */
const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One line per aspect of the setup, listing each distinct value the runs used (a figure means little without it). */
export function setupLines(results: readonly RunResult[]): string[] {
  const ran = results.flatMap((r) => (r.env ? [{ r, env: r.env }] : []));
  if (ran.length === 0) return [];
  const lines: string[] = [];
  // wllama runs load llama.cpp, not onnxruntime: they get a line of their own and stay out of onnxruntime's.
  const llama = ran.filter(({ r }) => r.engine === 'wllama');
  const onnx = ran.filter(({ r }) => r.engine !== 'wllama');
  if (onnx.length) lines.push(onnxLine(onnx));
  if (llama.length) lines.push(wllamaLine(llama));
  const threads = distinct(
    ran.map(
      ({ env }) =>
        `${env.numThreads ?? '?'} of ${env.hardwareConcurrency ?? '?'} cores${env.crossOriginIsolated ? '' : ' (not cross-origin isolated: 1 thread)'}`,
    ),
  );
  lines.push(`WASM threads: ${threads.join(', ')}`);
  const warm = distinct(
    ran.map(({ r }) =>
      r.workload.warmupCapMs != null
        ? `at least ${count(r.workload.warmup, 'run')}, then until steady for at most ${formatMs(r.workload.warmupCapMs)}`
        : count(r.workload.warmup, 'run'),
    ),
  );
  const measured = distinct(
    ran.map(({ r }) => `${count(r.workload.iterations, 'iteration')}${r.workload.timeBudgetMs != null ? ` within ${formatMs(r.workload.timeBudgetMs)}` : ''}`),
  );
  lines.push(`warm-up: ${warm.join('; ')}; measured: ${measured.join('; ')}`);
  // Dims the models leave open and nothing set: what ondevice fed, so a figure is read at the shape it was measured at.
  const picked = distinct(ran.flatMap(({ r }) => r.workload.inputs.filter((i) => i.picked).map((i) => `${r.model.id} ${i.name} ${i.picked}`)));
  if (picked.length) lines.push(`inputs picked by ondevice (open dims, no shape given; --input NAME=SHAPE sets them): ${picked.join('; ')}`);
  return lines;
}

type Ran = { r: RunResult; env: NonNullable<RunResult['env']> };

/** onnxruntime-web's version, the builds and who compiled its wasm. */
function onnxLine(ran: readonly Ran[]): string {
  const version = distinct(ran.map(({ env }) => env.versions.onnxruntimeWeb)).join(', ');
  const builds = distinct(
    ran.filter(({ env }) => env.ortBuild).map(({ r, env }) => `${r.device} on the ${env.ortBuild === 'plain' ? 'plain CPU' : env.ortBuild} build`),
  );
  const compiled = distinct(
    ran
      .map(({ env }) =>
        env.wasmCompiledBy === 'page'
          ? `compiled once by the page${env.wasmCompileMs !== null ? ` (${formatMs(env.wasmCompileMs)})` : ''}`
          : env.wasmCompiledBy === 'worker'
            ? 'compiled by each run’s worker'
            : null,
      )
      .filter((x): x is string => x !== null),
  );
  return `onnxruntime-web ${version}${builds.length ? `: ${builds.join(', ')}` : ''}${compiled.length ? `; wasm ${compiled.join(' / ')}` : ''}`;
}

/** wllama's version, llama.cpp's build and the settings llama.cpp reported (batch sizes, flash attention, token probabilities). */
function wllamaLine(ran: readonly Ran[]): string {
  const version = distinct(ran.map(({ env }) => env.versions.wllama)).join(', ');
  const settings = distinct(
    ran.flatMap(({ env }) => {
      const w = env.wllama;
      if (!w) return [];
      return [
        `llama.cpp ${w.llamaCpp}, ${w.multiThread ? `${count(w.threads, 'pthread')}` : '1 thread (no pthreads)'}, batch ${w.nBatch} / micro-batch ${w.nUbatch}, context ${w.nCtx}, flash attention ${w.flashAttn}${w.tokenProbs ? ', top-1 token probability every step (for the ids)' : ''}`,
      ];
    }),
  );
  return `wllama ${version}${settings.length ? `: ${settings.join('; ')}` : ''}`;
}
