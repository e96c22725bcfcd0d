/**
 * `ondevice bench`'s flags: the options as commander hands them over (BenchOptions) and the command that declares
 * them, with their parsers and help. What the flags mean for the suite is bench-plan.ts's.
 */
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_CONTEXT_LENGTHS, DEFAULT_GENERATION, DEFAULT_WORKLOAD } from '../core/spec.ts';
import { DEVICES, DTYPES, ENGINES, ORT_BUILDS } from '../core/vocab.ts';
import { parseThreads, type ThreadsRequest } from '../core/threads.ts';
import { parseHubHost } from '../core/catalog.ts';
import { VERSION } from './command.ts';

export interface BenchOptions {
  suite: string;
  model: string[];
  /** Not given: wasm, and webgpu when the adapter is a real GPU (defaultDevices). */
  device?: string;
  dtype?: string;
  iterations: number;
  warmup: number;
  /** --warmup-cap MS: adaptive warm-up's cap (0: exactly --warmup runs); default DEFAULT_WORKLOAD's. */
  warmupCap?: number;
  timeBudget?: number;
  /** --threads N|auto|sweep. */
  threads?: ThreadsRequest;
  /** --ort-build: load this onnxruntime-web build instead of the device's fastest (setup comparisons). */
  ortBuild?: string;
  input: string[];
  out?: string;
  json?: boolean;
  /** --wide: every column of every table (the default view fits 120 columns for a few runs). */
  wide?: boolean;
  strict?: boolean;
  /** Print nothing (tests read --out instead). Not a flag. */
  quiet?: boolean;
  repeat: number;
  engine?: string;
  prompt?: string;
  maxNewTokens?: number;
  /** --context: the context-length run type; true for the default lengths. */
  context?: string | boolean;
  hubHost?: string;
  /** `ocr` or `vad`: a task pipeline (bench-task.ts); anything else is the task of hub: models. */
  task?: string;
  /** --task ocr: the image to read (default: the sample lines the page renders). */
  image?: string;
  /** --task ocr: the text the image holds, for CER. */
  expect?: string;
  /** --task vad: the audio (WAV). */
  audio?: string;
  /** --task vad: a JSON file of the speech segments the audio holds, for segment F1. */
  expectSegments?: string;
  /** --roofline [quick]: measure each backend's roofline first and report each run's utilisation of it. */
  roofline?: string | boolean;
  /** Abort the suite after this many ms (what Ctrl-C does, on a timer: for tests and unattended runs). */
  abortAfter?: number;
  /** --threshold CLAIM.NAME=VALUE: change a claim's default threshold. */
  threshold?: string[];
  /** --report FILE (.html or .md): the claims report of these runs. */
  report?: string;
  /** --claim ID: only these claims (the claims suite runs only what they need). */
  claim?: string[];
  /** --connect [NAME=]URL: remote browsers (Playwright browser servers; `cdp:` for DevTools endpoints) instead of a local one. */
  connect?: string[];
  /** --connect-cdp [NAME=]URL: DevTools endpoints (Selenium Grid 4, device clouds). */
  connectCdp?: string[];
  /** Remote browsers running at once (default 2). */
  concurrency?: number;
  /** --watchdog MS: a run that sends no word for its time budget plus this long is aborted and the suite goes on (remote: the CLI's watchdog; local: the page's). */
  watchdog?: number;
  /** Address the app is served on (default 127.0.0.1). */
  host?: string;
  port?: number;
  /** The URL remote browsers open (a tunnel's), instead of http://HOST:PORT/. */
  publicUrl?: string;
  /** --resume FILE.jsonl: run only what FILE does not answer yet, appending to it. */
  resume?: string;
  /** --profile: one more iteration per run with onnxruntime's profiler; the top operators per run (ORT engine only). */
  profile?: boolean;
  /** --browser-profile temp|cache|DIR: the Chromium profile of the CLI's own browser (src/cli/profile.ts). */
  browserProfile?: string;
}

/** `claims`: the runs the articles' claims need (models/claims.json), then a verdict for each. */
export const SUITES = ['default', 'all', 'claims'] as const;

