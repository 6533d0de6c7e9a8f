// Bot hand-off: the reason codes the server writes for its own rules, in
// the reader's language; a reason a bot or a person wrote shows as written.

import { en } from '../i18n/en';
import type { Key } from '../i18n';

type T = (key: Key, vars?: Record<string, string | number>) => string;

/** handoffReason names a hand-off's reason ("customer_asked" -> "The customer asked for a person"). */
export function handoffReason(t: T, reason: string): string {
  const k = `handoff.reason.${reason}`;
  return Object.hasOwn(en, k) ? t(k as Key) : reason;
}
