/** Running one suite on many remote browsers (`--connect`): Playwright browser servers and CDP endpoints, a few at a time. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { SuiteEvent } from '../client/suite.ts';
import type { Catalog } from '../core/catalog.ts';
import { expandPlansKeyed, runKey, type KeyedRun, type SuitePlan } from '../core/plan.ts';
import { emptyResult, finish, type ErrorInfo } from '../core/result.ts';
import type { RunResult } from '../core/schema.ts';
import { DTYPES, InvalidInputError, type RunState } from '../core/vocab.ts';
import { parseJsonl } from '../store/export.ts';
import { AppLoadError, firstLine, openApp, type AppSession } from './driver.ts';
import { ROOT, type AppServer } from './serve.ts';
import { runWatchdog, stallMessage, WATCHDOG_MARGIN_MS } from './watchdog.ts';

export const PROTOCOLS = ['playwright', 'cdp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** A remote browser to run the suite on. */
export interface Endpoint {
  /** Names the device in the records and the tables; `--resume` matches on it (endpoints change between sessions). */
  label: string;
  /** What playwright-core connects to. */
  url: string;
  protocol: Protocol;
  /** The URL as records and messages show it: no user, password or query string (device clouds put keys there). */
  shown: string;
}

const PLAYWRIGHT_VERSION = (createRequire(import.meta.url)('playwright-core/package.json') as { version: string }).version;
const CONNECT_TIMEOUT_MS = 30_000;

/** The endpoint without credentials: user and password dropped, a query string shown as "?…". */
export function redactEndpoint(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return url;
  }
}

const ENDPOINT_HELP =
  "expected a Playwright browser server's ws:// or wss:// endpoint (what launchServer prints), cdp:http://HOST:PORT or cdp:ws://… for a " +
  "Chrome DevTools endpoint (a Selenium Grid 4 session's se:cdp URL), optionally NAME=URL to label the device";

/**
 * `--connect [NAME=]URL` (a `cdp:` prefix selects the DevTools protocol) or `--connect-cdp [NAME=]URL`. The label
 * defaults to the endpoint as shown.
 */
export function parseEndpoint(flag: string, cdp = false): Endpoint {
  const option = cdp ? '--connect-cdp' : '--connect';
  const named = /^([\w.-]+)=(.+)$/.exec(flag.trim());
  let url = named ? named[2]! : flag.trim();
  let protocol: Protocol = cdp ? 'cdp' : 'playwright';
  if (url.startsWith('cdp:')) {
    url = url.slice(4);
    protocol = 'cdp';
  }
  const schemes = protocol === 'cdp' ? ['http:', 'https:', 'ws:', 'wss:'] : ['ws:', 'wss:'];
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  if (!parsed || !schemes.includes(parsed.protocol)) throw new InvalidInputError(`${option} "${flag}": ${ENDPOINT_HELP}.`);
  const shown = redactEndpoint(url);
  return { label: named ? named[1]! : shown, url, protocol, shown };
}

/** Every endpoint of --connect and --connect-cdp; labels must tell the devices apart. */
export function parseEndpoints(connect: readonly string[], connectCdp: readonly string[] = []): Endpoint[] {
  const endpoints = [...connect.map((f) => parseEndpoint(f)), ...connectCdp.map((f) => parseEndpoint(f, true))];
  const seen = new Set<string>();
  for (const e of endpoints) {
    if (seen.has(e.label)) throw new InvalidInputError(`--connect: two devices are labelled "${e.label}"; name each one with NAME=URL.`);
    seen.add(e.label);
  }
  return endpoints;
}

/** How messages name a device: its endpoint, and its label when that says something else. */
export const describeEndpoint = (e: Endpoint): string => (e.label === e.shown ? e.shown : `${e.shown} ("${e.label}")`);

export class RemoteConnectError extends Error {
  override name = 'RemoteConnectError';
}

