import { describe, expect, it } from 'vitest';
import {
  filterKey,
  initialState,
  matchesFilter,
  mergeMessage,
  movesCounts,
  notification,
  placeInList,
  reactionsByTarget,
  reduce,
  unreadTotal,
  type Action,
  type InboxState,
} from '../src/state/inbox';
import { conv, ev, msg } from './fixtures';
import type { ConversationCounts } from '../src/api/types';

const operator = { userId: 'op', readAll: true };
const employee = { userId: 'emp', readAll: false };

function run(state: InboxState, ...actions: Action[]): InboxState {
  return actions.reduce(reduce, state);
}

function loaded(viewer = operator, items = [conv('c1', { updated_at: '2026-01-01T10:00:00Z' }), conv('c2', { updated_at: '2026-01-01T09:00:00Z' })]) {
  const s = initialState(viewer, { status: '' });
  return reduce(s, { type: 'list/page', filterKey: filterKey(s.filter), items, next: '', append: false });
}

describe('list ordering', () => {
  it('moves a conversation with new activity to the top', () => {
    const s = run(loaded(), { type: 'event', event: ev('conversation.updated', conv('c2', { updated_at: '2026-01-01T11:00:00Z' })) });
    expect(s.list.ids).toEqual(['c2', 'c1']);
  });

  it('inserts a new conversation in order and never twice', () => {
    const c3 = conv('c3', { updated_at: '2026-01-01T09:30:00Z' });
    const s = run(
      loaded(),
      { type: 'event', event: ev('conversation.created', c3) },
      { type: 'event', event: ev('conversation.updated', c3) },
    );
    expect(s.list.ids).toEqual(['c1', 'c3', 'c2']);
  });

  it('leaves out an old conversation while more pages exist', () => {
    const ids = placeInList(['a', 'b'], {
      a: conv('a', { updated_at: '2026-01-02T00:00:00Z' }),
      b: conv('b', { updated_at: '2026-01-01T00:00:00Z' }),
      z: conv('z', { updated_at: '2025-12-01T00:00:00Z' }),
    }, 'z', true, true);
    expect(ids).toEqual(['a', 'b']);
  });

  it('removes a conversation that stops matching the filter', () => {
    let s = initialState(operator, { assignment: 'unassigned', status: 'open' });
    s = reduce(s, { type: 'list/page', filterKey: filterKey(s.filter), items: [conv('c1')], next: '', append: false });
    s = reduce(s, {
      type: 'event',
      event: ev('conversation.assigned', { conversation: conv('c1', { assignees: [{ id: 'emp', name: 'Emma' }] }), user_id: 'emp' }),
    });
    expect(s.list.ids).toEqual([]);
    expect(s.convs.c1?.assignees).toHaveLength(1);
  });

  it('drops pages of an older filter and does not duplicate rows across pages', () => {
    let s = loaded();
    s = reduce(s, { type: 'list/page', filterKey: 'other', items: [conv('x')], next: '', append: true });
    expect(s.list.ids).toEqual(['c1', 'c2']);
    s = reduce(s, { type: 'list/page', filterKey: filterKey(s.filter), items: [conv('c2'), conv('c4')], next: '', append: true });
    expect(s.list.ids).toEqual(['c1', 'c2', 'c4']);
  });

  it('keeps a live update that is newer than a page in flight', () => {
    let s = loaded();
    s = reduce(s, { type: 'event', event: ev('conversation.updated', conv('c2', { updated_at: '2026-01-01T12:00:00Z', status: 'resolved' })) });
    s = reduce(s, { type: 'list/page', filterKey: filterKey(s.filter), items: [conv('c2', { updated_at: '2026-01-01T09:00:00Z' })], next: '', append: false });
    expect(s.convs.c2?.status).toBe('resolved');
  });
});

