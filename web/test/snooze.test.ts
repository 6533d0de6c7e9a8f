import { describe, expect, it } from 'vitest';
import { parseLocalTime, snoozeUntil } from '../src/lib/snooze';

describe('snoozeUntil', () => {
  // Wednesday 2026-03-04 16:20 local time.
  const wed = new Date(2026, 2, 4, 16, 20);
  it('ends later today three hours on', () => {
    expect(snoozeUntil('later', wed).getTime() - wed.getTime()).toBe(3 * 3600_000);
  });
  it('ends tomorrow at nine', () => {
    expect(snoozeUntil('tomorrow', wed)).toEqual(new Date(2026, 2, 5, 9, 0));
  });
  it('ends next week on Monday at nine, a full week ahead from a Monday', () => {
    expect(snoozeUntil('week', wed)).toEqual(new Date(2026, 2, 9, 9, 0));
    expect(snoozeUntil('week', new Date(2026, 2, 9, 8, 0))).toEqual(new Date(2026, 2, 16, 9, 0));
    expect(snoozeUntil('week', new Date(2026, 2, 8, 23, 0))).toEqual(new Date(2026, 2, 9, 9, 0));
  });
});

describe('parseLocalTime', () => {
  it('reads a datetime-local value and refuses others', () => {
    expect(parseLocalTime('2026-03-05T14:30')).toEqual(new Date(2026, 2, 5, 14, 30));
    expect(parseLocalTime('')).toBeNull();
    expect(parseLocalTime('tomorrow')).toBeNull();
  });
});
