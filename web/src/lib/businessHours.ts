// A channel's business hours as the channel dialog edits them: one text
// field per weekday ("09:00-12:00, 13:00-17:00", empty = closed), a time
// zone and a list of closed dates. The rules mirror the server's
// (businesshours.go), which answers 400 with the reason for anything else.
import type { BusinessHours, BusinessInterval } from '../api/types';

const time = /^([01]\d|2[0-4]):[0-5]\d$/;

function minutes(t: string): number {
  return Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
}

/** formatDay shows one day's intervals as the field holds them. */
export function formatDay(ivs: BusinessInterval[]): string {
  return ivs.map((iv) => `${iv.open}-${iv.close}`).join(', ');
}

/**
 * parseDay reads one day's field: intervals "HH:MM-HH:MM" separated by
 * commas (an en dash or "to" spacing is fine; "9:00" is read as "09:00"),
 * sorted, at most four, each closing after it opens and none overlapping;
 * empty is a closed day. null means the text is not valid.
 */
export function parseDay(input: string): BusinessInterval[] | null {
  const s = input.trim();
  if (s === '') return [];
  const out: BusinessInterval[] = [];
  for (const part of s.split(/[,;]/)) {
    const m = /^\s*(\d{1,2}:\d{2})\s*(?:-|–|—)\s*(\d{1,2}:\d{2})\s*$/.exec(part);
    if (!m) return null;
    const open = (m[1] ?? '').padStart(5, '0');
    const close = (m[2] ?? '').padStart(5, '0');
    if (!time.test(open) || !time.test(close) || (close.startsWith('24') && close !== '24:00') || open >= '24:00') return null;
    if (minutes(close) <= minutes(open)) return null;
    out.push({ open, close });
  }
  out.sort((a, b) => minutes(a.open) - minutes(b.open));
  for (let i = 1; i < out.length; i++) {
    const prev = out[i - 1];
    const cur = out[i];
    if (prev && cur && minutes(cur.open) < minutes(prev.close)) return null;
  }
  return out.length <= 4 ? out : null;
}

/** parseHolidays reads closed dates separated by commas, spaces or lines; null if one is not YYYY-MM-DD. */
export function parseHolidays(input: string): string[] | null {
  const parts = input.split(/[\s,;]+/).filter(Boolean);
  for (const p of parts) {
    const d = new Date(`${p}T00:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(p) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== p) return null;
  }
  return [...new Set(parts)].sort();
}

/** The dialog's business-hours fields. */
export type HoursForm = { on: boolean; timeZone: string; days: string[]; holidays: string };

/** hoursForm fills the fields from a channel's stored hours (office hours as a starting point when none). */
export function hoursForm(h: BusinessHours | null | undefined, defaultZone: string): HoursForm {
  if (!h) {
    const office = '09:00-17:00';
    return { on: false, timeZone: defaultZone, days: [office, office, office, office, office, '', ''], holidays: '' };
  }
  return { on: true, timeZone: h.time_zone, days: h.week.map(formatDay), holidays: h.holidays.join('\n') };
}

export type HoursParse =
  | { ok: true; hours: BusinessHours | null }
  | { ok: false; field: 'zone' | 'holidays' | 'closed' | number };

/** parseHoursForm checks the fields; field names the first invalid one (a weekday by index, Monday 0). */
export function parseHoursForm(f: HoursForm): HoursParse {
  if (!f.on) return { ok: true, hours: null };
  if (!f.timeZone.trim()) return { ok: false, field: 'zone' };
  const week: BusinessInterval[][] = [];
  for (let i = 0; i < 7; i++) {
    const d = parseDay(f.days[i] ?? '');
    if (d === null) return { ok: false, field: i };
    week.push(d);
  }
  if (week.every((d) => d.length === 0)) return { ok: false, field: 'closed' };
  const holidays = parseHolidays(f.holidays);
  if (holidays === null) return { ok: false, field: 'holidays' };
  return { ok: true, hours: { time_zone: f.timeZone.trim(), week, holidays } };
}

/** sameHours compares stored and edited hours, so saving other fields never sends them. */
export function sameHours(a: BusinessHours | null | undefined, b: BusinessHours | null): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b);
}

/**
 * summary describes the hours in a line, grouping days with the same
 * intervals: "Mon–Fri 09:00–17:00 · Sat 10:00–14:00". dayNames are the
 * short weekday names, Monday first.
 */
export function summary(h: BusinessHours, dayNames: string[]): string {
  const groups: { from: number; to: number; text: string }[] = [];
  h.week.forEach((ivs, i) => {
    if (ivs.length === 0) return;
    const text = ivs.map((iv) => `${iv.open}–${iv.close}`).join(', ');
    const last = groups[groups.length - 1];
    if (last && last.to === i - 1 && last.text === text) last.to = i;
    else groups.push({ from: i, to: i, text });
  });
  const name = (i: number) => dayNames[i] ?? '';
  return groups.map((g) => `${g.from === g.to ? name(g.from) : `${name(g.from)}–${name(g.to)}`} ${g.text}`).join(' · ');
}

/** weekdayNames are the locale's short weekday names, Monday first. */
export function weekdayNames(locale: string, style: 'short' | 'long' = 'short'): string[] {
  const fmt = new Intl.DateTimeFormat(locale, { weekday: style, timeZone: 'UTC' });
  // 2024-01-01 was a Monday.
  return Array.from({ length: 7 }, (_, i) => fmt.format(new Date(Date.UTC(2024, 0, 1 + i))));
}
