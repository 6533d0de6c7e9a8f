import { download, query, request, upload, type RequestOptions, type Upload } from './client';
import type {
  Availability,
  ChannelRouting,
  Team,
  Label,
  SavedView,
  ViewFilter,
  BulkResult,
  AgentsReport,
  BotsReport,
  CostsReport,
  APIToken,
  CreatedToken,
  ServiceAccount,
  TokenInput,
  AuditEntry,
  AuditVerifyResult,
  Channel,
  ChannelInput,
  ContactErasure,
  ContactProfile,
  ContactPanel,
  ContactNote,
  AttributeDef,
  AttributeType,
  AttributeValue,
  DeadLetter,
  InteractiveSend,
  Conversation,
  SearchResult,
  ConversationPage,
  ConversationsReport,
  LoginResponse,
  Me,
  MediaLimit,
  Message,
  MessagePage,
  MentionItem,
  ThreadEntry,
  CannedReply,
  CannedScope,
  Draft,
  UserRef,
  MessagesReport,
  Page,
  ReportInterval,
  Permission,
  Role,
  SessionState,
  Suggestion,
  SetupStatus,
  SecondFactorChallenge,
  TwoFactorEnrolment,
  Passkey,
  PasskeyCreationOptions,
  PasskeyCredential,
  PasskeyList,
  PasskeyRequestOptions,
  TwoFactorStatus,
  Template,
  User,
  WebhookDelivery,
  WebhookInput,
  WebhookSubscription,
} from './types';

const v1 = '/api/v1';
const enc = encodeURIComponent;

export type { LoginResponse };

