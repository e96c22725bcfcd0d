/**
 * Verdicts per device from results of one or several sources (this run, imported files, remote browsers): the
 * comparison the report draws side by side. Two sources from the same device stay apart, labelled by source; a
 * run read twice (same id) is kept once, and both are said in `notes`.
 */
import { evaluateClaims } from './evaluate.ts';
import type { Claim, ThresholdOverrides, Verdict } from './types.ts';
import { groupByDevice, type DeviceIdentity } from '../core/machine.ts';
import type { RunResult } from '../core/schema.ts';

export interface ResultSource {
  /** What the results came from, e.g. a file name; null for the runs just made. */
  label: string | null;
  results: RunResult[];
}

export interface DeviceVerdicts {
  identity: DeviceIdentity;
  /** The source's label when the same device came from more than one source. */
  source: string | null;
  results: RunResult[];
  verdicts: Verdict[];
}

export function judgeDevices(
  claims: readonly Claim[],
  sources: readonly ResultSource[],
  overrides: ThresholdOverrides = {},
): { devices: DeviceVerdicts[]; notes: string[] } {
  const notes: string[] = [];
  const firstSeen = new Map<string, string>();
  const groups: { source: ResultSource; identity: DeviceIdentity; results: RunResult[] }[] = [];
  for (const [i, source] of sources.entries()) {
    const name = source.label ?? `source ${i + 1}`;
    const fresh: RunResult[] = [];
    let repeated = 0;
    for (const r of source.results) {
      if (firstSeen.has(r.id)) repeated += 1;
      else {
        firstSeen.set(r.id, name);
        fresh.push(r);
      }
    }
    if (repeated) notes.push(`${name}: ${repeated} run(s) with ids already read from an earlier source were kept once.`);
    for (const g of groupByDevice(fresh).values()) groups.push({ source, identity: g.identity, results: g.results });
  }
  const sourcesOf = new Map<string, Set<ResultSource>>();
  for (const g of groups) sourcesOf.set(g.identity.key, (sourcesOf.get(g.identity.key) ?? new Set()).add(g.source));
  const devices: DeviceVerdicts[] = groups.map((g) => {
    const shared = sourcesOf.get(g.identity.key)!.size > 1;
    const label = g.source.label ?? 'this run';
    const identity = shared ? { key: `${g.identity.key}#${label}`, label: `${g.identity.label} — ${label}` } : g.identity;
    return { identity, source: shared ? label : null, results: g.results, verdicts: evaluateClaims(claims, g.results, overrides) };
  });
  for (const [key, set] of sourcesOf) {
    if (set.size < 2) continue;
    const names = [...set].map((s) => s.label ?? 'this run');
    const label = groups.find((g) => g.identity.key === key)!.identity.label;
    notes.push(`${names.join(' and ')} come from the same device (${label}): shown side by side, not merged.`);
  }
  return { devices, notes };
}