/** Connect to the remote browser; a failure says what should be listening there. */
export async function connectBrowser(e: Endpoint, timeoutMs = CONNECT_TIMEOUT_MS): Promise<Browser> {
  try {
    return e.protocol === 'cdp' ? await chromium.connectOverCDP(e.url, { timeout: timeoutMs }) : await chromium.connect(e.url, { timeout: timeoutMs });
  } catch (err) {
    const hint =
      e.protocol === 'cdp'
        ? "is a Chromium with a DevTools endpoint there (chromium --remote-debugging-port=9222, or a Selenium Grid 4 session's se:cdp URL)?"
        : `is a Playwright browser server running there (npx playwright launch-server --browser chromium, or chromium.launchServer() in Node), and is this the ws:// endpoint it printed? Its Playwright version must match ours (${PLAYWRIGHT_VERSION}).`;
    throw new RemoteConnectError(`could not connect to ${e.shown}: ${firstLine(err)}; ${hint}`);
  }
}

/** The catalog the app serves (dist/catalog.json): planning happens here too, so runs a device never started can be recorded. */
export function builtCatalog(): Catalog {
  const path = join(ROOT, 'dist', 'catalog.json');
  if (!existsSync(path)) throw new Error('The app is not built (dist/catalog.json is missing): run `npm run build` first.');
  return JSON.parse(readFileSync(path, 'utf8')) as Catalog;
}

/**
 * The runs the page will make for this plan, in its order, each with its plan and key. The page first makes the
 * levels a plan asks of an fp32 file (each level one more model reference after it), so they are added here the
 * same way.
 */
export function plannedRuns(plans: readonly SuitePlan[], catalog: Catalog): KeyedRun[] {
  const withLevels = plans.map((plan) => {
    const levels = plan.dtypes === 'shipped' ? [...DTYPES] : plan.dtypes;
    const models = plan.models.flatMap((m) =>
      typeof m !== 'string' && m.dtype === 'fp32' ? [m, ...levels.filter((l) => l !== 'fp32').map((dtype) => ({ ...m, dtype }))] : [m],
    );
    return { ...plan, models };
  });
  return expandPlansKeyed(withLevels, catalog, () => crypto.randomUUID());
}

/** States that answer a spec: a resumed suite runs again only what was aborted or never recorded. */
const DONE: readonly RunState[] = ['completed', 'errored', 'unsupported'];

/**
 * What is left of the plan on one device, given the records of earlier attempts: per plan and spec (model, level,
 * backend, engine), as many repeats as the device's records of that plan answer. Records without a plan (older
 * logs) answer the first runs of their spec in the suite's order, whichever plan they belong to.
 */
export function remainingRuns(planned: readonly KeyedRun[], prior: readonly RunResult[], label: string): KeyedRun[] {
  const byPlan = new Map<string, number>();
  const unplanned = new Map<string, number>();
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const r of prior) {
    if (r.remote?.label !== label || !DONE.includes(r.state)) continue;
    if (r.remote.plan === undefined) add(unplanned, runKey(r));
    else add(byPlan, `${r.remote.plan}\u0000${runKey(r)}`);
  }
  return planned.filter((x) => {
    const at = x.key.lastIndexOf('#');
    const spec = x.key.slice(0, at);
    if (Number(x.key.slice(at + 1)) < (byPlan.get(`${x.plan}\u0000${spec}`) ?? 0)) return false;
    const left = unplanned.get(spec) ?? 0;
    if (left === 0) return true;
    unplanned.set(spec, left - 1);
    return false;
  });
}

/** Each plan restricted to the runs given (its `only`): what a resumed or restarted device asks its page to run. */
export const plansFor = (plans: readonly SuitePlan[], runs: readonly KeyedRun[]): SuitePlan[] =>
  plans.map((p, i) => ({ ...p, only: runs.filter((x) => x.plan === i).map((x) => x.key) }));

/** The records of a --resume file; a line that does not validate stops the resume (it would be counted wrong). */
export function readResumeFile(path: string): RunResult[] {
  if (!existsSync(path)) throw new InvalidInputError(`--resume "${path}": no such file; give the JSONL an earlier --connect run wrote with --out.`);
  const { results, problems } = parseJsonl(readFileSync(path, 'utf8'));
  if (problems.length)
    throw new InvalidInputError(
      `--resume "${path}": ${problems[0]!.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}; fix or remove the line.`,
    );
  return results;
}

/** What became of one device. */
export interface DeviceOutcome {
  endpoint: Endpoint;
  /** Its records, in order: runs that ended, then those it never finished (aborted, with the reason). */
  results: RunResult[];
  /** Runs planned on it this time (after --resume left out what was done). */
  planned: number;
  /** Why it stopped early (could not connect, could not load the app, disconnected); null when it ran everything. */
  failure: string | null;
}

