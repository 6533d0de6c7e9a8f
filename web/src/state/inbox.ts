// The inbox's state and the one reducer that changes it. Everything the
// server tells us (pages, responses, WebSocket events) goes through reduce(),
// which is pure so that the tricky parts (dedupe, ordering, unread counts,
// losing access) are unit-tested without a browser.

import type {
  AssignmentData,
  Conversation,
  ConversationCounts,
  ConversationReminder,
  DeletedConversationData,
  HandoffChange,
  InboxEvent,
  Message,
  MessageStatus,
  Suggestion,
  ThreadEntry,
} from '../api/types';
import { isUnassigned } from '../lib/assignees';
import { refusedCode } from '../lib/sendAgain';
import { matchesSearch } from '../lib/search';

export type Assignment = 'all' | 'unassigned' | 'assigned' | 'mine';
export type ConvStatus = 'open' | 'pending' | 'snoozed' | 'resolved';
export type StatusFilter = '' | ConvStatus;

export type ListSort = 'newest' | 'waiting';

export interface Filter {
  assignment: Assignment;
  status: StatusFilter;
  q: string;
  /** team: only conversations assigned to this team (an id); empty or absent for any. */
  team?: string;
  /** A label id: only conversations carrying it. */
  label?: string;
  /** A user id: only conversations assigned to them. */
  assignee?: string;
  /** A channel id. */
  channel?: string;
  /** Only conversations with messages the viewer has not read. */
  unread?: boolean;
  /** newest (default) or waiting: the oldest unanswered customer message first. */
  sort?: ListSort;
}

/** filterParams are the list request's parameters for f. */
export function filterParams(f: Filter): Record<string, string> {
  const p: Record<string, string> = {
    assignment: f.assignment === 'all' ? '' : f.assignment,
    status: f.status,
    q: f.q.trim(),
  };
  if (f.team) p.team = f.team;
  if (f.label) p.label = f.label;
  if (f.assignee) p.assignee = f.assignee;
  if (f.channel) p.channel = f.channel;
  if (f.unread) p.unread = 'true';
  if (f.sort === 'waiting') p.sort = 'waiting';
  return p;
}

/** extraFilters counts the filters beyond the status and assignment tabs and the search. */
export function extraFilters(f: Filter): number {
  return [f.label, f.assignee, f.channel, f.unread, f.sort === 'waiting'].filter(Boolean).length;
}

export interface ListState {
  /** Conversation ids in list order: newest activity first. */
  ids: string[];
  /** Cursor of the next page; '' when everything is loaded. */
  next: string;
  loading: boolean;
  loaded: boolean;
  error: string;
  counts: ConversationCounts | null;
}

export interface ThreadState {
  /** Message ids, oldest first. */
  ids: string[];
  /** Cursor for older messages; '' when the beginning is loaded. */
  before: string;
  loading: boolean;
  loaded: boolean;
  error: string;
}

export interface Viewer {
  userId: string;
  /** conversations.read_all: an unassigned conversation stays visible. */
  readAll: boolean;
}

export interface InboxState {
  viewer: Viewer;
  filter: Filter;
  convs: Record<string, Conversation>;
  list: ListState;
  msgs: Record<string, Message>;
  threads: Record<string, ThreadState>;
  /** Local messages being sent, by temporary id → conversation id. */
  pending: Record<string, string>;
  /** Upload progress (0 to 1) of local file messages, by temporary id. */
  progress: Record<string, number>;
  /** The conversation on screen, and whether the tab is visible. */
  openId: string | null;
  visible: boolean;
  /** The newest event applied; the WebSocket resumes after it. */
  lastEventId: number;
  /** Conversations this viewer lost access to (unassigned employee). */
  gone: Record<string, true>;
  /** Conversations newly assigned to this viewer and not opened yet. */
  fresh: Record<string, true>;
  /** Set by a resync event: lists and threads must be reloaded. */
  stale: boolean;
  /** Pending bot suggestions by conversation, newest first (loaded when a conversation opens). */
  suggestions: Record<string, Suggestion[]>;
  /** Notes and activity lines by conversation, oldest first (loaded with the thread's pages). */
  entries: Record<string, ThreadEntry[]>;
}

