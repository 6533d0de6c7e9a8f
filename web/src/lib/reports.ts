// Pure helpers of the Reports screen, kept apart so they are tested alone.

/** isoDate formats d's local calendar date as YYYY-MM-DD. */
export function isoDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** lastDays is the range of the last n days up to and including today. */
export function lastDays(today: Date, n: number): { from: string; to: string } {
  const from = new Date(today.getFullYear(), today.getMonth(), today.getDate() - (n - 1));
  return { from: isoDate(from), to: isoDate(today) };
}

/**
 * duration formats whole seconds for a table cell: "45 s", "12 min",
 * "3 h 5 min", "2 d 4 h"; an em dash when there is no value.
 */
export function duration(seconds: number | null | undefined, units: { s: string; min: string; h: string; d: string }): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${seconds} ${units.s}`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} ${units.min}`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} ${units.h} ${m % 60} ${units.min}` : `${h} ${units.h}`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} ${units.d} ${h % 24} ${units.h}` : `${d} ${units.d}`;
}

/** niceMax rounds a chart's largest value up to 1, 2 or 5 times a power of ten (at least 1). */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * ticks returns evenly spaced grid values from 0 to max (a niceMax value) on
 * round steps: 0–5 by one, 10 by two, 20 by five, 50 by ten and so on.
 */
export function ticks(max: number): number[] {
  const lead = max / 10 ** Math.floor(Math.log10(max));
  const n = max <= 5 && Number.isInteger(max) ? max : Math.round(lead) === 2 ? 4 : 5;
  return Array.from({ length: n + 1 }, (_, i) => (max * i) / n);
}

/**
 * keysByCount returns the keys of a count map, most first and by name on a
 * tie, so that a chart's series and a table's columns keep one order.
 */
export function keysByCount(counts: Readonly<Record<string, number>> | undefined): string[] {
  return Object.entries(counts ?? {})
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .map(([k]) => k);
}

/** countsOf reads one key of each period's count map as a series (0 where the period has none). */
export function countsOf<P>(periods: readonly P[], pick: (p: P) => Readonly<Record<string, number>> | undefined, key: string): number[] {
  return periods.map((p) => pick(p)?.[key] ?? 0);
}