export interface DevicesOptions {
  /** The suite: one plan or several (the claims suite), run as one on each device. */
  plan: SuitePlan[];
  catalog: Catalog;
  endpoints: readonly Endpoint[];
  server: AppServer;
  /** Devices running at once. */
  concurrency: number;
  /** Records of an earlier attempt (--resume): only what they do not answer runs. */
  prior?: readonly RunResult[];
  /** Each record as it is made (runs that end, and the aborted rest of a device that failed). */
  onResult?: (r: RunResult) => void;
  onEvent?: (e: Endpoint, event: SuiteEvent) => void;
  onWarning?: (e: Endpoint, message: string) => void;
  /** A run that sends no word for its time budget plus this long is aborted as stalled (default WATCHDOG_MARGIN_MS). */
  watchdogMarginMs?: number;
  /** Aborts every device's run in progress; devices not started yet are not started. */
  signal?: AbortSignal;
  loadTimeoutMs?: number;
}

/** Run the plan on every endpoint, `concurrency` at a time; one device failing does not stop the others. */
export async function runOnDevices(options: DevicesOptions): Promise<DeviceOutcome[]> {
  const queue = [...options.endpoints.entries()];
  const outcomes: DeviceOutcome[] = [];
  const worker = async () => {
    for (let next = queue.shift(); next && !options.signal?.aborted; next = queue.shift()) outcomes[next[0]] = await runOnDevice(next[1], options);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, queue.length)) }, worker));
  return outcomes.filter(Boolean);
}

async function runOnDevice(endpoint: Endpoint, options: DevicesOptions): Promise<DeviceOutcome> {
  const all = plannedRuns(options.plan, options.catalog);
  // The runs still to make on this device, in the page's order; a stalled run is taken off and the rest run again.
  let pending = options.prior ? remainingRuns(all, options.prior, endpoint.label) : all;
  const outcome: DeviceOutcome = { endpoint, results: [], planned: pending.length, failure: null };
  if (pending.length === 0) return outcome;
  const record = (x: KeyedRun, r: RunResult) => {
    r.remote = { label: endpoint.label, endpoint: endpoint.shown, plan: x.plan };
    outcome.results.push(r);
    options.onResult?.(r);
  };
  // The runs this device did not finish: recorded aborted with why, so the log says what is missing and --resume can fill it.
  const abortRest = (error: ErrorInfo, rest: readonly KeyedRun[]) => {
    outcome.failure = error.message;
    for (const x of rest) record(x, x.run.kind === 'decided' ? structuredClone(x.run.result) : finish(emptyResult(x.run.spec), 'aborted', error));
  };

  while (pending.length && !options.signal?.aborted && !outcome.failure) pending = await runAttempt(endpoint, options, pending, all, record, abortRest);
  return outcome;
}

/**
 * One page's go at the runs left: open the app, run them, record each as it ends. Returns what is still to run: none
 * when the suite ended, the rest after a run that stalled (recorded aborted by the watchdog; the page is closed and
 * the next attempt opens a fresh one). A device that fails has its rest recorded aborted by `abortRest`.
 */