export const emptyList: ListState = { ids: [], next: '', loading: false, loaded: false, error: '', counts: null };
export const emptyThread: ThreadState = { ids: [], before: '', loading: false, loaded: false, error: '' };

export function initialState(viewer: Viewer, filter?: Partial<Filter>): InboxState {
  return {
    viewer,
    filter: { assignment: 'all', status: 'open', q: '', ...filter },
    convs: {},
    list: emptyList,
    msgs: {},
    threads: {},
    pending: {},
    progress: {},
    openId: null,
    visible: true,
    lastEventId: 0,
    gone: {},
    fresh: {},
    stale: false,
    suggestions: {},
    entries: {},
  };
}

export type Action =
  | { type: 'filter'; filter: Filter }
  | { type: 'list/loading' }
  | { type: 'list/page'; filterKey: string; items: Conversation[]; next: string; append: boolean; counts?: ConversationCounts | null }
  | { type: 'list/error'; filterKey: string; error: string }
  | { type: 'list/counts'; filterKey: string; counts: ConversationCounts }
  | { type: 'conv/upsert'; conv: Conversation }
  | { type: 'conv/gone'; id: string }
  | { type: 'contact/erased'; contactId: string }
  | { type: 'open'; id: string | null }
  | { type: 'visible'; visible: boolean }
  | { type: 'thread/loading'; id: string }
  | { type: 'thread/page'; id: string; items: Message[]; before: string; older: boolean; entries?: ThreadEntry[] }
  | { type: 'entry/add'; entry: ThreadEntry }
  | { type: 'mention/dismissed'; id: string }
  | { type: 'thread/error'; id: string; error: string }
  | { type: 'send/pending'; msg: Message }
  | { type: 'send/ok'; tempId: string; msg: Message }
  | { type: 'send/progress'; tempId: string; fraction: number }
  | { type: 'send/failed'; tempId: string; error: string; refused?: boolean }
  | { type: 'send/discard'; tempId: string }
  | { type: 'event'; event: InboxEvent }
  | { type: 'suggestions/set'; id: string; items: Suggestion[] }
  | { type: 'suggestion/done'; id: string; sid: string }
  | { type: 'resynced' };

/** filterKey identifies a filter, so a late page of an older filter is dropped. */
export function filterKey(f: Filter): string {
  return `${f.assignment}|${f.status}|${f.q.trim().toLowerCase()}|${f.label ?? ''}|${f.assignee ?? ''}|${f.channel ?? ''}|${f.unread ? 1 : 0}|${f.sort ?? 'newest'}|${f.team ?? ''}`;
}

function time(iso: string | null | undefined): number {
  if (!iso) return 0;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : 0;
}

/** statusRank mirrors switchboard.StatusRank: delivery states only move forward. */
export function statusRank(s: MessageStatus | string): number {
  switch (s) {
    case 'pending':
      return 0;
    case 'unknown':
      return 1;
    case 'sent':
      return 2;
    case 'delivered':
      return 3;
    case 'read':
      return 4;
    case 'failed':
      return 5;
  }
  return -1;
}

/** mergeMessage combines what we know with a newer copy: content from the newer, status never regressing. */
export function mergeMessage(old: Message | undefined, next: Message): Message {
  if (!old) return next;
  const keepStatus = statusRank(old.status) > statusRank(next.status);
  const merged: Message = { ...old, ...next };
  if (keepStatus) {
    merged.status = old.status;
    if (old.error && !next.error) merged.error = old.error;
  }
  // Media ids arrive after the download; never forget one we had.
  if (old.content?.media?.id && next.content?.media && !next.content.media.id) {
    merged.content = { ...next.content, media: { ...next.content.media, id: old.content.media.id } };
  }
  return merged;
}

/** matchesFilter is the client's copy of the list filter, for placing live updates. */
export function matchesFilter(c: Conversation, f: Filter, viewerId: string): boolean {
  if (f.status && c.status !== f.status) return false;
  if (f.team && c.team_id !== f.team) return false;
  const assignees = c.assignees ?? [];
  switch (f.assignment) {
    case 'unassigned':
      if (!isUnassigned(c)) return false;
      break;
    case 'assigned':
      if (isUnassigned(c)) return false;
      break;
    case 'mine':
      if (!assignees.some((a) => a.id === viewerId)) return false;
      break;
  }
  if (f.q.trim() && !matchesSearch(f.q, c.contact?.name ?? '', c.contact?.phone ?? '')) return false;
  if (f.label && !(c.labels ?? []).some((l) => l.id === f.label)) return false;
  if (f.assignee && !assignees.some((a) => a.id === f.assignee)) return false;
  if (f.channel && c.channel_id !== f.channel) return false;
  if (f.unread && !(c.unread_count > 0)) return false;
  return true;
}

