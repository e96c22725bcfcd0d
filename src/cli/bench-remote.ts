/**
 * `bench --connect`: the suite on remote browsers (--resume, drop-outs), and records grouped by the device that made
 * them.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Claim, ThresholdOverrides } from '../claims/types.ts';
import type { RunResult } from '../core/schema.ts';
import { InvalidInputError } from '../core/vocab.ts';
import { groupByRemote } from '../core/compare.ts';
import { parseJsonl } from '../store/export.ts';
import { judgeDevices } from '../claims/judge.ts';
import { claimsTable, loadCatalog, writeReport } from './report.ts';
import { builtCatalog, describeEndpoint, readResumeFile, runOnDevices, type DeviceOutcome, type Endpoint } from './remote.ts';
import { startAppServer } from './serve.ts';
import { cspOrigins, type BenchOptions } from './bench-args.ts';
import type { PlanMaker } from './bench-plan.ts';
import { devicesProgress } from './bench-progress.ts';
import { devicesTable, report, summary } from './bench-tables.ts';

/**
 * The suite on remote browsers: each device's records go to --out as they are made (--resume: appended to that
 * file), then a table per device and the devices side by side. Exit 1 when a device failed (its unfinished runs
 * are in the log as aborted, for --resume), or with --strict on an errored run.
 */
export async function benchOnDevices(
  opts: BenchOptions,
  endpoints: Endpoint[],
  makePlan: PlanMaker,
  claims: readonly Claim[],
  overrides: ThresholdOverrides,
): Promise<number> {
  if (opts.publicUrl && !/^https?:\/\/[^/]/i.test(opts.publicUrl)) {
    throw new InvalidInputError(
      `--public-url "${opts.publicUrl}": expected the http:// or https:// URL remote browsers should open the app at, e.g. https://my-tunnel.example/ or http://localhost:5173/.`,
    );
  }
  if (opts.resume && opts.out && resolve(opts.out) !== resolve(opts.resume)) {
    throw new InvalidInputError(`--resume "${opts.resume}" appends to that file; leave out --out "${opts.out}" (or give the same file).`);
  }
  const prior = opts.resume ? readResumeFile(opts.resume) : undefined;
  const out = opts.resume ?? opts.out;
  const catalog = builtCatalog();
  const server = await startAppServer({ host: opts.host, port: opts.port, publicUrl: opts.publicUrl, ...cspOrigins(opts) });
  if (out && !opts.resume) writeFileSync(out, '');
  const progress = devicesProgress(!opts.json && !opts.quiet);
  const say = (line: string) => {
    if (!opts.quiet) process.stderr.write(`ondevice: ${line}\n`);
  };
  const aborter = new AbortController();
  const abort = () => {
    say('aborting the runs in progress (Ctrl-C again to quit at once)');
    process.once('SIGINT', () => process.exit(130));
    aborter.abort();
  };
  process.once('SIGINT', abort);
  const timer = opts.abortAfter !== undefined ? setTimeout(abort, opts.abortAfter) : null;
  let outcomes: DeviceOutcome[];
  try {
    outcomes = await runOnDevices({
      plan: makePlan.make(catalog, server, makePlan.devices ?? makePlan.remoteDevices),
      catalog,
      endpoints,
      server,
      concurrency: opts.concurrency ?? 2,
      ...(opts.watchdog !== undefined ? { watchdogMarginMs: opts.watchdog } : {}),
      prior,
      signal: aborter.signal,
      onEvent: progress,
      onWarning: (e, message) => say(`${describeEndpoint(e)}: ${message}`),
      // Written as each record is made: a crash later keeps what was measured.
      onResult: (r) => {
        if (out) appendFileSync(out, JSON.stringify(r) + '\n');
      },
    });
  } finally {
    process.removeListener('SIGINT', abort);
    if (timer) clearTimeout(timer);
    await server.close();
  }
  const results = outcomes.flatMap((o) => o.results);
  for (const o of outcomes) if (o.failure) say(o.failure);
  // Side by side with what the resumed file already had, so a resume still compares every device; one report of all.
  const merged = resultsByDevice([...(prior ?? []), ...results]);
  const judged = claims.length
    ? judgeDevices(
        claims,
        [...merged].map(([label, rs]) => ({ label, results: rs })),
        overrides,
      ).devices
    : [];
  if (opts.report) writeReport(opts.report, judged, claims, loadCatalog());
  if (opts.quiet) {
    /* the caller reads --out */
  } else if (opts.json) process.stdout.write(results.map((r) => JSON.stringify(r)).join('\n') + (results.length ? '\n' : ''));
  else {
    for (const o of outcomes) {
      if (o.planned === 0) process.stdout.write(`${describeEndpoint(o.endpoint)}: nothing left to run\n`);
      // A device that never ran anything has only its failure line to show.
      else if (o.results.some((r) => r.env)) process.stdout.write(`${describeEndpoint(o.endpoint)}:\n${report(o.results, opts.wide)}\n`);
    }
    // Side by side with what the resumed file already had, so a resume still compares every device.
    const side = devicesTable(merged);
    if (side) process.stdout.write(side + '\n');
    if (judged.length) process.stdout.write(claimsTable(judged, claims) + '\n');
    if (opts.report) process.stdout.write(`claims report written to ${opts.report}\n`);
    process.stdout.write(`${summary(results)} on ${outcomes.length} device${outcomes.length === 1 ? '' : 's'}${out ? `; written to ${out}` : ''}\n`);
  }
  if (outcomes.some((o) => o.failure)) return 1;
  return opts.strict && results.some((r) => r.state === 'errored') ? 1 : 0;
}

/**
 * Every record of a merged log (or of a list), grouped by the device that made it (`remote.label`; "local" for the
 * CLI's own browser): what a report over several devices starts from. Pass a JSONL path or records.
 */
export function resultsByDevice(source: string | readonly RunResult[]): Map<string, RunResult[]> {
  if (typeof source !== 'string') return groupByRemote(source);
  const { results, problems } = parseJsonl(readFileSync(source, 'utf8'));
  if (problems.length) throw new InvalidInputError(`"${source}": ${problems[0]!.message}`);
  return groupByRemote(results);
}
