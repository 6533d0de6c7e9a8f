import { memo } from 'react';
import type { ThreadEntry } from '../api/types';
import { useI18n } from '../i18n';
import { activityText } from '../lib/activity';
import { clockTime as clock, dateTime } from '../lib/format';
import { Icon } from './icons';

/**
 * ThreadEntryView shows a private note (a bubble of its own colour,
 * labelled as a note, never a WhatsApp message) or an activity line.
 */
export const ThreadEntryView = memo(function ThreadEntryView({ e, meId }: { e: ThreadEntry; meId: string }) {
  const { t, locale } = useI18n();
  if (e.kind === 'activity') {
    return (
      <div className="activity-line" role="note" data-testid="activity-line" id={`e-${e.id}`}>
        <span>{activityText(t, e)}</span> <time dateTime={e.created_at}>{clock(e.created_at, locale)}</time>
      </div>
    );
  }
  const mine = e.author_id === meId;
  const mentionsMe = (e.mentions ?? []).includes(meId) && !mine;
  return (
    <div className={mine ? 'note-row note-row-mine' : 'note-row'} id={`e-${e.id}`}>
      <article
        className={mentionsMe ? 'note-bubble note-bubble-me' : 'note-bubble'}
        aria-label={t('notes.by', { name: e.author_name || t('notes.someone') })}
        data-testid="note"
      >
        <header className="note-head">
          <Icon name="shield" size={14} /> <span className="note-badge">{t('notes.badge')}</span> ·{' '}
          <span className="note-author">{e.author_name || t('notes.someone')}</span>
        </header>
        <p className="note-text">{e.text}</p>
        <time className="note-time" dateTime={e.created_at} title={dateTime(e.created_at, locale)}>
          {clock(e.created_at, locale)}
        </time>
      </article>
    </div>
  );
});
