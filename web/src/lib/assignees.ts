// Who answers a conversation: the client's copy of the server's rule
// (switchboard.Conversation.Unassigned), for filters, counts and notices.

import type { Conversation, UserRef } from '../api/types';
import type { T } from '../i18n';

/** activeAssignees are the assignees who can still answer (not deactivated). */
export function activeAssignees(c: Pick<Conversation, 'assignees'>): UserRef[] {
  return (c.assignees ?? []).filter((a) => !a.deactivated);
}

/** isUnassigned: nobody who can answer is assigned (none, or only deactivated users). */
export function isUnassigned(c: Pick<Conversation, 'assignees'>): boolean {
  return activeAssignees(c).length === 0;
}

/** assigneesLabel names the assignees for screen readers, deactivated ones marked, and says when nobody answers. */
export function assigneesLabel(t: T, assignees: UserRef[] | null | undefined): string {
  const list = assignees ?? [];
  if (list.length === 0) return t('inbox.unassignedBadge');
  const names = t('inbox.assignees', { names: list.map((a) => assigneeName(t, a)).join(', ') });
  return isUnassigned({ assignees: list }) ? `${t('inbox.unassignedBadge')}: ${names}` : names;
}

/** assigneeName is the name shown for an assignee, with "(deactivated)" when switched off. */
export function assigneeName(t: T, a: UserRef): string {
  return a.deactivated ? t('inbox.deactivatedName', { name: a.name }) : a.name;
}
