/**
 * The app's one controller: the UI's buttons and the CLI's automation entry (`window.ondevice`) call the same
 * functions, so the headless runner exercises exactly what a person clicks.
 */
import type { Capabilities } from '../core/capabilities.ts';
import type { Catalog } from '../core/catalog.ts';
import type { SuitePlan } from '../core/plan.ts';
import type { RunResult } from '../core/schema.ts';
import type { RunSpec } from '../core/spec.ts';
import { parseJsonl, toCsv, toJsonl, type ImportProblem } from '../store/export.ts';
import { appendResults, clearResults, listResults } from '../store/results-db.ts';
import { bareLoopInWorker, probeCapabilities } from './runner-client.ts';
import { runSuite, type SuiteEvent } from './suite.ts';

export interface Controller {
  catalog(): Promise<Catalog>;
  capabilities(): Promise<Capabilities>;
  /** Runs the plan; rejects only if another suite is already running. */
  runSuite(plan: SuitePlan): Promise<RunResult[]>;
  /** Abort the suite in progress: the current run ends `aborted`, no further run starts. */
  abort(): boolean;
  isRunning(): boolean;
  results(): Promise<RunResult[]>;
  clearResults(): Promise<void>;
  exportJsonl(): Promise<string>;
  exportCsv(): Promise<string>;
  importJsonl(text: string): Promise<{ added: number; skipped: number; problems: ImportProblem[] }>;
  bareLoop(spec: RunSpec, iterations: number): Promise<number[]>;
  subscribe(listener: (e: SuiteEvent) => void): () => void;
}

export function createController(catalogUrl = 'catalog.json'): Controller {
  const listeners = new Set<(e: SuiteEvent) => void>();
  let running: AbortController | null = null;
  let catalog: Promise<Catalog> | null = null;

  const loadCatalog = (): Promise<Catalog> => {
    catalog ??= fetch(new URL(catalogUrl, location.href)).then(async (r) => {
      if (!r.ok) throw new Error(`Could not load the model catalog from ${r.url}: HTTP ${r.status}. Run \`npm run models\`.`);
      return (await r.json()) as Catalog;
    });
    return catalog;
  };

  return {
    catalog: loadCatalog,
    capabilities: probeCapabilities,
    async runSuite(plan) {
      if (running) throw new Error('A suite is already running: abort it or wait for it to end.');
      const controller = new AbortController();
      running = controller;
      try {
        return await runSuite(plan, {
          catalog: await loadCatalog(),
          signal: controller.signal,
          onEvent: (e) => listeners.forEach((l) => l(e)),
        });
      } finally {
        running = null;
      }
    },
    abort() {
      if (!running) return false;
      running.abort();
      return true;
    },
    isRunning: () => running !== null,
    results: listResults,
    clearResults,
    exportJsonl: async () => toJsonl(await listResults()),
    exportCsv: async () => toCsv(await listResults()),
    async importJsonl(text) {
      const { results, problems } = parseJsonl(text);
      const { added, skipped } = await appendResults(results);
      return { added, skipped, problems };
    },
    bareLoop: bareLoopInWorker,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
