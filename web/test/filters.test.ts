import { describe, expect, it } from 'vitest';
import { extraFilters, filterKey, filterParams, initialState, matchesFilter, movesCounts, reduce, type Filter } from '../src/state/inbox';
import { conv, ev } from './fixtures';

const base: Filter = { assignment: 'all', status: '', q: '' };
const vip = { id: 'l1', name: 'VIP', color: '#ff0000' };

describe('combined list filters', () => {
  it('sends only the filters that are on', () => {
    expect(filterParams(base)).toEqual({ assignment: '', status: '', q: '' });
    expect(filterParams({ ...base, assignment: 'mine', label: 'l1', assignee: 'u1', channel: 'ch', unread: true, sort: 'waiting' })).toEqual({
      assignment: 'mine',
      status: '',
      q: '',
      label: 'l1',
      assignee: 'u1',
      channel: 'ch',
      unread: 'true',
      sort: 'waiting',
    });
    expect(filterParams({ ...base, sort: 'newest', unread: false, label: '' })).toEqual({ assignment: '', status: '', q: '' });
  });

  it('tells filters apart and counts the extra ones', () => {
    expect(filterKey({ ...base, label: 'l1' })).not.toBe(filterKey(base));
    expect(filterKey({ ...base, label: '', sort: 'newest', unread: false })).toBe(filterKey(base));
    expect(extraFilters(base)).toBe(0);
    expect(extraFilters({ ...base, label: 'l1', unread: true, sort: 'waiting' })).toBe(3);
  });

  it('places live updates by label, assignee, channel and unread', () => {
    const c = conv('c1', { labels: [vip], channel_id: 'ch1', unread_count: 2, assignees: [{ id: 'u1', name: 'Anna' }] });
    expect(matchesFilter(c, { ...base, label: 'l1', assignee: 'u1', channel: 'ch1', unread: true }, 'op')).toBe(true);
    expect(matchesFilter(c, { ...base, label: 'l2' }, 'op')).toBe(false);
    expect(matchesFilter(c, { ...base, assignee: 'u2' }, 'op')).toBe(false);
    expect(matchesFilter(c, { ...base, channel: 'ch2' }, 'op')).toBe(false);
    expect(matchesFilter({ ...c, unread_count: 0 }, { ...base, unread: true }, 'op')).toBe(false);
  });

  it('takes a conversation out of a label list when the label comes off, and keeps the waiting order', () => {
    let s = initialState({ userId: 'op', readAll: true }, { status: '', label: 'l1', sort: 'waiting' });
    s = reduce(s, {
      type: 'list/page',
      filterKey: filterKey(s.filter),
      items: [conv('c1', { labels: [vip], updated_at: '2026-01-01T09:00:00Z' }), conv('c2', { labels: [vip], updated_at: '2026-01-01T10:00:00Z' })],
      next: '',
      append: false,
    });
    expect(s.list.ids).toEqual(['c1', 'c2']);
    // Newer activity does not move it in the waiting order.
    s = reduce(s, { type: 'event', event: ev('conversation.updated', conv('c2', { labels: [vip], updated_at: '2026-01-01T11:00:00Z' })) });
    expect(s.list.ids).toEqual(['c1', 'c2']);
    const before = s;
    const e = ev('conversation.updated', conv('c1', { labels: [], updated_at: '2026-01-01T09:00:00Z' }));
    expect(movesCounts(before, e)).toBe(true);
    s = reduce(s, { type: 'event', event: e });
    expect(s.list.ids).toEqual(['c2']);
  });
});