/** before reports whether a sorts above b: newer activity first, then id for a stable order. */
function listBefore(a: Conversation, b: Conversation): boolean {
  const ta = time(a.updated_at);
  const tb = time(b.updated_at);
  if (ta !== tb) return ta > tb;
  return a.id > b.id;
}

/**
 * placeInList moves or inserts id so the list stays newest first, or removes
 * it when it no longer matches. A conversation that would land after the
 * last loaded row while more pages exist is left out: the next page brings it.
 */
export function placeInList(
  ids: string[],
  convs: Record<string, Conversation>,
  id: string,
  matches: boolean,
  hasMore: boolean,
): string[] {
  const without = ids.includes(id) ? ids.filter((x) => x !== id) : ids;
  const c = convs[id];
  if (!matches || !c) return without;
  let lo = 0;
  let hi = without.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const other = convs[without[mid] as string];
    if (other && listBefore(other, c)) lo = mid + 1;
    else hi = mid;
  }
  if (lo === without.length && hasMore) return without;
  const out = without.slice();
  out.splice(lo, 0, id);
  return out;
}

function msgBefore(a: Message, b: Message): boolean {
  const ta = time(a.timestamp);
  const tb = time(b.timestamp);
  if (ta !== tb) return ta < tb;
  const ca = time(a.created_at);
  const cb = time(b.created_at);
  if (ca !== cb) return ca < cb;
  return a.id < b.id;
}

/** insertMessage puts id into an oldest-first thread at its place; a known id is not added twice. */
export function insertMessage(ids: string[], msgs: Record<string, Message>, id: string): string[] {
  if (ids.includes(id)) return ids;
  const m = msgs[id];
  if (!m) return ids;
  let i = ids.length;
  // New messages nearly always belong at the end: walk back from there.
  while (i > 0) {
    const prev = msgs[ids[i - 1] as string];
    if (!prev || msgBefore(prev, m)) break;
    i--;
  }
  const out = ids.slice();
  out.splice(i, 0, id);
  return out;
}

/** keepLocal carries over what the event copy of a conversation does not know: this viewer's unread count. */
function withLocal(prev: Conversation | undefined, next: Conversation): Conversation {
  return { ...next, unread_count: prev ? prev.unread_count : 0 };
}

function setConv(state: InboxState, conv: Conversation): InboxState {
  const convs = { ...state.convs, [conv.id]: conv };
  const listed = state.list.ids.includes(conv.id);
  let matches = !state.gone[conv.id] && matchesFilter(conv, state.filter, state.viewer.userId);
  // Reading the conversation on screen does not take it out of an unread list under the reader.
  if (!matches && listed && !state.gone[conv.id] && state.filter.unread && state.openId === conv.id) {
    matches = matchesFilter(conv, { ...state.filter, unread: false }, state.viewer.userId);
  }
  let ids: string[];
  if (state.filter.sort === 'waiting') {
    // The client does not know the waiting order: a listed conversation
    // keeps its place, a new one comes with the next load.
    ids = matches ? state.list.ids : listed ? state.list.ids.filter((x) => x !== conv.id) : state.list.ids;
  } else {
    ids = placeInList(state.list.ids, convs, conv.id, matches, state.list.next !== '');
  }
  return { ...state, convs, list: ids === state.list.ids ? state.list : { ...state.list, ids } };
}

function removeConv(state: InboxState, id: string): InboxState {
  const convs = { ...state.convs };
  delete convs[id];
  const threads = { ...state.threads };
  const thread = threads[id];
  delete threads[id];
  let msgs = state.msgs;
  if (thread) {
    msgs = { ...msgs };
    for (const mid of thread.ids) delete msgs[mid];
  }
  const fresh = { ...state.fresh };
  delete fresh[id];
  return {
    ...state,
    convs,
    threads,
    msgs,
    fresh,
    gone: { ...state.gone, [id]: true },
    list: { ...state.list, ids: state.list.ids.filter((x) => x !== id) },
  };
}

