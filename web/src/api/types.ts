// API shapes. Everything the server sends is generated from
// internal/api/openapi.json into ./schema.d.ts (scripts/api-types.mjs); this
// file gives those types the names the app uses, and adds only what the
// document leaves open (contact cards, template components) or what the
// app builds itself. The Go test TestResponsesMatchOpenAPI holds the
// handlers to the same document, so the two sides cannot drift apart.
import type { components, operations } from './schema';

type Schemas = components['schemas'];
type JSONBody<R> = R extends { content: { 'application/json': infer B } } ? B : never;

export type Permission = Schemas['Permission'];
export type User = Schemas['User'];
export type Team = Schemas['Team'];
export type Label = Schemas['Label'];
export type LabelRef = Schemas['LabelRef'];
export type SavedView = Schemas['SavedView'];
export type ViewFilter = Schemas['ViewFilter'];
export type BulkResult = Schemas['BulkResult'];
export type ChannelRouting = Schemas['ChannelRouting'];
export type Availability = Schemas['Availability'];
export type Role = Schemas['Role'];
export type Me = JSONBody<operations['getMe']['responses'][200]>;
export type SessionState = JSONBody<operations['getSessionState']['responses'][200]>;
export type SetupStatus = JSONBody<operations['setupStatus']['responses'][200]>;
export type LoginResponse = Schemas['LoginResponse'];
export type UserRef = Schemas['UserRef'];
export type Contact = Schemas['Contact'];
export type Direction = Schemas['Message']['direction'];
export type MessagePreview = Schemas['MessagePreview'];
export type ConversationStatus = Schemas['Conversation']['status'];
export type Conversation = Schemas['Conversation'];
export type SearchResult = Schemas['SearchResult'];
export type MessageType = Schemas['Message']['type'];
export type MessageStatus = Schemas['Message']['status'];
export type Media = Schemas['Media'];
export type Location = Schemas['Location'];
export type Interactive = Schemas['Interactive'];
export type Reaction = Schemas['Reaction'];
export type TemplateSend = Schemas['TemplateSend'];
export type InteractiveSend = Schemas['InteractiveSend'];

/** A contact card as WhatsApp sends it (the document leaves it open); only the parts the UI shows. */
export interface SharedContact {
  name?: { formatted_name?: string; first_name?: string; last_name?: string };
  phones?: { phone?: string; wa_id?: string; type?: string }[];
  emails?: { email?: string; type?: string }[];
  org?: { company?: string; title?: string };
}

export type MessageContent = Omit<Schemas['MessageContent'], 'contacts'> & { contacts?: SharedContact[] };
export type MessageError = NonNullable<Schemas['Message']['error']>;
export type Message = Omit<Schemas['Message'], 'content'> & { content: MessageContent };
export type AuditEntry = Schemas['AuditEntry'];
export type AuditVerifyResult = JSONBody<operations['verifyAudit']['responses'][200]>;
export type EventType = Schemas['Event']['type'];
/** Data of conversation.deleted: the conversation no longer exists. */
export type DeletedConversationData = Schemas['DeletedConversation'];
export type AssignmentData = Schemas['AssignmentEvent'];
export type ConversationReminder = Schemas['ConversationReminder'];
export type InboxEvent = Schemas['Event'];
export type Handler = Schemas['Conversation']['handler'];
export type Handoff = Schemas['Handoff'];
/** Data of handoff.to_human and handoff.to_bot. */
export type HandoffChange = Schemas['HandoffChange'];
/** A bot's draft reply for a person to send, edit or discard. */
export type Suggestion = Schemas['Suggestion'];
/** A private note or an activity line in a conversation's thread. */
export type ThreadEntry = Schemas['ThreadEntry'];
/** A saved answer the composer inserts with `/`: shared or the user's own. */
export type CannedReply = Schemas['CannedReply'];
export type CannedScope = CannedReply['scope'];
/** The user's unsent composer text in a conversation, kept on the server. */
export type Draft = Schemas['Draft'];
/** Someone else is writing in a conversation (event composer.activity). */
export type ComposerActivity = Schemas['ComposerActivity'];
export type Activity = Schemas['Activity'];
export type MentionItem = Schemas['MentionItem'];
export type MessagePage = JSONBody<operations['listMessages']['responses'][200]>;

export interface Page<T> {
  items: T[];
  next_cursor: string;
}

export type ConversationCounts = Schemas['ConversationCounts'];
export type ConversationPage = JSONBody<operations['listConversations']['responses'][200]>;

/**
 * ChannelHealth is a channel's health (only for channels.manage); the
 * server sends Go's zero time ("0001-01-01T00:00:00Z") for "never". The
 * channel screen also reads partial health and a warning, which no server
 * sends (they are not in the document), so its fields are optional here.
 */