describe('filters', () => {
  const c = conv('c1', { contact: { id: 'k', channel_id: 'ch1', phone: '4915123456789', name: 'Jürgen Weiß', created_at: '' } });
  it('matches name case-insensitively and phone by digits', () => {
    expect(matchesFilter(c, { assignment: 'all', status: '', q: 'jürgen' }, 'op')).toBe(true);
    expect(matchesFilter(c, { assignment: 'all', status: '', q: '+49 151 234' }, 'op')).toBe(true);
    expect(matchesFilter(c, { assignment: 'all', status: '', q: 'anna' }, 'op')).toBe(false);
  });
  it('applies the team filter, live updates included', () => {
    const sales = conv('t1', { team_id: 'sales' });
    expect(matchesFilter(sales, { assignment: 'all', status: '', q: '', team: 'sales' }, 'op')).toBe(true);
    expect(matchesFilter(sales, { assignment: 'all', status: '', q: '', team: 'support' }, 'op')).toBe(false);
    expect(matchesFilter(conv('t2'), { assignment: 'all', status: '', q: '', team: 'sales' }, 'op')).toBe(false);
    expect(matchesFilter(conv('t2'), { assignment: 'all', status: '', q: '', team: '' }, 'op')).toBe(true);
    expect(filterKey({ assignment: 'all', status: '', q: '', team: 'sales' })).not.toBe(filterKey({ assignment: 'all', status: '', q: '' }));
    // A conversation moved to another team leaves the filtered list.
    let s = initialState(operator, { status: '', team: 'sales' });
    s = reduce(s, { type: 'list/page', filterKey: filterKey(s.filter), items: [sales], next: '', append: false });
    s = reduce(s, { type: 'event', event: ev('conversation.updated', conv('t1', { team_id: 'support', updated_at: '2026-01-02T00:00:00Z' })) });
    expect(s.list.ids).toEqual([]);
  });
  it('applies assignment and status', () => {
    const mine = conv('m', { assignees: [{ id: 'op', name: 'Olga' }] });
    expect(matchesFilter(mine, { assignment: 'mine', status: '', q: '' }, 'op')).toBe(true);
    expect(matchesFilter(mine, { assignment: 'unassigned', status: '', q: '' }, 'op')).toBe(false);
    expect(matchesFilter(mine, { assignment: 'assigned', status: 'resolved', q: '' }, 'op')).toBe(false);
  });
});