/**
 * removeContact drops every conversation of an erased contact, with their
 * messages and any send still pending in them: the server has deleted them
 * and announces no event for it, so the list would otherwise keep them.
 */
function removeContact(state: InboxState, contactId: string): InboxState {
  if (!contactId) return state;
  const ids = Object.values(state.convs)
    .filter((c) => c.contact?.id === contactId)
    .map((c) => c.id);
  if (ids.length === 0) return state;
  let s = state;
  for (const id of ids) s = removeConv(s, id);
  const dropped = new Set(ids);
  const pendingIds = Object.keys(s.pending).filter((tempId) => dropped.has(s.pending[tempId] ?? ''));
  if (pendingIds.length === 0) return s;
  const pending = { ...s.pending };
  const progress = { ...s.progress };
  const msgs = { ...s.msgs };
  for (const tempId of pendingIds) {
    delete pending[tempId];
    delete progress[tempId];
    delete msgs[tempId];
  }
  return { ...s, pending, progress, msgs };
}

function addMessage(state: InboxState, m: Message): InboxState {
  const msgs = { ...state.msgs, [m.id]: mergeMessage(state.msgs[m.id], m) };
  let threads = state.threads;
  const t = threads[m.conversation_id];
  if (t && t.loaded) {
    const ids = insertMessage(t.ids, msgs, m.id);
    if (ids !== t.ids) threads = { ...threads, [m.conversation_id]: { ...t, ids } };
  }
  return { ...state, msgs, threads };
}

/** watching reports whether the viewer is looking at the conversation right now. */
function watching(state: InboxState, convId: string): boolean {
  return state.visible && state.openId === convId;
}

function applyEvent(state: InboxState, e: InboxEvent): InboxState {
  if (e.type === 'resync') {
    return { ...state, lastEventId: e.id || state.lastEventId, stale: true };
  }
  if (e.id && e.id <= state.lastEventId) return state; // replayed after a reconnect
  let s: InboxState = e.id ? { ...state, lastEventId: e.id } : state;
  const viewer = s.viewer;
  switch (e.type) {
    case 'message.created':
    case 'message.updated': {
      const m = e.data as Message | undefined;
      if (!m || !m.id || s.gone[m.conversation_id]) return s;
      const isNew = !s.msgs[m.id];
      // Our own send, announced before its HTTP response: it replaces the
      // local pending copy at once, so the message never shows twice.
      if (isNew && m.direction === 'out' && m.sender_id === viewer.userId) {
        const local = Object.keys(s.pending).find((id) => s.pending[id] === m.conversation_id && sameSend(s.msgs[id], m));
        if (local) s = dropLocal(s, local);
      }
      s = addMessage(s, m);
      const c = s.convs[m.conversation_id];
      if (c && e.type === 'message.created' && isNew) {
        let conv = c;
        if (time(m.timestamp) >= time(c.last_message?.at)) {
          conv = {
            ...conv,
            last_message: { text: m.content?.text ?? '', type: m.type, direction: m.direction, at: m.timestamp },
          };
        }
        if (m.direction === 'in' && m.type !== 'reaction' && !watching(s, c.id)) {
          conv = { ...conv, unread_count: (conv.unread_count || 0) + 1 };
        }
        if (conv !== c) s = { ...s, convs: { ...s.convs, [c.id]: conv } };
      }
      return s;
    }
    case 'conversation.created':
    case 'conversation.updated': {
      const c = e.data as Conversation | undefined;
      if (!c || !c.id) return s;
      if (!mayRead(c, viewer)) {
        // A mention dismissed (here or in another tab) or ended.
        return s.convs[c.id] ? removeConv(s, c.id) : s;
      }
      if (s.gone[c.id]) {
        const gone = { ...s.gone };
        delete gone[c.id];
        s = { ...s, gone };
      }
      return setConv(s, withLocal(s.convs[c.id], c));
    }
    case 'conversation.assigned': {
      const d = e.data as AssignmentData | undefined;
      if (!d || !d.conversation) return s;
      if (d.user_id === viewer.userId) {
        const gone = { ...s.gone };
        delete gone[d.conversation.id];
        s = { ...s, gone };
        if (s.openId !== d.conversation.id) s = { ...s, fresh: { ...s.fresh, [d.conversation.id]: true } };
      }
      return setConv(s, withLocal(s.convs[d.conversation.id], d.conversation));
    }
    case 'conversation.unassigned': {
      const d = e.data as AssignmentData | undefined;
      if (!d || !d.conversation) return s;
      if (d.user_id === viewer.userId && !viewer.readAll) return removeConv(s, d.conversation.id);
      return setConv(s, withLocal(s.convs[d.conversation.id], d.conversation));
    }
    case 'handoff.to_human':
    case 'handoff.to_bot': {
      const d = e.data as HandoffChange | undefined;
      if (!d || !d.conversation) return s;
      return setConv(s, withLocal(s.convs[d.conversation.id], d.conversation));
    }
    case 'thread_entry.created': {
      const en = e.data as ThreadEntry | undefined;
      if (!en || !en.id || s.gone[en.conversation_id]) return s;
      return addEntries(s, en.conversation_id, [en]);
    }
    case 'suggestion.created':
    case 'suggestion.updated': {
      const sg = e.data as Suggestion | undefined;
      if (!sg || !sg.id) return s;
      return putSuggestion(s, sg);
    }
    case 'conversation.deleted': {
      // The contact was erased (by someone else, or by us in another tab).
      const d = e.data as DeletedConversationData | undefined;
      if (!d || !d.contact_id) return s;
      return removeContact(s, d.contact_id);
    }
  }
  return s;
}

