/**
 * `npm run bench`: run a suite in headless Chromium against the built app, print a table, write JSONL. This module
 * composes the parts: flags (bench-args.ts), plans (bench-plan.ts), progress (bench-progress.ts), tables
 * (bench-tables.ts), remote browsers (bench-remote.ts); it runs the CLI's own browser with the OS memory sampler.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { RunResult } from '../core/schema.ts';
import { memoryGrowth } from '../core/growth.ts';
import { levelNotes } from '../core/level-note.ts';
import { InvalidInputError, type Device } from '../core/vocab.ts';
import type { Page } from 'playwright-core';
import { parseThresholdFlags, selectClaims } from '../claims/claims.ts';
import { defaultDevices } from '../core/capabilities.ts';
import { judgeDevices } from '../claims/judge.ts';
import { openApp } from './driver.ts';
import { claimsTable, loadCatalog, loadClaims, reportKind, writeReport } from './report.ts';
import { OsMemorySampler, type OsPeak } from './proc-memory.ts';
import { parseEndpoints } from './remote.ts';
import { startAppServer } from './serve.ts';
import { parseThreads } from '../core/threads.ts';
import { cspOrigins, program, type BenchOptions } from './bench-args.ts';
import { checkModelNames, planFromOptions } from './bench-plan.ts';
import { parseCommand, USAGE_ERROR } from './command.ts';
import { progressReporter } from './bench-progress.ts';
import { benchOnDevices } from './bench-remote.ts';
import { growthTable, report, summary } from './bench-tables.ts';
import { WATCHDOG_MARGIN_KEY } from '../core/watchdog.ts';
import { benchTask, isPipelineTask } from './bench-task.ts';
import { makeBrowserProfile, parseBrowserProfile, profileLine, profilePort } from './profile.ts';
import type { AppServer } from './serve.ts';

export type { BenchOptions } from './bench-args.ts';
export { program } from './bench-args.ts';
export { modelEntry, parseContext, parseDtypes, parseEngines, parseInputFlag } from './bench-plan.ts';
export { devicesTable, report } from './bench-tables.ts';
export { resultsByDevice } from './bench-remote.ts';

/** Fill a record's OS memory from the sampler's peaks for its run (the CLI's copy; the app's log has none). */
function withOsMemory(result: RunResult, peak: OsPeak | null): void {
  if (!peak) return;
  result.memory.osPeakRssBytes = peak.peakRssBytes;
  delete result.memory.unknown.osPeakRssBytes;
  result.memory.os = { peakPssBytes: peak.peakPssBytes, byType: peak.byType, samples: peak.samples };
}

/**
 * The app server: on a kept profile's own port (the same origin every run, so the replicas cached there are found),
 * else on any free one. A taken port costs the cache, not the run: `notes` says so.
 */
async function serveForProfile(origins: ReturnType<typeof cspOrigins>, port: number | undefined, notes: string[]): Promise<AppServer> {
  if (port === undefined) return startAppServer(origins);
  try {
    return await startAppServer({ ...origins, port });
  } catch (err) {
    notes.push(
      `port ${port}, this profile's, was taken (${(err as Error).message}): the app ran on another origin, where the replicas this profile cached are not found`,
    );
    return startAppServer(origins);
  }
}

/** The backends when none are named (defaultDevices), saying why WebGPU is left out. */
async function browserDefaultDevices(page: Page): Promise<Device[]> {
  const { devices, note } = defaultDevices(await page.evaluate(() => window.ondevice.capabilities()));
  if (note) process.stderr.write(`ondevice: ${note}\n`);
  return devices;
}

