import { describe, expect, it } from 'vitest';
import { hoursForm, parseDay, parseHolidays, parseHoursForm, sameHours, summary, weekdayNames } from '../src/lib/businessHours';

describe('business hours fields', () => {
  it('reads a day as sorted intervals, an empty field as closed', () => {
    expect(parseDay('')).toEqual([]);
    expect(parseDay('13:00-17:00, 9:00 – 12:00')).toEqual([
      { open: '09:00', close: '12:00' },
      { open: '13:00', close: '17:00' },
    ]);
    expect(parseDay('00:00-24:00')).toEqual([{ open: '00:00', close: '24:00' }]);
  });

  it('refuses what the server would refuse', () => {
    for (const bad of ['9-17', '17:00-09:00', '09:00-09:00', '09:00-13:00, 12:00-17:00', '09:00-24:30', '25:00-26:00', '24:00-24:00',
      '01:00-02:00, 03:00-04:00, 05:00-06:00, 07:00-08:00, 09:00-10:00', 'nine to five']) {
      expect(parseDay(bad), bad).toBeNull();
    }
  });

  it('reads closed dates in any separator, sorted and once each; refuses impossible dates', () => {
    expect(parseHolidays('2026-12-26\n2026-12-25, 2026-12-26')).toEqual(['2026-12-25', '2026-12-26']);
    expect(parseHolidays('')).toEqual([]);
    expect(parseHolidays('2026-02-30')).toBeNull();
    expect(parseHolidays('24.12.2026')).toBeNull();
  });

  it('turns the form into the request body, naming the first bad field', () => {
    const f = hoursForm(null, 'Europe/Berlin');
    expect(f.on).toBe(false);
    expect(parseHoursForm(f)).toEqual({ ok: true, hours: null });
    const on = { ...f, on: true, holidays: '2026-12-24' };
    const parsed = parseHoursForm(on);
    expect(parsed.ok && parsed.hours).toEqual({
      time_zone: 'Europe/Berlin',
      week: [...Array(5).fill([{ open: '09:00', close: '17:00' }]), [], []],
      holidays: ['2026-12-24'],
    });
    expect(parseHoursForm({ ...on, days: ['', 'x', '', '', '', '', ''] })).toEqual({ ok: false, field: 1 });
    expect(parseHoursForm({ ...on, days: ['', '', '', '', '', '', ''] })).toEqual({ ok: false, field: 'closed' });
    expect(parseHoursForm({ ...on, timeZone: ' ' })).toEqual({ ok: false, field: 'zone' });
    expect(parseHoursForm({ ...on, holidays: 'Weihnachten' })).toEqual({ ok: false, field: 'holidays' });
    // Stored hours come back into the same fields, and compare equal.
    const back = hoursForm(parsed.ok ? parsed.hours : null, 'UTC');
    expect(back).toMatchObject({ on: true, timeZone: 'Europe/Berlin', holidays: '2026-12-24' });
    const again = parseHoursForm(back);
    expect(again.ok && parsed.ok && sameHours(parsed.hours, again.hours)).toBe(true);
  });

  it('summarises days with the same hours together, in the language of the page', () => {
    const ok = parseHoursForm({ on: true, timeZone: 'UTC', days: ['09:00-17:00', '09:00-17:00', '09:00-17:00', '09:00-17:00', '09:00-15:00', '10:00-14:00', ''], holidays: '' });
    if (!ok.ok || !ok.hours) throw new Error('form');
    expect(summary(ok.hours, weekdayNames('en'))).toBe('Mon–Thu 09:00–17:00 · Fri 09:00–15:00 · Sat 10:00–14:00');
    expect(weekdayNames('de')[0]).toMatch(/^Mo/);
  });
});
