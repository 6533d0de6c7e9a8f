import { describe, expect, it } from 'vitest';
import { ApiError, errorFromBody, query } from '../src/api/client';
import { dictionaries, translate, type Key } from '../src/i18n';
import { errorText, missingEndpoint, passwordReason } from '../src/lib/errors';
import { healthOf, healthWarnings, webhookURL } from '../src/ui/admin/Channels';
import { localToRFC3339 } from '../src/ui/admin/Audit';
import { tokenFromHash } from '../src/ui/Setup';

const t = (k: Key, v?: Record<string, string | number>) => translate(dictionaries.en, k, v);

describe('API errors', () => {
  it('reads code, message and Retry-After', () => {
    const e = errorFromBody(429, '{"error":{"code":"rate_limited","message":"Too many failed sign-in attempts."}}', '37');
    expect(e).toMatchObject({ status: 429, code: 'rate_limited', retryAfter: 37 });
    expect(errorText(t, e)).toBe('Too many attempts. Try again in 37 seconds.');
  });
  it('tells a missing endpoint from a missing object', () => {
    expect(missingEndpoint(errorFromBody(404, '{"error":{"code":"not_found","message":"No such API endpoint."}}', null))).toBe(true);
    expect(missingEndpoint(errorFromBody(404, '404 page not found', null))).toBe(true);
    expect(missingEndpoint(errorFromBody(404, '{"error":{"code":"not_found","message":"Conversation not found."}}', null))).toBe(false);
  });
  it('translates password policy reasons it knows', () => {
    expect(passwordReason(t, 'Password must be at least 10 characters.')).toBe(t('pw.short'));
    expect(passwordReason(t, 'Password is too common; choose one that is harder to guess.')).toBe(t('pw.common'));
    expect(passwordReason(t, 'Something new.')).toBe('Password not accepted: Something new.');
  });
  it('shows the server sentence for invalid input and a network hint when offline', () => {
    expect(errorText(t, new ApiError(400, 'invalid', 'Unknown role.'))).toBe('Unknown role.');
    expect(errorText(t, new ApiError(0, 'network', ''))).toBe(t('err.network'));
  });
  it('builds query strings from non-empty values', () => {
    expect(query({ a: 'x y', b: '', c: undefined, d: 0, e: true })).toBe('?a=x+y&d=0&e=true');
    expect(query({})).toBe('');
  });
});

describe('small helpers', () => {
  it('reads the setup token from the fragment', () => {
    expect(tokenFromHash('#token=abc-DEF_1')).toBe('abc-DEF_1');
    expect(tokenFromHash('')).toBe('');
  });
  it('builds the webhook URL', () => {
    expect(webhookURL('https://inbox.example.de/')).toBe('https://inbox.example.de/webhooks/whatsapp');
  });
  it('warns about bad channel health', () => {
    expect(healthWarnings({ token_state: 'valid', outbox_depth: 3 })).toEqual([]);
    expect(healthWarnings({ token_state: 'rejected', outbox_depth: 500, warning: 'No webhook for 2 days.' })).toEqual(['token', 'outbox', 'server']);
    const flat = { id: 'c', last_webhook_at: '2026-01-01T00:00:00Z', outbox_depth: 2 } as never;
    expect(healthOf(flat)).toMatchObject({ last_webhook_at: '2026-01-01T00:00:00Z', outbox_depth: 2 });
  });
  it('sends audit time filters as RFC 3339 UTC', () => {
    const v = localToRFC3339('2026-03-01T10:30');
    expect(v).toMatch(/^2026-03-01T\d\d:30:00Z$/);
    expect(localToRFC3339('')).toBe('');
  });
});