describe('messages', () => {
  it('dedupes by id: an event and the send response for the same message', () => {
    let s = loaded();
    s = reduce(s, { type: 'thread/page', id: 'c1', items: [msg('m1', 'c1')], before: '', older: false });
    const out = msg('m2', 'c1', { direction: 'out', status: 'pending', timestamp: '2026-01-01T10:05:00Z' });
    s = reduce(s, { type: 'send/pending', msg: { ...out, id: 'local-1' } });
    expect(s.threads.c1?.ids).toEqual(['m1', 'local-1']);
    s = reduce(s, { type: 'event', event: ev('message.created', out) });
    s = reduce(s, { type: 'send/ok', tempId: 'local-1', msg: out });
    s = reduce(s, { type: 'event', event: ev('message.created', out) });
    expect(s.threads.c1?.ids).toEqual(['m1', 'm2']);
    expect(s.pending).toEqual({});
  });

  it('replaces the local copy when the event of our own send comes before the response', () => {
    let s = loaded();
    s = reduce(s, { type: 'thread/page', id: 'c1', items: [], before: '', older: false });
    const local = msg('local-5', 'c1', { direction: 'out', status: 'pending', sender_id: 'op', content: { text: 'Hallo' } });
    const other = msg('local-6', 'c1', { direction: 'out', status: 'pending', sender_id: 'op', content: { text: 'Tschüss' } });
    s = run(s, { type: 'send/pending', msg: local }, { type: 'send/pending', msg: other });
    const real = msg('r5', 'c1', { direction: 'out', status: 'pending', sender_id: 'op', content: { text: 'Hallo' }, timestamp: '2026-01-01T10:00:01Z' });
    s = reduce(s, { type: 'event', event: ev('message.created', real) });
    expect(s.threads.c1?.ids).toEqual(['local-6', 'r5']);
    s = reduce(s, { type: 'send/ok', tempId: 'local-5', msg: real });
    expect(s.threads.c1?.ids).toEqual(['local-6', 'r5']);
    // Someone else's identical text does not replace ours.
    const theirs = msg('t1', 'c1', { direction: 'out', status: 'pending', sender_id: 'olga', content: { text: 'Tschüss' } });
    s = reduce(s, { type: 'event', event: ev('message.created', theirs) });
    expect(s.threads.c1?.ids).toContain('local-6');
  });

  it('ignores events replayed after a reconnect', () => {
    let s = loaded();
    s = reduce(s, { type: 'thread/page', id: 'c1', items: [], before: '', older: false });
    const e = ev('message.created', msg('m9', 'c1'), 50);
    s = run(s, { type: 'event', event: e });
    const unread = s.convs.c1?.unread_count;
    s = run(s, { type: 'event', event: e }, { type: 'event', event: { ...e, id: 49 } });
    expect(s.threads.c1?.ids).toEqual(['m9']);
    expect(s.convs.c1?.unread_count).toBe(unread);
    expect(s.lastEventId).toBe(50);
  });

  it('orders by timestamp, also when a late message arrives', () => {
    let s = loaded();
    s = reduce(s, {
      type: 'thread/page',
      id: 'c1',
      items: [msg('b', 'c1', { timestamp: '2026-01-01T10:02:00Z' }), msg('a', 'c1', { timestamp: '2026-01-01T10:01:00Z' })],
      before: 'cur',
      older: false,
    });
    s = reduce(s, { type: 'event', event: ev('message.created', msg('late', 'c1', { timestamp: '2026-01-01T10:01:30Z' })) });
    expect(s.threads.c1?.ids).toEqual(['a', 'late', 'b']);
    s = reduce(s, { type: 'thread/page', id: 'c1', items: [msg('a', 'c1', { timestamp: '2026-01-01T10:01:00Z' }), msg('old', 'c1', { timestamp: '2026-01-01T09:00:00Z' })], before: '', older: true });
    expect(s.threads.c1?.ids).toEqual(['old', 'a', 'late', 'b']);
    expect(s.threads.c1?.before).toBe('');
  });

  it('never lets a delivery status go backwards', () => {
    const read = msg('m', 'c', { direction: 'out', status: 'read' });
    expect(mergeMessage(read, { ...read, status: 'delivered' }).status).toBe('read');
    expect(mergeMessage(read, { ...read, status: 'failed', error: { code: 131047, title: 'Re-engagement message' } }).status).toBe('failed');
    const sent = msg('m', 'c', { direction: 'out', status: 'sent' });
    expect(mergeMessage(sent, { ...sent, status: 'delivered' }).status).toBe('delivered');
  });

  it('marks a failed local send and keeps it for retry', () => {
    let s = loaded();
    s = reduce(s, { type: 'thread/page', id: 'c1', items: [], before: '', older: false });
    s = reduce(s, { type: 'send/pending', msg: msg('local-7', 'c1', { direction: 'out', status: 'pending' }) });
    s = reduce(s, { type: 'send/progress', tempId: 'local-7', fraction: 0.5 });
    expect(s.progress['local-7']).toBe(0.5);
    s = reduce(s, { type: 'send/failed', tempId: 'local-7', error: 'No connection' });
    expect(s.msgs['local-7']?.status).toBe('failed');
    expect(s.msgs['local-7']?.error?.title).toBe('No connection');
    s = reduce(s, { type: 'send/discard', tempId: 'local-7' });
    expect(s.threads.c1?.ids).toEqual([]);
    expect(s.progress).toEqual({});
  });
});

describe('unread counts', () => {
  it('counts customer messages in conversations not on screen', () => {
    let s = loaded();
    s = run(
      s,
      { type: 'event', event: ev('message.created', msg('i1', 'c1')) },
      { type: 'event', event: ev('message.created', msg('i2', 'c1')) },
      { type: 'event', event: ev('message.created', msg('o1', 'c1', { direction: 'out', status: 'pending' })) },
      { type: 'event', event: ev('message.created', msg('r1', 'c1', { type: 'reaction', content: { reaction: { emoji: '👍', message_id: 'o1' } } })) },
    );
    expect(s.convs.c1?.unread_count).toBe(2);
    expect(unreadTotal(s)).toBe(2);
    s = reduce(s, { type: 'open', id: 'c1' });
    expect(s.convs.c1?.unread_count).toBe(0);
  });

  it('does not count while the conversation is open and the tab visible, but does when hidden', () => {
    let s = run(loaded(), { type: 'open', id: 'c1' }, { type: 'event', event: ev('message.created', msg('i1', 'c1')) });
    expect(s.convs.c1?.unread_count).toBe(0);
    s = run(s, { type: 'visible', visible: false }, { type: 'event', event: ev('message.created', msg('i2', 'c1')) });
    expect(s.convs.c1?.unread_count).toBe(1);
    s = reduce(s, { type: 'visible', visible: true });
    expect(s.convs.c1?.unread_count).toBe(0);
  });

  it('keeps the local unread count when the event copy of a conversation arrives', () => {
    let s = run(loaded(), { type: 'event', event: ev('message.created', msg('i1', 'c1')) });
    s = reduce(s, { type: 'event', event: ev('conversation.updated', conv('c1', { unread_count: 0, updated_at: '2026-01-01T12:00:00Z' })) });
    expect(s.convs.c1?.unread_count).toBe(1);
  });
});

