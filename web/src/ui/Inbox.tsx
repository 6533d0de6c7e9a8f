import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n';
import { useInbox, useInboxContext } from '../state/store';
import { AssignMenu } from './AssignMenu';
import { ConversationList } from './ConversationList';
import { ConversationView } from './ConversationView';
import { navigate } from './router';
import { focusComposer, wantComposer } from './focus';
import type { VirtualListHandle } from './VirtualList';

function typing(el: Element | null): boolean {
  if (!el) return false;
  const h = el as HTMLElement;
  return h.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(h.tagName);
}

/** Inbox is the operator's and employee's main screen: the conversation list and the open conversation. */
export function Inbox({ openId }: { openId: string | null }) {
  const { t } = useI18n();
  const { actions, can } = useInboxContext();
  const ids = useInbox((s) => s.list.ids);
  const [cursor, setCursor] = useState<string | null>(openId);
  const [assignFor, setAssignFor] = useState<string | null>(null);
  const listRef = useRef<VirtualListHandle>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    actions.open(openId);
    if (openId) setCursor(openId);
  }, [openId, actions]);

  useEffect(() => () => actions.open(null), [actions]);

  const openConv = useCallback((id: string) => navigate(`/c/${encodeURIComponent(id)}`), []);

  // Keyboard shortcuts, documented in the help overlay (?).
  const state = useRef({ ids, cursor, openId, assignFor });
  useLayoutEffect(() => {
    state.current = { ids, cursor, openId, assignFor };
  });
  useEffect(() => {
    const move = (delta: number) => {
      const { ids: list, cursor: cur, openId: open } = state.current;
      if (list.length === 0) return;
      const from = list.indexOf(cur ?? open ?? '');
      const next = from < 0 ? (delta >= 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, from + delta));
      const id = list[next];
      if (!id) return;
      setCursor(id);
      listRef.current?.scrollToIndex(next);
      requestAnimationFrame(() => document.getElementById(`row-${id}`)?.focus({ preventScroll: true }));
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      if (state.current.assignFor) return; // the dialog handles its own keys
      if (document.querySelector('dialog[open]')) return;
      const target = e.target as Element | null;
      if (typing(target)) {
        if (e.key === 'Escape' && target === searchRef.current) {
          e.preventDefault();
          const { cursor: cur, ids: list } = state.current;
          const id = cur ?? list[0];
          if (id) document.getElementById(`row-${id}`)?.focus();
        } else if ((e.key === 'ArrowDown' || e.key === 'Enter') && target === searchRef.current) {
          e.preventDefault();
          move(e.key === 'Enter' ? 0 : 1);
        }
        return;
      }
      const inThread = !!target?.closest?.('.thread');
      switch (e.key) {
        case 'j':
          e.preventDefault();
          move(1);
          break;
        case 'k':
          e.preventDefault();
          move(-1);
          break;
        case 'ArrowDown':
        case 'ArrowUp':
          if (inThread) return;
          e.preventDefault();
          move(e.key === 'ArrowDown' ? 1 : -1);
          break;
        case 'Enter': {
          if (target instanceof HTMLButtonElement) return;
          const id = state.current.cursor;
          if (id) {
            e.preventDefault();
            if (id === state.current.openId) focusComposer();
            else {
              wantComposer(id);
              openConv(id);
            }
          }
          break;
        }
        case 'a': {
          const id = state.current.cursor ?? state.current.openId;
          if (id && can('conversations.assign')) {
            e.preventDefault();
            setAssignFor(id);
          }
          break;
        }
        case 'i':
          if (state.current.openId && can('conversations.assign')) {
            e.preventDefault();
            window.dispatchEvent(new CustomEvent('switchboard:assign-me'));
          }
          break;
        case '/':
          e.preventDefault();
          searchRef.current?.focus();
          searchRef.current?.select();
          break;
        case 'n':
          if (state.current.openId) {
            e.preventDefault();
            window.dispatchEvent(new CustomEvent('switchboard:note'));
          }
          break;
        case 'r':
        case 'Escape':
          if (focusComposer()) e.preventDefault();
          break;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [can, openConv]);

  return (
    <div className={openId ? 'inbox inbox-open' : 'inbox'}>
      {/* The open conversation's name is the page's heading; without one, the inbox is. */}
      {!openId && <h1 className="visually-hidden">{t('nav.inbox')}</h1>}
      <ConversationList
        listRef={listRef}
        searchRef={searchRef}
        openId={openId}
        cursor={cursor}
        onCursor={setCursor}
        onAssign={can('conversations.assign') ? setAssignFor : undefined}
      />
      <section className="pane-conversation" aria-label={t('conv.history')}>
        {openId ? (
          <ConversationView key={openId} id={openId} onAssign={can('conversations.assign') ? () => setAssignFor(openId) : undefined} />
        ) : (
          <div className="empty-state pick">
            <p>{t('inbox.pick')}</p>
            <p className="hint">{t('inbox.pickHint')}</p>
          </div>
        )}
      </section>
      {assignFor && <AssignMenu conversationId={assignFor} onClose={() => setAssignFor(null)} />}
    </div>
  );
}
