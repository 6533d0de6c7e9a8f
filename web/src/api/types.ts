// API shapes, written from internal/api/openapi.json and the Go domain types.
// test/openapi.test.ts checks every field name here against the document, so
// a renamed field on the server fails the web tests.

export type Permission =
  | 'conversations.read_all'
  | 'conversations.assign'
  | 'conversations.reply'
  | 'conversations.close'
  | 'users.read'
  | 'users.manage'
  | 'roles.manage'
  | 'audit.read'
  | 'channels.manage'
  | 'privacy.manage'
  | 'reports.read';

export interface User {
  id: string;
  login: string;
  name: string;
  role_id: string;
  active: boolean;
  created_at: string;
  updated_at: string;
}

export interface Role {
  id: string;
  name: string;
  description: string;
  permissions: Permission[];
  /** Every channel, present and future; channel_ids is then empty. */
  all_channels: boolean;
  channel_ids: string[] | null;
  built_in: boolean;
  created_at: string;
  updated_at: string;
}

export interface Me {
  user: User;
  role: Role;
}

export interface UserRef {
  id: string;
  name: string;
}

export interface Contact {
  id: string;
  channel_id: string;
  /** Empty for a customer who shares only a WhatsApp username. */
  phone: string;
  /** WhatsApp business-scoped user id (BSUID). */
  user_id?: string;
  parent_user_id?: string;
  /** WhatsApp username, e.g. "@mira.okafor". */
  username?: string;
  name: string;
  created_at: string;
}

export type Direction = 'in' | 'out';

export interface MessagePreview {
  text: string;
  type: MessageType;
  direction: Direction;
  at: string;
}

export type ConversationStatus = 'open' | 'closed';

export interface Conversation {
  id: string;
  channel_id: string;
  contact: Contact;
  status: ConversationStatus;
  assignees: UserRef[] | null;
  last_message: MessagePreview | null;
  last_inbound_at: string | null;
  window_closes_at: string | null;
  unread_count: number;
  created_at: string;
  updated_at: string;
}

export type MessageType =
  | 'text'
  | 'image'
  | 'audio'
  | 'video'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contacts'
  | 'interactive'
  | 'button'
  | 'reaction'
  | 'order'
  | 'system'
  | 'template'
  | 'unsupported';

export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed' | 'unknown' | 'received';

export interface Media {
  id?: string;
  mime_type: string;
  filename?: string;
  size?: number;
  sha256?: string;
  voice?: boolean;
  animated?: boolean;
  state?: 'pending' | 'ready' | 'failed' | 'expired';
}

export interface Location {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
  url?: string;
}

export interface Interactive {
  kind: string;
  id?: string;
  title?: string;
  description?: string;
}

export interface Reaction {
  message_id?: string;
  emoji: string;
}

export interface TemplateSend {
  name: string;
  language: string;
  parameters?: Record<string, string>;
}

/** A contact card as WhatsApp sends it; only the parts the UI shows. */
export interface SharedContact {
  name?: { formatted_name?: string; first_name?: string; last_name?: string };
  phones?: { phone?: string; wa_id?: string; type?: string }[];
  emails?: { email?: string; type?: string }[];
  org?: { company?: string; title?: string };
}

export interface MessageContent {
  text?: string;
  media?: Media;
  location?: Location;
  contacts?: SharedContact[];
  interactive?: Interactive;
  reaction?: Reaction;
  template?: TemplateSend;
  referral?: unknown;
  forwarded?: boolean;
  frequently_forwarded?: boolean;
  raw?: unknown;
}

export interface MessageError {
  code: number;
  title: string;
  details?: string;
}

export interface Message {
  id: string;
  conversation_id: string;
  direction: Direction;
  type: MessageType;
  content: MessageContent;
  wa_message_id?: string;
  status: MessageStatus;
  error?: MessageError;
  reply_to_id?: string;
  sender_id?: string;
  /** The sending user's current name (outbound messages); empty when the user no longer exists. */
  sender_name?: string;
  timestamp: string;
  created_at: string;
  updated_at: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor_id: string;
  actor_login: string;
  action: string;
  object_type: string;
  object_id: string;
  outcome: 'success' | 'failure' | 'denied';
  ip: string;
  user_agent: string;
  detail?: Record<string, string>;
  prev_hash: string;
  hash: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  checked: number;
  broken_at?: number;
  reason?: string;
}

export type EventType =
  | 'message.created'
  | 'message.updated'
  | 'conversation.created'
  | 'conversation.updated'
  | 'conversation.assigned'
  | 'conversation.unassigned'
  | 'conversation.deleted'
  | 'resync';

/** Data of conversation.deleted: the conversation no longer exists. */
export interface DeletedConversationData {
  id: string;
  contact_id: string;
  reason: 'erased';
}

export interface AssignmentData {
  conversation: Conversation;
  user_id: string;
}

export interface InboxEvent {
  id: number;
  type: EventType;
  at: string;
  conversation_id?: string;
  data?: unknown;
}

export interface Page<T> {
  items: T[];
  next_cursor: string;
}

