import { createContext, useContext, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { ChannelNotice, ComposerActivity, ContactErasure, Conversation, InboxEvent, InteractiveSend, Me, Message, Permission, Template } from '../api/types';
import { useI18n, type Key } from '../i18n';
import { isUnassigned } from '../lib/assignees';
import { drafts } from '../lib/drafts';
import { composerActivity } from './composerActivity';
import { refusedForGood } from '../lib/sendAgain';
import { errorText } from '../lib/errors';
import { displayName } from '../lib/format';
import { handoffReason } from '../lib/handoff';
import type { AttachmentKind } from '../lib/files';
import { wantMessageNotice } from '../lib/notices';
import { beep, showNotification, titleWith } from '../lib/notify';
import { prefs } from '../lib/prefs';
import { parameterMap } from '../lib/templates';
import {
  filterKey,
  filterParams,
  initialState,
  movesCounts,
  notification,
  reduce,
  unreadTotal,
  type Action,
  type ConvStatus,
  type Filter,
  type InboxState,
  type NotifyDecision,
} from './inbox';
import { navigate } from './router';
import { EventSocket, type SocketState } from './socket';
import { useToasts } from './toasts';

/** InboxStore holds the state outside React so WebSocket handlers read the state before each event synchronously. */
export class InboxStore {
  private state: InboxState;
  private readonly listeners = new Set<() => void>();

  constructor(state: InboxState) {
    this.state = state;
  }

  get = (): InboxState => this.state;

  dispatch = (a: Action): void => {
    const next = reduce(this.state, a);
    if (next === this.state) return;
    this.state = next;
    for (const l of this.listeners) l();
  };

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
}

export interface SendFileOptions {
  file: File;
  kind: AttachmentKind;
  caption: string;
  replyTo?: string;
}

export interface InboxActions {
  /** refreshCounts reloads the filter bar's counts (after live changes). */
  refreshCounts: () => void;
  setFilter: (f: Filter) => void;
  loadMore: () => void;
  reloadList: () => void;
  open: (id: string | null) => void;
  loadOlder: (id: string) => void;
  sendText: (convId: string, text: string, replyTo?: string) => void;
  sendFile: (convId: string, o: SendFileOptions) => () => void;
  sendTemplate: (convId: string, t: Template, values: Record<string, string>) => Promise<void>;
  /** sendInteractive sends reply buttons, a list or a link button. */
  sendInteractive: (convId: string, m: InteractiveSend, replyTo?: string) => void;
  /** setBlocked blocks or unblocks the conversation's customer (contacts.block). */
  setBlocked: (convId: string, blocked: boolean) => Promise<void>;
  retry: (msg: Message) => void;
  discard: (msgId: string) => void;
  assign: (convId: string, userId: string) => Promise<Conversation>;
  unassign: (convId: string, userId: string) => Promise<Conversation>;
  /** setTeam assigns the conversation to a team, or to none with "" (conversations.assign). */
  setTeam: (convId: string, teamId: string) => Promise<Conversation>;
  /** setLabel puts a label on a conversation (on) or takes it off. */
  setLabel: (convId: string, labelId: string, on: boolean) => Promise<Conversation>;
  /** setStatus changes the status; snoozedUntil (ISO time) only with snoozed, none meaning until the customer writes. */
  setStatus: (convId: string, status: ConvStatus, snoozedUntil?: string | null) => Promise<void>;
  /** handOff takes a conversation over from the bot (human) or hands it back (bot). */
  handOff: (convId: string, to: 'human' | 'bot') => Promise<void>;
  /** addNote writes a private note (never sent to WhatsApp) mentioning the given users. */
  addNote: (convId: string, text: string, mentions: string[]) => Promise<void>;
  /** dismissMention ends the viewer's mention; without another reason to see it, the conversation goes. */
  dismissMention: (convId: string) => Promise<void>;
  /** loadSuggestions fetches a conversation's pending bot suggestions. */
  loadSuggestions: (convId: string) => void;
  /** sendSuggestion sends a suggestion as it is or with edited text. */
  sendSuggestion: (convId: string, sid: string, text?: string) => Promise<void>;
  discardSuggestion: (convId: string, sid: string) => Promise<void>;
  /** eraseContact erases a contact for good (privacy.manage) and drops their conversations from the inbox. */
  eraseContact: (contactId: string) => Promise<ContactErasure>;
}

interface InboxContext {
  store: InboxStore;
  actions: InboxActions;
  me: Me;
  can: (p: Permission) => boolean;
  connection: SocketState;
}

const Ctx = createContext<InboxContext | null>(null);

let localSeq = 0;
function localId(): string {
  localSeq += 1;
  return `local-${Date.now().toString(36)}-${localSeq}`;
}

const pageSize = 50;

export function InboxProvider({ me, children, onSessionEnded }: { me: Me; children: ReactNode; onSessionEnded: () => void }) {
  const { t } = useI18n();
  const toasts = useToasts();
  const perms = me.role.permissions ?? [];
  const [store] = useState(
    () => new InboxStore(initialState({ userId: me.user.id, readAll: perms.includes('conversations.read_all') })),
  );
  const [connection, setConnection] = useState<SocketState>('connecting');

  // Refs so long-lived handlers see the current translation and callbacks.
  // They are updated after each render, before any effect or event runs.
  const tRef = useRef(t);
  const endedRef = useRef(onSessionEnded);
  const permsRef = useRef(perms);
  useLayoutEffect(() => {
    tRef.current = t;
    endedRef.current = onSessionEnded;
    permsRef.current = perms;
  });
  // The provider is keyed by the user (App.tsx), so their id is fixed for
  // its life; the role's permissions are read through permsRef.
  const myId = me.user.id;

  const listAbort = useRef<AbortController | null>(null);
  const retries = useRef(new Map<string, () => void>());
  const markReadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const countsTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const actions = useMemo<InboxActions>(() => {
    const d = store.dispatch;

    const fetchList = (append: boolean) => {
      const s = store.get();
      if (append && (!s.list.next || s.list.loading)) return;
      listAbort.current?.abort();
      const ctrl = new AbortController();
      listAbort.current = ctrl;
      const f = s.filter;
      const key = filterKey(f);
      d({ type: 'list/loading' });
      api
        .conversations(
          { ...filterParams(f), cursor: append ? s.list.next : '', limit: pageSize },
          ctrl.signal,
        )
        .then((page) => {
          d({ type: 'list/page', filterKey: key, items: page.items ?? [], next: page.next_cursor ?? '', append, counts: page.counts ?? null });
        })
        .catch((err: unknown) => {
          if (err instanceof DOMException && err.name === 'AbortError') return;
          d({ type: 'list/error', filterKey: key, error: errorText(tRef.current, err) });
        });
    };

    const loadThread = (id: string, older: boolean) => {
      const s = store.get();
      const th = s.threads[id];
      if (th?.loading) return;
      if (older && (!th || !th.loaded || !th.before)) return;
      if (!older && th?.loaded) return;
      d({ type: 'thread/loading', id });
      api
        .messages(id, { before: older ? th?.before : '', limit: pageSize })
        .then((page) =>
          d({ type: 'thread/page', id, items: page.items ?? [], before: page.next_cursor ?? '', older, entries: page.entries ?? [] }),
        )
        .catch((err: unknown) => {
          if (err instanceof ApiError && err.status === 404) {
            d({ type: 'conv/gone', id });
            return;
          }
          d({ type: 'thread/error', id, error: errorText(tRef.current, err) });
        });
    };

    const tempMessage = (convId: string, type: Message['type'], content: Message['content'], replyTo?: string): Message => {
      const now = new Date().toISOString();
      return {
        id: localId(),
        conversation_id: convId,
        direction: 'out',
        type,
        content,
        status: 'pending',
        author: 'user',
        sender_id: myId,
        timestamp: now,
        created_at: now,
        updated_at: now,
        ...(replyTo ? { reply_to_id: replyTo } : {}),
      };
    };

    /** track runs a send for a local pending message, remembering how to retry it. run gets the idempotency key, the same for every retry. */
    const track = (temp: Message, send: (key: string) => Promise<Message>, restore?: () => void) => {
      const key = `${myId}-${temp.id}`;
      const run = () => send(key);
      d({ type: 'send/pending', msg: temp });
      const attempt = () => {
        const cur = store.get().msgs[temp.id];
        if (cur && cur.status === 'failed') {
          d({ type: 'send/discard', tempId: temp.id });
          d({ type: 'send/pending', msg: { ...temp, status: 'pending' } });
        }
        run()
          .then((msg) => {
            retries.current.delete(temp.id);
            d({ type: 'send/ok', tempId: temp.id, msg });
          })
          .catch((err: unknown) => {
            if (err instanceof DOMException && err.name === 'AbortError') {
              retries.current.delete(temp.id);
              d({ type: 'send/discard', tempId: temp.id });
              return;
            }
            if (err instanceof ApiError && err.status === 401 && restore) {
              // The session ended: the sign-in page comes, and the reply
              // goes back into the composer for after it.
              retries.current.delete(temp.id);
              d({ type: 'send/discard', tempId: temp.id });
              restore();
              return;
            }
            d({ type: 'send/failed', tempId: temp.id, error: errorText(tRef.current, err), refused: refusedForGood(err) });
          });
      };
      retries.current.set(temp.id, attempt);
      attempt();
    };

    const sendText = (convId: string, text: string, replyTo?: string) => {
      const temp = tempMessage(convId, 'text', { text }, replyTo);
      track(
        temp,
        (key) => api.sendText(convId, text, replyTo, key),
        () => {
          // The reply is back in the box, and on the server for other tabs.
          drafts.restore(myId, convId, text);
          api.saveDraft(convId, drafts.get(myId, convId)).catch(() => {});
        },
      );
    };

    const sendTemplateNow = (convId: string, name: string, language: string, parameters: Record<string, string>) => {
      const temp = tempMessage(convId, 'template', { template: { name, language, parameters } });
      return new Promise<void>((resolve) => {
        track(temp, (key) => {
          const p = api.sendTemplate(convId, { name, language, parameters }, key);
          p.then(
            () => resolve(),
            () => resolve(),
          );
          return p;
        });
      });
    };

    const sendInteractive = (convId: string, m: InteractiveSend, replyTo?: string) => {
      const temp = tempMessage(convId, 'interactive', { text: m.body, interactive_send: m }, replyTo);
      track(temp, (key) => api.sendInteractive(convId, m, replyTo, key));
    };

    const refreshCounts = () => {
      const f = store.get().filter;
      const key = filterKey(f);
      api
        .conversations({ ...filterParams(f), limit: 1 })
        .then((page) => {
          if (page.counts) d({ type: 'list/counts', filterKey: key, counts: page.counts });
        })
        .catch(() => {});
    };

    return {
      refreshCounts,
      setFilter: (f) => {
        d({ type: 'filter', filter: f });
        if (store.get().list.loading && !store.get().list.loaded) fetchList(false);
      },
      loadMore: () => fetchList(true),
      reloadList: () => fetchList(false),
      open: (id) => {
        d({ type: 'open', id });
        if (!id) return;
        const s = store.get();
        if (s.gone[id] && !s.convs[id]) return;
        if (!s.convs[id]) {
          api
            .conversation(id)
            .then((c) => d({ type: 'conv/upsert', conv: c }))
            .catch((err: unknown) => {
              if (err instanceof ApiError && err.status === 404) d({ type: 'conv/gone', id });
            });
        }
        loadThread(id, false);
      },
      loadOlder: (id) => loadThread(id, true),
      sendText,
      sendFile: (convId, o) => {
        const temp = tempMessage(
          convId,
          o.kind,
          { text: o.caption || undefined, media: { mime_type: o.file.type, filename: o.file.name, size: o.file.size } },
          o.replyTo,
        );
        let abort = () => {};
        track(temp, (key) => {
          const up = api.sendFile(convId, o.kind, o.file, o.caption, o.replyTo, key, (fraction) =>
            d({ type: 'send/progress', tempId: temp.id, fraction }),
          );
          abort = up.abort;
          return up.promise;
        });
        return () => abort();
      },
      sendTemplate: (convId, tpl, values) => sendTemplateNow(convId, tpl.name, tpl.language, parameterMap(tpl, values)),
      sendInteractive,
      setBlocked: async (convId, blocked) => {
        const c = blocked ? await api.block(convId) : await api.unblock(convId);
        d({ type: 'conv/upsert', conv: c });
      },
      retry: (msg) => {
        const local = retries.current.get(msg.id);
        if (local) {
          local();
          return;
        }
        // The outcome is unknown (it may have reached the customer): the
        // server sends the same message again; its status arrives by event.
        if (msg.status === 'unknown') {
          api.retryMessage(msg.id).catch((err: unknown) => toasts.show({ text: errorText(tRef.current, err), tone: 'error' }));
          return;
        }
        // A message WhatsApp refused: send its content again as a new message.
        if (msg.type === 'text' && msg.content.text) sendText(msg.conversation_id, msg.content.text, msg.reply_to_id);
        else if (msg.type === 'interactive' && msg.direction === 'out' && msg.content.interactive_send)
          sendInteractive(msg.conversation_id, msg.content.interactive_send, msg.reply_to_id);
        else if (msg.type === 'template' && msg.content.template) {
          const tp = msg.content.template;
          void sendTemplateNow(msg.conversation_id, tp.name, tp.language, tp.parameters ?? {});
        }
      },
      discard: (msgId) => {
        retries.current.delete(msgId);
        d({ type: 'send/discard', tempId: msgId });
      },
      assign: async (convId, userId) => {
        const c = await api.assign(convId, userId);
        d({ type: 'conv/upsert', conv: c });
        return c;
      },
      setLabel: async (convId, labelId, on) => {
        const c = on ? await api.addLabel(convId, labelId) : await api.removeLabel(convId, labelId);
        d({ type: 'conv/upsert', conv: c });
        return c;
      },
      unassign: async (convId, userId) => {
        const c = await api.unassign(convId, userId);
        if (userId === myId && !permsRef.current.includes('conversations.read_all')) d({ type: 'conv/gone', id: convId });
        else d({ type: 'conv/upsert', conv: c });
        return c;
      },
      setTeam: async (convId, teamId) => {
        const c = await api.setConversationTeam(convId, teamId);
        d({ type: 'conv/upsert', conv: c });
        return c;
      },
      setStatus: async (convId, status, snoozedUntil) => {
        const c = await api.setStatus(convId, status, snoozedUntil);
        d({ type: 'conv/upsert', conv: c });
      },
      handOff: async (convId, to) => {
        const c = await api.handOff(convId, to);
        d({ type: 'conv/upsert', conv: c });
      },
      addNote: async (convId, text, mentions) => {
        const e = await api.addNote(convId, text, mentions);
        d({ type: 'entry/add', entry: e });
      },
      dismissMention: async (convId) => {
        await api.dismissMention(convId);
        d({ type: 'mention/dismissed', id: convId });
      },
      loadSuggestions: (convId) => {
        api
          .suggestions(convId)
          .then((r) => d({ type: 'suggestions/set', id: convId, items: r.items ?? [] }))
          .catch(() => {});
      },
      sendSuggestion: async (convId, sid, text) => {
        const r = await api.sendSuggestion(convId, sid, text);
        d({ type: 'suggestion/done', id: convId, sid });
        // The message's own event may come later: show it now.
        d({ type: 'event', event: { type: 'message.created', id: 0, at: r.message.created_at, data: r.message } as InboxEvent });
      },
      discardSuggestion: async (convId, sid) => {
        await api.discardSuggestion(convId, sid);
        d({ type: 'suggestion/done', id: convId, sid });
      },
      eraseContact: async (contactId) => {
        // Decided before the call: the server's conversation.deleted event
        // may drop the conversation from the state before the response.
        const before = store.get();
        const openId = before.openId && before.convs[before.openId]?.contact?.id === contactId ? before.openId : '';
        const ofContact = new Set(Object.values(before.convs).filter((c) => c.contact?.id === contactId).map((c) => c.id));
        const r = await api.eraseContact(contactId);
        const s = store.get();
        for (const id of retries.current.keys()) {
          if (ofContact.has(s.pending[id] ?? '')) retries.current.delete(id);
        }
        // Leave an erased conversation in the same render that drops it, so
        // it never stays on screen as "not found".
        if (openId && s.openId === openId) navigate('/');
        d({ type: 'contact/erased', contactId });
        // The per-filter counts on the chips still include what was erased.
        fetchList(false);
        return r;
      },
    };
  }, [store, myId, toasts]);

  // Attention: notices, sound, desktop notifications. A new assignment
  // always gets them; a customer message gets a desktop notification while
  // the tab is hidden (one per conversation: the tag replaces the previous
  // one), and a notice and the sound as the viewer's setting says (by
  // default for conversations that are their own, or unassigned for those
  // who see everything), so a busy shared inbox does not drown operators in
  // pop-ups. Notices group by conversation, and none is shown for the
  // conversation on screen.
  const notify = useRef<(n: NotifyDecision) => void>(() => {});
  const lastBeep = useRef(0);
  useLayoutEffect(() => {
    notify.current = (n: NotifyDecision) => {
      const s = store.get();
      const c = s.convs[n.conversationId];
      const name = c ? displayName(c) : '';
      const open = () => navigate(`/c/${encodeURIComponent(n.conversationId)}`);
      const onScreen = s.openId === n.conversationId && s.visible;
      const sound = () => {
        if (!prefs.sound() || Date.now() - lastBeep.current < 3000) return;
        lastBeep.current = Date.now();
        beep();
      };
      const group = `conv:${n.conversationId}`;
      if (n.kind === 'handoff') {
        const h = c?.handoff;
        const title = t('notify.handoffTitle');
        const body = t('notify.handoffBody', { name, reason: h ? handoffReason(t, h.reason) : '' });
        if (onScreen) return;
        sound();
        toasts.show({ text: `${title}: ${body}`, action: { label: t('notify.open'), run: open }, group });
        showNotification(title, body, `handoff-${n.conversationId}`, open);
        return;
      }
      if (n.kind === 'reminder') {
        // A snooze ended, or a customer waits too long: as often as the
        // server reminds, but only if the user wants notices at all.
        if (prefs.notices(me.user.id) === 'none') return;
        const title = t(n.text === 'woke' ? 'notify.wokeTitle' : n.text === 'escalated' ? 'notify.escalatedTitle' : 'notify.unansweredTitle', { name });
        if (onScreen) return;
        sound();
        toasts.show({ text: title, action: { label: t('notify.open'), run: open }, group });
        showNotification(title, '', `reminder-${n.conversationId}`, open);
        return;
      }
      if (n.kind === 'mention') {
        const title = t('notify.mentionTitle', { name: n.by || t('notes.someone') });
        const body = n.text ?? '';
        // Like an assignment: someone asks this person in.
        if (onScreen) return;
        sound();
        toasts.show({ text: `${title}${body ? `: ${body}` : ''}`, action: { label: t('notify.open'), run: open }, group });
        showNotification(title, body, `mention-${n.conversationId}`, open);
        return;
      }
      if (n.kind === 'assigned') {
        const title = t('notify.assignedTitle');
        const body = t('notify.assignedBody', { name });
        if (onScreen) return;
        sound();
        toasts.show({ text: `${title}: ${body}`, action: { label: t('notify.open'), run: open }, group });
        showNotification(title, body, `assigned-${n.conversationId}`, open);
        return;
      }
      const assignees = c?.assignees ?? [];
      // A chat whose only assignees are deactivated has nobody to answer it:
      // it is the operators' as much as one never assigned.
      const mine = assignees.some((a) => a.id === me.user.id) || (s.viewer.readAll && isUnassigned({ assignees }));
      if (!wantMessageNotice(prefs.notices(me.user.id), mine)) return;
      const title = t('notify.messageTitle', { name });
      const body = c?.last_message?.text || '';
      if (document.hidden) showNotification(title, body, `msg-${n.conversationId}`, open);
      if (onScreen) return;
      sound();
      toasts.show({ text: `${title}${body ? `: ${body}` : ''}`, action: { label: t('notify.open'), run: open }, group });
    };
  });

  // Opening a conversation takes its notice away.
  useEffect(() => {
    let last: string | null = null;
    return store.subscribe(() => {
      const id = store.get().openId;
      if (id === last) return;
      last = id;
      if (id) toasts.dismissGroup(`conv:${id}`);
    });
  }, [store, toasts]);

  // The WebSocket.
  useEffect(() => {
    const scheduleMarkRead = (convId: string) => {
      if (markReadTimer.current) clearTimeout(markReadTimer.current);
      markReadTimer.current = setTimeout(() => {
        api.markRead(convId).catch(() => {});
      }, 1500);
    };
    let everOpen = false;
    const sock = new EventSocket({
      lastId: () => store.get().lastEventId,
      onEvent: (e: InboxEvent) => {
        const before = store.get();
        const n = notification(before, e);
        store.dispatch({ type: 'event', event: e });
        const after = store.get();
        if (e.type === 'conversation.unassigned' && after.gone[e.conversation_id ?? ''] && !before.gone[e.conversation_id ?? '']) {
          toasts.show({ text: tRef.current('conv.lostAccess') });
        }
        if (e.type === 'channel.notice') {
          // Only users who manage the channel receive these: an account
          // alert, account update, capability or number quality change.
          const d = e.data as ChannelNotice | undefined;
          if (d) {
            const label = tRef.current(`notice.${d.field}` as Key);
            toasts.show({
              text: tRef.current('channels.noticeToast', { what: label, kind: d.kind }),
              tone: d.severity === 'INFORMATIONAL' ? 'info' : 'error',
              group: `notice-${d.channel_id}`,
            });
            window.dispatchEvent(new CustomEvent('switchboard:channel-notice', { detail: d }));
          }
        }
        if (e.type === 'thread_entry.created' || e.type === 'conversation.updated' || e.type === 'conversation.deleted') {
          // The mentions screen (ui/Mentions) reloads on these.
          window.dispatchEvent(new CustomEvent('switchboard:mentions-changed', { detail: e }));
        }
        if (e.type === 'contact.updated' && e.data) {
          // The contact panel (ui/ContactPanel) reloads itself.
          window.dispatchEvent(new CustomEvent('switchboard:contact-updated', { detail: e.data }));
        }
        if (e.type === 'composer.activity' && e.data) {
          composerActivity.add(e.data as ComposerActivity, store.get().viewer.userId);
        }
        if (e.type === 'message.created') {
          const m = e.data as Message | undefined;
          if (m && m.direction === 'in' && after.openId === m.conversation_id && after.visible) scheduleMarkRead(m.conversation_id);
        }
        if (n) notify.current(n);
        // A conversation that appears, changes status or assignees moves
        // the filter counts: ask for them again, at most about once a second.
        if (movesCounts(before, e) && !countsTimer.current) {
          countsTimer.current = setTimeout(() => {
            countsTimer.current = null;
            actions.refreshCounts();
          }, 800);
        }
      },
      onState: (st) => {
        setConnection(st);
        // The first stream starts with no event id to resume from, so what
        // happened between the first list or thread load and the socket
        // opening would be lost: reload them once it is open.
        if (st === 'open' && !everOpen) {
          everOpen = true;
          if (store.get().lastEventId === 0) store.dispatch({ type: 'event', event: { type: 'resync', id: 0 } as InboxEvent });
        }
      },
      onTrouble: () => {
        api.me().catch((err: unknown) => {
          if (err instanceof ApiError && err.status === 401) endedRef.current();
        });
      },
    });
    sock.start();
    return () => {
      sock.close();
      if (markReadTimer.current) clearTimeout(markReadTimer.current);
      if (countsTimer.current) clearTimeout(countsTimer.current);
      countsTimer.current = null;
    };
  }, [store, toasts, actions]);

  // Tab visibility: unread counting and notifications depend on it.
  useEffect(() => {
    const onVis = () => {
      const visible = !document.hidden;
      const before = store.get();
      store.dispatch({ type: 'visible', visible });
      const id = before.openId;
      if (visible && id && (before.convs[id]?.unread_count ?? 0) > 0) api.messages(id, { limit: 1 }).catch(() => {});
    };
    onVis();
    document.addEventListener('visibilitychange', onVis);
    return () => document.removeEventListener('visibilitychange', onVis);
  }, [store]);

  // The tab title shows what is waiting.
  useEffect(() => {
    const base = t('app.name');
    const update = () => {
      document.title = titleWith(unreadTotal(store.get()), base);
    };
    update();
    return store.subscribe(update);
  }, [store, t]);

  // After a resync the lists and the open thread are reloaded from scratch.
  useEffect(() => {
    let handling = false;
    return store.subscribe(() => {
      const s = store.get();
      if (!s.stale || handling) return;
      handling = true;
      store.dispatch({ type: 'resynced' });
      actions.reloadList();
      if (s.openId) {
        const id = s.openId;
        api
          .messages(id, { limit: pageSize })
          .then((page) => store.dispatch({ type: 'thread/page', id, items: page.items ?? [], before: page.next_cursor ?? '', older: false }))
          .catch(() => {});
      }
      handling = false;
    });
  }, [store, actions]);

  const value = useMemo<InboxContext>(
    () => ({ store, actions, me, can: (p) => (me.role.permissions ?? []).includes(p), connection }),
    [store, actions, me, connection],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useInboxContext(): InboxContext {
  const v = useContext(Ctx);
  if (!v) throw new Error('useInboxContext outside InboxProvider');
  return v;
}

/** useInbox re-renders when the selected slice changes (compared by identity). */
export function useInbox<T>(select: (s: InboxState) => T): T {
  const { store } = useInboxContext();
  return useSyncExternalStore(store.subscribe, () => select(store.get()), () => select(store.get()));
}
