import type { Conversation, InboxEvent, Message } from '../src/api/types';

let seq = 0;

export function conv(id: string, over: Partial<Conversation> = {}): Conversation {
  return {
    id,
    channel_id: 'ch1',
    contact: { id: `ct-${id}`, channel_id: 'ch1', phone: '4915100000' + id.slice(-2), name: `Client ${id}`, created_at: '2026-01-01T00:00:00Z' },
    status: 'open',
    snoozed_until: null,
    assignees: [],
    last_message: null,
    last_inbound_at: null,
    window_closes_at: null,
    unread_count: 0,
    handler: 'human',
    handoff: null,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...over,
  };
}

export function msg(id: string, convId: string, over: Partial<Message> = {}): Message {
  return {
    id,
    conversation_id: convId,
    direction: 'in',
    type: 'text',
    content: { text: `text ${id}` },
    status: 'received',
    author: over.direction === 'out' ? 'user' : 'customer',
    timestamp: '2026-01-01T10:00:00Z',
    created_at: '2026-01-01T10:00:00Z',
    updated_at: '2026-01-01T10:00:00Z',
    ...over,
  };
}

export function ev(type: InboxEvent['type'], data: unknown, id?: number, conversationId?: string): InboxEvent {
  seq += 1;
  return { id: id ?? 1000 + seq, type, at: '2026-01-01T10:00:00Z', conversation_id: conversationId, data: data as InboxEvent['data'] };
}
