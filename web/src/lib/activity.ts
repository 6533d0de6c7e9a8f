import type { Key } from '../i18n';
import type { ThreadEntry } from '../api/types';
import { handoffReason } from './handoff';

type T = (k: Key, vars?: Record<string, string | number>) => string;

/** activityText is the line an activity entry shows; an action this build does not know shows generically. */
export function activityText(t: T, e: ThreadEntry): string {
  const a = e.activity;
  const by = e.author_name || (e.author_id ? t('notes.someone') : t('activity.system'));
  if (!a) return by;
  const who = a.subject_name || t('notes.someone');
  const value = a.value ?? '';
  switch (a.action) {
    case 'assigned':
      return t('activity.assigned', { by, who });
    case 'unassigned':
      return t('activity.unassigned', { by, who });
    case 'status':
      if (value === 'open') return t('activity.opened', { by });
      if (value === 'open' && a.detail === 'woke') return t('activity.woke');
      if (value === 'closed') return t('activity.closed', { by });
      if (value === 'resolved') return t('activity.resolved', { by });
      if (value === 'pending') return t('activity.pending', { by });
      if (value === 'snoozed') return a.detail ? t('activity.snoozed', { by, when: new Date(a.detail).toLocaleString() }) : t('activity.snoozedReply', { by });
      return t('activity.status', { by, value });
    case 'handoff':
      return value === 'bot' ? t('activity.toBot') : t('activity.toHuman', { reason: handoffReason(t, a.detail ?? '') });
    case 'label_added':
      return t('activity.labelAdded', { by, value });
    case 'label_removed':
      return t('activity.labelRemoved', { by, value });
  }
  return t('activity.other', { by, value: [a.action, value].filter(Boolean).join(' ') });
}
