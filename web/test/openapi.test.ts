// The API types in src/api/types.ts are written by hand; this test holds
// them to internal/api/openapi.json, so a field renamed or added on the
// server shows up here. Each list below must name every key of its type
// (checked by the compiler) and match the schema's properties (checked here).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type {
  AgentRow,
  AuditEntry,
  Channel,
  ChannelHealth,
  Contact,
  ConversationPeriod,
  Conversation,
  DeadLetter,
  InboxEvent,
  Message,
  MessagePreview,
  Role,
  Template,
  User,
  UserRef,
} from '../src/api/types';

type Exactly<T, L extends readonly (keyof T)[]> = Exclude<keyof T, L[number]> extends never ? L : never;

function keys<T>() {
  return <const L extends readonly (keyof T)[]>(l: Exactly<T, L>) => l as readonly string[];
}

const ours: Record<string, readonly string[]> = {
  User: keys<User>()(['id', 'login', 'name', 'role_id', 'active', 'created_at', 'updated_at']),
  Role: keys<Role>()([
    'id', 'name', 'description', 'permissions', 'all_channels', 'channel_ids', 'built_in', 'require_two_factor', 'created_at', 'updated_at',
  ]),
  UserRef: keys<UserRef>()(['id', 'name']),
  Contact: keys<Contact>()(['id', 'channel_id', 'phone', 'user_id', 'parent_user_id', 'username', 'name', 'created_at']),
  MessagePreview: keys<MessagePreview>()(['text', 'type', 'direction', 'at']),
  Conversation: keys<Conversation>()([
    'id', 'channel_id', 'contact', 'status', 'assignees', 'last_message', 'last_inbound_at', 'window_closes_at',
    'unread_count', 'created_at', 'updated_at',
  ]),
  Message: keys<Message>()([
    'id', 'conversation_id', 'direction', 'type', 'content', 'wa_message_id', 'status', 'error', 'reply_to_id',
    'sender_id', 'sender_name', 'timestamp', 'created_at', 'updated_at',
  ]),
  AuditEntry: keys<AuditEntry>()([
    'seq', 'at', 'actor_id', 'actor_login', 'action', 'object_type', 'object_id', 'outcome', 'ip', 'user_agent',
    'detail', 'prev_hash', 'hash',
  ]),
  DeadLetter: keys<DeadLetter>()(['id', 'channel_id', 'reason', 'received_at', 'dead_at', 'attempts']),
  Event: keys<InboxEvent>()(['id', 'type', 'at', 'conversation_id', 'data']),
  ConversationPeriod: keys<ConversationPeriod>()([
    'period', 'opened', 'resolved', 'reopened', 'unanswered', 'first_response', 'resolution',
  ]),
  AgentRow: keys<AgentRow>()([
    'user_id', 'name', 'active', 'assigned', 'replied', 'resolved', 'messages_sent', 'sessions_started',
    'first_response', 'last_seen_at',
  ]),
};

interface Schema {
  properties?: Record<string, Schema & { enum?: string[] }>;
  enum?: string[];
}

const doc = JSON.parse(readFileSync(new URL('../../internal/api/openapi.json', import.meta.url), 'utf8')) as {
  components: { schemas: Record<string, Schema> };
};

describe('API types match openapi.json', () => {
  for (const [name, fields] of Object.entries(ours)) {
    it(name, () => {
      const schema = doc.components.schemas[name];
      expect(schema, `schema ${name}`).toBeDefined();
      expect([...fields].sort()).toEqual(Object.keys(schema?.properties ?? {}).sort());
    });
  }

  // Channels and templates: every field the UI reads must exist on the
  // server (the UI tolerates fields it does not know, e.g. health.warning).
  const reads: Record<string, readonly string[]> = {
    Channel: [
      'id', 'name', 'phone_number_id', 'waba_id', 'display_phone_number', 'graph_url', 'mark_read', 'emulated',
      'created_at', 'updated_at', 'health', 'webhook_url', 'retention_days',
    ] satisfies (keyof Channel)[],
    Template: ['channel_id', 'name', 'language', 'status', 'category', 'parameter_format', 'components', 'synced_at'] satisfies (keyof Template)[],
  };
  for (const [name, fields] of Object.entries(reads)) {
    it(`${name} has the fields the UI reads`, () => {
      const props = Object.keys(doc.components.schemas[name]?.properties ?? {});
      expect(fields.filter((f) => !props.includes(f))).toEqual([]);
    });
  }
  it('Channel.health has the fields the UI reads', () => {
    const health = doc.components.schemas.Channel?.properties?.health;
    const props = Object.keys(health?.properties ?? {});
    const fields: (keyof ChannelHealth)[] = [
      'last_webhook_at', 'last_send_at', 'token_state', 'token_error', 'templates_synced_at', 'template_sync_error',
      'outbox_depth', 'webhook_queue_depth',
    ];
    expect(fields.filter((f) => !props.includes(f))).toEqual([]);
  });

  it('knows every event type, message type, status and permission', () => {
    const s = doc.components.schemas;
    const eventTypes: InboxEvent['type'][] = [
      'message.created', 'message.updated', 'conversation.created', 'conversation.updated',
      'conversation.assigned', 'conversation.unassigned', 'conversation.deleted', 'resync',
    ];
    expect([...eventTypes].sort()).toEqual([...(s.Event?.properties?.type?.enum ?? [])].sort());
    const messageTypes: Message['type'][] = [
      'text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'interactive', 'button',
      'reaction', 'order', 'system', 'template', 'unsupported',
    ];
    expect([...messageTypes].sort()).toEqual([...(s.Message?.properties?.type?.enum ?? [])].sort());
    const statuses: Message['status'][] = ['pending', 'sent', 'delivered', 'read', 'failed', 'unknown', 'received'];
    expect([...statuses].sort()).toEqual([...(s.Message?.properties?.status?.enum ?? [])].sort());
    const perms: Role['permissions'] = [
      'conversations.read_all', 'conversations.assign', 'conversations.reply', 'conversations.close', 'users.read',
      'users.manage', 'roles.manage', 'audit.read', 'channels.manage', 'privacy.manage',
      'reports.read',
    ];
    expect([...perms].sort()).toEqual([...(s.Permission?.enum ?? [])].sort());
  });
});
