// Retention per channel: messages and media older than retention_days are
// deleted by the server's daily job; 0 keeps them for ever. The limits
// mirror the server's, which answers 400 outside them.

/** maxRetentionDays is the largest retention the server accepts (about ten years). */
export const maxRetentionDays = 3650;

export type RetentionParse = { ok: true; days: number } | { ok: false };

/**
 * parseRetention reads the "Delete messages after (days)" field: empty means
 * 0 (keep for ever); otherwise a whole number from 0 to maxRetentionDays,
 * written with digits only (no sign, no decimals, no exponent).
 */
export function parseRetention(input: string): RetentionParse {
  const s = input.trim();
  if (s === '') return { ok: true, days: 0 };
  if (!/^\d{1,5}$/.test(s)) return { ok: false };
  const days = Number.parseInt(s, 10);
  return days <= maxRetentionDays ? { ok: true, days } : { ok: false };
}

/** retentionInput is what the field shows for a stored value: empty for "keep for ever". */
export function retentionInput(days: number | undefined | null): string {
  return days && days > 0 ? String(days) : '';
}

export type RetentionField = { ok: true; patch: { retention_days?: number } } | { ok: false };

/**
 * retentionField turns the field into the part of a channel request it
 * contributes: retention_days only when it differs from what is stored
 * (current; undefined for a new channel, which starts at 0), so saving other
 * fields never touches it and servers without retention are not sent it.
 */
export function retentionField(current: number | undefined | null, input: string): RetentionField {
  const r = parseRetention(input);
  if (!r.ok) return { ok: false };
  return r.days === (current ?? 0) ? { ok: true, patch: {} } : { ok: true, patch: { retention_days: r.days } };
}

/** formatDays writes "30 days" in the locale's words and plural forms ("30 дней", "1 Tag"). */
export function formatDays(days: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'unit', unit: 'day', unitDisplay: 'long' }).format(days);
}