const integer =
  (min: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}, got "${value}"`);
    return n;
  };
const collect = (value: string, previous: string[]): string[] => [...previous, value];
/** --hub-host: an http(s) URL; anything else is a usage error naming the valid form. */
const hubHostFlag = (value: string): string => {
  try {
    return parseHubHost(value, '--hub-host');
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

/**
 * What the app's server lets the page fetch beyond its own origin (its Content-Security-Policy): the hub host, and
 * the origins of URL models.
 */
export const cspOrigins = (opts: Pick<BenchOptions, 'hubHost' | 'model'>): { hubHost?: string; connect: string[] } => ({
  ...(opts.hubHost ? { hubHost: opts.hubHost } : {}),
  connect: opts.model.filter((m) => /^https?:\/\//i.test(m)),
});

/** --threads: a count from 1 (this machine's cores are checked once the CLI knows the browser is local), auto or sweep. */
const threadsFlag = (value: string): ThreadsRequest => {
  try {
    return parseThreads(value, '--threads');
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
};

export function program(): Command {
  return new Command('ondevice')
    .description('Measure ONNX models in headless Chromium on WASM and WebGPU; print a table and write JSONL.')
    .version(VERSION)
    .option('--suite <name>', `which suite: ${SUITES.join(', ')} (claims: the runs models/claims.json needs, then a verdict per claim)`, 'default')
    .option(
      '--model <id|path|url>',
      'a catalog id, replica:ID (a model the articles name, built from its architecture: replica:phi-3.5-mini), hub:ORG/NAME, an .onnx path or a URL (repeatable; default: every bundled model)',
      collect,
      [],
    )
    .option(
      '--device <list>',
      `backends, comma-separated: ${DEVICES.join(', ')} (when not given: wasm, plus webgpu when the adapter is a real GPU, not a CPU emulation such as SwiftShader, llvmpipe or Microsoft Basic Render Driver)`,
      'wasm,webgpu',
    )
    .option(
      '--dtype <list>',
      `levels: ${DTYPES.join(', ')}, or all (every level a model ships; an fp32 file gets them made) (default: fp32). On wasm, q4, q4f16 and bnb4 dequantize every weight on every call (onnxruntime-web has no 4-bit wasm kernel); q4dq is 4-bit on disk, fp32 once loaded. GGUF levels (wllama): f32, f16, q8_0, q4_0 (blocks of 32) and q4_k_m (llama.cpp's Q4_K_M mix: Q4_K, Q6_K for the output and some attn_v/ffn_down)`,
    )
    .option('--iterations <n>', 'timed iterations per run', integer(1), DEFAULT_WORKLOAD.iterations)
    .option(
      '--warmup <n>',
      'warm-up runs at least (the first run, timed alone, counts as one); then until the last runs settle, up to --warmup-cap',
      integer(0),
      DEFAULT_WORKLOAD.warmup,
    )
    .option(
      '--warmup-cap <ms>',
      'adaptive warm-up: go on after --warmup runs until two windows of 5 runs agree within 5 %, for at most this long (0: exactly --warmup runs)',
      integer(0),
      DEFAULT_WORKLOAD.warmupCapMs ?? 0,
    )
    .option('--time-budget <ms>', 'stop measuring a run after this long (at least one iteration)', integer(0))
    .option('--threads <n|auto|sweep>', 'WASM threads: a count, auto (calibrated on this device; the default) or sweep (one model at every count)', threadsFlag)
    .option(
      '--ort-build <name>',
      `onnxruntime-web build to load instead of the fastest for the backend (wasm: plain, webgpu: asyncify): ${ORT_BUILDS.join(', ')} (jsep is what a bare import of onnxruntime-web loads; to compare setups)`,
    )
    .option('--input <name=shape>', 'input shape NAME=1,3,224,224 or fill NAME==16000 (repeatable)', collect, [])
    .option('--repeat <n>', 'run each spec n times in a row and report how memory grows (leak check)', integer(1), 1)
    .option(
      '--engine <list>',
      `engines: ${ENGINES.join(', ')}, or auto (ort and transformers for Hugging Face-layout models, wllama too at GGUF levels, else ort)`,
      'auto',
    )
    .option('--prompt <text>', 'language models: the prompt (text models: the text to classify or embed)')
    .option('--max-new-tokens <n>', `language models: tokens to generate (default ${DEFAULT_GENERATION.maxNewTokens}; 16 with --context)`, integer(1))
    .option(
      '--context [lengths]',
      `language models: measure decode at these context lengths instead (default ${DEFAULT_CONTEXT_LENGTHS.join(',')}, capped by the model)`,
    )
    .option(
      '--hub-host <url>',
      'where hub:ORG/NAME models come from: an http(s) URL (default https://huggingface.co/; a mirror or a local server); the only remote origin the app may fetch from',
      hubHostFlag,
    )
    .option(
      '--task <task>',
      'ocr or vad: run that task pipeline on --image / --audio at each --dtype (all: every level its models ship); otherwise the task of hub: models (default text-generation)',
    )
    .option('--image <file>', '--task ocr: the image to read (PNG, JPEG, GIF, BMP, WebP; default: sample lines the page renders, with known text)')
    .option('--expect <text>', '--task ocr: the text the image holds (lines joined by newlines): CER against it')
    .option('--audio <file.wav>', '--task vad: the audio to run')
    .option('--expect-segments <file.json>', '--task vad: the speech segments the audio holds ([{"startMs", "endMs"}]): segment F1 against them')
    .option('--profile', "after the measured iterations, one more with onnxruntime's profiler: the top operators by time per run (ort engine only)")
    .option(
      '--roofline [quick]',
      "measure each backend's roofline (memory GB/s, f32 GFLOP/s) first and show each run's utilisation of it; quick: fewer repeats",
    )
    .option('--abort-after <ms>', 'abort the suite after this long, as Ctrl-C does (the run in progress is logged aborted)', integer(0))
    .option(
      '--threshold <claim.name=value>',
      "change a claim's threshold, e.g. mobilenet-on-device.p50Ms=50 (repeatable; the report prints the one used)",
      collect,
      [],
    )
    .option('--claim <id>', 'the claims suite and report: only this claim (repeatable; default every claim in models/claims.json)', collect, [])
    .option('--report <file>', 'write the claims report of these runs: .html (self-contained, opens offline) or .md')
    .option(
      '--connect <[name=]url>',
      'run on a remote browser instead: a Playwright browser server (ws://HOST:PORT/…, what launchServer prints) or cdp:http://HOST:9222 / cdp:ws://… (DevTools, e.g. Selenium Grid 4); NAME= labels the device (repeatable)',
      collect,
      [],
    )
    .option('--connect-cdp <[name=]url>', 'a remote browser over the DevTools protocol (connectOverCDP), as --connect cdp:URL (repeatable)', collect, [])
    .option('--concurrency <n>', 'remote browsers running at once', integer(1), 2)
    .option(
      '--watchdog <ms>',
      'a run that sends no progress for its time budget plus this long is logged aborted and the suite goes on with the next (with --connect the CLI watches, default 180000; locally the page, default 600000)',
      integer(1),
    )
    .option('--host <addr>', 'with --connect: address to serve the app on; 0.0.0.0 for remote browsers on other machines', '127.0.0.1')
    .option('--port <n>', 'with --connect: port to serve the app on (default any free one; a tunnel or port forward needs a fixed one)', integer(1))
    .option(
      '--public-url <url>',
      "with --connect: the URL remote browsers open (a tunnel's https URL, http://localhost:PORT/ through a port forward) instead of http://HOST:PORT/",
    )
    .option(
      '--resume <file.jsonl>',
      'with --connect: run only the runs FILE has no completed, errored or unsupported record of (per device label), appending to it',
    )
    .option(
      '--browser-profile <temp|cache|dir>',
      "the CLI's Chromium profile, storage on disk: temp (default: fresh, removed at exit), cache (~/.cache/ondevice/chromium, kept: built replicas are found by the next run) or a folder (kept)",
    )
    .option('--out <file.jsonl>', 'write one JSON record per run')
    .option('--json', 'print JSONL to stdout instead of the table')
    .option('--wide', 'every column of the tables, reasons inline (by default columns no run fills are left out, and reasons are notes under the table)')
    .option('--strict', 'exit 1 when any run errored')
    .addHelpText(
      'after',
      `
Many devices (README, "Many devices"):
  a Playwright browser server     npx playwright launch-server --browser chromium --config server.json   (prints ws://HOST:PORT/PATH)
                                  npm run bench -- --connect phone=ws://HOST:PORT/PATH --host 0.0.0.0
  a Chromium with DevTools open   chromium --remote-debugging-port=9222  →  --connect cdp:http://HOST:9222 (or --connect-cdp URL)
  a Selenium Grid 4 session       --connect cdp:ws://grid:4444/session/<id>/se/cdp   (the session's se:cdp capability)
  The remote browser must reach the app (--host, --port, --public-url) at a secure origin (https, or http://localhost through
  a port forward) for WebGPU and WASM threads, with the COOP/COEP headers intact. A device that drops out keeps its finished
  runs; the rest are logged aborted, and --resume FILE runs only those (match devices by NAME= labels). Exit 1 when a device
  failed.`,
    );
}