async function runAttempt(
  endpoint: Endpoint,
  options: DevicesOptions,
  runs: KeyedRun[],
  all: readonly KeyedRun[],
  record: (x: KeyedRun, r: RunResult) => void,
  abortRest: (error: ErrorInfo, rest: readonly KeyedRun[]) => void,
): Promise<KeyedRun[]> {
  let browser: Browser;
  try {
    browser = await connectBrowser(endpoint);
  } catch (err) {
    abortRest({ name: 'RemoteConnectError', message: (err as Error).message }, runs);
    return [];
  }
  let disconnected = false;
  browser.on('disconnected', () => (disconnected = true));
  const isDisconnected = () => disconnected;
  const ended = new Set<number>();
  const left = () => runs.filter((_, i) => !ended.has(i));
  const watchdog = runWatchdog(options.watchdogMarginMs ?? WATCHDOG_MARGIN_MS);
  let live = true;
  let session: AppSession;
  try {
    session = await openApp({
      browser,
      server: options.server,
      loadTimeoutMs: options.loadTimeoutMs,
      onEvent: (e) => {
        if (!live) return;
        watchdog.see(e);
        options.onEvent?.(endpoint, e);
        // The page plans the same runs from the same catalog; if it does not, indices here would name the wrong runs.
        if (e.type === 'suite-start' && e.total !== runs.length) {
          options.onWarning?.(
            endpoint,
            `the app planned ${e.total} runs where the CLI planned ${runs.length}: is dist/ older than the CLI? Run \`npm run build\`.`,
          );
        }
        if (e.type !== 'run-end' || !runs[e.index] || ended.has(e.index)) return;
        ended.add(e.index);
        // The CLI samples OS memory only for the browser it launched; this one runs elsewhere.
        if (e.result.memory.osPeakRssBytes === null)
          e.result.memory.unknown.osPeakRssBytes = `the browser runs elsewhere (${endpoint.shown}): the CLI samples OS memory only for a browser it launched`;
        record(runs[e.index]!, e.result);
      },
    });
  } catch (err) {
    const e = err as Error;
    const message =
      e.name === 'AppLoadError'
        ? `the browser at ${describeEndpoint(endpoint)} ${e.message} (${(err as AppLoadError).url} must be reachable from that browser: serve the app on an address it can reach with --host 0.0.0.0, and give the URL it should open with --public-url, e.g. a tunnel's https URL)`
        : `the browser at ${describeEndpoint(endpoint)} could not open the app: ${firstLine(err)}`;
    abortRest({ name: e.name === 'AppLoadError' ? 'AppLoadError' : 'RemoteBrowserError', message }, runs);
    await browser.close().catch(() => undefined);
    return [];
  }

  const stop = () => void session.page.evaluate(() => window.ondevice.abort()).catch(() => undefined);
  options.signal?.addEventListener('abort', stop);
  try {
    const isolation = await session.page.evaluate(() => ({ isolated: self.crossOriginIsolated, secure: self.isSecureContext }));
    if (!isolation.isolated) {
      options.onWarning?.(
        endpoint,
        `the app at ${options.server.url} is not cross-origin isolated in that browser (${isolation.secure ? 'the Cross-Origin-Opener-Policy / -Embedder-Policy headers did not arrive: does a tunnel or proxy drop them?' : 'not a secure context: open it over https or as http://localhost'}): WASM runs single-threaded${isolation.secure ? '' : ' and WebGPU is unavailable'}`,
      );
    }
    // The first go on a device runs the plan as given; later ones (a resume, a restart after a stall) only what is left.
    const suite = session.runSuite(runs === all ? options.plan : plansFor(options.plan, runs));
    suite.catch(() => undefined);
    const stall = await Promise.race([suite.then(() => null), watchdog.stalled]);
    if (!stall) return [];
    live = false;
    ended.add(stall.index);
    const x = runs[stall.index]!;
    const spec = x.run.kind === 'run' ? x.run.spec : null;
    if (spec) record(x, finish(emptyResult(spec), 'aborted', { name: 'StalledError', message: stallMessage(stall, describeEndpoint(endpoint)) }));
    options.onWarning?.(endpoint, `run ${stall.index + 1} of ${runs.length} stalled: ${stallMessage(stall, describeEndpoint(endpoint))}`);
    return left();
  } catch (err) {
    live = false;
    // Playwright rejects calls in flight before it reports the disconnect: give the event a moment to arrive.
    if (!isDisconnected()) await new Promise((r) => setTimeout(r, 200));
    const gone = isDisconnected() || !browser.isConnected();
    const done = all.length - runs.length + ended.size;
    const message = gone
      ? `browser at ${describeEndpoint(endpoint)} disconnected after ${done} of ${all.length} runs`
      : `browser at ${describeEndpoint(endpoint)} failed after ${done} of ${all.length} runs: ${firstLine(err)}`;
    abortRest({ name: gone ? 'DisconnectedError' : 'RemoteBrowserError', message }, left());
    return [];
  } finally {
    live = false;
    watchdog.stop();
    options.signal?.removeEventListener('abort', stop);
    // Closes what we opened in that browser and disconnects; a hung page may not close at once, so it is not waited for long.
    await Promise.race([session.close().catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
    await browser.close().catch(() => undefined);
  }
}
