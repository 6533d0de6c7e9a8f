import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import type { Conversation, ConversationCounts } from '../api/types';
import { useI18n, type Key, type T } from '../i18n';
import { assigneeName, assigneesLabel, isUnassigned } from '../lib/assignees';
import { statusBadge } from '../lib/status';
import { FilterBar } from './FilterBar';
import { LabelChips } from './LabelChips';
import { displayName, handle, listTime, previewIcon, remaining, serviceWindow } from '../lib/format';
import type { Assignment, Filter, StatusFilter } from '../state/inbox';
import { useInbox, useInboxContext } from '../state/store';
import { mayListTeams, useTeams } from '../state/teams';
import { Avatar, ErrorBox, Spinner } from './common';
import { Icon, type IconName } from './icons';
import { MessageSearchResults } from './MessageSearch';
import { onLinkClick } from './router';
import { VirtualList, type VirtualListHandle } from './VirtualList';

export const rowHeight = 84;

const assignments: { value: Assignment; label: Key }[] = [
  { value: 'all', label: 'inbox.f.all' },
  { value: 'unassigned', label: 'inbox.f.unassigned' },
  { value: 'assigned', label: 'inbox.f.assigned' },
  { value: 'mine', label: 'inbox.f.mine' },
];

const statuses: { value: StatusFilter; label: Key }[] = [
  { value: 'open', label: 'inbox.s.open' },
  { value: 'pending', label: 'inbox.s.pending' },
  { value: 'snoozed', label: 'inbox.s.snoozed' },
  { value: 'resolved', label: 'inbox.s.resolved' },
  { value: '', label: 'inbox.s.any' },
];

/** previewText is the one-line summary of the last message, by type. */
export function previewText(t: T, c: Conversation): string {
  const m = c.last_message;
  if (!m) return t('preview.none');
  if (m.revoked) return t('msg.revoked');
  if (m.text) return m.text;
  switch (m.type) {
    case 'text':
      return '';
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
    case 'location':
    case 'contacts':
    case 'template':
    case 'reaction':
    case 'interactive':
    case 'order':
    case 'unsupported':
    case 'system':
      return t(`preview.${m.type}` as Key);
    case 'button':
      return t('preview.interactive');
  }
  return '';
}

function countFor(counts: ConversationCounts | null, key: string): number | undefined {
  if (!counts) return undefined;
  const v = (counts as unknown as Record<string, unknown>)[key];
  return typeof v === 'number' ? v : undefined;
}

interface Props {
  listRef: RefObject<VirtualListHandle | null>;
  searchRef: RefObject<HTMLInputElement | null>;
  openId: string | null;
  cursor: string | null;
  onCursor: (id: string) => void;
  onAssign: ((id: string) => void) | undefined;
}

