import { describe, expect, it } from 'vitest';
import { remainingMs } from '../../src/ui/model/eta.ts';

describe('remainingMs', () => {
  it('is null until a run has ended', () => {
    expect(remainingMs({ total: 4, finishedRunsMs: [] })).toBeNull();
  });
  it('is the mean of the finished runs times the runs left', () => {
    // mean (1000 + 3000) / 2 = 2000 ms; 3 of 5 left → 6000 ms.
    expect(remainingMs({ total: 5, finishedRunsMs: [1000, 3000] })).toBe(6000);
    expect(remainingMs({ total: 3, finishedRunsMs: [250] })).toBe(500);
  });
  it('is 0 when every run has ended, and never negative', () => {
    expect(remainingMs({ total: 2, finishedRunsMs: [10, 20] })).toBe(0);
    expect(remainingMs({ total: 1, finishedRunsMs: [10, 20] })).toBe(0);
  });
});