/** addEntries merges thread entries into a conversation's list, oldest first, each once. */
export function addEntries(s: InboxState, convId: string, add: ThreadEntry[]): InboxState {
  if (!add.length) return s;
  const byId = new Map((s.entries[convId] ?? []).map((e) => [e.id, e]));
  for (const e of add) byId.set(e.id, e);
  const list = [...byId.values()].sort((a, b) => time(a.created_at) - time(b.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { ...s, entries: { ...s.entries, [convId]: list } };
}

/** readsByMention reports whether the viewer sees c only through an active mention. */
export function readsByMention(c: Conversation, viewer: Viewer): boolean {
  return !viewer.readAll && !(c.assignees ?? []).some((a) => a.id === viewer.userId) && (c.mentioned ?? []).includes(viewer.userId);
}

/** mayRead reports whether the viewer may still see c: all conversations, assigned, or mentioned. */
function mayRead(c: Conversation, viewer: Viewer): boolean {
  return viewer.readAll || (c.assignees ?? []).some((a) => a.id === viewer.userId) || (c.mentioned ?? []).includes(viewer.userId);
}

/** putSuggestion keeps a conversation's pending suggestions, newest first, as one changes. */
function putSuggestion(s: InboxState, sg: Suggestion): InboxState {
  const list = (s.suggestions[sg.conversation_id] ?? []).filter((x) => x.id !== sg.id);
  if (sg.state === 'pending') list.unshift(sg);
  list.sort((a, b) => time(b.created_at) - time(a.created_at));
  return { ...s, suggestions: { ...s.suggestions, [sg.conversation_id]: list } };
}

export function reduce(state: InboxState, a: Action): InboxState {
  switch (a.type) {
    case 'suggestions/set':
      return { ...state, suggestions: { ...state.suggestions, [a.id]: a.items.filter((x) => x.state === 'pending') } };
    case 'suggestion/done': {
      const list = state.suggestions[a.id];
      if (!list) return state;
      return { ...state, suggestions: { ...state.suggestions, [a.id]: list.filter((x) => x.id !== a.sid) } };
    }
    case 'filter':
      if (filterKey(a.filter) === filterKey(state.filter) && state.list.loaded) {
        return { ...state, filter: a.filter };
      }
      return { ...state, filter: a.filter, list: { ...emptyList, loading: true } };
    case 'list/loading':
      return { ...state, list: { ...state.list, loading: true, error: '' } };
    case 'list/page': {
      if (a.filterKey !== filterKey(state.filter)) return state;
      const convs = { ...state.convs };
      for (const c of a.items) {
        const prev = convs[c.id];
        // A live update may be newer than the page that was in flight.
        if (prev && time(prev.updated_at) > time(c.updated_at)) continue;
        let next = c;
        // Meta's times have whole seconds: with the same time, the page may
        // have been read before a message the live update already showed.
        if (prev && prev.last_message && time(prev.updated_at) === time(c.updated_at)) next = { ...next, last_message: prev.last_message };
        convs[c.id] = watching(state, c.id) && next.unread_count > 0 ? { ...next, unread_count: 0 } : next;
      }
      const base = a.append ? state.list.ids : [];
      const seen = new Set(base);
      let ids = base.slice();
      for (const c of a.items) {
        if (seen.has(c.id) || state.gone[c.id]) continue;
        seen.add(c.id);
        ids.push(c.id);
      }
      if (!a.append) {
        // A reload of the same list: a conversation a live update placed
        // while the page was on its way, and that still matches, stays.
        for (const id of state.list.ids) {
          const c = convs[id];
          if (seen.has(id) || !c || state.gone[id] || !matchesFilter(c, state.filter, state.viewer.userId)) continue;
          ids = placeInList(ids, convs, id, true, a.next !== '');
        }
      }
      return {
        ...state,
        convs,
        stale: false,
        list: {
          ids,
          next: a.next,
          loading: false,
          loaded: true,
          error: '',
          // Only the first page carries counts; later pages keep them.
          counts: a.counts ? a.counts : a.append ? state.list.counts : null,
        },
      };
    }
    case 'list/counts':
      if (a.filterKey !== filterKey(state.filter) || !state.list.loaded) return state;
      return { ...state, list: { ...state.list, counts: a.counts } };
    case 'list/error':
      if (a.filterKey !== filterKey(state.filter)) return state;
      return { ...state, list: { ...state.list, loading: false, error: a.error } };
    case 'conv/upsert': {
      const gone = { ...state.gone };
      delete gone[a.conv.id];
      // The chat on screen is read: its history request marks it so on the
      // server, whichever of the two answers comes first (opened from its
      // address, the conversation itself arrives after the open).
      const conv = watching(state, a.conv.id) && a.conv.unread_count > 0 ? { ...a.conv, unread_count: 0 } : a.conv;
      return setConv({ ...state, gone }, conv);
    }
    case 'conv/gone':
      return removeConv(state, a.id);
    case 'contact/erased':
      return removeContact(state, a.contactId);
    case 'open': {
      let s: InboxState = { ...state, openId: a.id };
      if (a.id) s = markRead(s, a.id);
      return s;
    }
    case 'visible': {
      let s: InboxState = { ...state, visible: a.visible };
      if (a.visible && s.openId) s = markRead(s, s.openId);
      return s;
    }
    case 'thread/loading': {
      const t = state.threads[a.id] ?? emptyThread;
      return { ...state, threads: { ...state.threads, [a.id]: { ...t, loading: true, error: '' } } };
    }
    case 'thread/page': {
      const t = state.threads[a.id] ?? emptyThread;
      const msgs = { ...state.msgs };
      for (const m of a.items) msgs[m.id] = mergeMessage(msgs[m.id], m);
      // The API answers newest first.
      const page = a.items.map((m) => m.id).reverse();
      let ids: string[];
      if (a.older) {
        const known = new Set(t.ids);
        ids = [...page.filter((id) => !known.has(id)), ...t.ids];
      } else {
        // First page: keep live messages that arrived meanwhile and local pending ones.
        ids = page;
        for (const id of t.ids) ids = insertMessage(ids, msgs, id);
      }
      return addEntries(
        {
          ...state,
          msgs,
          threads: {
            ...state.threads,
            [a.id]: { ids, before: a.before, loading: false, loaded: true, error: '' },
          },
        },
        a.id,
        a.entries ?? [],
      );
    }
    case 'entry/add':
      return addEntries(state, a.entry.conversation_id, [a.entry]);
    case 'mention/dismissed': {
      const c = state.convs[a.id];
      if (!c) return state;
      const next = { ...c, mentioned: (c.mentioned ?? []).filter((u) => u !== state.viewer.userId) };
      return mayRead(next, state.viewer) ? setConv(state, next) : removeConv(state, a.id);
    }
    case 'thread/error': {
      const t = state.threads[a.id] ?? emptyThread;
      return { ...state, threads: { ...state.threads, [a.id]: { ...t, loading: false, error: a.error } } };
    }
    case 'send/pending': {
      const s = addMessage({ ...state, pending: { ...state.pending, [a.msg.id]: a.msg.conversation_id } }, a.msg);
      return s;
    }
    case 'send/ok': {
      const s = dropLocal(state, a.tempId);
      return addMessage(s, a.msg);
    }
    case 'send/progress':
      if (!state.pending[a.tempId]) return state;
      return { ...state, progress: { ...state.progress, [a.tempId]: a.fraction } };
    case 'send/failed': {
      const m = state.msgs[a.tempId];
      if (!m) return state;
      return {
        ...state,
        msgs: { ...state.msgs, [a.tempId]: { ...m, status: 'failed', error: { code: a.refused ? refusedCode : 0, title: a.error } } },
      };
    }
    case 'send/discard':
      return dropLocal(state, a.tempId);
    case 'event':
      return applyEvent(state, a.event);
    case 'resynced':
      return { ...state, stale: false };
  }
  return state;
}

/** sameSend reports whether a local pending message and a server message are the same send. */
function sameSend(local: Message | undefined, m: Message): boolean {
  if (!local || local.status !== 'pending' || local.type !== m.type) return false;
  // The server renders a template's text; compare what was chosen instead.
  if (local.type === 'template') {
    const a = local.content?.template;
    const b = m.content?.template;
    return !!a && !!b && a.name === b.name && a.language === b.language;
  }
  if ((local.content?.text ?? '') !== (m.content?.text ?? '')) return false;
  if (local.content?.media) return (local.content.media.filename ?? '') === (m.content?.media?.filename ?? local.content.media.filename ?? '');
  return true;
}

function dropLocal(state: InboxState, tempId: string): InboxState {
  const convId = state.pending[tempId];
  const pending = { ...state.pending };
  delete pending[tempId];
  const progress = { ...state.progress };
  delete progress[tempId];
  const msgs = { ...state.msgs };
  delete msgs[tempId];
  let threads = state.threads;
  const t = convId ? threads[convId] : undefined;
  if (convId && t) threads = { ...threads, [convId]: { ...t, ids: t.ids.filter((x) => x !== tempId) } };
  return { ...state, pending, progress, msgs, threads };
}

function markRead(state: InboxState, id: string): InboxState {
  const c = state.convs[id];
  let s = state;
  if (c && c.unread_count > 0) s = { ...s, convs: { ...s.convs, [id]: { ...c, unread_count: 0 } } };
  if (s.fresh[id]) {
    const fresh = { ...s.fresh };
    delete fresh[id];
    s = { ...s, fresh };
  }
  return s;
}

/** unreadTotal is the number shown in the tab title: unread customer messages plus new assignments. */
export function unreadTotal(state: Pick<InboxState, 'convs' | 'fresh'>): number {
  let n = 0;
  for (const c of Object.values(state.convs)) n += c.unread_count > 0 ? c.unread_count : 0;
  for (const id of Object.keys(state.fresh)) {
    const c = state.convs[id];
    if (!c || c.unread_count === 0) n++;
  }
  return n;
}

export interface ReactionSummary {
  emoji: string;
  direction: 'in' | 'out';
}

/**
 * reactionsByTarget collects the current reactions per target message: each
 * side (customer, business) has at most one, the latest wins, and an empty
 * emoji removes it. Reaction messages themselves are not shown as bubbles.
 */
export function reactionsByTarget(messages: Message[]): Map<string, ReactionSummary[]> {
  const latest = new Map<string, { emoji: string; at: number; direction: 'in' | 'out' }>();
  for (const m of messages) {
    if (m.type !== 'reaction') continue;
    const target = m.content?.reaction?.message_id;
    if (!target) continue;
    const key = `${target}|${m.direction}`;
    const at = time(m.timestamp);
    const prev = latest.get(key);
    if (prev && prev.at > at) continue;
    latest.set(key, { emoji: m.content.reaction?.emoji ?? '', at, direction: m.direction });
  }
  const out = new Map<string, ReactionSummary[]>();
  for (const [key, r] of latest) {
    if (!r.emoji) continue;
    const target = key.slice(0, key.lastIndexOf('|'));
    const list = out.get(target) ?? [];
    list.push({ emoji: r.emoji, direction: r.direction });
    out.set(target, list);
  }
  return out;
}

export interface NotifyDecision {
  kind: 'assigned' | 'message' | 'handoff' | 'mention' | 'reminder';
  conversationId: string;
  /** For a mention: who wrote the note, and its text. */
  by?: string;
  text?: string;
}

/**
 * notification decides whether an event deserves a toast, a sound or a
 * browser notification: a new assignment to the viewer always; a customer
 * message unless the viewer is looking at that conversation.
 */
export function notification(before: InboxState, e: InboxEvent): NotifyDecision | null {
  if (e.id && e.id <= before.lastEventId) return null;
  if (e.type === 'conversation.assigned') {
    const d = e.data as AssignmentData | undefined;
    if (d && d.user_id === before.viewer.userId && d.conversation) {
      const already = (before.convs[d.conversation.id]?.assignees ?? []).some((a) => a.id === before.viewer.userId);
      if (!already) return { kind: 'assigned', conversationId: d.conversation.id };
    }
    return null;
  }
  if (e.type === 'handoff.to_human') {
    // Like a new assignment: for the assignees, or for those who see
    // everything when nobody is assigned.
    const d = e.data as HandoffChange | undefined;
    if (!d || !d.conversation) return null;
    const assignees = d.conversation.assignees ?? [];
    const mine = assignees.some((a) => a.id === before.viewer.userId);
    if (mine || (before.viewer.readAll && assignees.every((a) => a.deactivated))) return { kind: 'handoff', conversationId: d.conversation.id };
    return null;
  }
  if (e.type === 'conversation.reminder') {
    // A snooze ended or a customer waits too long: for the users it names.
    const r = e.data as ConversationReminder | undefined;
    if (!r || !r.conversation || !(r.user_ids ?? []).includes(before.viewer.userId)) return null;
    return { kind: 'reminder', conversationId: r.conversation.id, text: r.reason };
  }
  if (e.type === 'thread_entry.created') {
    // A note that mentions the viewer, by someone else, once.
    const en = e.data as ThreadEntry | undefined;
    if (!en || en.kind !== 'note' || en.author_id === before.viewer.userId || !(en.mentions ?? []).includes(before.viewer.userId)) return null;
    if ((before.entries[en.conversation_id] ?? []).some((x) => x.id === en.id)) return null;
    return { kind: 'mention', conversationId: en.conversation_id, by: en.author_name ?? '', text: en.text ?? '' };
  }
  if (e.type === 'message.created') {
    const m = e.data as Message | undefined;
    // Imported (history) messages are past: they never notify.
    if (!m || m.direction !== 'in' || m.type === 'reaction' || m.imported || before.msgs[m.id]) return null;
    if (before.gone[m.conversation_id]) return null;
    if (watching(before, m.conversation_id)) return null;
    return { kind: 'message', conversationId: m.conversation_id };
  }
  return null;
}

/**
 * movesCounts reports whether an event can change the filter bar's counts:
 * a new, erased, (un)assigned conversation, or one whose status,
 * assignees or labels changed. A plain new message (conversation.updated with the same
 * status and assignees) does not, so a busy inbox does not re-count per
 * message.
 */
export function movesCounts(before: InboxState, e: InboxEvent): boolean {
  switch (e.type) {
    case 'conversation.created':
    case 'conversation.assigned':
    case 'conversation.unassigned':
    case 'conversation.deleted':
      return true;
    case 'conversation.updated': {
      const c = e.data as Conversation | undefined;
      const prev = c?.id ? before.convs[c.id] : undefined;
      if (!c || !prev) return true;
      const ids = (x: Conversation) => (x.assignees ?? []).map((a) => (a.deactivated ? `${a.id}-` : a.id)).sort().join(',');
      const mentioned = (x: Conversation) => [...(x.mentioned ?? [])].sort().join(',');
      const labels = (x: Conversation) => (x.labels ?? []).map((l) => l.id).sort().join(',');
      return prev.status !== c.status || ids(prev) !== ids(c) || mentioned(prev) !== mentioned(c) || labels(prev) !== labels(c);
    }
  }
  return false;
}