describe('assignment for employees', () => {
  it('adds a newly assigned conversation and marks it new', () => {
    let s = loaded(employee, []);
    s = reduce(s, { type: 'event', event: ev('conversation.assigned', { conversation: conv('c7', { assignees: [{ id: 'emp', name: 'Emma' }] }), user_id: 'emp' }) });
    expect(s.list.ids).toEqual(['c7']);
    expect(s.fresh.c7).toBe(true);
    expect(unreadTotal(s)).toBe(1);
    s = reduce(s, { type: 'open', id: 'c7' });
    expect(s.fresh.c7).toBeUndefined();
  });

  it('removes everything of a conversation when the employee is unassigned', () => {
    let s = loaded(employee, [conv('c1', { assignees: [{ id: 'emp', name: 'Emma' }] })]);
    s = reduce(s, { type: 'thread/page', id: 'c1', items: [msg('m1', 'c1')], before: '', older: false });
    s = reduce(s, { type: 'event', event: ev('conversation.unassigned', { conversation: conv('c1'), user_id: 'emp' }) });
    expect(s.list.ids).toEqual([]);
    expect(s.convs.c1).toBeUndefined();
    expect(s.threads.c1).toBeUndefined();
    expect(s.msgs.m1).toBeUndefined();
    expect(s.gone.c1).toBe(true);
    // Later events of the conversation (should any slip through) do not bring it back.
    s = reduce(s, { type: 'event', event: ev('conversation.updated', conv('c1')) });
    expect(s.convs.c1).toBeUndefined();
  });

  it('keeps the conversation for an operator who unassigns themselves', () => {
    let s = loaded(operator, [conv('c1', { assignees: [{ id: 'op', name: 'Olga' }] })]);
    s = reduce(s, { type: 'event', event: ev('conversation.unassigned', { conversation: conv('c1'), user_id: 'op' }) });
    expect(s.list.ids).toEqual(['c1']);
    expect(s.gone.c1).toBeUndefined();
  });

  it('drops every conversation of a contact erased elsewhere', () => {
    let s = loaded(operator, [conv('c1'), conv('c2')]);
    const contactId = conv('c1').contact.id;
    s = reduce(s, { type: 'thread/page', id: 'c1', items: [msg('m1', 'c1')], before: '', older: false });
    s = reduce(s, { type: 'event', event: ev('conversation.deleted', { id: 'c1', contact_id: contactId, reason: 'erased' }) });
    expect(s.convs.c1).toBeUndefined();
    expect(s.msgs.m1).toBeUndefined();
    expect(s.list.ids).not.toContain('c1');
    // A later event about it does not bring it back.
    s = reduce(s, { type: 'event', event: ev('message.created', msg('m2', 'c1')) });
    expect(s.msgs.m2).toBeUndefined();
  });

  it('a resync marks the state stale', () => {
    const s = reduce(loaded(), { type: 'event', event: ev('resync', undefined, 77) });
    expect(s.stale).toBe(true);
    expect(s.lastEventId).toBe(77);
  });
});

describe('notifications', () => {
  it('notifies an employee of a new assignment once', () => {
    const s = loaded(employee, []);
    const e = ev('conversation.assigned', { conversation: conv('c7', { assignees: [{ id: 'emp', name: 'Emma' }] }), user_id: 'emp' });
    expect(notification(s, e)).toEqual({ kind: 'assigned', conversationId: 'c7' });
    const after = reduce(s, { type: 'event', event: e });
    expect(notification(after, e)).toBeNull();
    expect(notification(s, ev('conversation.assigned', { conversation: conv('c8'), user_id: 'someone' }))).toBeNull();
  });

  it('notifies of customer messages unless the conversation is being watched', () => {
    const s = loaded();
    expect(notification(s, ev('message.created', msg('i1', 'c1')))?.kind).toBe('message');
    expect(notification(s, ev('message.created', msg('o1', 'c1', { direction: 'out' })))).toBeNull();
    // Past messages imported from the WhatsApp Business app, and replies sent from it, never notify.
    expect(notification(s, ev('message.created', msg('h1', 'c1', { imported: true })))).toBeNull();
    expect(notification(s, ev('message.created', msg('e1', 'c1', { direction: 'out', author: 'business_app' })))).toBeNull();
    const watching = reduce(s, { type: 'open', id: 'c1' });
    expect(notification(watching, ev('message.created', msg('i2', 'c1')))).toBeNull();
    const hidden = reduce(watching, { type: 'visible', visible: false });
    expect(notification(hidden, ev('message.created', msg('i3', 'c1')))?.kind).toBe('message');
  });
});

