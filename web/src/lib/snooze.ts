// Snooze presets: when "later today", "tomorrow" and "next week" end, in
// the browser's time zone. The server only checks that the time is in the
// future and at most a year ahead.

export type SnoozePreset = 'later' | 'tomorrow' | 'week';

/** snoozeUntil returns the end of a preset snooze started at now: three hours later; tomorrow at 09:00; next Monday at 09:00. */
export function snoozeUntil(preset: SnoozePreset, now: Date): Date {
  if (preset === 'later') return new Date(now.getTime() + 3 * 3600_000);
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate(), 9, 0, 0, 0);
  if (preset === 'tomorrow') {
    d.setDate(d.getDate() + 1);
    return d;
  }
  // Monday is 1; from a Monday, the next one is a week ahead.
  const ahead = ((8 - d.getDay()) % 7) || 7;
  d.setDate(d.getDate() + ahead);
  return d;
}

/** parseLocalTime reads a datetime-local value ("2026-03-02T14:30") as local time; null when empty or invalid. */
export function parseLocalTime(v: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(v);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  return Number.isNaN(d.getTime()) ? null : d;
}