/** Run the bench; resolves to the exit code (0 every run ended in a state, 1 harness failure or --strict). */
export async function bench(opts: BenchOptions, beforeLaunch: () => void = () => undefined): Promise<number> {
  if (isPipelineTask(opts.task)) return benchTask(opts, opts.task, beforeLaunch);
  // Flags about the claims and the models are checked before anything starts: a typo costs nothing.
  checkModelNames(opts.model, loadCatalog());
  const claims = opts.suite === 'claims' || opts.report ? selectClaims(loadClaims(), opts.claim ?? []) : [];
  const overrides = parseThresholdFlags(opts.threshold ?? [], claims);
  if (opts.report) reportKind(opts.report);
  const makePlan = planFromOptions(opts, claims);
  const endpoints = parseEndpoints(opts.connect ?? [], opts.connectCdp ?? []);
  const profileChoice = parseBrowserProfile(opts.browserProfile);
  if (endpoints.length && opts.browserProfile !== undefined)
    throw new InvalidInputError("--browser-profile is for the CLI's own Chromium: a remote browser keeps its own profile.");
  if (endpoints.length) {
    beforeLaunch();
    return benchOnDevices(opts, endpoints, makePlan, claims, overrides);
  }
  if (opts.resume) throw new InvalidInputError('--resume works with --connect: it fills in what each remote device is missing.');
  // The CLI's own Chromium runs here: a count past this machine's cores is refused before launch (a remote device checks its own).
  if (typeof opts.threads === 'number') parseThreads(String(opts.threads), '--threads', cpus().length);
  // The CLI's own Chromium always opens the app on loopback (a secure context); these flags are for remote browsers.
  if (opts.publicUrl || opts.port !== undefined || (opts.host && opts.host !== '127.0.0.1')) {
    throw new InvalidInputError('--host, --port and --public-url say where remote browsers find the app: use them with --connect.');
  }
  beforeLaunch();
  const profile = makeBrowserProfile(profileChoice);
  const serverNotes: string[] = [];
  const server = await serveForProfile(cspOrigins(opts), profile.kept ? profilePort(profile.dir) : undefined, serverNotes).catch((err: unknown) => {
    profile.remove();
    throw err;
  });
  const results: RunResult[] = [];
  if (opts.out) writeFileSync(opts.out, '');
  // Bars only on a terminal: piped or redirected, stderr gets none.
  const progress = progressReporter(!opts.json && !opts.quiet && process.stderr.isTTY === true);
  let sampler: OsMemorySampler | null = null;
  // The run's OS memory window ends with its measurement: the profiled iteration (--profile) and the FLOPs count
  // that follow are not the run's memory.
  let measuredPeak: OsPeak | null | undefined;
  const session = await openApp({
    server,
    profileDir: profile.dir,
    onEvent: (e) => {
      progress.onEvent(e);
      if (e.type === 'run-start') {
        sampler?.begin();
        measuredPeak = undefined;
      }
      // Timed iterations (or generations) under way: sample rarely, or the sampling is what gets measured.
      if (e.type === 'run-progress' && (e.progress.phase === 'measure' || e.progress.phase === 'generate')) sampler?.measuring();
      if ((e.type === 'run-progress' && e.progress.phase === 'profile') || e.type === 'run-measured') {
        if (measuredPeak === undefined) measuredPeak = sampler?.end() ?? null;
      }
      if (e.type === 'run-end') {
        withOsMemory(e.result, measuredPeak !== undefined ? measuredPeak : (sampler?.end() ?? null));
        measuredPeak = undefined;
        results.push(e.result);
        // Written as each run ends: a crash later keeps what was measured.
        if (opts.out) appendFileSync(opts.out, JSON.stringify(e.result) + '\n');
      }
    },
  }).catch(async (err) => {
    await server.close();
    profile.remove();
    throw err;
  });
  sampler = new OsMemorySampler(session.marker);
  try {
    // --watchdog sets the page's own watchdog here (src/core/watchdog.ts); the page keeps it in localStorage.
    if (opts.watchdog !== undefined) await session.page.evaluate(([k, v]) => localStorage.setItem(k, v), [WATCHDOG_MARGIN_KEY, String(opts.watchdog)] as const);
    // A kept profile remembers an earlier run's --watchdog: without the flag, the page's default applies.
    else if (profile.kept) await session.page.evaluate((k) => localStorage.removeItem(k), WATCHDOG_MARGIN_KEY);
    const catalog = await session.page.evaluate(() => window.ondevice.catalog());
    const plan = makePlan.make(catalog, server, makePlan.devices ?? (await browserDefaultDevices(session.page)));
    // Ctrl-C (or --abort-after) aborts the run in progress — logged `aborted` with what it measured — and starts no more.
    const abort = () => {
      process.stderr.write('\nondevice: aborting the run in progress (Ctrl-C again to quit at once)\n');
      process.once('SIGINT', () => process.exit(130));
      void session.page.evaluate(() => window.ondevice.abort()).catch(() => undefined);
    };
    process.once('SIGINT', abort);
    const timer = opts.abortAfter !== undefined ? setTimeout(abort, opts.abortAfter) : null;
    try {
      await session.runSuite(plan);
    } finally {
      process.removeListener('SIGINT', abort);
      if (timer) clearTimeout(timer);
    }
  } finally {
    sampler.stop();
    progress.stop();
    await session.close();
    await server.close();
    profile.remove();
  }
  const judged = claims.length ? judgeDevices(claims, [{ label: null, results }], overrides).devices : [];
  if (opts.report) writeReport(opts.report, judged, claims, loadCatalog());
  if (opts.quiet) {
    /* the caller reads --out */
  } else if (opts.json) process.stdout.write(results.map((r) => JSON.stringify(r)).join('\n') + '\n');
  else {
    process.stdout.write(report(results, opts.wide, [profileLine(profile), ...serverNotes]) + '\n');
    for (const note of levelNotes(results.filter((r) => r.state === 'completed').map((r) => [r.model.dtype, r.device] as const)))
      process.stdout.write(`note: ${note}\n`);
    if (judged.length) process.stdout.write(claimsTable(judged, claims) + '\n');
    if (opts.report) process.stdout.write(`claims report written to ${opts.report}\n`);
    if (opts.repeat > 1) process.stdout.write(growthTable(memoryGrowth(results)) + '\n');
    process.stdout.write(`${summary(results)}${opts.out ? `; written to ${opts.out}` : ''}\n`);
  }
  return opts.strict && results.some((r) => r.state === 'errored') ? 1 : 0;
}

/**
 * `ondevice [bench flags]`: resolves to the exit code. `beforeLaunch` runs once every flag and model is checked and a
 * suite will start (bin/ondevice.js builds the app there, so help and usage errors answer at once).
 */
export async function main(argv: string[], beforeLaunch?: () => void): Promise<number> {
  const cmd = parseCommand(program(), argv);
  if (typeof cmd === 'number') return cmd;
  const opts = cmd.opts<BenchOptions>();
  // Without --device, the backends come from the browser: a software WebGPU adapter is left out (defaultDevices).
  if (cmd.getOptionValueSource('device') === 'default') delete opts.device;
  // A thread sweep is a wasm measurement: without --device it runs there alone.
  if (opts.threads === 'sweep' && cmd.getOptionValueSource('device') === 'default') opts.device = 'wasm';
  try {
    return await bench(opts, beforeLaunch);
  } catch (err) {
    // One clear line. Bad flags are a usage error (2); anything else means the harness failed (1).
    const e = err as Error;
    const known = e.name === 'NoChromiumError' || e.name === 'InvalidInputError';
    process.stderr.write(`ondevice: ${known ? '' : `${e.name}: `}${e.message}\n`);
    return e.name === 'InvalidInputError' ? USAGE_ERROR : 1;
  }
}
