import { describe, expect, it } from 'vitest';
import { backoff } from '../src/state/socket';
import { visibleRange } from '../src/ui/VirtualList';

describe('reconnect backoff', () => {
  it('doubles from half a second up to two seconds', () => {
    const mid = () => 0.5; // no jitter
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoff(n, mid))).toEqual([500, 1000, 2000, 2000, 2000, 2000, 2000, 2000, 2000]);
  });
  it('jitters by at most 20 %', () => {
    expect(backoff(1, () => 0)).toBe(800);
    expect(backoff(1, () => 0.999999)).toBe(1200);
    // Never more than a few seconds, however long the outage (issue 13).
    expect(backoff(50, () => 0.999999)).toBeLessThanOrEqual(2400);
  });
});

describe('virtual list window', () => {
  it('renders only the rows in view plus overscan', () => {
    expect(visibleRange(0, 800, 84, 10_000, 6)).toEqual({ start: 0, end: 17 });
    expect(visibleRange(84 * 5000, 800, 84, 10_000, 6)).toEqual({ start: 4994, end: 5017 });
    expect(visibleRange(84 * 9999, 800, 84, 10_000, 6)).toEqual({ start: 9993, end: 10_000 });
    expect(visibleRange(0, 800, 84, 0, 6)).toEqual({ start: 0, end: 0 });
  });
});