export function ConversationList({ listRef, searchRef, openId, cursor, onCursor, onAssign }: Props) {
  const { t } = useI18n();
  const { actions, can, me } = useInboxContext();
  const teams = useTeams(mayListTeams(me.role.permissions));
  const list = useInbox((s) => s.list);
  const filter = useInbox((s) => s.filter);
  const convs = useInbox((s) => s.convs);
  const fresh = useInbox((s) => s.fresh);
  const [q, setQ] = useState(filter.q);
  // "contacts" searches names and numbers (the list filter); "messages"
  // searches what was written, in its own result list.
  const [mode, setMode] = useState<'contacts' | 'messages'>(() =>
    sessionStorage.getItem('switchboard.searchMode') === 'messages' ? 'messages' : 'contacts',
  );
  const [mq, setMQ] = useState(() => sessionStorage.getItem('switchboard.messageQuery') ?? '');
  useEffect(() => {
    sessionStorage.setItem('switchboard.searchMode', mode);
    sessionStorage.setItem('switchboard.messageQuery', mq);
  }, [mode, mq]);
  const readAll = can('conversations.read_all');

  useEffect(() => {
    if (!list.loaded && !list.loading) actions.reloadList();
    // Only on mount; filter changes load through setFilter.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Search as you type, debounced so each keystroke is not a request.
  const filterRef = useRef(filter);
  useLayoutEffect(() => {
    filterRef.current = filter;
  });
  useEffect(() => {
    if (mode === 'messages' || q === filterRef.current.q) return;
    const id = setTimeout(() => actions.setFilter({ ...filterRef.current, q }), 250);
    return () => clearTimeout(id);
  }, [q, actions, mode]);

  const setFilter = (f: Partial<Filter>) => actions.setFilter({ ...filter, ...f });
  const onEnd = useCallback(() => actions.loadMore(), [actions]);

  const renderRow = (i: number) => {
    const id = list.ids[i];
    const c = id ? convs[id] : undefined;
    if (!c) return null;
    return (
      <ConversationRow
        conv={c}
        open={c.id === openId}
        cursor={c.id === cursor}
        fresh={!!fresh[c.id]}
        onFocus={onCursor}
        onAssign={onAssign}
      />
    );
  };

  const empty = list.loaded && list.ids.length === 0 && !list.loading;

  return (
    <section className="pane-list" aria-label={t('inbox.list')}>
      <div className="list-head">
        <div className="search">
          <Icon name="search" size={16} className="search-icon" />
          <input
            ref={searchRef}
            type="search"
            className="search-input"
            placeholder={mode === 'messages' ? t('search.placeholder') : t('inbox.search')}
            aria-label={mode === 'messages' ? t('search.placeholder') : t('inbox.search')}
            aria-keyshortcuts="/"
            data-testid="search-input"
            value={mode === 'messages' ? mq : q}
            maxLength={100}
            onChange={(e) => (mode === 'messages' ? setMQ(e.target.value) : setQ(e.target.value))}
          />
        </div>
        <div className="chips search-mode" role="group" aria-label={t('search.mode')}>
          {(['contacts', 'messages'] as const).map((m) => (
            <button
              key={m}
              type="button"
              className={mode === m ? 'chip chip-on chip-quiet' : 'chip chip-quiet'}
              aria-pressed={mode === m}
              data-testid={`search-mode-${m}`}
              onClick={() => {
                setMode(m);
                searchRef.current?.focus();
              }}
            >
              {t(m === 'messages' ? 'search.modeMessages' : 'search.modeContacts')}
            </button>
          ))}
        </div>
        {mode === 'contacts' && (
        <div className="filters" role="group" aria-label={t('inbox.filters')}>
          {readAll && (
            <div className="chips">
              {assignments.map((a) => {
                const n = countFor(list.counts, a.value);
                return (
                  <button
                    key={a.value}
                    type="button"
                    className={filter.assignment === a.value ? 'chip chip-on' : 'chip'}
                    aria-pressed={filter.assignment === a.value}
                    onClick={() => setFilter({ assignment: a.value })}
                  >
                    {t(a.label)}
                    {n !== undefined && <span className="chip-count">{n}</span>}
                  </button>
                );
              })}
            </div>
          )}
          {(teams.length > 0 || filter.team) && (
            <label className="team-filter">
              <span className="visually-hidden">{t('list.team')}</span>
              <select value={filter.team ?? ''} onChange={(e) => setFilter({ team: e.target.value })} data-testid="team-filter" aria-label={t('list.team')}>
                <option value="">{t('list.teamAll')}</option>
                {filter.team && !teams.some((x) => x.id === filter.team) && <option value={filter.team}>{filter.team}</option>}
                {teams.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          <div className="chips chips-status">
            {statuses.map((s) => {
              const n = countFor(list.counts, s.value);
              return (
                <button
                  key={s.value || 'any'}
                  type="button"
                  className={filter.status === s.value ? 'chip chip-on chip-quiet' : 'chip chip-quiet'}
                  aria-pressed={filter.status === s.value}
                  onClick={() => setFilter({ status: s.value })}
                >
                  {t(s.label)}
                  {n !== undefined && <span className="chip-count">{n}</span>}
                </button>
              );
            })}
          </div>
          <FilterBar filter={filter} setFilter={setFilter} readAll={readAll} canListUsers={can('users.read')} />
        </div>
        )}
      </div>
      {mode === 'messages' ? (
        <MessageSearchResults q={mq} />
      ) : (
      <>
      <ErrorBox text={list.error ? `${t('inbox.loadError')} ${list.error}` : ''} />
      {empty ? (
        <div className="empty-state">
          <p>{filter.q ? t('inbox.emptySearch', { q: filter.q }) : t('inbox.empty')}</p>
        </div>
      ) : (
        <VirtualList
          ref={listRef}
          className="conv-list"
          label={t('inbox.list')}
          count={list.ids.length}
          rowHeight={rowHeight}
          onEndReached={list.next && !list.error ? onEnd : undefined}
          renderRow={renderRow}
          footer={list.loading ? <div className="list-loading"><Spinner label={t('common.loading')} /></div> : null}
        />
      )}
      </>
      )}
    </section>
  );
}

interface RowProps {
  conv: Conversation;
  open: boolean;
  cursor: boolean;
  fresh: boolean;
  onFocus: (id: string) => void;
  onAssign: ((id: string) => void) | undefined;
}

const ConversationRow = memo(function ConversationRow({ conv: c, open, cursor, fresh, onFocus, onAssign }: RowProps) {
  const { t, locale } = useI18n();
  const { me } = useInboxContext();
  const mentioned = (c.mentioned ?? []).includes(me.user.id);
  const name = displayName(c);
  const href = `/c/${encodeURIComponent(c.id)}`;
  const last = c.last_message;
  const when = last?.at ?? c.updated_at;
  const win = serviceWindow(c.window_closes_at);
  const assignees = c.assignees ?? [];
  const unassigned = isUnassigned(c);
  const unread = c.unread_count > 0;
  const icon = previewIcon(last);
  const classes = ['conv-row'];
  if (open) classes.push('conv-open');
  if (cursor) classes.push('conv-cursor');
  if (unread) classes.push('conv-unread');

  return (
    <div className={classes.join(' ')} data-testid="conv-row" data-id={c.id}>
      <a
        id={`row-${c.id}`}
        href={href}
        className="conv-link"
        aria-current={open ? 'true' : undefined}
        onClick={(e) => onLinkClick(e, href)}
        onFocus={() => onFocus(c.id)}
      >
        <Avatar id={c.contact?.id || c.id} name={c.contact?.name ?? ''} />
        <span className="conv-main">
          <span className="conv-line1">
            <span className="conv-name">{name}</span>
            {fresh && <span className="badge badge-new">{t('inbox.newAssignment')}</span>}
            {mentioned && (
              <span className="badge badge-mention" title={t('notes.mentionedAssigned')} data-testid="mention-badge">
                @ {t('notes.mentionBadge')}
              </span>
            )}
            {c.handler === 'bot' && (
              <span className="badge badge-bot" title={t('handoff.botHandles')}>
                {t('handoff.bot')}
              </span>
            )}
            <time className="conv-time" dateTime={when}>
              {listTime(when, locale, { today: t('common.today'), yesterday: t('common.yesterday') })}
            </time>
          </span>
          <span className="conv-line2">
            <span className="conv-preview">
              {last?.direction === 'out' && <span className="conv-you">{t('inbox.you')}</span>}
              {icon && <Icon name={icon as IconName} size={15} className="conv-type" />}
              {previewText(t, c)}
            </span>
            {unread && (
              <span className="badge badge-unread" aria-label={t('inbox.unread', { n: c.unread_count })}>
                {c.unread_count}
              </span>
            )}
          </span>
          <span className="conv-line3">
            {c.contact?.name && handle(c.contact) ? <span className="conv-phone">{handle(c.contact)}</span> : null}
            {c.status !== 'open' && <span className={`tag tag-${c.status}`}>{statusBadge(t, c, locale)}</span>}
            {c.status === 'open' &&
              (win.open ? (
                <span
                  className={win.remaining < 2 * 3600_000 ? 'tag tag-warn' : 'tag'}
                  title={t('inbox.windowLeft', { when: remaining(win.remaining, locale) })}
                >
                  <Icon name="clock" size={11} /> <span className="visually-hidden">{t('inbox.windowLeft', { when: '' })}</span>
                  {remaining(win.remaining, locale)}
                </span>
              ) : (
                <span className="tag tag-muted">{t('inbox.windowClosed')}</span>
              ))}
            <LabelChips labels={c.labels} />
            <span className="conv-assignees" role="img" aria-label={assigneesLabel(t, assignees)}>
              {unassigned && <span className="tag tag-muted">{t('inbox.unassignedBadge')}</span>}
              {assignees.slice(0, 3).map((a) => (
                <Avatar key={a.id} id={a.id} name={assigneeName(t, a)} small off={a.deactivated} />
              ))}
              {assignees.length > 3 && <span className="more">+{assignees.length - 3}</span>}
            </span>
          </span>
        </span>
      </a>
      {onAssign && (
        <button
          type="button"
          className="icon-btn conv-assign"
          aria-label={`${t('conv.assign')}: ${name}`}
          title={t('conv.assign')}
          onClick={() => onAssign(c.id)}
        >
          <Icon name="userPlus" size={17} />
        </button>
      )}
    </div>
  );
});
