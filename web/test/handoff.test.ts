import { describe, expect, it } from 'vitest';
import { filterKey, initialState, notification, reduce, type InboxState } from '../src/state/inbox';
import { handoffReason } from '../src/lib/handoff';
import { en } from '../src/i18n/en';
import type { Key } from '../src/i18n';
import type { Suggestion } from '../src/api/types';
import { conv, ev } from './fixtures';

const operator = { userId: 'op', readAll: true };
const employee = { userId: 'emp', readAll: false };

function loaded(viewer = operator): InboxState {
  const s = initialState(viewer, { status: '' });
  return reduce(s, { type: 'list/page', filterKey: filterKey(s.filter), items: [conv('c1', { handler: 'bot' })], next: '', append: false });
}

function sg(id: string, over: Partial<Suggestion> = {}): Suggestion {
  return {
    id,
    conversation_id: 'c1',
    author_id: 'bot',
    text: `text ${id}`,
    rationale: '',
    state: 'pending',
    created_at: `2026-01-01T10:00:0${id.slice(-1)}Z`,
    updated_at: '2026-01-01T10:00:00Z',
    ...over,
  };
}

describe('hand-off in the inbox state', () => {
  it('takes the conversation from a hand-off event', () => {
    const handoff = { reason: 'refund', summary: 'wants money back', at: '2026-01-01T10:00:00Z', by: 'bot', bot_failures: 0 };
    const c = conv('c1', { handler: 'human', handoff });
    const s = reduce(loaded(), { type: 'event', event: ev('handoff.to_human', { conversation: c, handler: 'human', handoff }) });
    expect(s.convs.c1?.handler).toBe('human');
    expect(s.convs.c1?.handoff?.summary).toBe('wants money back');
  });

  it('notifies like an assignment: assignees, or all-seeing users when nobody is assigned', () => {
    const handoff = { reason: 'x', summary: '', at: '2026-01-01T10:00:00Z', by: 'bot', bot_failures: 0 };
    const unassigned = ev('handoff.to_human', { conversation: conv('c1', { handler: 'human', handoff }), handler: 'human', handoff });
    expect(notification(loaded(), unassigned)).toEqual({ kind: 'handoff', conversationId: 'c1' });
    expect(notification(loaded(employee), unassigned)).toBeNull();
    const mine = ev('handoff.to_human', {
      conversation: conv('c1', { handler: 'human', handoff, assignees: [{ id: 'emp', name: 'Emil' }] }),
      handler: 'human',
      handoff,
    });
    expect(notification(loaded(employee), mine)).toEqual({ kind: 'handoff', conversationId: 'c1' });
    expect(notification(loaded(), mine)).toBeNull();
    expect(notification(loaded(), ev('handoff.to_bot', { conversation: conv('c1'), handler: 'bot', handoff }))).toBeNull();
  });

  it('keeps pending suggestions newest first, live', () => {
    let s = reduce(loaded(), { type: 'suggestions/set', id: 'c1', items: [sg('s1'), sg('s0', { state: 'sent' })] });
    expect(s.suggestions.c1?.map((x) => x.id)).toEqual(['s1']);
    s = reduce(s, { type: 'event', event: ev('suggestion.created', sg('s2')) });
    expect(s.suggestions.c1?.map((x) => x.id)).toEqual(['s2', 's1']);
    s = reduce(s, { type: 'event', event: ev('suggestion.updated', sg('s2', { state: 'discarded' })) });
    expect(s.suggestions.c1?.map((x) => x.id)).toEqual(['s1']);
    s = reduce(s, { type: 'suggestion/done', id: 'c1', sid: 's1' });
    expect(s.suggestions.c1).toEqual([]);
  });

  it('names the rules’ reasons and keeps written ones', () => {
    const t = (k: Key) => en[k];
    expect(handoffReason(t, 'customer_asked')).toBe(en['handoff.reason.customer_asked']);
    expect(handoffReason(t, 'Refund over 100 €')).toBe('Refund over 100 €');
  });
});
