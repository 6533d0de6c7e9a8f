import { ComposerWriters } from './ComposerWriters';
import { Fragment, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { api } from '../api/endpoints';
import { LabelChips } from './LabelChips';
import { LabelPicker } from './LabelPicker';
import type { Message, ThreadEntry } from '../api/types';
import { useI18n } from '../i18n';
import { assigneesLabel, assigneeName } from '../lib/assignees';
import { errorText } from '../lib/errors';
import { handoffReason } from '../lib/handoff';
import { statusBadge } from '../lib/status';
import { dateTime, dayKey, daySeparator, displayName, handle, remaining, serviceWindow } from '../lib/format';
import { emptyThread, reactionsByTarget, readsByMention } from '../state/inbox';
import { useInbox, useInboxContext } from '../state/store';
import { mayListTeams, useTeams } from '../state/teams';
import { Avatar, ErrorBox, Spinner } from './common';
import { Icon } from './icons';
import { Composer } from './Composer';
import { ContactMenu } from './ContactMenu';
import { StatusControl } from './StatusControl';
import { ContactPanel } from './ContactPanel';
import { IdentityHistory, MarketingBadge, useContactProfile } from './ContactFacts';
import { MessageBubble } from './MessageBubble';
import { NoteComposer } from './NoteComposer';
import { ThreadEntryView } from './ThreadEntryView';
import { navigate, onLinkClick } from './router';
import { useToasts } from './Toasts';
import { useNow } from './useNow';
import { pendingFor, shown as shownHit } from '../lib/msgsearch';

export function ConversationView({ id, onAssign }: { id: string; onAssign: (() => void) | undefined }) {
  const { t, locale } = useI18n();
  const toasts = useToasts();
  const { actions, can, me } = useInboxContext();
  const conv = useInbox((s) => s.convs[id]);
  const gone = useInbox((s) => !!s.gone[id]);
  const thread = useInbox((s) => s.threads[id] ?? emptyThread);
  const msgs = useInbox((s) => s.msgs);
  const progress = useInbox((s) => s.progress);
  const now = useNow(30_000);
  const profile = useContactProfile(conv?.contact?.id ?? '', conv?.updated_at ?? '');
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [dragging, setDragging] = useState(false);
  const [dropped, setDropped] = useState<File | null>(null);
  const [handoffBusy, setHandoffBusy] = useState(false);
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  const teams = useTeams(mayListTeams(me.role.permissions));
  // "Assign to me" in one click, or the i key (Inbox sends the event).
  const assignMe = useCallback(async () => {
    try {
      await actions.assign(id, me.user.id);
      toasts.show({ text: t('assign.assigned', { name: me.user.name }), tone: 'success' });
    } catch (err) {
      toasts.show({ text: errorText(t, err), tone: 'error' });
    }
  }, [actions, id, me.user.id, me.user.name, t, toasts]);
  useEffect(() => {
    if (!onAssign) return;
    const on = () => void assignMe();
    window.addEventListener('switchboard:assign-me', on);
    return () => window.removeEventListener('switchboard:assign-me', on);
  }, [assignMe, onAssign]);
  // Bumped to move the focus into the note composer once it is rendered.
  const [noteFocus, setNoteFocus] = useState(0);
  const [dismissBusy, setDismissBusy] = useState(false);
  const [panelOpen, setPanelOpen] = useState(false);
  const entries = useInbox((s) => s.entries[id]);
  // "n" (from the inbox's shortcuts) switches to writing a note.
  useEffect(() => {
    const onNote = () => {
      setMode('note');
      setNoteFocus((n) => n + 1);
    };
    window.addEventListener('switchboard:note', onNote);
    return () => window.removeEventListener('switchboard:note', onNote);
  }, []);

  useEffect(() => {
    actions.loadSuggestions(id);
  }, [id, actions]);

  const messages = useMemo(() => thread.ids.map((mid) => msgs[mid]).filter((m): m is Message => !!m), [thread.ids, msgs]);
  const reactions = useMemo(() => reactionsByTarget(messages), [messages]);
  const shown = useMemo(() => messages.filter((m) => m.type !== 'reaction'), [messages]);
  // Notes and activity lines go among the messages by time (entriesAt: the
  // index of the message each goes before); those older
  // than the oldest loaded message wait until older messages load (unless
  // the beginning is loaded).
  const entriesAt = useMemo(() => {
    const out = new Map<number, ThreadEntry[]>();
    const list = entries ?? [];
    const oldest = shown[0] ? Date.parse(shown[0].timestamp) : Infinity;
    let j = 0;
    for (const e of list) {
      const at = Date.parse(e.created_at);
      if (at < oldest && thread.before) continue;
      while (j < shown.length && Date.parse(shown[j]!.timestamp) <= at) j++;
      const slot = out.get(j) ?? [];
      slot.push(e);
      out.set(j, slot);
    }
    return out;
  }, [entries, shown, thread.before]);

  // Scrolling: start at the bottom, follow new messages when already there,
  // and keep the position when older messages are put above.
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const prevFirst = useRef<string | undefined>(undefined);
  const prevHeight = useRef(0);
  const firstId = shown[0]?.id;
  const lastEntry = entries?.[entries.length - 1]?.id;
  const lastId = `${shown[shown.length - 1]?.id}:${lastEntry ?? ''}`;

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (prevFirst.current && firstId !== prevFirst.current && prevHeight.current) {
      // Older messages were prepended: keep what the reader was looking at.
      el.scrollTop += el.scrollHeight - prevHeight.current;
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
    prevFirst.current = firstId;
    prevHeight.current = el.scrollHeight;
  }, [firstId, lastId, shown.length]);

  const ready = !!conv && !gone;
  // Pictures and videos get their height when they load, after the scroll
  // to the bottom: stay at the newest message while they do.
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onLoad = () => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
      prevHeight.current = el.scrollHeight;
    };
    el.addEventListener('load', onLoad, true);
    el.addEventListener('loadedmetadata', onLoad, true);
    // The header can take a second line after the thread is shown (labels,
    // a team): the thread gets shorter, and stays at the newest message.
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(onLoad);
    ro?.observe(el);
    return () => {
      el.removeEventListener('load', onLoad, true);
      el.removeEventListener('loadedmetadata', onLoad, true);
      ro?.disconnect();
    };
  }, [ready]);

  // The reader leaves the newest message only by scrolling up: a picture
  // that takes its height between a scroll and its event moves the bottom
  // away without moving scrollTop, and must not stop the following.
  const lastTop = useRef(0);
  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    if (el.scrollHeight - el.scrollTop - el.clientHeight < 80) atBottom.current = true;
    else if (el.scrollTop < lastTop.current) atBottom.current = false;
    lastTop.current = el.scrollTop;
    prevHeight.current = el.scrollHeight;
    if (el.scrollTop < 200 && thread.before && !thread.loading) actions.loadOlder(id);
  };

  // A thread that does not fill the screen loads older pages until it does.
  useEffect(() => {
    const el = scroller.current;
    if (!el || !thread.loaded || thread.loading || !thread.before) return;
    if (el.scrollHeight <= el.clientHeight + 50) actions.loadOlder(id);
  }, [thread.loaded, thread.loading, thread.before, id, actions, shown.length]);

  const onReply = useCallback((m: Message) => {
    setReplyTo(m);
    requestAnimationFrame(() => document.getElementById('composer-input')?.focus());
  }, []);
  const onRetry = useCallback((m: Message) => actions.retry(m), [actions]);
  const onDiscard = useCallback((m: Message) => actions.discard(m.id), [actions]);
  // A message search result opened this conversation: load older pages
  // until its message (or note) is there, then scroll to it and mark it.
  const searchTries = useRef(0);
  useEffect(() => {
    const want = pendingFor(id);
    if (!want || !thread.loaded) return;
    const el = document.getElementById(`m-${want}`) ?? document.getElementById(`e-${want}`);
    if (el) {
      shownHit();
      searchTries.current = 0;
      for (const old of document.querySelectorAll('.msg-hit')) old.classList.remove('msg-hit');
      el.classList.add('msg-hit');
      atBottom.current = false; // a jump to the hit, away from the newest message
      el.scrollIntoView({ block: 'center' });
      return;
    }
    if (thread.loading) return;
    if (thread.before && searchTries.current < 50) {
      searchTries.current++;
      actions.loadOlder(id);
    } else {
      shownHit();
      searchTries.current = 0;
    }
  }, [id, thread.loaded, thread.loading, thread.before, shown.length, entries, actions]);

  const onQuoteClick = useCallback((mid: string) => {
    const el = document.getElementById(`m-${mid}`);
    if (!el) return;
    atBottom.current = false; // a jump to the quoted message
    el.scrollIntoView({ block: 'center', behavior: 'smooth' });
    el.classList.add('msg-flash');
    setTimeout(() => el.classList.remove('msg-flash'), 1200);
  }, []);

  // Opening a conversation one is mentioned in reads the mention (the
  // mentions screen shows it as read); again after a newer mention.
  const mentionedAt = conv?.mentioned?.includes(me.user.id) ? (conv.updated_at ?? '') : '';
  useEffect(() => {
    if (mentionedAt) api.markMentionRead(id).catch(() => {});
  }, [id, mentionedAt]);

  if (gone) {
    return (
      <div className="empty-state not-found" data-testid="conversation-404">
        <h1>{t('conv.notFoundTitle')}</h1>
        <p>{t('conv.notFound')}</p>
        <a className="btn" href="/" onClick={(e) => onLinkClick(e, '/')}>
          {t('conv.toInbox')}
        </a>
      </div>
    );
  }
  if (!conv) {
    return (
      <div className="empty-state">
        <Spinner label={t('common.loading')} />
      </div>
    );
  }

  const name = displayName(conv);
  const win = serviceWindow(conv.window_closes_at, now);
  const assignees = conv.assignees ?? [];
  // The server names the sender; older servers only give the id, which the
  // viewer and the assignees can be matched against.
  const senderName = (m: Message) => {
    if (m.sender_name) return m.sender_name;
    const sid = m.sender_id;
    if (!sid) return '';
    if (sid === me.user.id) return me.user.name;
    return assignees.find((a) => a.id === sid)?.name ?? '';
  };

  const handOff = async (to: 'human' | 'bot') => {
    setHandoffBusy(true);
    try {
      await actions.handOff(id, to);
    } catch (err) {
      toasts.show({ text: errorText(t, err), tone: 'error' });
    } finally {
      setHandoffBusy(false);
    }
  };
  const botHandles = conv.handler === 'bot';
  const viewer = { userId: me.user.id, readAll: can('conversations.read_all') };
  const teamName = conv.team_id ? teams.find((x) => x.id === conv.team_id)?.name : undefined;
  // Seen only through a mention: reading and notes, no acting.
  const onlyMentioned = readsByMention(conv, viewer);
  const mentioned = (conv.mentioned ?? []).includes(me.user.id);
  const dismiss = async () => {
    setDismissBusy(true);
    try {
      await actions.dismissMention(id);
      if (onlyMentioned) navigate('/');
    } catch (err) {
      toasts.show({ text: errorText(t, err), tone: 'error' });
    } finally {
      setDismissBusy(false);
    }
  };
  const noteOnly = onlyMentioned || !can('conversations.reply');
  const writing = noteOnly ? 'note' : mode;
  // The hand-off shows as a line in the thread, after the last message
  // before it; the bot's own start on a new conversation is the badge.
  const ho = conv.handoff && conv.handoff.reason !== 'opened' ? conv.handoff : null;
  let hoAfter = -1;
  if (ho) {
    const at = Date.parse(ho.at);
    shown.forEach((m, i) => {
      if (Date.parse(m.timestamp) <= at) hoAfter = i;
    });
  }
  const handoffLine = ho && (
    <div className="handoff-line" role="note" data-testid="handoff-line">
      <span className="handoff-line-head">
        {conv.handler === 'bot' ? t('handoff.toBot') : t('handoff.toHuman', { reason: handoffReason(t, ho.reason) })}
      </span>
      {ho.summary && <span className="handoff-line-summary">{ho.summary}</span>}
    </div>
  );

  const onDragOver = (e: DragEvent) => {
    if (!can('conversations.reply') || !win.open) return;
    if (Array.from(e.dataTransfer.types).includes('Files')) {
      e.preventDefault();
      setDragging(true);
    }
  };
  const onDrop = (e: DragEvent) => {
    setDragging(false);
    const f = e.dataTransfer.files[0];
    if (f && can('conversations.reply') && win.open) {
      e.preventDefault();
      setDropped(f);
    }
  };

  return (
    <div
      className="conversation"
      onDragOver={onDragOver}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <header className="conv-header">
        <button type="button" className="icon-btn back-btn" aria-label={t('conv.back')} onClick={() => navigate('/')}>
          <Icon name="back" />
        </button>
        <Avatar id={conv.contact?.id || conv.id} name={conv.contact?.name ?? ''} />
        <div className="conv-title">
          <h1 className="conv-title-name">
            {name} <MarketingBadge profile={profile} />
          </h1>
          <p className="conv-title-sub">
            {botHandles && (
              <span className="badge badge-bot" title={t('handoff.botHandles')} data-testid="handler-badge">
                {t('handoff.bot')}
              </span>
            )}{' '}
            {teamName && (
              <>
                <span className="header-team" data-testid="header-team">
                  {t('conv.team', { name: teamName })}
                </span>
                {' · '}
              </>
            )}
            {conv.contact?.name && handle(conv.contact) ? `${handle(conv.contact)} · ` : ''}
            {conv.status !== 'open'
              ? statusBadge(t, conv, locale)
              : win.open
                ? t('inbox.windowLeft', { when: remaining(win.remaining, locale) })
                : t('inbox.windowClosed')}
          </p>
          <LabelChips labels={conv.labels} />
        </div>
        <div className="conv-header-actions">

          <div className="header-assignees" role="group" aria-label={assignees.length ? assigneesLabel(t, assignees) : t('conv.noAssignees')}>
            {/* Names are shown, not only initials: two people with the same
                initials must not look alike. */}
            {assignees.map((a) => (
              <span key={a.id} className={a.deactivated ? 'header-assignee header-assignee-off' : 'header-assignee'} data-testid="header-assignee">
                <Avatar id={a.id} name={assigneeName(t, a)} small off={a.deactivated} />
                <span className="header-assignee-name" aria-hidden="true">
                  {a.name}
                </span>{' '}
                {a.deactivated && (
                  <span className="header-assignee-mark" aria-hidden="true">
                    {t('inbox.deactivated')}
                  </span>
                )}
              </span>
            ))}
          </div>
          {onAssign && !onlyMentioned && (
            <button
              type="button"
              className="btn btn-small"
              onClick={onAssign}
              aria-keyshortcuts="a"
              aria-label={t('conv.assign')}
              title={t('conv.assign')}
              data-testid="assign-button"
            >
              <Icon name="userPlus" size={18} /> <span className="btn-label">{t('conv.assign')}</span>
            </button>
          )}
          {onAssign && !onlyMentioned && !assignees.some((a) => a.id === me.user.id) && (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => void assignMe()}
              aria-keyshortcuts="i"
              title={t('conv.assignMe')}
              data-testid="assign-me"
            >
              <Icon name="userPlus" size={18} /> <span className="btn-label">{t('conv.assignMe')}</span>
            </button>
          )}
          {botHandles && can('conversations.reply') && !onlyMentioned && (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => void handOff('human')}
              disabled={handoffBusy}
              title={t('handoff.takeOver')}
              data-testid="take-over"
            >
              <Icon name="userPlus" size={18} /> <span className="btn-label">{t('handoff.takeOver')}</span>
            </button>
          )}
          {!botHandles && conv.handoff && can('conversations.assign') && !onlyMentioned && (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => void handOff('bot')}
              disabled={handoffBusy}
              title={t('handoff.handBack')}
              data-testid="hand-back"
            >
              <Icon name="refresh" size={18} /> <span className="btn-label">{t('handoff.handBack')}</span>
            </button>
          )}
          {/* Who may work on it may label it: those who see everything, and its assignees (not who sees it only through a mention). */}
          {!onlyMentioned && (viewer.readAll || assignees.some((a) => a.id === me.user.id)) && <LabelPicker conv={conv} setLabel={actions.setLabel} />}
          {can('conversations.close') && !onlyMentioned && <StatusControl conv={conv} setStatus={actions.setStatus} />}
          <button
            type="button"
            className={panelOpen ? 'btn btn-small btn-on' : 'btn btn-small'}
            aria-expanded={panelOpen}
            aria-controls="contact-panel"
            onClick={() => setPanelOpen((o) => !o)}
            title={t('contact.toggle')}
            data-testid="contact-panel-toggle"
          >
            <Icon name="person" size={18} /> <span className="btn-label">{t('contact.button')}</span>
          </button>
          <ContactMenu conv={conv} can={can} erase={actions.eraseContact} setBlocked={actions.setBlocked} />
        </div>
      </header>
      {panelOpen && (
        <div id="contact-panel">
          <ContactPanel
            convId={conv.id}
            onClose={() => {
              setPanelOpen(false);
              document.querySelector<HTMLElement>('[data-testid="contact-panel-toggle"]')?.focus();
            }}
          />
        </div>
      )}
      <IdentityHistory profile={profile} />
      {conv.status !== 'open' && (
        <div className="banner banner-info" data-testid="status-banner">
          {conv.status === 'resolved'
            ? t('conv.resolved')
            : conv.status === 'pending'
              ? t('conv.pending')
              : conv.snoozed_until
                ? t('conv.snoozedUntil', { when: dateTime(conv.snoozed_until, locale) })
                : t('conv.snoozedUntilReply')}
        </div>
      )}
      {mentioned && (
        <div className="banner banner-mention" role="status" data-testid="mention-banner">
          <span>{onlyMentioned ? t('notes.mentioned') : t('notes.mentionedAssigned')}</span>
          <button type="button" className="btn btn-small" onClick={() => void dismiss()} disabled={dismissBusy} data-testid="mention-done">
            <Icon name="check" size={16} /> {t('notes.done')}
          </button>
        </div>
      )}
      {conv.contact?.blocked && (
        <div className="banner banner-error" role="status" data-testid="blocked-banner">
          {conv.contact.blocked_at ? t('block.bannerSince', { time: dateTime(conv.contact.blocked_at, locale) }) : t('block.banner')}
        </div>
      )}
      {conv.status === 'open' && win.open && conv.window_closes_at && (
        <div className="visually-hidden">{t('conv.window', { time: dateTime(conv.window_closes_at, locale), when: remaining(win.remaining, locale) })}</div>
      )}
      <div className="thread" ref={scroller} onScroll={onScroll} tabIndex={0} aria-label={t('conv.history')} role="log">
        <div className="thread-top">
          {thread.loading && <Spinner label={t('common.loading')} />}
          {!thread.loading && thread.loaded && thread.before && (
            <button type="button" className="link-btn" onClick={() => actions.loadOlder(id)}>
              {t('conv.loadOlder')}
            </button>
          )}
          {!thread.loading && thread.loaded && !thread.before && <p className="hint">{t('conv.beginning')}</p>}
        </div>
        <ErrorBox text={thread.error ? `${t('conv.loadError')} ${thread.error}` : ''} />
        {shown.map((m, i) => {
          const day = dayKey(m.timestamp);
          const prev = shown[i - 1];
          const sep = !prev || day !== dayKey(prev.timestamp);
          return (
            <Fragment key={m.id}>
              {entriesAt.get(i)?.map((e) => <ThreadEntryView key={e.id} e={e} meId={me.user.id} />)}
              {sep && (
                <div className="day-sep" role="separator">
                  <span>{daySeparator(m.timestamp, locale, { today: t('common.today'), yesterday: t('common.yesterday') })}</span>
                </div>
              )}
              <MessageBubble
                m={m}
                progress={progress[m.id]}
                quoted={m.reply_to_id ? msgs[m.reply_to_id] : undefined}
                reactions={reactions.get(m.id)}
                senderName={m.direction === 'out' ? senderName(m) : ''}
                canReply={can('conversations.reply') && win.open}
                windowOpen={win.open}
                onReply={onReply}
                onRetry={onRetry}
                onDiscard={onDiscard}
                onQuoteClick={onQuoteClick}
              />
              {i === hoAfter && handoffLine}
            </Fragment>
          );
        })}
        {hoAfter === -1 && handoffLine}
        {entriesAt.get(shown.length)?.map((e) => <ThreadEntryView key={e.id} e={e} meId={me.user.id} />)}
      </div>
      {!noteOnly && (
        <div className="composer-modes" role="group" aria-label={t('notes.modeLabel')}>
          <button
            type="button"
            className={writing === 'reply' ? 'mode-btn mode-btn-on' : 'mode-btn'}
            aria-pressed={writing === 'reply'}
            onClick={() => {
              setMode('reply');
              requestAnimationFrame(() => document.getElementById('composer-input')?.focus());
            }}
            data-testid="mode-reply"
          >
            {t('notes.tabReply')}
          </button>
          <button
            type="button"
            className={writing === 'note' ? 'mode-btn mode-btn-on mode-btn-note' : 'mode-btn mode-btn-note'}
            aria-pressed={writing === 'note'}
            aria-keyshortcuts="n"
            title={`${t('notes.tabNote')} (n)`}
            onClick={() => {
              setMode('note');
              setNoteFocus((n) => n + 1);
            }}
            data-testid="mode-note"
          >
            {t('notes.tabNote')}
          </button>
        </div>
      )}
      <ComposerWriters convId={conv.id} />
      {writing === 'note' ? (
        <NoteComposer conv={conv} hint={onlyMentioned ? t('notes.noteOnly') : undefined} focusKey={noteFocus} />
      ) : (
        <Composer
          conv={conv}
          windowOpen={win.open}
          replyTo={replyTo}
          onCancelReply={() => setReplyTo(null)}
          dropped={dropped}
          onDroppedTaken={() => setDropped(null)}
          onSent={() => {
            setReplyTo(null);
            atBottom.current = true;
          }}
        />
      )}
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          {t('composer.drop')}
        </div>
      )}
    </div>
  );
}