describe('reactions', () => {
  it('keeps the latest reaction per side and drops removed ones', () => {
    const r = (id: string, emoji: string, at: string, direction: 'in' | 'out' = 'in') =>
      msg(id, 'c', { type: 'reaction', direction, timestamp: at, content: { reaction: { message_id: 't', emoji } } });
    const map = reactionsByTarget([
      r('1', '👍', '2026-01-01T10:00:00Z'),
      r('2', '❤️', '2026-01-01T10:01:00Z'),
      r('3', '🙏', '2026-01-01T10:02:00Z', 'out'),
    ]);
    expect(map.get('t')).toEqual([
      { emoji: '❤️', direction: 'in' },
      { emoji: '🙏', direction: 'out' },
    ]);
    const removed = reactionsByTarget([r('1', '👍', '2026-01-01T10:00:00Z'), r('2', '', '2026-01-01T10:01:00Z')]);
    expect(removed.get('t')).toBeUndefined();
  });
});

describe('erasing a contact', () => {
  it('drops every conversation of the contact with its messages and pending sends, and nothing else', () => {
    const greta = { id: 'ct-greta', channel_id: 'ch1', phone: '4915112345001', name: 'Greta', created_at: '' };
    const items = [
      conv('c1', { contact: greta, updated_at: '2026-01-01T10:00:00Z' }),
      conv('c2', { updated_at: '2026-01-01T09:00:00Z' }),
      conv('c3', { contact: greta, updated_at: '2026-01-01T08:00:00Z' }),
    ];
    const pending = msg('local-1', 'c1', { direction: 'out', status: 'pending' });
    let s = run(
      loaded(operator, items),
      { type: 'open', id: 'c1' },
      { type: 'thread/page', id: 'c1', items: [msg('m1', 'c1'), msg('m2', 'c1')], before: '', older: false },
      { type: 'thread/page', id: 'c2', items: [msg('m3', 'c2')], before: '', older: false },
      { type: 'send/pending', msg: pending },
    );
    expect(s.list.ids).toEqual(['c1', 'c2', 'c3']);
    s = reduce(s, { type: 'contact/erased', contactId: 'ct-greta' });
    expect(s.list.ids).toEqual(['c2']);
    expect(Object.keys(s.convs)).toEqual(['c2']);
    expect(Object.keys(s.msgs)).toEqual(['m3']);
    expect(s.pending).toEqual({});
    expect(s.threads.c1).toBeUndefined();
    expect(s.gone).toMatchObject({ c1: true, c3: true });
    // A late page of the list (loaded before the erasure) does not bring them back.
    s = reduce(s, { type: 'list/page', filterKey: filterKey(s.filter), items, next: '', append: false });
    expect(s.list.ids).toEqual(['c2']);
  });

  it('changes nothing for an unknown contact', () => {
    const s = loaded();
    expect(reduce(s, { type: 'contact/erased', contactId: 'ct-nobody' })).toBe(s);
    expect(reduce(s, { type: 'contact/erased', contactId: '' })).toBe(s);
  });
});

describe('a chat opened from its address (issue 13)', () => {
  it('is read once the conversation arrives after the open', () => {
    let s = initialState({ userId: 'op', readAll: true });
    s = reduce(s, { type: 'open', id: 'c1' });
    s = reduce(s, { type: 'conv/upsert', conv: conv('c1', { unread_count: 3 }) });
    expect(s.convs.c1?.unread_count).toBe(0);
    s = reduce(s, { type: 'list/page', filterKey: filterKey(s.filter), items: [conv('c1', { unread_count: 3 }), conv('c2', { unread_count: 2 })], next: '', append: false });
    expect(s.convs.c1?.unread_count).toBe(0);
    expect(s.convs.c2?.unread_count).toBe(2);
  });

  it('stays unread while the tab is hidden', () => {
    let s = initialState({ userId: 'op', readAll: true });
    s = reduce(s, { type: 'visible', visible: false });
    s = reduce(s, { type: 'open', id: 'c1' });
    s = reduce(s, { type: 'conv/upsert', conv: conv('c1', { unread_count: 3 }) });
    expect(s.convs.c1?.unread_count).toBe(3);
  });
});

