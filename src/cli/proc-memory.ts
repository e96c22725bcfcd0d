/**
 * Whole-browser memory from the OS (Linux /proc): resident (RSS) and proportional (PSS) set size of every
 * Chromium process of one launch — browser, renderer (the page and its workers), GPU (SwiftShader's buffers
 * live here), utility — sampled while runs go on. RSS counts shared pages once per process, so its sum
 * overstates; PSS splits shared pages between their sharers, so its sum is the honest total.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface ProcessSample {
  pid: number;
  type: string;
  rssBytes: number;
  pssBytes: number | null;
  /** Unique set size: this process's private pages alone (Private_Clean + Private_Dirty), whoever else runs. */
  ussBytes?: number | null;
}

const read = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // the process ended between listing and reading
  }
};

const kb = (text: string | null, field: string): number | null => {
  const m = text && new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : null;
};

/** Pids of the processes whose command line has `marker`, and all their descendants. */
export function processTree(marker: string): { pid: number; type: string }[] {
  if (!existsSync('/proc/self/status')) return [];
  const procs = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
  const parent = new Map<number, number>();
  const cmd = new Map<number, string>();
  for (const pid of procs) {
    const stat = read(`/proc/${pid}/stat`);
    // Field 4 is the parent pid; the command name (field 2) is in parentheses and may hold spaces.
    const ppid = stat ? Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) : NaN;
    if (Number.isFinite(ppid)) parent.set(pid, ppid);
    cmd.set(pid, (read(`/proc/${pid}/cmdline`) ?? '').replaceAll('\0', ' '));
  }
  const members = new Set(procs.filter((p) => cmd.get(p)?.includes(marker)));
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parent) if (!members.has(pid) && members.has(ppid)) (members.add(pid), (grew = true));
  }
  return [...members].map((pid) => ({ pid, type: /--type=([\w-]+)/.exec(cmd.get(pid) ?? '')?.[1] ?? 'browser' }));
}

export function sampleProcesses(marker: string): ProcessSample[] {
  return processTree(marker).flatMap(({ pid, type }) => {
    const rss = kb(read(`/proc/${pid}/status`), 'VmRSS');
    if (rss === null) return [];
    const rollup = read(`/proc/${pid}/smaps_rollup`);
    const [clean, dirty] = [kb(rollup, 'Private_Clean'), kb(rollup, 'Private_Dirty')];
    return [{ pid, type, rssBytes: rss, pssBytes: kb(rollup, 'Pss'), ussBytes: clean === null || dirty === null ? null : clean + dirty }];
  });
}

export interface OsPeak {
  peakRssBytes: number;
  peakPssBytes: number | null;
  /** Peak RSS per process type (the sum over processes of that type). */
  byType: Record<string, number>;
  samples: number;
}

/** Samples the tree every `intervalMs`; `begin()` and `end()` bracket one run and give its peaks. */
export class OsMemorySampler {
  private timer: NodeJS.Timeout | null = null;
  private rateMs = 0;
  private peak: OsPeak | null = null;

  /**
   * `quietIntervalMs` applies while timed iterations run (`measuring()`): reading every process's smaps_rollup costs
   * CPU that the measured threads need on a small device. At 100 ms it made PP-OCRv4 rec's p50 38–66 ms instead of
   * 26–28 ms on these 2-core machines; by then the heap has grown to its size, so a rare sample still sees the peak.
   */
  constructor(
    private readonly marker: string,
    private readonly intervalMs = 100,
    private readonly quietIntervalMs = 2000,
  ) {}

  private setRate(ms: number): void {
    if (this.timer && this.rateMs === ms) return;
    if (this.timer) clearInterval(this.timer);
    this.rateMs = ms;
    this.timer = setInterval(() => this.sample(), ms);
  }

  get available(): boolean {
    return existsSync('/proc/self/smaps_rollup') || existsSync('/proc/self/status');
  }

  private sample(): void {
    if (!this.peak) return;
    const procs = sampleProcesses(this.marker);
    if (procs.length === 0) return;
    const rss = procs.reduce((s, p) => s + p.rssBytes, 0);
    const pss = procs.every((p) => p.pssBytes !== null) ? procs.reduce((s, p) => s + p.pssBytes!, 0) : null;
    const peak = this.peak;
    peak.samples += 1;
    peak.peakRssBytes = Math.max(peak.peakRssBytes, rss);
    if (pss !== null) peak.peakPssBytes = Math.max(peak.peakPssBytes ?? 0, pss);
    const byType: Record<string, number> = {};
    for (const p of procs) byType[p.type] = (byType[p.type] ?? 0) + p.rssBytes;
    for (const [t, v] of Object.entries(byType)) peak.byType[t] = Math.max(peak.byType[t] ?? 0, v);
  }

  begin(): void {
    this.peak = { peakRssBytes: 0, peakPssBytes: null, byType: {}, samples: 0 };
    this.sample();
    this.setRate(this.intervalMs);
  }

  /** Timed iterations start: one sample now, then only every `quietIntervalMs` until the next `begin()`. */
  measuring(): void {
    if (!this.peak || this.rateMs === this.quietIntervalMs) return;
    this.sample();
    this.setRate(this.quietIntervalMs);
  }

  end(): OsPeak | null {
    this.sample();
    const peak = this.peak;
    this.peak = null;
    return peak && peak.samples > 0 ? peak : null;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
