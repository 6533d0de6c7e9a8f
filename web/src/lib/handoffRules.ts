// A channel's hand-off rules in the channel dialog: the business-hours
// rule and the bot-failure limit, checked as the server checks them, and
// sent only when they changed.

import type { components } from '../api/schema';

type Rules = components['schemas']['HandoffRules'];
type RulesInput = components['schemas']['HandoffRulesInput'];

/** maxBotFailures is the server's limit (switchboard.MaxHandoffBotFailures). */
export const maxBotFailures = 10;

/** defaultHandoffRules are a new channel's rules: the bot's first failure hands to people. */
export const defaultHandoffRules: Rules = { business_hours: false, bot_failures: 1 };

export type HandoffRulesField =
  | { ok: true; patch: { handoff_rules?: RulesInput } }
  | { ok: false; field: 'failures' | 'hours' };

/**
 * handoffRulesField checks the form (failures as typed; hoursOn whether the
 * channel will have business hours) and returns the part of the channel
 * request it contributes: handoff_rules only with the fields that differ
 * from current (the defaults for a new channel).
 */
export function handoffRulesField(
  current: Rules | undefined | null,
  businessHours: boolean,
  failures: string,
  hoursOn: boolean,
): HandoffRulesField {
  const s = failures.trim();
  const n = s === '' ? 0 : Number(s);
  if (!/^\d{0,2}$/.test(s) || !Number.isInteger(n) || n < 0 || n > maxBotFailures) return { ok: false, field: 'failures' };
  if (businessHours && !hoursOn) return { ok: false, field: 'hours' };
  const cur = current ?? defaultHandoffRules;
  const patch: RulesInput = {};
  if (businessHours !== cur.business_hours) patch.business_hours = businessHours;
  if (n !== cur.bot_failures) patch.bot_failures = n;
  return { ok: true, patch: Object.keys(patch).length > 0 ? { handoff_rules: patch } : {} };
}