function counts(c: Partial<ConversationCounts>): ConversationCounts {
  return { all: 0, unassigned: 0, assigned: 0, mine: 0, open: 0, resolved: 0, pending: 0, snoozed: 0, ...c };
}

describe('filter counts (issue 13)', () => {
  it('survive the second page', () => {
    let s = initialState({ userId: 'op', readAll: true });
    const key = filterKey(s.filter);
    s = reduce(s, { type: 'list/page', filterKey: key, items: [conv('c1')], next: 'n', append: false, counts: counts({ all: 60, open: 60 }) });
    s = reduce(s, { type: 'list/page', filterKey: key, items: [conv('c2')], next: '', append: true, counts: null });
    expect(s.list.counts).toEqual(counts({ all: 60, open: 60 }));
    s = reduce(s, { type: 'list/counts', filterKey: key, counts: counts({ all: 61, open: 61 }) });
    expect(s.list.counts).toEqual(counts({ all: 61, open: 61 }));
    s = reduce(s, { type: 'list/counts', filterKey: 'other', counts: counts({ all: 1 }) });
    expect(s.list.counts).toEqual(counts({ all: 61, open: 61 }));
  });

  it('are asked for again when a conversation appears or changes status or assignees, not for every message', () => {
    let s = initialState({ userId: 'op', readAll: true });
    s = reduce(s, { type: 'conv/upsert', conv: conv('c1') });
    expect(movesCounts(s, ev('conversation.updated', conv('c1'), 1))).toBe(false);
    expect(movesCounts(s, ev('conversation.updated', conv('c1', { status: 'resolved' }), 1))).toBe(true);
    expect(movesCounts(s, ev('conversation.updated', conv('c1', { assignees: [{ id: 'u', name: 'U' }] }), 1))).toBe(true);
    expect(movesCounts(s, ev('conversation.created', conv('c2'), 1))).toBe(true);
    expect(movesCounts(s, ev('message.created', msg('m', 'c1'), 1))).toBe(false);
  });
});

describe('the first stream (issue 13)', () => {
  it('a resync without an id marks the state stale for a reload and keeps the event id', () => {
    let s = initialState({ userId: 'op', readAll: true });
    s = reduce(s, { type: 'event', event: { type: 'resync', id: 0 } as never });
    expect(s.stale).toBe(true);
    expect(s.lastEventId).toBe(0);
  });
});

describe('a page read before a live message of the same second (issue 13)', () => {
  it('keeps the live preview', () => {
    let s = initialState({ userId: 'op', readAll: true });
    const at = '2026-12-02T10:00:00Z';
    s = reduce(s, { type: 'conv/upsert', conv: conv('c1', { updated_at: at, last_message: { text: 'Das letzte Wort', type: 'text', direction: 'in', at } }) });
    s = reduce(s, { type: 'list/page', filterKey: filterKey(s.filter), items: [conv('c1', { updated_at: at, last_message: { text: '', type: 'image', direction: 'in', at } })], next: '', append: false });
    expect(s.convs.c1?.last_message?.text).toBe('Das letzte Wort');
  });
});

describe('a list reload while live updates arrive (issue 13)', () => {
  it('keeps a conversation the page did not know yet', () => {
    let s = initialState({ userId: 'op', readAll: true });
    const key = filterKey(s.filter);
    s = reduce(s, { type: 'list/page', filterKey: key, items: [conv('old', { updated_at: '2026-12-02T09:00:00Z' })], next: '', append: false });
    s = reduce(s, { type: 'event', event: ev('conversation.created', conv('new', { updated_at: '2026-12-02T10:00:00Z' }), 5) });
    expect(s.list.ids).toEqual(['new', 'old']);
    s = reduce(s, { type: 'list/page', filterKey: key, items: [conv('old', { updated_at: '2026-12-02T09:00:00Z' })], next: '', append: false });
    expect(s.list.ids).toEqual(['new', 'old']);
  });
});