export type ChannelHealth = Partial<NonNullable<Schemas['Channel']['health']>> & { warning?: string };
export type Channel = Omit<Schemas['Channel'], 'health'> & { health?: ChannelHealth };
/** DeadLetter: a webhook event that could not be applied, kept until replayed. */
export type DeadLetter = Schemas['DeadLetter'];
/** ChannelInput is the body of PATCH /api/v1/channels/{id} (and, with the required fields, of POST). */
export type ChannelInput = NonNullable<operations['updateChannel']['requestBody']>['content']['application/json'];
export type BusinessHours = Schemas['BusinessHours'];
export type BusinessInterval = Schemas['BusinessInterval'];

export interface TemplateButton {
  type: string;
  text: string;
  url?: string;
  phone_number?: string;
}

/** A template component as Meta sends it (the document leaves it open); only the parts the UI reads. */
export interface TemplateComponent {
  type: 'HEADER' | 'BODY' | 'FOOTER' | 'BUTTONS' | string;
  format?: string;
  text?: string;
  buttons?: TemplateButton[];
}

export type Template = Omit<Schemas['Template'], 'components'> & { components: TemplateComponent[] };
export type ApiErrorBody = Schemas['Error'];
/** ContactErasure is DELETE /api/v1/contacts/{id}'s answer: what was destroyed. */
export type ContactErasure = JSONBody<operations['eraseContact']['responses'][200]>;
export type ContactProfile = Schemas['ContactProfile'];
export type ContactPanel = Schemas['ContactPanel'];
export type ContactNote = Schemas['ContactNote'];
export type AttributeDef = Schemas['AttributeDef'];
export type AttributeType = Schemas['AttributeDef']['type'];
export type AttributeValue = Schemas['AttributeValue'];
export type ContactChange = Schemas['ContactChange'];
export type ChannelNotice = Schemas['ChannelNotice'];
/** ReportDurations: how many, median and 90th percentile in whole seconds (nearest rank; null when none). */
export type ReportDurations = Schemas['ReportDurations'];
export type ConversationPeriod = Schemas['ConversationPeriod'];
export type ChannelTotals = Schemas['ChannelTotals'];
export type ReportInterval = Schemas['ConversationsReport']['interval'];
export type ConversationsReport = Schemas['ConversationsReport'];
export type AgentRow = Schemas['AgentRow'];
export type AgentsReport = Schemas['AgentsReport'];
export type MessagePeriod = Schemas['MessagePeriod'];
export type MessagesReport = Schemas['MessagesReport'];
/** CostsReport: messages WhatsApp reported pricing for, billable ones by category; counts, no amounts. */
export type CostsReport = Schemas['CostsReport'];
/** BotsReport: conversations handed to a bot, hand-offs to people and their reasons. */
export type BotsReport = Schemas['BotsReport'];
/** MediaLimit is one row of GET /api/v1/media/limits: a kind, its MIME types and size limit. */
export type MediaLimit = JSONBody<operations['getMediaLimits']['responses'][200]>['items'][number];
/** An API token; the secret is only in CreatedToken, once. */
export type APIToken = Schemas['APIToken'];
export type CreatedToken = Schemas['CreatedToken'];
export type TokenInput = Schemas['TokenRequest'];
/** A non-human user that acts through API tokens. */
export type ServiceAccount = Schemas['ServiceAccount'];
/** POST /api/v1/session for a user with two-factor sign-in on: no session yet. */
export type SecondFactorChallenge = Schemas['SecondFactorChallenge'];
export type TwoFactorStatus = Schemas['TwoFactorStatus'];
export type TwoFactorEnrolment = Schemas['TwoFactorEnrolment'];
/** A passkey of the signed-in user (GET /api/v1/me/passkeys). */
export type Passkey = Schemas['Passkey'];
/** GET /api/v1/me/passkeys: the passkeys and whether passkeys work on this installation. */
export type PasskeyList = JSONBody<operations['listPasskeys']['responses'][200]>;
export type PasskeyCreationOptions = Schemas['PasskeyCreationOptions'];
export type PasskeyRequestOptions = Schemas['PasskeyRequestOptions'];
export type PasskeyCredential = Schemas['PasskeyCredential'];
/** An outgoing webhook subscription (GET /api/v1/webhooks); `secret` only in the answer that created or rotated it. */
export type WebhookSubscription = Schemas['WebhookSubscription'] & { secret?: string };
export type WebhookInput = NonNullable<operations['updateWebhook']['requestBody']>['content']['application/json'];
/** One delivery of an event to a subscription, with its last attempt. */
export type WebhookDelivery = Schemas['WebhookDelivery'];