export const api = {
  login: (login: string, password: string) =>
    request<LoginResponse | SecondFactorChallenge>('POST', `${v1}/session`, { login, password }, { quiet401: true }),
  loginSecondFactor: (challenge: string, code: string) =>
    request<LoginResponse>('POST', `${v1}/session/second-factor`, { challenge, code }, { quiet401: true }),
  passkeySignInOptions: (challenge: string) =>
    request<{ public_key: PasskeyRequestOptions }>('POST', `${v1}/session/passkey/options`, { challenge }, { quiet401: true }),
  loginPasskey: (challenge: string, credential: PasskeyCredential) =>
    request<LoginResponse>('POST', `${v1}/session/passkey`, { challenge, credential }, { quiet401: true }),
  passkeys: () => request<PasskeyList>('GET', `${v1}/me/passkeys`),
  passkeyOptions: () => request<{ public_key: PasskeyCreationOptions }>('POST', `${v1}/me/passkeys/options`),
  registerPasskey: (name: string, credential: PasskeyCredential) => request<Passkey>('POST', `${v1}/me/passkeys`, { name, credential }),
  deletePasskey: (id: string, password: string) => request<void>('DELETE', `${v1}/me/passkeys/${enc(id)}`, { password }),
  twoFactor: () => request<TwoFactorStatus>('GET', `${v1}/me/two-factor`),
  beginTwoFactor: () => request<TwoFactorEnrolment>('POST', `${v1}/me/two-factor`),
  confirmTwoFactor: (code: string) => request<{ recovery_codes: string[] }>('POST', `${v1}/me/two-factor/confirm`, { code }),
  disableTwoFactor: (p: { password?: string; code?: string }) => request<void>('POST', `${v1}/me/two-factor/disable`, p),
  regenerateRecoveryCodes: (p: { password: string; code: string }) =>
    request<{ recovery_codes: string[] }>('POST', `${v1}/me/two-factor/recovery-codes`, p),
  resetTwoFactor: (userID: string) => request<void>('DELETE', `${v1}/users/${enc(userID)}/two-factor`),
  setRoleTwoFactor: (roleID: string, require_two_factor: boolean) =>
    request<Role>('PUT', `${v1}/roles/${enc(roleID)}/two-factor`, { require_two_factor }),
  /** session says whether this browser is signed in, with 200 either way (no 401 in the console on the sign-in page). */
  session: () => request<SessionState>('GET', `${v1}/session`, undefined, { quiet401: true }),
  logout: () => request<void>('DELETE', `${v1}/session`, undefined, { quiet401: true }),
  logoutEverywhere: () => request<void>('DELETE', `${v1}/sessions`),
  setupStatus: () => request<SetupStatus>('GET', `${v1}/setup`, undefined, { quiet401: true }),
  completeSetup: (token: string, login: string, name: string, password: string) =>
    request<LoginResponse>('POST', `${v1}/setup`, { token, login, name, password }, { quiet401: true }),
  me: (opts: RequestOptions = { quiet401: true }) => request<Me>('GET', `${v1}/me`, undefined, opts),
  changePassword: (current_password: string, new_password: string) =>
    request<void>('POST', `${v1}/me/password`, { current_password, new_password }),
  myTokens: () => request<Page<APIToken>>('GET', `${v1}/me/tokens`),
  createMyToken: (t: TokenInput) => request<CreatedToken>('POST', `${v1}/me/tokens`, t),
  revokeMyToken: (id: string) => request<void>('DELETE', `${v1}/me/tokens/${enc(id)}`),
  serviceAccounts: () => request<Page<ServiceAccount>>('GET', `${v1}/service-accounts`),
  createServiceAccount: (a: { login: string; name: string; role_id: string; description: string; bot?: boolean }) =>
    request<ServiceAccount>('POST', `${v1}/service-accounts`, a),
  serviceAccountTokens: (id: string) => request<Page<APIToken>>('GET', `${v1}/service-accounts/${enc(id)}/tokens`),
  createServiceAccountToken: (id: string, t: TokenInput) => request<CreatedToken>('POST', `${v1}/service-accounts/${enc(id)}/tokens`, t),
  revokeServiceAccountToken: (id: string, tokenId: string) =>
    request<void>('DELETE', `${v1}/service-accounts/${enc(id)}/tokens/${enc(tokenId)}`),
  permissions: () => request<{ items: { name: Permission }[] }>('GET', `${v1}/permissions`),

  users: (p: { q?: string; role_id?: string; active?: boolean; cursor?: string; limit?: number }, signal?: AbortSignal) =>
    request<Page<User>>('GET', `${v1}/users${query(p)}`, undefined, signal ? { signal } : {}),
  assignable: (conversationId: string, q: string, signal?: AbortSignal) =>
    request<{ items: User[] }>('GET', `${v1}/conversations/${enc(conversationId)}/assignable${query({ q, limit: 20 })}`, undefined, signal ? { signal } : {}),
  createUser: (u: { login: string; name: string; role_id: string; password: string }) =>
    request<User>('POST', `${v1}/users`, u),
  updateUser: (id: string, patch: { name?: string; role_id?: string; active?: boolean; password?: string; unassign_all?: boolean; reassign_to?: string }) =>
    request<User>('PATCH', `${v1}/users/${enc(id)}`, patch),

  labels: () => request<{ items: Label[] }>('GET', `${v1}/labels`),
  createLabel: (l: { name: string; color: string }) => request<Label>('POST', `${v1}/labels`, l),
  updateLabel: (id: string, l: { name: string; color: string }) => request<Label>('PUT', `${v1}/labels/${enc(id)}`, l),
  deleteLabel: (id: string) => request<void>('DELETE', `${v1}/labels/${enc(id)}`),
  addLabel: (convId: string, labelId: string) =>
    request<Conversation>('PUT', `${v1}/conversations/${enc(convId)}/labels/${enc(labelId)}`),
  removeLabel: (convId: string, labelId: string) =>
    request<Conversation>('DELETE', `${v1}/conversations/${enc(convId)}/labels/${enc(labelId)}`),
  bulkConversations: (b: { ids: string[]; action: 'assign' | 'unassign' | 'label' | 'unlabel' | 'status'; user_id?: string; label_id?: string; status?: 'open' | 'closed' }) =>
    request<{ results: BulkResult[]; failed: number }>('POST', `${v1}/conversations/bulk`, b),
  savedViews: () => request<{ items: SavedView[] }>('GET', `${v1}/me/views`),
  createSavedView: (v: { name: string; filter: ViewFilter }) => request<SavedView>('POST', `${v1}/me/views`, v),
  deleteSavedView: (id: string) => request<void>('DELETE', `${v1}/me/views/${enc(id)}`),

  teams: () => request<{ items: Team[] }>('GET', `${v1}/teams`),
  createTeam: (tm: { name: string; member_ids: string[] }) => request<Team>('POST', `${v1}/teams`, tm),
  updateTeam: (id: string, tm: { name: string; member_ids: string[] }) => request<Team>('PUT', `${v1}/teams/${enc(id)}`, tm),
  deleteTeam: (id: string) => request<void>('DELETE', `${v1}/teams/${enc(id)}`),
  setAvailability: (availability: Availability) =>
    request<{ availability: Availability }>('PUT', `${v1}/me/availability`, { availability }),
  setConversationTeam: (id: string, teamId: string) =>
    request<Conversation>('PUT', `${v1}/conversations/${enc(id)}/team`, { team_id: teamId }),
  channelRouting: (id: string) => request<ChannelRouting>('GET', `${v1}/channels/${enc(id)}/routing`),
  setChannelRouting: (id: string, r: ChannelRouting) => request<ChannelRouting>('PUT', `${v1}/channels/${enc(id)}/routing`, r),
  roles: () => request<Page<Role>>('GET', `${v1}/roles`),
  createRole: (r: { name: string; description: string; permissions: Permission[]; all_channels: boolean; channel_ids: string[] }) =>
    request<Role>('POST', `${v1}/roles`, r),
  updateRole: (id: string, r: { name?: string; description?: string; permissions?: Permission[]; all_channels?: boolean; channel_ids?: string[] }) =>
    request<Role>('PATCH', `${v1}/roles/${enc(id)}`, r),
  deleteRole: (id: string) => request<void>('DELETE', `${v1}/roles/${enc(id)}`),

  conversations: (
    p: {
      assignment?: string;
      status?: string;
      q?: string;
      team?: string;
      cursor?: string;
      limit?: number;
      assignee?: string;
      label?: string;
      channel?: string;
      unread?: string;
      sort?: string;
    },
    signal?: AbortSignal,
  ) => request<ConversationPage>('GET', `${v1}/conversations${query(p)}`, undefined, signal ? { signal } : {}),
  conversation: (id: string) => request<Conversation>('GET', `${v1}/conversations/${enc(id)}`),
  searchMessages: (p: { q: string; cursor?: string; limit?: number }, signal?: AbortSignal) =>
    request<Page<SearchResult>>('GET', `${v1}/search/messages${query(p)}`, undefined, signal ? { signal } : {}),
  setStatus: (id: string, status: 'open' | 'pending' | 'snoozed' | 'resolved', snoozedUntil?: string | null) =>
    request<Conversation>('PATCH', `${v1}/conversations/${enc(id)}`, snoozedUntil ? { status, snoozed_until: snoozedUntil } : { status }),
  markRead: (id: string) => request<void>('POST', `${v1}/conversations/${enc(id)}/read`),
  messages: (id: string, p: { before?: string; limit?: number }) =>
    request<MessagePage>('GET', `${v1}/conversations/${enc(id)}/messages${query(p)}`),
  addNote: (id: string, text: string, mentions: string[]) =>
    request<ThreadEntry>('POST', `${v1}/conversations/${enc(id)}/notes`, { text, mentions }),
  mentionable: (id: string, q: string, signal?: AbortSignal) =>
    request<{ items: UserRef[] }>('GET', `${v1}/conversations/${enc(id)}/mentionable${query({ q, limit: 8 })}`, undefined, signal ? { signal } : {}),
  dismissMention: (id: string) => request<void>('DELETE', `${v1}/conversations/${enc(id)}/mention`),
  mentions: () => request<{ items: MentionItem[] }>('GET', `${v1}/mentions`),
  markMentionRead: (id: string) => request<void>('POST', `${v1}/conversations/${enc(id)}/mention/read`),
  // Every send carries an Idempotency-Key: a retry after a lost response
  // returns the first result instead of sending twice.
  sendText: (id: string, text: string, replyTo: string | undefined, key: string) =>
    request<Message>(
      'POST',
      `${v1}/conversations/${enc(id)}/messages`,
      { type: 'text', text, ...(replyTo ? { reply_to: replyTo } : {}) },
      { headers: { 'Idempotency-Key': key } },
    ),
  sendTemplate: (id: string, template: { name: string; language: string; parameters: Record<string, string> }, key: string) =>
    request<Message>('POST', `${v1}/conversations/${enc(id)}/messages`, { type: 'template', template }, { headers: { 'Idempotency-Key': key } }),
  sendInteractive: (id: string, interactive: InteractiveSend, replyTo: string | undefined, key: string) =>
    request<Message>(
      'POST',
      `${v1}/conversations/${enc(id)}/messages`,
      { type: 'interactive', interactive, ...(replyTo ? { reply_to: replyTo } : {}) },
      { headers: { 'Idempotency-Key': key } },
    ),
  // Tells the customer a reply is being typed; the server sends WhatsApp's
  // indicator at most every 25 s, so calling it often is fine.
  typing: (id: string) => request<void>('POST', `${v1}/conversations/${enc(id)}/typing`),
  composerActivity: (id: string, kind: 'reply' | 'note') =>
    request<void>('POST', `${v1}/conversations/${enc(id)}/composer-activity`, { kind }, { quiet401: true }),
  draft: (id: string, signal?: AbortSignal) => request<Draft>('GET', `${v1}/conversations/${enc(id)}/draft`, undefined, signal ? { signal } : {}),
  saveDraft: (id: string, text: string, keepalive = false) =>
    request<Draft>('PUT', `${v1}/conversations/${enc(id)}/draft`, { text }, keepalive ? { keepalive: true } : {}),
  cannedReplies: (q: string, scope?: CannedScope, signal?: AbortSignal) =>
    request<{ items: CannedReply[] }>('GET', `${v1}/canned-replies${query({ q, scope, limit: 200 })}`, undefined, signal ? { signal } : {}),
  createCannedReply: (r: { scope: CannedScope; shortcut: string; title: string; text: string }) =>
    request<CannedReply>('POST', `${v1}/canned-replies`, r),
  updateCannedReply: (id: string, r: { shortcut: string; title: string; text: string }) =>
    request<CannedReply>('PUT', `${v1}/canned-replies/${enc(id)}`, r),
  deleteCannedReply: (id: string) => request<void>('DELETE', `${v1}/canned-replies/${enc(id)}`),
  renderCannedReply: (convId: string, replyId: string) =>
    request<{ text: string }>('GET', `${v1}/conversations/${enc(convId)}/canned-replies/${enc(replyId)}/render`),
  block: (id: string) => request<Conversation>('PUT', `${v1}/conversations/${enc(id)}/block`),
  unblock: (id: string) => request<Conversation>('DELETE', `${v1}/conversations/${enc(id)}/block`),
  mediaLimits: () => request<{ items: MediaLimit[] }>('GET', `${v1}/media/limits`),
  sendErrors: () => request<{ retryable_codes?: number[] }>('GET', `${v1}/send-errors`),
  // A message whose outcome is unknown, sent again on the user's request.
  retryMessage: (id: string) => request<Message>('POST', `${v1}/messages/${enc(id)}/retry`),
  sendFile: (
    id: string,
    kind: 'image' | 'video' | 'audio' | 'document' | 'sticker',
    file: File,
    caption: string,
    replyTo: string | undefined,
    key: string,
    onProgress: (f: number) => void,
  ): Upload<Message> => {
    // The server streams the file and needs the text fields before it.
    const form = new FormData();
    form.append('type', kind);
    form.append('size', String(file.size));
    if (caption) form.append('caption', caption);
    if (replyTo) form.append('reply_to', replyTo);
    form.append('file', file, file.name);
    return upload<Message>(`${v1}/conversations/${enc(id)}/messages`, form, onProgress, { 'Idempotency-Key': key });
  },
  handOff: (id: string, to: 'human' | 'bot', reason = '', summary = '') =>
    request<Conversation>('POST', `${v1}/conversations/${enc(id)}/handoff`, { to, reason, summary }),
  suggestions: (id: string) => request<{ items: Suggestion[] }>('GET', `${v1}/conversations/${enc(id)}/suggestions${query({ state: 'pending' })}`),
  sendSuggestion: (id: string, sid: string, text?: string) =>
    request<{ message: Message; suggestion: Suggestion }>(
      'POST',
      `${v1}/conversations/${enc(id)}/suggestions/${enc(sid)}/send`,
      text === undefined ? undefined : { text },
    ),
  discardSuggestion: (id: string, sid: string) =>
    request<Suggestion>('POST', `${v1}/conversations/${enc(id)}/suggestions/${enc(sid)}/discard`),
  assign: (id: string, userId: string) =>
    request<Conversation>('PUT', `${v1}/conversations/${enc(id)}/assignees/${enc(userId)}`),
  unassign: (id: string, userId: string) =>
    request<Conversation>('DELETE', `${v1}/conversations/${enc(id)}/assignees/${enc(userId)}`),
  mediaURL: (mediaId: string) => `${v1}/media/${enc(mediaId)}`,

  // GDPR (privacy.manage): everything stored about a contact as a ZIP, and erasure.
  contactProfile: (contactId: string) => request<ContactProfile>('GET', `${v1}/contacts/${enc(contactId)}`),
  contactPanel: (convId: string) => request<ContactPanel>('GET', `${v1}/conversations/${enc(convId)}/contact`),
  addContactNote: (convId: string, text: string) =>
    request<ContactNote>('POST', `${v1}/conversations/${enc(convId)}/contact/notes`, { text }),
  deleteContactNote: (convId: string, noteId: string) =>
    request<void>('DELETE', `${v1}/conversations/${enc(convId)}/contact/notes/${enc(noteId)}`),
  setContactAttributes: (convId: string, values: Record<string, string>) =>
    request<{ values: Record<string, AttributeValue> }>('PUT', `${v1}/conversations/${enc(convId)}/contact/attributes`, { values }),
  attributeDefs: () => request<{ items: AttributeDef[] }>('GET', `${v1}/contact-attributes`),
  createAttributeDef: (d: { name: string; type: AttributeType; options?: string[] }) =>
    request<AttributeDef>('POST', `${v1}/contact-attributes`, d),
  updateAttributeDef: (id: string, d: { name: string; options?: string[] }) =>
    request<AttributeDef>('PUT', `${v1}/contact-attributes/${enc(id)}`, d),
  deleteAttributeDef: (id: string) => request<void>('DELETE', `${v1}/contact-attributes/${enc(id)}`),
  exportContact: (contactId: string) => download(`${v1}/contacts/${enc(contactId)}/export`),
  eraseContact: (contactId: string) => request<ContactErasure>('DELETE', `${v1}/contacts/${enc(contactId)}`),

  audit: (p: {
    actor?: string;
    action?: string;
    object_type?: string;
    object?: string;
    since?: string;
    until?: string;
    cursor?: string;
    limit?: number;
  }) => request<Page<AuditEntry>>('GET', `${v1}/audit${query(p)}`),
  verifyAudit: () => request<AuditVerifyResult>('POST', `${v1}/audit/verify`),
  auditActions: () => request<{ items?: string[]; object_types?: string[] }>('GET', `${v1}/audit/actions`),

  channels: () => request<Page<Channel>>('GET', `${v1}/channels`),
  channel: (id: string) => request<Channel>('GET', `${v1}/channels/${enc(id)}`),
  createChannel: (c: ChannelInput) => request<Channel>('POST', `${v1}/channels`, c),
  updateChannel: (id: string, c: ChannelInput) => request<Channel>('PATCH', `${v1}/channels/${enc(id)}`, c),
  syncTemplates: (id: string) => request<Page<Template>>('POST', `${v1}/channels/${enc(id)}/templates/sync`),
  deadLetters: () => request<Page<DeadLetter>>('GET', `${v1}/dead-letters`),
  replayDeadLetter: (id: number) => request<void>('POST', `${v1}/dead-letters/${id}/replay`),
  webhooks: () => request<Page<WebhookSubscription>>('GET', `${v1}/webhooks`),
  createWebhook: (w: WebhookInput) => request<WebhookSubscription>('POST', `${v1}/webhooks`, w),
  updateWebhook: (id: string, w: WebhookInput) => request<WebhookSubscription>('PATCH', `${v1}/webhooks/${enc(id)}`, w),
  deleteWebhook: (id: string) => request<void>('DELETE', `${v1}/webhooks/${enc(id)}`),
  rotateWebhookSecret: (id: string) => request<WebhookSubscription>('POST', `${v1}/webhooks/${enc(id)}/rotate-secret`),
  webhookDeliveries: (id: string) => request<Page<WebhookDelivery>>('GET', `${v1}/webhooks/${enc(id)}/deliveries`),
  redeliverWebhook: (id: string, delivery: string) =>
    request<WebhookDelivery>('POST', `${v1}/webhooks/${enc(id)}/deliveries/${enc(delivery)}/redeliver`),
  templates: (channelId: string) => request<Page<Template>>('GET', `${v1}/templates${query({ channel: channelId })}`),

  reportConversations: (p: ReportQuery, signal?: AbortSignal) =>
    request<ConversationsReport>('GET', `${v1}/reports/conversations${query({ ...p })}`, undefined, signal ? { signal } : {}),
  reportAgents: (p: ReportQuery, signal?: AbortSignal) =>
    request<AgentsReport>('GET', `${v1}/reports/agents${query({ ...p })}`, undefined, signal ? { signal } : {}),
  reportMessages: (p: ReportQuery, signal?: AbortSignal) =>
    request<MessagesReport>('GET', `${v1}/reports/messages${query({ ...p })}`, undefined, signal ? { signal } : {}),
  reportCosts: (p: ReportQuery, signal?: AbortSignal) =>
    request<CostsReport>('GET', `${v1}/reports/costs${query({ ...p })}`, undefined, signal ? { signal } : {}),
  reportBots: (p: ReportQuery, signal?: AbortSignal) =>
    request<BotsReport>('GET', `${v1}/reports/bots${query({ ...p })}`, undefined, signal ? { signal } : {}),
  /** reportCSV downloads a report's table as CSV (audited as report.export). */
  reportCSV: (report: 'conversations' | 'agents' | 'messages' | 'costs' | 'bots', p: ReportQuery) =>
    download(`${v1}/reports/${report}${query({ ...p, format: 'csv' })}`),
};

/** ReportQuery selects a report: local dates from and to (both included), the period width and the time zone. */
export interface ReportQuery {
  from: string;
  to: string;
  interval?: ReportInterval;
  tz?: string;
  channel?: string;
}
