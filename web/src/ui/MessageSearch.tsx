import { useEffect, useRef, useState } from 'react';
import { api } from '../api/endpoints';
import type { SearchResult } from '../api/types';
import { useI18n } from '../i18n';
import { errorText } from '../lib/errors';
import { listTime } from '../lib/format';
import { highlight, queryProblem, showAfterOpen } from '../lib/msgsearch';
import { ErrorBox, Spinner } from './common';
import { Icon } from './icons';
import { navigate } from './router';

// A page can come back short (even empty) with a next cursor when the
// words are frequent but the hits the user may see are rare: the server
// bounds the work per page. Read on by itself a few pages before asking.
const autoPages = 4;

interface State {
  // q is the query the items answer, which the marks follow.
  q: string;
  items: SearchResult[];
  next: string;
  loading: boolean;
  error: string;
  done: boolean;
}

const idle: State = { q: '', items: [], next: '', loading: false, error: '', done: false };

/** MessageSearchResults lists the messages and notes whose text matches q, newest first; choosing one opens it in its conversation. */
export function MessageSearchResults({ q }: { q: string }) {
  const { t, locale } = useI18n();
  const [state, setState] = useState<State>(idle);
  const abort = useRef<AbortController | null>(null);
  const problem = q.trim() ? queryProblem(q) : null;

  const load = (query: string, cursor: string, prev: SearchResult[], pages: number) => {
    abort.current?.abort();
    const ac = new AbortController();
    abort.current = ac;
    setState((s) => ({ ...s, loading: true, error: '' }));
    api
      .searchMessages({ q: query, limit: 20, ...(cursor ? { cursor } : {}) }, ac.signal)
      .then((p) => {
        if (ac.signal.aborted) return;
        const items = [...prev, ...p.items];
        if (p.next_cursor && items.length < 20 && pages + 1 < autoPages) {
          load(query, p.next_cursor, items, pages + 1);
          return;
        }
        setState({ q: query, items, next: p.next_cursor, loading: false, error: '', done: true });
      })
      .catch((e: unknown) => {
        if (ac.signal.aborted) return;
        setState((s) => ({ ...s, loading: false, error: errorText(t, e), done: true }));
      });
  };

  useEffect(() => {
    const query = q.trim();
    if (!query || queryProblem(query)) {
      abort.current?.abort();
      setState(idle);
      return;
    }
    const id = setTimeout(() => load(query, '', [], 0), 250);
    return () => clearTimeout(id);
    // load is recreated every render; the query is what matters.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q]);
  useEffect(() => () => abort.current?.abort(), []);

  const open = (r: SearchResult) => {
    showAfterOpen(r.conversation_id, r.message_id);
    navigate(`/c/${encodeURIComponent(r.conversation_id)}`);
  };

  if (!q.trim()) {
    return (
      <div className="empty-state">
        <p>{t('search.hint')}</p>
      </div>
    );
  }
  if (problem && problem !== 'empty') {
    return <ErrorBox text={t(problem === 'tooLong' ? 'search.tooLong' : 'search.tooManyWords')} />;
  }
  return (
    <div className="msg-search" aria-busy={state.loading}>
      <ErrorBox text={state.error} />
      {state.done && state.items.length === 0 && !state.error && (
        <div className="empty-state">
          <p>{state.next ? t('search.noneYet', { q: q.trim() }) : t('search.none', { q: q.trim() })}</p>
        </div>
      )}
      <ul className="msg-search-list" aria-label={t('search.results')} data-testid="message-search-results">
        {state.items.map((r) => (
          <li key={`${r.kind}-${r.message_id}`}>
            <button type="button" className="msg-search-hit" data-testid="message-search-hit" onClick={() => open(r)}>
              <span className="msg-search-head">
                <span className="msg-search-name">
                  {r.kind === 'note' && <Icon name="file" size={14} />}
                  {r.contact_name || t('search.noName')}
                </span>
                <time dateTime={r.at}>{listTime(r.at, locale, { today: t('common.today'), yesterday: t('common.yesterday') })}</time>
              </span>
              <span className="msg-search-snippet">
                {r.kind === 'note' && <span className="visually-hidden">{t('search.note')} </span>}
                {highlight(r.snippet, state.q).map((s, i) => (s.hit ? <mark key={i}>{s.text}</mark> : <span key={i}>{s.text}</span>))}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {state.loading && (
        <div className="list-loading">
          <Spinner label={t('common.loading')} />
        </div>
      )}
      {!state.loading && state.next && (
        <button type="button" className="link-btn msg-search-more" onClick={() => load(q.trim(), state.next, state.items, 0)}>
          {t('search.more')}
        </button>
      )}
    </div>
  );
}
