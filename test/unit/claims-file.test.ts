// The claims file (models/claims.json, src/claims/claims.ts): it covers docs/claims-source.md quote for quote, a bad
// claim is named with its field, thresholds can be overridden from CLAIM_ID.NAME=VALUE flags, and claims are chosen by id.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyThresholds, parseClaims, parseThresholdFlag, parseThresholdFlags, selectClaims } from '../../src/claims/claims.ts';
import { catalog, claims, claimsJson } from '../fixtures/claims-records.ts';

// ----- The file

describe('models/claims.json', () => {
  it('parses and has exactly the claims of docs/claims-source.md, in its order', () => {
    const md = readFileSync('docs/claims-source.md', 'utf8');
    const ids = [...md.matchAll(/^\| ([a-z0-9][a-z0-9-]*) \|/gm)].map((m) => m[1]).filter((id) => id !== 'id');
    expect(ids.length).toBeGreaterThanOrEqual(18);
    expect(claims.map((c) => c.id)).toEqual(ids);
  });

  it('quotes each claim verbatim, from the document claims.md files it under', () => {
    const md = readFileSync('docs/claims-source.md', 'utf8');
    for (const c of claims) {
      expect(md).toContain(`| ${c.id} | ${c.quote} | ${c.english} |`);
      const section = md.slice(md.indexOf(`## From \`${c.source.document}\``));
      expect(section.indexOf(`| ${c.id} |`)).toBeGreaterThan(0);
      expect(section.slice(0, section.indexOf(`| ${c.id} |`)).match(/## From/g)).toHaveLength(1);
    }
  });

  it('names every model by the id its results carry (replica:<catalog id>)', () => {
    const ids = new Set(catalog.replicas!.map((r) => `replica:${r.id}`));
    for (const c of claims) for (const g of c.runs) for (const m of g.models) expect(ids.has(m), `${c.id}: ${m}`).toBe(true);
  });

  it('says test-time-compute runs at q8 and why', () => {
    const c = claims.find((x) => x.id === 'test-time-compute')!;
    expect(c.runs[0]!.dtypes).toEqual(['q8']);
    expect(c.check).toMatch(/q8, not q4.*10× slower/);
  });

  it('rejects a bad claim with its id and the field', () => {
    const bad = structuredClone(claimsJson) as { claims: Record<string, unknown>[] };
    (bad.claims[2]!.thresholds as { value: unknown }[])[0]!.value = 'fast';
    expect(() => parseClaims(bad)).toThrow(/claim "mobilenet-on-device", field thresholds\[0\]\.value: /);
    const noRule = structuredClone(claimsJson) as { claims: Record<string, unknown>[] };
    noRule.claims[0]!.rule = 'guess';
    expect(() => parseClaims(noRule)).toThrow(/claim "cnn-shrink-100x", field rule: unknown rule "guess". Should be one of: cnn-shrink-100x, /);
    const noRole = structuredClone(claimsJson) as { claims: Record<string, unknown>[] };
    delete (noRole.claims[0]!.roles as Record<string, unknown>).reference;
    expect(() => parseClaims(noRole)).toThrow(/claim "cnn-shrink-100x", field roles: rule "cnn-shrink-100x" needs the role "reference"/);
  });
});

// ----- Thresholds

describe('thresholds', () => {
  it('parses CLAIM.NAME=VALUE', () => {
    expect(parseThresholdFlag('mobilenet-on-device.p50Ms=40', claims)).toEqual({ key: 'mobilenet-on-device.p50Ms', value: 40 });
    expect(parseThresholdFlags(['slm-on-phone.speedRatio=1.5', 'slm-on-phone.ttftMs=3e3'], claims)).toEqual({
      'slm-on-phone.speedRatio': 1.5,
      'slm-on-phone.ttftMs': 3000,
    });
  });

  it('rejects a value typed as text, naming it and asking for a number', () => {
    expect(() => parseThresholdFlag('mobilenet-on-device.p50Ms=fast', claims)).toThrow(
      'Threshold "mobilenet-on-device.p50Ms" needs a number (e.g. mobilenet-on-device.p50Ms=40); got "fast".',
    );
    expect(() => parseThresholdFlag('mobilenet-on-device.p50Ms=', claims)).toThrow(/needs a number .*got ""/);
    expect(() => parseThresholdFlag('mobilenet-on-device.p50Ms', claims)).toThrow(/should look like CLAIM_ID.NAME=VALUE/);
  });

  it('rejects unknown claims and thresholds, listing the valid names', () => {
    expect(() => parseThresholdFlag('mobilenet.p50Ms=40', claims)).toThrow(
      /Unknown claim "mobilenet" in threshold "mobilenet.p50Ms=40". Thresholds are: cnn-shrink-100x.sizeRatio, resnet-moderate-compute.paramsRatio, mobilenet-on-device.p50Ms, /,
    );
    expect(() => parseThresholdFlag('mobilenet-on-device.latency=40', claims)).toThrow(
      'Unknown threshold "latency" of claim "mobilenet-on-device". Should be one of: mobilenet-on-device.p50Ms, mobilenet-on-device.fp32MB, mobilenet-on-device.q8MB.',
    );
    expect(() => applyThresholds(claims, { 'nope.x': 1 })).toThrow(/Unknown threshold "nope.x". Should be one of: cnn-shrink-100x.sizeRatio, /);
  });

  it('applies overrides without touching the defaults', () => {
    const changed = applyThresholds(claims, { 'mobilenet-on-device.p50Ms': 40 });
    expect(changed.find((c) => c.id === 'mobilenet-on-device')!.thresholds[0]!.value).toBe(40);
    expect(claims.find((c) => c.id === 'mobilenet-on-device')!.thresholds[0]!.value).toBe(33);
  });
});

describe('selectClaims', () => {
  it('keeps the named claims in the file order, all of them when none are named, and names an unknown id', () => {
    expect(selectClaims(claims, ['slm-99pct', 'mobilenet-on-device']).map((c) => c.id)).toEqual(['mobilenet-on-device', 'slm-99pct']);
    expect(selectClaims(claims)).toHaveLength(claims.length);
    expect(() => selectClaims(claims, ['mobilenet', 'slm-99pct'])).toThrow(/^Unknown claim "mobilenet". Should be one of: cnn-shrink-100x, /);
  });
});
