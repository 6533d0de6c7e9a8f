import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../src/api/types';
import { channelName, deadLetterKind, sortDeadLetters } from '../src/lib/deadletters';

const dl = (id: number, dead_at: string, reason = 'x'): DeadLetter => ({
  id,
  channel_id: 'c1',
  reason,
  received_at: dead_at,
  dead_at,
  attempts: 1,
});

describe('deadLetterKind', () => {
  it.each([
    ['change for an unknown phone number id', 'unknownNumber'],
    ['message without a sender (neither from nor from_user_id)', 'noSender'],
    ['could not be applied: store: disk full', 'failed'],
    ['template status update: missing message_template_id', 'template'],
    // Several causes: the first the server names decides.
    ['change for an unknown phone number id; message without a sender (neither from nor from_user_id)', 'unknownNumber'],
    ['something new', 'other'],
    ['', 'other'],
  ] as const)('%s → %s', (reason, want) => {
    expect(deadLetterKind(reason)).toBe(want);
  });
});

describe('sortDeadLetters', () => {
  it('puts the newest first and breaks ties by id, leaving the input alone', () => {
    const input = [dl(1, '2026-12-01T10:00:00Z'), dl(3, '2026-12-01T12:00:00Z'), dl(2, '2026-12-01T12:00:00Z')];
    expect(sortDeadLetters(input).map((d) => d.id)).toEqual([3, 2, 1]);
    expect(input.map((d) => d.id)).toEqual([1, 3, 2]);
  });
});

describe('channelName', () => {
  it('uses the channel name when known, else the id', () => {
    expect(channelName([{ id: 'c1', name: 'Support' }], 'c1')).toBe('Support');
    expect(channelName([{ id: 'c1', name: 'Support' }], 'c9')).toBe('c9');
    expect(channelName(null, 'c1')).toBe('c1');
  });
});
