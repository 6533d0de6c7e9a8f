import { describe, expect, it } from 'vitest';
import { filterKey, initialState, notification, readsByMention, reduce, type InboxState } from '../src/state/inbox';
import { insertMention, mentionedIds, mentionQuery } from '../src/lib/mentions';
import { activityText } from '../src/lib/activity';
import { en } from '../src/i18n/en';
import { translate, type Key } from '../src/i18n';
import type { ThreadEntry } from '../src/api/types';
import { conv, ev } from './fixtures';

const t = (k: Key, v?: Record<string, string | number>) => translate(en, k, v);
const employee = { userId: 'emp', readAll: false };

function note(id: string, over: Partial<ThreadEntry> = {}): ThreadEntry {
  return { id, conversation_id: 'c1', kind: 'note', author_id: 'op', author_name: 'Olga', text: `note ${id}`, created_at: `2026-01-01T10:00:0${id.slice(-1)}Z`, ...over };
}

function loaded(viewer = employee, c = conv('c1', { mentioned: ['emp'] })): InboxState {
  const s = initialState(viewer, { status: '' });
  return reduce(s, { type: 'list/page', filterKey: filterKey(s.filter), items: [c], next: '', append: false });
}

describe('mentions in the note composer', () => {
  it('finds the word typed after an @ at a word start', () => {
    expect(mentionQuery('hi @ol', 6)).toEqual({ start: 3, q: 'ol' });
    expect(mentionQuery('@', 1)).toEqual({ start: 0, q: '' });
    expect(mentionQuery('mail a@b', 8)).toBeNull();
    expect(mentionQuery('@olga\nnext', 10)).toBeNull();
    expect(mentionQuery('no mention', 10)).toBeNull();
  });
  it('puts the picked name in place of what was typed', () => {
    expect(insertMention('hi @ol and', 6, 3, 'Olga Petrova')).toEqual({ text: 'hi @Olga Petrova and', caret: 17 });
    expect(insertMention('@', 1, 0, 'Ben')).toEqual({ text: '@Ben ', caret: 5 });
  });
  it('sends only the people the text still mentions, once', () => {
    const picked = [
      { id: 'a', name: 'Ana' },
      { id: 'b', name: 'Ben' },
      { id: 'a', name: 'Ana' },
    ];
    expect(mentionedIds('@Ana please, @Ana!', picked)).toEqual(['a']);
  });
});

describe('activity lines', () => {
  it('say who did what, and something for an action this build does not know', () => {
    const e = (activity: ThreadEntry['activity'], by = 'Olga'): ThreadEntry => ({ ...note('e1'), kind: 'activity', text: '', author_name: by, activity });
    expect(activityText(t, e({ action: 'assigned', subject_name: 'Emil' }))).toBe('Olga assigned Emil');
    expect(activityText(t, e({ action: 'unassigned', subject_name: 'Emil' }))).toBe('Olga removed Emil');
    expect(activityText(t, e({ action: 'status', value: 'closed' }))).toBe('Olga closed the conversation');
    expect(activityText(t, e({ action: 'handoff', value: 'bot' }))).toBe('Handed to the bot');
    expect(activityText(t, e({ action: 'label_added', value: 'VIP' }))).toBe('Olga added the label VIP');
    expect(activityText(t, e({ action: 'snoozed', value: 'tomorrow' }))).toBe('Olga: snoozed tomorrow');
    expect(activityText(t, { ...e({ action: 'status', value: 'open' }), author_id: '', author_name: '' })).toBe('Switchboard reopened the conversation');
  });
});

describe('thread entries in the state', () => {
  it('merges pages and live entries oldest first, each once', () => {
    let s = loaded();
    s = reduce(s, { type: 'thread/page', id: 'c1', items: [], before: '', older: false, entries: [note('n3'), note('n1')] });
    s = reduce(s, { type: 'event', event: ev('thread_entry.created', note('n2'), 1) });
    s = reduce(s, { type: 'entry/add', entry: note('n2') });
    expect((s.entries.c1 ?? []).map((e) => e.id)).toEqual(['n1', 'n2', 'n3']);
  });
  it('notifies the mentioned viewer once, never the author', () => {
    const s = loaded();
    const e = ev('thread_entry.created', note('n1', { mentions: ['emp'] }), 1);
    expect(notification(s, e)).toEqual({ kind: 'mention', conversationId: 'c1', by: 'Olga', text: 'note n1' });
    expect(notification(reduce(s, { type: 'event', event: e }), ev('thread_entry.created', note('n1', { mentions: ['emp'] }), 2))).toBeNull();
    expect(notification(s, ev('thread_entry.created', note('n2', { mentions: ['other'] }), 3))).toBeNull();
    expect(notification(loaded({ userId: 'op', readAll: true }), ev('thread_entry.created', note('n4', { mentions: ['op'] }), 4))).toBeNull();
  });
  it('keeps a conversation seen through a mention until it is dismissed or ends', () => {
    let s = loaded();
    expect(readsByMention(s.convs.c1!, employee)).toBe(true);
    expect(s.list.ids).toEqual(['c1']);
    s = reduce(s, { type: 'mention/dismissed', id: 'c1' });
    expect(s.convs.c1).toBeUndefined();
    expect(s.gone.c1).toBe(true);
    // Mentioned again: it comes back.
    s = reduce(s, { type: 'event', event: ev('conversation.updated', conv('c1', { mentioned: ['emp'] }), 5) });
    expect(s.convs.c1).toBeDefined();
    // Another tab dismissed it (or it was closed): the update no longer names the viewer.
    s = reduce(s, { type: 'event', event: ev('conversation.updated', conv('c1'), 6) });
    expect(s.convs.c1).toBeUndefined();
  });
  it('keeps an assigned conversation when the mention is dismissed', () => {
    let s = loaded(employee, conv('c1', { mentioned: ['emp'], assignees: [{ id: 'emp', name: 'Emil' }] }));
    expect(readsByMention(s.convs.c1!, employee)).toBe(false);
    s = reduce(s, { type: 'mention/dismissed', id: 'c1' });
    expect(s.convs.c1?.mentioned).toEqual([]);
  });
});
