import { describe, expect, it } from 'vitest';
import { defaultHandoffRules, handoffRulesField } from '../src/lib/handoffRules';

describe('hand-off rules in the channel dialog', () => {
  it('sends nothing when nothing changed', () => {
    expect(handoffRulesField(defaultHandoffRules, false, '1', false)).toEqual({ ok: true, patch: {} });
    expect(handoffRulesField(undefined, false, '1', false)).toEqual({ ok: true, patch: {} });
  });

  it('sends only the changed rule', () => {
    expect(handoffRulesField({ business_hours: true, bot_failures: 3 }, true, '5', true)).toEqual({
      ok: true,
      patch: { handoff_rules: { bot_failures: 5 } },
    });
    expect(handoffRulesField(defaultHandoffRules, true, '1', true)).toEqual({
      ok: true,
      patch: { handoff_rules: { business_hours: true } },
    });
  });

  it('reads an empty field as 0, the rule off', () => {
    expect(handoffRulesField(defaultHandoffRules, false, ' ', false)).toEqual({ ok: true, patch: { handoff_rules: { bot_failures: 0 } } });
  });

  it('refuses what the server refuses', () => {
    for (const bad of ['11', '-1', '1.5', 'drei', '100']) {
      expect(handoffRulesField(defaultHandoffRules, false, bad, true)).toEqual({ ok: false, field: 'failures' });
    }
    expect(handoffRulesField(defaultHandoffRules, true, '1', false)).toEqual({ ok: false, field: 'hours' });
  });
});
