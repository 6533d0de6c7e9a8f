import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/endpoints';
import type { InboxEvent, MentionItem } from '../api/types';
import { useI18n } from '../i18n';
import { errorText } from '../lib/errors';
import { dateTime, displayName } from '../lib/format';
import { useInboxContext } from '../state/store';
import { ErrorBox, Spinner } from './common';
import { onLinkClick } from './router';

/**
 * MentionsPage lists the user's active mentions, newest first: the
 * conversation, who mentioned them and when, the note's beginning and
 * whether they read it. It reloads live when a note or a conversation
 * changes (the store raises switchboard:mentions-changed).
 */
export function MentionsPage() {
  const { t, locale } = useI18n();
  const { me } = useInboxContext();
  const [items, setItems] = useState<MentionItem[] | null>(null);
  const [error, setError] = useState('');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(() => {
    api
      .mentions()
      .then((r) => {
        setItems(r.items ?? []);
        setError('');
      })
      .catch((err: unknown) => setError(errorText(t, err)));
  }, [t]);
  useEffect(load, [load]);
  useEffect(() => {
    const onChange = (e: Event) => {
      const ev = (e as CustomEvent<InboxEvent>).detail;
      const mine = ev.type !== 'thread_entry.created' || ((ev.data as { mentions?: string[] } | undefined)?.mentions ?? []).includes(me.user.id);
      if (!mine || timer.current) return;
      // Several changes at once reload once.
      timer.current = setTimeout(() => {
        timer.current = null;
        load();
      }, 300);
    };
    window.addEventListener('switchboard:mentions-changed', onChange);
    return () => {
      window.removeEventListener('switchboard:mentions-changed', onChange);
      if (timer.current) clearTimeout(timer.current);
    };
  }, [load, me.user.id]);

  return (
    <div className="page page-pad mentions-page">
      <h1>{t('mentions.title')}</h1>
      <p className="hint">{t('mentions.hint')}</p>
      <ErrorBox text={error} />
      {items === null && !error && <Spinner label={t('common.loading')} />}
      {items?.length === 0 && <p data-testid="mentions-empty">{t('mentions.none')}</p>}
      <ul className="mentions-list" data-testid="mentions-list">
        {items?.map((m) => {
          const to = `/c/${encodeURIComponent(m.conversation_id)}`;
          const unread = !m.read_at;
          return (
            <li key={m.conversation_id} className={unread ? 'mention-item mention-unread' : 'mention-item'} data-testid="mention-item">
              <a href={to} onClick={(e) => onLinkClick(e, to)}>
                <span className="mention-conv">{displayName(m.conversation)}</span>{' '}
                <span className={unread ? 'badge badge-warn' : 'badge'} data-testid="mention-state">
                  {unread ? t('mentions.unread') : t('mentions.read')}
                </span>
                <span className="mention-meta">{t('mentions.by', { name: m.by_name || '—', time: dateTime(m.at, locale) })}</span>
                {m.snippet && <span className="mention-snippet">{m.snippet}</span>}
              </a>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
