import { describe, expect, it } from 'vitest';
import { countsOf, duration, isoDate, keysByCount, lastDays, niceMax, ticks } from '../src/lib/reports';
import { reasonKey, reportTexts } from '../src/ui/reports/text';

const units = { s: 's', min: 'min', h: 'h', d: 'd' };

describe('reports helpers', () => {
  it('orders count keys most first, by name on a tie, and reads them as series', () => {
    expect(keysByCount({ utility: 2, marketing: 2, service: 5, '': 1 })).toEqual(['service', 'marketing', 'utility', '']);
    expect(keysByCount(undefined)).toEqual([]);
    const periods = [{ c: { marketing: 1 } }, { c: {} }, { c: { marketing: 3, utility: 1 } }];
    expect(countsOf(periods, (p) => p.c as Record<string, number>, 'marketing')).toEqual([1, 0, 3]);
    expect(countsOf(periods, (p) => p.c as Record<string, number>, 'utility')).toEqual([0, 0, 1]);
  });
  it('names every hand-off reason the server reports, and leaves unknown ones as they are', () => {
    for (const r of ['opened', 'customer_asked', 'taken_over', 'assigned', 'person_replied', 'handed_back', 'bot_failed', 'other']) {
      expect(reasonKey(r)).toBe(`reports.reason.${r}`);
    }
    expect(reasonKey('something_new')).toBeNull();
    expect(reasonKey('constructor')).toBeNull();
  });
  it('formats local dates and the last n days, today included', () => {
    expect(isoDate(new Date(2026, 0, 5))).toBe('2026-01-05');
    expect(lastDays(new Date(2026, 2, 1, 15), 7)).toEqual({ from: '2026-02-23', to: '2026-03-01' });
    expect(lastDays(new Date(2026, 2, 1), 1)).toEqual({ from: '2026-03-01', to: '2026-03-01' });
  });
  it('formats durations for people', () => {
    expect(duration(null, units)).toBe('—');
    expect(duration(0, units)).toBe('0 s');
    expect(duration(59, units)).toBe('59 s');
    expect(duration(600, units)).toBe('10 min');
    expect(duration(3600, units)).toBe('1 h');
    expect(duration(3 * 3600 + 5 * 60 + 9, units)).toBe('3 h 5 min');
    expect(duration(2 * 86400 + 4 * 3600, units)).toBe('2 d 4 h');
  });
  it('rounds chart scales up to 1, 2 or 5 times a power of ten', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(3)).toBe(5);
    expect(niceMax(10)).toBe(10);
    expect(niceMax(11)).toBe(20);
    expect(niceMax(420)).toBe(500);
    expect(ticks(20)).toEqual([0, 5, 10, 15, 20]);
    expect(ticks(1)).toEqual([0, 1]);
    expect(ticks(5)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ticks(10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(ticks(500)).toEqual([0, 100, 200, 300, 400, 500]);
    expect(ticks(0.5)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
  });
});

describe('report texts', () => {
  const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  const keys = Object.keys(reportTexts.en).sort();
  for (const lang of ['de', 'uk', 'ru'] as const) {
    it(`${lang} has every key, translated, with the same placeholders`, () => {
      const d = reportTexts[lang] as Record<string, string>;
      expect(Object.keys(d).sort()).toEqual(keys);
      for (const k of keys) {
        expect(d[k]?.trim(), `${lang}:${k}`).not.toBe('');
        expect(placeholders(d[k] ?? ''), `${lang}:${k}`).toEqual(placeholders((reportTexts.en as Record<string, string>)[k] ?? ''));
      }
      expect(d['reports.defFirst']).not.toBe(reportTexts.en['reports.defFirst']);
    });
  }
});
