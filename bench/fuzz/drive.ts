/**
 * One mutated file through the app as a user's file reaches it (served from disk, a `file` model reference):
 * the inspector, the quantizer, then a run. Each stage is watched from Node: one that does not answer in time is
 * `hung`, a tab that dies is `crashed` (and the app is opened again for the next file). `npm run fuzz` and
 * test/browser/fuzz.test.ts share this.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApp, type AppSession } from '../../src/cli/driver.ts';
import type { AppServer } from '../../src/cli/serve.ts';
import type { ModelRef } from '../../src/core/spec.ts';
import type { Mutant, MutationKind } from './mutate.ts';

export const STAGES = ['inspect', 'quantize', 'run'] as const;
export type Stage = (typeof STAGES)[number];
/** ok: the stage did its work; errored/unsupported: it said why not; hung/crashed: what must never happen. */
export type Outcome = 'ok' | 'errored' | 'unsupported' | 'hung' | 'crashed';

export interface StageResult {
  outcome: Outcome;
  /** The error's class (its `name`) and message, when the stage did not succeed. */
  errorName: string | null;
  message: string | null;
  ms: number;
}

export interface FileResult {
  name: string;
  kind: MutationKind;
  base: string;
  detail: string;
  stages: Record<Stage, StageResult>;
  /** Uncaught errors and unhandled rejections the page (or its workers) reported while this file was processed. */
  pageErrors: string[];
}

export interface FuzzOptions {
  /** How long a stage may take before it counts as hung (default 60 s). */
  stageTimeoutMs?: number;
  /** Levels the quantizer makes from each file (default q8 and q4). */
  levels?: ('fp16' | 'q8' | 'q4' | 'bnb4' | 'q4dq')[];
}

/** The app, and what to do when its tab dies: open a fresh one on the same server. */
export class FuzzApp {
  session!: AppSession;
  readonly pageErrors: string[] = [];
  private constructor(readonly server: AppServer) {}

  static async open(server: AppServer): Promise<FuzzApp> {
    const app = new FuzzApp(server);
    await app.reopen();
    return app;
  }

  async reopen(): Promise<void> {
    await this.session?.close().catch(() => undefined);
    this.session = await openApp({ server: this.server });
    const { page } = this.session;
    page.on('pageerror', (e) => this.pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && /uncaught|unhandled/i.test(m.text())) this.pageErrors.push(`console: ${m.text()}`);
    });
    await page.evaluate(() => window.ondevice.clearResults());
  }

  close = () => this.session.close();
}

const HUNG = Symbol('hung');

/** Run a page call under a watchdog; what it throws becomes the stage's error. */
async function stage(app: FuzzApp, timeoutMs: number, call: () => Promise<Outcome | { outcome: Outcome; name: string; message: string }>) {
  const t0 = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watchdog = new Promise<typeof HUNG>((resolve) => (timer = setTimeout(() => resolve(HUNG), timeoutMs)));
  const done = (outcome: Outcome, errorName: string | null = null, message: string | null = null): StageResult => ({
    outcome,
    errorName,
    message,
    ms: Math.round(performance.now() - t0),
  });
  try {
    const r = await Promise.race([call(), watchdog]);
    if (r === HUNG) return done('hung', 'Hung', `no answer within ${timeoutMs} ms`);
    return typeof r === 'string' ? done(r) : done(r.outcome, r.name, r.message);
  } catch (err) {
    const message = String((err as Error)?.message ?? err).split('\n')[0]!;
    if (app.session.page.isClosed() || /crash|Target (page, context or browser )?(has been )?closed/i.test(message))
      return done('crashed', 'TabCrash', message);
    // The page's own rejection: `Error: <name>: <message>` is how page.evaluate hands it over.
    const m = /^(?:page\.evaluate: )?(\w*Error|\w+Exception): (.*)$/s.exec(message);
    const name = m?.[1] ?? 'Error';
    return done(name === 'UnsupportedError' ? 'unsupported' : 'errored', name, m?.[2] ?? message);
  } finally {
    clearTimeout(timer);
  }
}

/** Inspect, quantize and run one mutant (written to `dir`); never throws for what the file does. */
export async function fuzzFile(app: FuzzApp, mutant: Mutant, dir: string, options: FuzzOptions = {}): Promise<FileResult> {
  const timeoutMs = options.stageTimeoutMs ?? 60_000;
  const levels = options.levels ?? ['q8', 'q4'];
  const path = join(dir, mutant.name);
  writeFileSync(path, mutant.bytes);
  const ref: ModelRef = { id: mutant.name, source: 'file', url: app.server.serveFile(path), dtype: 'fp32', task: 'unknown' };
  const errorsBefore = app.pageErrors.length;
  const stages = {} as Record<Stage, StageResult>;
  const recover = async (s: StageResult) => {
    if (s.outcome === 'crashed') await app.reopen();
    else if (s.outcome === 'hung') {
      // Abort what runs; a page that does not come back is replaced.
      const idle = await app.session.page
        .evaluate(() => (window.ondevice.abort(), true))
        .then(() => app.session.page.waitForFunction(() => !window.ondevice.isRunning(), undefined, { timeout: 15_000 }))
        .then(
          () => true,
          () => false,
        );
      if (!idle) await app.reopen();
    }
    return s;
  };

  stages.inspect = await recover(
    await stage(app, timeoutMs, async () => {
      await app.session.page.evaluate((m) => window.ondevice.inspect(m).then(() => undefined), ref);
      return 'ok';
    }),
  );
  stages.quantize = await recover(
    await stage(app, timeoutMs, () =>
      app.session.page.evaluate(
        async ([m, ls]) => {
          const variants = await window.ondevice.makeLevels(m, ls);
          for (const v of variants) URL.revokeObjectURL(v.model.url);
          const nothing = variants.find((v) => v.model.unavailable);
          return nothing ? { outcome: 'unsupported' as const, name: 'UnsupportedError', message: nothing.model.unavailable! } : ('ok' as const);
        },
        [ref, levels] as const,
      ),
    ),
  );
  stages.run = await recover(
    await stage(app, timeoutMs, async () => {
      const [r] = await app.session.runSuite({
        models: [ref],
        devices: ['wasm'],
        dtypes: ['fp32'],
        engines: ['ort'],
        workload: { iterations: 1, warmup: 1, warmupCapMs: 0, timeBudgetMs: 1000, numThreads: 1 },
      });
      if (!r) return { outcome: 'errored', name: 'NoResult', message: 'the suite returned no result' };
      if (r.state === 'completed') return 'ok';
      const outcome = r.state === 'unsupported' ? 'unsupported' : 'errored';
      return { outcome, name: r.error?.name ?? 'Error', message: r.error?.message ?? `ended ${r.state} without a reason` };
    }),
  );
  return { name: mutant.name, kind: mutant.kind, base: mutant.base, detail: mutant.detail, stages, pageErrors: app.pageErrors.slice(errorsBefore) };
}
