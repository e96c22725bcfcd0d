import { describe, expect, it } from 'vitest';
import { checkInteger, checkLengths, checkThreads, FIELD_RULES } from '../../src/ui/model/fields.ts';

describe('checkInteger', () => {
  it('takes whole numbers within the range', () => {
    expect(checkInteger(FIELD_RULES.iterations, ' 20 ')).toEqual({ ok: true, value: 20 });
    expect(checkInteger(FIELD_RULES.warmup, '0')).toEqual({ ok: true, value: 0 });
    expect(checkInteger(FIELD_RULES.iterations, '10000')).toEqual({ ok: true, value: 10_000 });
  });
  it.each(['abc', '-1', '0', '1e9', '1e3', '2.5', '0x10', '10001', '99999999999999999999'])('refuses iterations "%s", naming the valid range', (raw) => {
    expect(checkInteger(FIELD_RULES.iterations, raw)).toEqual({
      ok: false,
      problem: `Iterations "${raw}" is not valid: it should be a whole number from 1 to 10000.`,
    });
  });
  it('takes empty only where it means something, and says what', () => {
    expect(checkInteger(FIELD_RULES.budget, '')).toEqual({ ok: true, value: null });
    expect(checkInteger(FIELD_RULES.iterations, '  ')).toEqual({ ok: false, problem: 'Iterations is empty: it should be a whole number from 1 to 10000.' });
    expect(checkInteger(FIELD_RULES.budget, '-5')).toEqual({
      ok: false,
      problem: 'Stop after ms "-5" is not valid: it should be a whole number from 0 to 3600000, or empty for no time limit.',
    });
  });
});

describe('checkThreads', () => {
  it('takes auto, empty, sweep and counts', () => {
    expect(checkThreads('')).toEqual({ ok: true, value: null });
    expect(checkThreads('AUTO')).toEqual({ ok: true, value: null });
    expect(checkThreads('sweep')).toEqual({ ok: true, value: 'sweep' });
    expect(checkThreads('4')).toEqual({ ok: true, value: 4 });
  });
  it('refuses anything else with the valid values', () => {
    for (const raw of ['0', '-2', 'many', '1.5', '999'])
      expect(checkThreads(raw)).toEqual({
        ok: false,
        problem: `Threads "${raw}" is not valid: it should be auto (or empty), sweep, or a count from 1 to 256.`,
      });
  });
});

describe('checkLengths', () => {
  it('takes a comma list of counts', () => {
    expect(checkLengths('128, 512,2048')).toEqual({ ok: true, value: [128, 512, 2048] });
  });
  it('names the bad items', () => {
    expect(checkLengths('128,x,0')).toEqual({
      ok: false,
      problem: 'Lengths "128,x,0" is not valid ("x", "0"): it should be context lengths from 1 to 1048576 tokens, separated by commas.',
    });
    expect(checkLengths(' ')).toMatchObject({ ok: false });
  });
});
