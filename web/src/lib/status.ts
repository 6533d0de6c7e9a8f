// The words for a conversation's status, shared by the list and the header.
import type { Conversation } from '../api/types';
import type { T } from '../i18n';
import { dateTime } from './format';

/** statusBadge names a status that is not open: pending, snoozed (until when, or the reply) or resolved. */
export function statusBadge(t: T, c: Pick<Conversation, 'status' | 'snoozed_until'>, locale: string): string {
  switch (c.status) {
    case 'pending':
      return t('inbox.pendingBadge');
    case 'snoozed':
      return c.snoozed_until ? t('inbox.snoozedBadge', { when: dateTime(c.snoozed_until, locale) }) : t('inbox.snoozedReplyBadge');
    case 'resolved':
      return t('inbox.resolvedBadge');
  }
  return '';
}