/** Optional per-filter counts; the list endpoint may add them later. */
export interface ConversationCounts {
  all?: number;
  unassigned?: number;
  assigned?: number;
  mine?: number;
  open?: number;
  closed?: number;
}

export interface ConversationPage extends Page<Conversation> {
  counts?: ConversationCounts;
}

// Channels and templates arrive in a later server change; these follow
// channel.go and the emulator's template shape.

export interface Channel {
  id: string;
  name: string;
  phone_number_id: string;
  waba_id: string;
  display_phone_number: string;
  graph_url?: string;
  mark_read: boolean;
  emulated: boolean;
  created_at: string;
  updated_at: string;
  health?: ChannelHealth;
  /** Where Meta must send this channel's webhooks (server's public URL). */
  webhook_url?: string;
  /** Days after which messages and media are deleted by the daily job; 0 keeps them for ever. Absent on older servers. */
  retention_days?: number;
}

/** ChannelHealth follows switchboard.ChannelHealth; Go's zero time means "never". */
export interface ChannelHealth {
  last_webhook_at?: string | null;
  last_send_at?: string | null;
  /** "unknown", "valid" or "rejected". */
  token_state?: string;
  token_error?: string;
  templates_synced_at?: string | null;
  template_sync_error?: string;
  outbox_depth?: number;
  webhook_queue_depth?: number;
  /** A sentence the server wants an administrator to see. */
  warning?: string;
}

/** DeadLetter follows switchboard.DeadLetter: a webhook event that could not be applied, kept until replayed. */
export interface DeadLetter {
  id: number;
  channel_id: string;
  /** Why it was kept, in the server's words (no customer content). */
  reason: string;
  received_at: string;
  dead_at: string;
  attempts: number;
}

/** An outgoing webhook subscription (GET /api/v1/webhooks). */
export interface WebhookSubscription {
  id: string;
  description: string;
  url: string;
  events: string[];
  all_channels: boolean;
  channel_ids: string[];
  active: boolean;
  created_by: string;
  created_at: string;
  updated_at: string;
  /** Only in the response that created or rotated it. */
  secret?: string;
}

export interface WebhookInput {
  description?: string;
  url?: string;
  events?: string[];
  channel_ids?: string[];
  active?: boolean;
}

/** One delivery of an event to a subscription, with its last attempt. */
export interface WebhookDelivery {
  id: string;
  subscription_id: string;
  event_type: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  created_at: string;
  next_attempt_at: string;
  last_attempt_at: string;
  last_status: number;
  last_latency_ms: number;
  last_error: string;
}

export interface ChannelInput {
  name?: string;
  phone_number_id?: string;
  waba_id?: string;
  display_phone_number?: string;
  graph_url?: string;
  access_token?: string;
  app_secret?: string;
  verify_token?: string;
  mark_read?: boolean;
  /** 0 (keep for ever) or 1 to 3650; sent only when it changes. */
  retention_days?: number;
}

export interface TemplateButton {
  type: string;
  text: string;
  url?: string;
  phone_number?: string;
}

export interface TemplateComponent {
  type: 'HEADER' | 'BODY' | 'FOOTER' | 'BUTTONS' | string;
  format?: string;
  text?: string;
  buttons?: TemplateButton[];
}

export interface Template {
  id?: string;
  channel_id?: string;
  name: string;
  language: string;
  status?: string;
  category?: string;
  parameter_format?: string;
  components: TemplateComponent[];
  synced_at?: string;
}

export interface ApiErrorBody {
  error: { code: string; message: string };
}

/** ContactErasure is DELETE /api/v1/contacts/{id}'s answer: what was destroyed. */
export interface ContactErasure {
  contact_id: string;
  conversations: number;
  messages: number;
  media_files: number;
}

/** ReportDurations: how many, median and 90th percentile in whole seconds (nearest rank; null when none). */
export interface ReportDurations {
  count: number;
  median_seconds: number | null;
  p90_seconds: number | null;
}

export interface ConversationPeriod {
  period: string;
  opened: number;
  resolved: number;
  reopened: number;
  unanswered: number;
  first_response: ReportDurations;
  resolution: ReportDurations;
}

export interface ChannelTotals extends ConversationPeriod {
  channel_id: string;
}

export type ReportInterval = 'day' | 'week' | 'month';

export interface ConversationsReport {
  from: string;
  to: string;
  tz: string;
  interval: ReportInterval;
  periods: ConversationPeriod[];
  channels: ChannelTotals[];
  total: ConversationPeriod;
}

export interface AgentRow {
  user_id: string;
  name: string;
  active: boolean;
  assigned: number;
  replied: number;
  resolved: number;
  messages_sent: number;
  sessions_started: number;
  first_response: ReportDurations;
  last_seen_at: string | null;
}

export interface AgentsReport {
  from: string;
  to: string;
  tz: string;
  agents: AgentRow[];
}

export interface MessagePeriod {
  period: string;
  in: number;
  out: number;
  failed: number;
  in_by_type: Record<string, number>;
  out_by_type: Record<string, number>;
}

export interface MessagesReport {
  from: string;
  to: string;
  tz: string;
  interval: ReportInterval;
  periods: MessagePeriod[];
  errors: { code: number; count: number }[];
  total: MessagePeriod;
}
