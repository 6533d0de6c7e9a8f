// Human names for the audit log's actions and object types, in the
// reader's language; an action or type the dictionary does not know (one
// a newer server writes) shows its technical name.

import { en } from '../i18n/en';
import type { Key } from '../i18n';

type T = (key: Key, vars?: Record<string, string | number>) => string;

function named(t: T, prefix: string, value: string): string {
  const k = `${prefix}${value}`;
  return Object.hasOwn(en, k) ? t(k as Key) : value;
}

/** auditActionName names an action ("session.login" -> "Sign in"). */
export const auditActionName = (t: T, action: string): string => named(t, 'audit.a.', action);

/** auditTypeName names an object type ("conversation" -> "Conversation"). */
export const auditTypeName = (t: T, type: string): string => named(t, 'audit.t.', type);
