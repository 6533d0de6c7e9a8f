import { describe, expect, it } from 'vitest';
import { bytes, coordinates, dayDiff, daySeparator, displayName, handle, hue, initials, listTime, osmLink, phone, remaining, serviceWindow } from '../src/lib/format';
import { conv } from './fixtures';

const words = { today: 'Today', yesterday: 'Yesterday' };

describe('format', () => {
  it('counts calendar days, not 24-hour spans', () => {
    expect(dayDiff(new Date(2026, 0, 1, 23, 59), new Date(2026, 0, 2, 0, 1))).toBe(1);
    expect(dayDiff(new Date(2026, 0, 2, 0, 1), new Date(2026, 0, 2, 23, 0))).toBe(0);
  });

  it('shows list times as time, yesterday, weekday or date', () => {
    const now = new Date(2026, 2, 12, 15, 0); // Thursday
    expect(listTime(new Date(2026, 2, 12, 9, 5).toISOString(), 'de-DE', words, now)).toBe('09:05');
    expect(listTime(new Date(2026, 2, 11, 9, 5).toISOString(), 'de-DE', words, now)).toBe('Yesterday');
    // ICU versions differ in abbreviations ("Mo" / "Mo."), so match loosely.
    expect(listTime(new Date(2026, 2, 9, 9, 5).toISOString(), 'de-DE', words, now)).toMatch(/^Mo\.?$/);
    expect(listTime(new Date(2026, 1, 1, 9, 5).toISOString(), 'de-DE', words, now)).toBe('01.02.26');
  });

  it('labels day separators in the language', () => {
    const now = new Date(2026, 2, 12, 15, 0);
    expect(daySeparator(new Date(2026, 2, 12, 9).toISOString(), 'de-DE', words, now)).toBe('Today');
    expect(daySeparator(new Date(2026, 2, 1, 9).toISOString(), 'de-DE', words, now)).toBe('Sonntag, 1. März');
    expect(daySeparator(new Date(2025, 11, 24, 9).toISOString(), 'en-GB', words, now)).toMatch(/^Wednesday,? 24 December 2025$/);
  });

  it('formats sizes with binary units and the locale decimal separator', () => {
    expect(bytes(512, 'en-GB')).toBe('512 B');
    expect(bytes(1536, 'de-DE')).toBe('1,5 KB');
    expect(bytes(5 * 1024 * 1024, 'en-GB')).toBe('5 MB');
    expect(bytes(100 * 1024 * 1024, 'en-GB')).toBe('100 MB');
  });

  it('names a client by name, else by number', () => {
    expect(displayName(conv('c1'))).toBe('Client c1');
    expect(displayName(conv('c1', { contact: { id: 'x', channel_id: '', phone: '4915123', name: '  ', created_at: '' } }))).toBe('+4915123');
    expect(phone('49 151-23')).toBe('+4915123');
  });

  it('makes initials from first and last word', () => {
    expect(initials('Anna Maria Schmidt')).toBe('AS');
    expect(initials('олег')).toBe('О');
    expect(initials('')).toBe('?');
  });

  it('tells whether the service window is open', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(serviceWindow(null, now)).toEqual({ open: false, remaining: 0 });
    expect(serviceWindow('2026-01-01T11:59:59Z', now).open).toBe(false);
    expect(serviceWindow('2026-01-01T15:00:00Z', now)).toEqual({ open: true, remaining: 3 * 3600_000 });
    expect(remaining(3 * 3600_000, 'en-GB')).toBe('in 3 hr');
    expect(remaining(25 * 60_000, 'de-DE')).toBe('in 25 Min.');
  });

  it('links locations to OpenStreetMap and formats coordinates', () => {
    expect(osmLink(52.52, 13.405)).toBe('https://www.openstreetmap.org/?mlat=52.520000&mlon=13.405000#map=17/52.520000/13.405000');
    expect(coordinates(52.52, 13.405, 'de-DE')).toBe('52,52000, 13,40500');
  });
});

describe('customer handle', () => {
  const contact = (phone: string, username?: string, name = '') => ({
    id: 'x', channel_id: '', phone, name, created_at: '', ...(username === undefined ? {} : { username }),
  });
  it('shows the username where the phone number was, and the number without one', () => {
    expect(handle(contact('', '@mira.okafor'))).toBe('@mira.okafor');
    expect(handle(contact('2348031234567', 'mira.okafor'))).toBe('@mira.okafor');
    expect(handle(contact('49 151-23'))).toBe('+4915123');
    expect(handle(contact(''))).toBe('');
    expect(handle(undefined)).toBe('');
  });
  it('names a customer without a profile name by username', () => {
    expect(displayName(conv('c1', { contact: contact('', '@mira.okafor', ' ') }))).toBe('@mira.okafor');
  });
});

describe('hue', () => {
  it('spreads ids made one after another over the circle instead of making neighbours', () => {
    // Ids as the server makes them: the same prefix, a counter at the end
    // (base32hex). The old hash gave such ids hues a degree or two apart.
    const digits = '0123456789abcdefghijklmnopqrstuv';
    const ids = [...digits].map((d) => `d4fo1s8n2gs3f0a0c1v${d}`);
    const hues = ids.map(hue);
    let close = 0;
    for (let i = 1; i < hues.length; i++) {
      const d = Math.abs((hues[i] ?? 0) - (hues[i - 1] ?? 0));
      if (Math.min(d, 360 - d) < 30) close++;
    }
    expect(close, hues.join(', ')).toBeLessThanOrEqual(10); // random: about 31/6
    expect(Math.max(...hues) - Math.min(...hues)).toBeGreaterThan(270);
    expect(hue(ids[0] ?? '')).toBe(hue(ids[0] ?? ''));
    for (const h of hues) expect(h >= 0 && h < 360).toBe(true);
  });
});
