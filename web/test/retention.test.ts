import { describe, expect, it } from 'vitest';
import type { ChannelInput } from '../src/api/types';
import { formatDays, maxRetentionDays, parseRetention, retentionField, retentionInput } from '../src/lib/retention';

describe('parseRetention', () => {
  it('reads empty as keep for ever and whole days up to the maximum', () => {
    const cases: [string, number][] = [
      ['', 0],
      ['   ', 0],
      ['0', 0],
      ['1', 1],
      [' 30 ', 30],
      ['007', 7],
      [String(maxRetentionDays), maxRetentionDays],
    ];
    for (const [input, want] of cases) expect(parseRetention(input), input).toEqual({ ok: true, days: want });
  });

  it('refuses what the server would answer 400 for, and what is not a whole number', () => {
    for (const input of [String(maxRetentionDays + 1), '99999', '100000000', '-1', '1.5', '1e3', '30 days', 'abc', '+5', '0x10']) {
      expect(parseRetention(input), input).toEqual({ ok: false });
    }
  });
});

describe('retentionField', () => {
  it('sends retention_days only when it changes', () => {
    const cases: { current: number | undefined; input: string; want: ReturnType<typeof retentionField> }[] = [
      // A new channel starts at 0: nothing to send unless a value is set.
      { current: undefined, input: '', want: { ok: true, patch: {} } },
      { current: undefined, input: '0', want: { ok: true, patch: {} } },
      { current: undefined, input: '90', want: { ok: true, patch: { retention_days: 90 } } },
      // An existing channel.
      { current: 30, input: '30', want: { ok: true, patch: {} } },
      { current: 30, input: '365', want: { ok: true, patch: { retention_days: 365 } } },
      { current: 30, input: '', want: { ok: true, patch: { retention_days: 0 } } },
      { current: 30, input: '0', want: { ok: true, patch: { retention_days: 0 } } },
      { current: 0, input: '', want: { ok: true, patch: {} } },
      { current: 0, input: '3650', want: { ok: true, patch: { retention_days: 3650 } } },
      { current: 30, input: '3651', want: { ok: false } },
      { current: 30, input: '-3', want: { ok: false } },
    ];
    for (const c of cases) expect(retentionField(c.current, c.input), `${c.current} ← "${c.input}"`).toEqual(c.want);
  });

  it('serialises as a JSON number in the channel request', () => {
    const r = retentionField(0, '30');
    if (!r.ok) throw new Error('30 refused');
    const body: ChannelInput = { name: 'Verkauf', ...r.patch };
    expect(JSON.stringify(body)).toBe('{"name":"Verkauf","retention_days":30}');
  });

  it('shows a stored value in the field, and nothing for keep for ever', () => {
    expect(retentionInput(30)).toBe('30');
    expect(retentionInput(0)).toBe('');
    expect(retentionInput(undefined)).toBe('');
    // Round trip: what the field shows parses back to the stored value.
    for (const days of [0, 1, 30, maxRetentionDays]) expect(retentionField(days, retentionInput(days))).toEqual({ ok: true, patch: {} });
  });
});

describe('formatDays', () => {
  it('uses the language’s words and plural forms', () => {
    expect(formatDays(30, 'en-GB')).toBe('30 days');
    expect(formatDays(1, 'en-GB')).toBe('1 day');
    expect(formatDays(30, 'de-DE')).toBe('30 Tage');
    expect(formatDays(1, 'de-DE')).toBe('1 Tag');
    expect(formatDays(5, 'ru-RU')).toBe('5 дней');
    expect(formatDays(2, 'uk-UA')).toBe('2 дні');
  });
});
