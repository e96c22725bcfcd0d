/** Which machine a run was made on, as far as its recorded environment tells: the key the comparison view groups by. */
import type { Env, RunResult } from './schema.ts';

/** A machine, as far as its results tell (deviceIdentity below computes both from a run's env). */
export interface DeviceIdentity {
  /** Stable key: same browser build, cores, memory and GPU adapter → same key. */
  key: string;
  /** For people: "Chromium 156 · Linux x86_64 · 2 cores · 8 GiB · WebGPU google/swiftshader". */
  label: string;
}

/** Browser and version from a user-agent string; the order matters (Edge and Opera also say "Chrome"). */
const BROWSERS: readonly (readonly [RegExp, string])[] = Object.freeze([
  [/Edg\/([\d.]+)/, 'Edge'],
  [/OPR\/([\d.]+)/, 'Opera'],
  [/Firefox\/([\d.]+)/, 'Firefox'],
  [/HeadlessChrome\/([\d.]+)/, 'Chromium (headless)'],
  [/Chrome\/([\d.]+)/, 'Chrome'],
  [/Version\/([\d.]+).*Safari\//, 'Safari'],
] as const);

/** OS from the user agent's platform part ("(X11; Linux x86_64)"). */
function osOf(ua: string): string {
  const platform = /\(([^)]*)\)/.exec(ua)?.[1] ?? '';
  const android = /Android ([\d.]+)/.exec(platform);
  if (android) return `Android ${android[1]}`;
  const ios = /(?:iPhone|CPU) OS ([\d_]+)/.exec(platform);
  if (ios) return `iOS ${ios[1]!.replace(/_/g, '.')}`;
  const mac = /Mac OS X ([\d_.]+)/.exec(platform);
  if (mac) return `macOS ${mac[1]!.replace(/_/g, '.')}`;
  const win = /Windows NT ([\d.]+)/.exec(platform);
  if (win) return `Windows NT ${win[1]}`;
  if (/CrOS/.test(platform)) return 'ChromeOS';
  const linux = /Linux( [\w-]+)?/.exec(platform);
  if (linux) return `Linux${linux[1] ?? ''}`;
  return platform || 'unknown OS';
}

function browserOf(ua: string): { name: string; version: string } {
  for (const [re, name] of BROWSERS) {
    const m = re.exec(ua);
    if (m) return { name, version: m[1]! };
  }
  return { name: 'unknown browser', version: '' };
}

const UNKNOWN: DeviceIdentity = Object.freeze({ key: 'unknown', label: 'unknown device (the run recorded no environment)' });

/**
 * Same browser build, OS, cores, memory and WebGPU adapter → same key. The key keeps the full browser version (a
 * new build can change the figures); the label shows the major version only.
 */
export function deviceIdentity(env: Env | null): DeviceIdentity {
  if (!env) return UNKNOWN;
  const browser = browserOf(env.userAgent);
  const os = osOf(env.userAgent);
  const cores = env.hardwareConcurrency;
  const memory = env.deviceMemory;
  const gpu = env.webgpu ? `${env.webgpu.vendor || 'unknown vendor'}/${env.webgpu.architecture || 'unknown architecture'}` : null;
  const key = [`${browser.name} ${browser.version}`.trim(), os, `cores=${cores ?? '?'}`, `mem=${memory ?? '?'}`, `webgpu=${gpu ?? 'none'}`].join('|');
  const major = browser.version.split('.')[0];
  const label = [
    major ? `${browser.name} ${major}` : browser.name,
    os,
    cores === null ? 'cores unknown' : `${cores} cores`,
    memory === null ? 'memory unknown' : `${memory} GiB`,
    gpu ? `WebGPU ${gpu}` : 'no WebGPU',
  ].join(' · ');
  return { key, label };
}

export interface DeviceGroup {
  identity: DeviceIdentity;
  results: RunResult[];
}

/**
 * Results by machine, in the order machines first appear. A result without an environment was decided before any
 * worker ran (a level the model lacks, a replica with no builder): it joins the machine of the other runs of its
 * suite, since that suite was run there; only when its suite has none does it go under the unknown machine.
 */
export function groupByDevice(results: readonly RunResult[]): Map<string, DeviceGroup> {
  const bySuite = new Map<string, DeviceIdentity>();
  for (const r of results) if (r.env && r.suiteId !== null && !bySuite.has(r.suiteId)) bySuite.set(r.suiteId, deviceIdentity(r.env));
  const groups = new Map<string, DeviceGroup>();
  for (const r of results) {
    const identity = r.env ? deviceIdentity(r.env) : ((r.suiteId !== null ? bySuite.get(r.suiteId) : undefined) ?? UNKNOWN);
    const group = groups.get(identity.key) ?? { identity, results: [] };
    group.results.push(r);
    groups.set(identity.key, group);
  }
  return groups;
}
