// Generated from internal/api/openapi.json by scripts/api-types.mjs
// (openapi-typescript). Do not edit: change the document, then run
// `npm run api-types`. test/openapi.test.ts fails when this file is stale.

export interface paths {
    "/api/v1/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document */
        get: operations["getOpenAPI"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether the request is signed in, and as whom (200 either way, unlike GET /api/v1/me) */
        get: operations["getSessionState"];
        put?: never;
        /**
         * Sign in
         * @description Failed attempts are throttled per account and per client address: 429 with Retry-After. A user with two-factor sign-in on gets 200 with a challenge instead of a session; POST /api/v1/session/second-factor completes the sign-in.
         */
        post: operations["login"];
        /** Sign out */
        delete: operations["logout"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Sign out everywhere */
        delete: operations["logoutEverywhere"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/setup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether first-run setup is needed */
        get: operations["setupStatus"];
        put?: never;
        /**
         * Create the first administrator with the one-time setup token
         * @description Refused with 409 once any user exists; a wrong, used or expired token is 404 and counts against the client address (10 per window, then 429). Both answers come before any password is hashed.
         */
        post: operations["completeSetup"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in user and their role */
        get: operations["getMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Change own password (ends all own sessions) */
        post: operations["changePassword"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/permissions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The permission catalogue */
        get: operations["listPermissions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List users (users.read or users.manage) */
        get: operations["listUsers"];
        put?: never;
        /** Create a user (users.manage) */
        post: operations["createUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description User id */
                id: string;
            };
            cookie?: never;
        };
        /** Get a user */
        get: operations["getUser"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change a user (users.manage); deactivation and password reset end their sessions */
        patch: operations["updateUser"];
        trace?: never;
    };
    "/api/v1/roles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List roles */
        get: operations["listRoles"];
        put?: never;
        /** Create a custom role (roles.manage; only within the creator's own permissions and channels) */
        post: operations["createRole"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/roles/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Role id */
                id: string;
            };
            cookie?: never;
        };
        /** Get a role */
        get: operations["getRole"];
        put?: never;
        post?: never;
        /** Delete an unused custom role (roles.manage) */
        delete: operations["deleteRole"];
        options?: never;
        head?: never;
        /** Change a custom role (roles.manage; not one's own role, only within one's own permissions and channels) */
        patch: operations["updateRole"];
        trace?: never;
    };
    "/api/v1/conversations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List conversations the user may see, newest activity first */
        get: operations["listConversations"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        /**
         * Get a conversation
         * @description A conversation the user may not see answers 404, exactly like a missing one.
         */
        get: operations["getConversation"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Set the status: open, pending, snoozed (until a time or the customer writes) or resolved (conversations.close)
         * @description A resolved conversation can only be opened again (409 otherwise, and 409 while the contact has another active conversation). A customer message opens a pending or snoozed conversation again; a snoozed one also comes back at snoozed_until. The deprecated status closed means resolved.
         */
        patch: operations["updateConversation"];
        trace?: never;
    };
    "/api/v1/conversations/{id}/messages": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        /** History, newest first, with the notes and activity lines within the page; marks the conversation read for the user */
        get: operations["listMessages"];
        put?: never;
        /**
         * Send a message (conversations.reply): text, media, template or interactive; stored as pending and delivered by the sender
         * @description Outside the 24-hour customer-service window free text is refused with 422 window_closed. A blocked customer is refused with 409 conflict before anything reaches WhatsApp.
         */
        post: operations["sendMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/assignable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the users who may be assigned this conversation: active, with a role that may reply on its channel (conversations.assign) */
        get: operations["listAssignable"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/assignees/{userId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
                /** @description User id */
                userId: string;
            };
            cookie?: never;
        };
        get?: never;
        /** Assign a user (conversations.assign) */
        put: operations["assign"];
        post?: never;
        /** Remove an assignee (conversations.assign) */
        delete: operations["unassign"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Audit log, newest first (audit.read) */
        get: operations["listAudit"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/actions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The actions the audit log records, sorted (audit.read): the values the action filter takes */
        get: operations["auditActions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Verify the audit hash chain (audit.read with a role for all channels; 403 for channel-limited roles) */
        post: operations["verifyAudit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/backups/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Result of the scheduled backups (audit.read)
         * @description The last scheduled backup: when it was attempted and succeeded, its name, size and duration, and the last error. enabled is false when SWITCHBOARD_BACKUP_TO is not set. The unauthenticated /readyz does not show it; a failed backup does not make the instance unready.
         */
        get: operations["backupStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Real-time events over a WebSocket
         * @description Each user receives only events about conversations they may see. An assigned employee starts receiving a conversation's events at once; an unassigned one receives conversation.unassigned and nothing after. A client that reads too slowly is disconnected. Sockets of ended sessions close within 5 seconds.
         */
        get: operations["events"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/channels": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List channels the user's role allows */
        get: operations["listChannels"];
        put?: never;
        /** Connect a WhatsApp number (channels.manage) */
        post: operations["createChannel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/channels/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Channel id */
                id: string;
            };
            cookie?: never;
        };
        /** A channel, with its health for channels.manage */
        get: operations["getChannel"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change a channel (channels.manage); omitted secrets stay */
        patch: operations["updateChannel"];
        trace?: never;
    };
    "/api/v1/channels/{id}/templates/sync": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Channel id */
                id: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sync message templates from Meta now (channels.manage) */
        post: operations["syncTemplates"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/templates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Approved templates of a channel */
        get: operations["listTemplates"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/media": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Upload a file for a later send (conversations.reply); checked against WhatsApp's type and size limits */
        post: operations["uploadMedia"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/media/limits": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The kinds of file a message can carry: MIME types and size limits (the table uploads are checked against) */
        get: operations["getMediaLimits"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/send-errors": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Which failed messages may be sent again: the error codes after which a retry can succeed (0: no answer from Meta or the sender gave up after temporary failures; Meta's temporary codes). Any other code is permanent. */
        get: operations["sendErrors"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/media/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Media id */
                id: string;
            };
            cookie?: never;
        };
        /** Download a file of a conversation the user may see */
        get: operations["getMedia"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/read": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark everything in the conversation read for the user (and send a read receipt if the channel wants them) */
        post: operations["markRead"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/contacts/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Contact id (Conversation.contact.id) */
                id: string;
            };
            cookie?: never;
        };
        /**
         * A contact's profile: marketing preference and identity history
         * @description For anyone who can see one of the contact's conversations (404 otherwise). marketing is the customer's latest user_preferences report (absent if none); identity_history lists earlier phone numbers and BSUIDs from user_changed_number / user_changed_user_id, oldest first.
         */
        get: operations["getContact"];
        put?: never;
        post?: never;
        /**
         * Erase a contact and everything stored about them (privacy.manage)
         * @description Destroys the contact's data key and deletes their conversations, messages, media and search terms in one transaction, records the erasure in the erasure register (re-applied by every restore) and audits it as contact.erase. See docs/gdpr.md.
         */
        delete: operations["eraseContact"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/contacts/{id}/export": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Contact id (Conversation.contact.id) */
                id: string;
            };
            cookie?: never;
        };
        /**
         * Export everything stored about a contact as a zip (privacy.manage)
         * @description GDPR articles 15 and 20. The archive holds README.txt, contact.json (profile and channel), conversations.json, messages.json (oldest first), media.json with the decrypted files under media/, and access_log.json (the audit entries about the contact and their conversations: who read, assigned, answered or exported them). Audited as contact.export with counts. A contact in a channel the caller's role does not allow is 404. If reading fails midway the connection is aborted, so a truncated download never looks complete.
         */
        get: operations["exportContact"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/dead-letters": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Webhook events that could not be applied, newest first, at most 500 (channels.manage)
         * @description A webhook whose content cannot be applied (a message without any sender, a change for an unknown phone number id, an event that failed too often) is never dropped: it is kept here with the reason until it is replayed.
         */
        get: operations["listDeadLetters"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/dead-letters/{id}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Return a dead letter to the webhook queue to be applied again (channels.manage) */
        post: operations["replayDeadLetter"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/reports/conversations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Conversations opened, resolved and reopened, first-response and resolution times (reports.read)
         * @description Per period, per channel and in total: conversations opened, closes (resolved), reopens (by a user or by the customer writing to a closed conversation), conversations still unanswered, and the median and 90th percentile of first-response and resolution times. Definitions in docs/reports.md. Limited to the role's channels.
         */
        get: operations["reportConversations"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/reports/agents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Per-employee statistics (reports.read, or one's own)
         * @description Per user: conversations assigned, replied, resolved, messages sent, median first response, sessions started, last seen. With reports.read every user whose role works on one of the caller's channels; without it only the caller's own row. Conversation figures are limited to the caller's channels.
         */
        get: operations["reportAgents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/reports/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Messages in and out per period by type, failures by WhatsApp error code (reports.read)
         * @description Counts messages by their timestamp (Meta's for inbound, creation for outbound). Failed are outbound messages WhatsApp did not deliver, also counted by Meta's error code. Limited to the role's channels.
         */
        get: operations["reportMessages"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/reports/costs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Messages Meta reported pricing for, billable ones by pricing category and type (reports.read)
         * @description Counts messages by their timestamp whose status webhooks carried a pricing object (the newest wins): billable ones per period and channel by category, and every pricing (billable, model, category, type) over the range. Counts only: the webhooks carry no price and Meta's rates vary by country and tier, so there is no amount. Limited to the role's channels.
         */
        get: operations["reportCosts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/reports/bots": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Conversations handed to bots and hand-offs to people by reason (reports.read)
         * @description Counts changes of handler: to_bot when a conversation opened on a channel with a bot agent or was handed back to the bot, handed_off when it went from the bot to people, by reason (opened, customer_asked, taken_over, assigned, person_replied, bot_failed, business_hours, or other for a reason a bot or operator wrote, which stays sealed). Limited to the role's channels.
         */
        get: operations["reportBots"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List your API tokens, revoked ones included */
        get: operations["listMyTokens"];
        put?: never;
        /** Create a personal access token (signed in with a session, not a token) */
        post: operations["createMyToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/tokens/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Token id */
                id: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke one of your tokens */
        delete: operations["revokeMyToken"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/service-accounts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List service accounts (users.manage) */
        get: operations["listServiceAccounts"];
        put?: never;
        /** Create a service account: a user without a password that acts through tokens (users.manage; your role must cover its role) */
        post: operations["createServiceAccount"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/service-accounts/{id}/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The service account's user id */
                id: string;
            };
            cookie?: never;
        };
        /** List a service account's tokens (users.manage) */
        get: operations["listServiceAccountTokens"];
        put?: never;
        /** Issue a token for a service account; scopes within the account's role */
        post: operations["createServiceAccountToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/service-accounts/{id}/tokens/{tokenId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The service account's user id */
                id: string;
                /** @description Token id */
                tokenId: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a service account's token */
        delete: operations["revokeServiceAccountToken"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/messages/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a message whose outcome is unknown again (conversations.reply in its conversation). The sender never resends such a message by itself, because it may have reached the customer; this is the user's deliberate choice. 409 when the message's outcome is not unknown. */
        post: operations["retryMessage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session/second-factor": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Second step of signing in: a TOTP code or a recovery code
         * @description code is the current 6-digit code of the authenticator app (one step of clock drift either way is accepted; a code is accepted once) or one unused recovery code (xxxxx-xxxxx; dashes, spaces and case do not matter). Wrong codes are throttled per user (429 with Retry-After) and a challenge takes at most 5 attempts.
         */
        post: operations["loginSecondFactor"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/two-factor": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Own two-factor sign-in state */
        get: operations["getTwoFactor"];
        put?: never;
        /**
         * Start (or restart) enrolling in two-factor sign-in
         * @description Generates a new secret on the server and returns it once. Two-factor sign-in is on only after POST /api/v1/me/two-factor/confirm. 409 while it is on (disable first). Allowed for a session limited to enrolment.
         */
        post: operations["beginTwoFactor"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/two-factor/confirm": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Turn two-factor sign-in on with a first valid code
         * @description Returns the 10 single-use recovery codes, shown only in this answer (stored hashed). Wrong codes are throttled.
         */
        post: operations["confirmTwoFactor"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/two-factor/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Turn own two-factor sign-in off
         * @description Needs the current password or a valid code (TOTP or recovery code). Removes the secret (its key is destroyed) and the recovery codes.
         */
        post: operations["disableTwoFactor"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/two-factor/recovery-codes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Replace own recovery codes with new ones
         * @description Needs two-factor sign-in on (409 otherwise), the current password and a current 6-digit code from the authenticator app (not a recovery code); both are throttled like a sign-in. Returns 10 new single-use recovery codes, shown only in this answer; every old code, used or not, stops working at once. Audited as user.two_factor.recovery_codes_regenerate.
         */
        post: operations["regenerateRecoveryCodes"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/users/{id}/two-factor": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Reset a user's two-factor sign-in
         * @description Needs users.manage, and the actor's role must cover the user's role (the rule for creating that user). Ends the user's sessions; if their role requires two-factor sign-in they must enrol again. Audited.
         */
        delete: operations["resetTwoFactor"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/roles/{id}/two-factor": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Require two-factor sign-in for a role (built-in roles too)
         * @description Needs roles.manage and a role covering this one; one's own role cannot be relaxed.
         */
        put: operations["setRoleTwoFactor"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the outgoing webhook subscriptions the administrator's role covers (channels.manage) */
        get: operations["listWebhooks"];
        put?: never;
        /** Subscribe a URL to events (channels.manage); the secret is in this response only */
        post: operations["createWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Subscription id */
                id: string;
            };
            cookie?: never;
        };
        /** One subscription */
        get: operations["getWebhook"];
        put?: never;
        post?: never;
        /** Delete a subscription and its delivery log */
        delete: operations["deleteWebhook"];
        options?: never;
        head?: never;
        /** Change a subscription; omitted fields stay */
        patch: operations["updateWebhook"];
        trace?: never;
    };
    "/api/v1/webhooks/{id}/rotate-secret": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Subscription id */
                id: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replace the signing secret at once; the new one is in this response only */
        post: operations["rotateWebhookSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks/{id}/deliveries": {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Subscription id */
                id: string;
            };
            cookie?: never;
        };
        /** The delivery log, newest first */
        get: operations["listWebhookDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Subscription id */
                id: string;
                /** @description Delivery id */
                delivery: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Schedule a new attempt of a delivery, with the same delivery id and a new 24-hour retry window */
        post: operations["redeliverWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/passkeys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Own passkeys
         * @description available says whether passkeys can be used on this installation. Passkeys are on only when SWITCHBOARD_PUBLIC_URL is https with a domain name, or http://localhost (the relying party id is its host); otherwise 409 (passkeys need SWITCHBOARD_PUBLIC_URL to be https).
         */
        get: operations["listPasskeys"];
        put?: never;
        /**
         * Finish registering a passkey
         * @description credential is the browser's answer to the options of POST /api/v1/me/passkeys/options (within 5 minutes, once). A registered passkey is a second factor: sign-in asks for it (or a TOTP code), and it satisfies a role that requires two-factor sign-in. Audited as user.passkey.register. Passkeys are on only when SWITCHBOARD_PUBLIC_URL is https with a domain name, or http://localhost (the relying party id is its host); otherwise 409 (passkeys need SWITCHBOARD_PUBLIC_URL to be https).
         */
        post: operations["registerPasskey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/passkeys/options": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start registering a passkey
         * @description Returns the options for navigator.credentials.create. The ceremony's state stays on the server for 5 minutes; a new start replaces it. At most 20 passkeys per user. Passkeys are on only when SWITCHBOARD_PUBLIC_URL is https with a domain name, or http://localhost (the relying party id is its host); otherwise 409 (passkeys need SWITCHBOARD_PUBLIC_URL to be https).
         */
        post: operations["passkeyRegistrationOptions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/passkeys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete an own passkey
         * @description Needs the current password (wrong passwords are throttled like wrong codes). Audited as user.passkey.delete.
         */
        delete: operations["deletePasskey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session/passkey/options": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Second step of signing in with a passkey: the options
         * @description challenge is the one POST /api/v1/session answered with (methods contains passkey). Returns the options for navigator.credentials.get, kept on the server with the challenge; each call replaces the previous options. Passkeys are on only when SWITCHBOARD_PUBLIC_URL is https with a domain name, or http://localhost (the relying party id is its host); otherwise 409 (passkeys need SWITCHBOARD_PUBLIC_URL to be https).
         */
        post: operations["passkeySignInOptions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/session/passkey": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Second step of signing in with a passkey
         * @description credential is the browser's answer to the options of POST /api/v1/session/passkey/options; each set of options is answered once. A wrong signature, an unknown passkey or a signature counter that did not move forward is refused (401); failures are throttled per user with wrong codes (429 with Retry-After) and a challenge takes at most 5 attempts. Failures are audited as session.second_factor with method passkey. Passkeys are on only when SWITCHBOARD_PUBLIC_URL is https with a domain name, or http://localhost (the relying party id is its host); otherwise 409 (passkeys need SWITCHBOARD_PUBLIC_URL to be https).
         */
        post: operations["loginPasskey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/handoff": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Hand a conversation to people or to the channel's bot
         * @description The channel's bot agent hands off to people (to human, reason required, summary up to 2,000 characters) while it handles the conversation; a person with conversations.reply takes over (to human); a person with conversations.assign hands back (to bot; 422 without a bot agent). Handing to the current handler changes nothing. A change publishes handoff.to_human or handoff.to_bot.
         */
        post: operations["handOff"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/bot-failures": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Report a failure of the bot
         * @description The channel's bot agent, while it handles the conversation, reports that it failed the customer once (its model failed, it could not answer). The channel's handoff_rules.bot_failures counts it with refused bot messages and discarded bot suggestions and hands the conversation to people at its limit (reason bot_failed, handoff.to_human). No body. Audited as conversation.bot_failure. 403 for anyone else or once people handle the conversation.
         */
        post: operations["reportBotFailure"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/suggestions": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        /** List a conversation's suggested replies, newest first */
        get: operations["listSuggestions"];
        put?: never;
        /**
         * Suggest a reply (the channel's bot agent only)
         * @description A draft for a person to send, edit or discard; allowed whoever handles the conversation. At most 20 pending per conversation (409). Publishes suggestion.created.
         */
        post: operations["createSuggestion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/suggestions/{sid}/send": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
                /** @description Suggestion id */
                sid: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Send a suggestion as it is or edited (conversations.reply)
         * @description Goes through the normal send path: the 24-hour window applies (422 window_closed), and a person's reply hands the conversation to people. 409 when it was already sent or discarded.
         */
        post: operations["sendSuggestion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/suggestions/{sid}/discard": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
                /** @description Suggestion id */
                sid: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Discard a suggestion (conversations.reply, or its author) */
        post: operations["discardSuggestion"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/typing": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Tell the customer a reply is being typed (conversations.reply)
         * @description Sends WhatsApp's typing indicator (with the read receipt of the customer's last message) when the customer wrote last, within the 24-hour window, to a customer who is not blocked, at most once every 25 seconds per conversation. Other calls are accepted without sending anything, so clients may call it while the user types.
         */
        post: operations["typing"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/block": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        get?: never;
        /**
         * Block the conversation's customer on WhatsApp (contacts.block)
         * @description Calls Meta's Block Users API for the customer's phone number. WhatsApp blocks only customers who wrote in the last 24 hours (422 otherwise, also for a customer who shares only a username). Blocking a blocked customer changes nothing. Audited as contact.block.
         */
        put: operations["blockContact"];
        post?: never;
        /**
         * Unblock the conversation's customer (contacts.block)
         * @description Audited as contact.unblock.
         */
        delete: operations["unblockContact"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/notes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Write a private note in the thread (never sent to WhatsApp); mentions give the mentioned users read access until they dismiss it or the conversation is closed */
        post: operations["addNote"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/mentionable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the users a note may mention: active, with a role that allows the conversation's channel */
        get: operations["listMentionable"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/mention": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Dismiss your mention in the conversation (you no longer see it unless assigned or allowed to see all) */
        delete: operations["dismissMention"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/mentions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your active mentions, newest first */
        get: operations["listMentions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/canned-replies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the canned replies you may use: every shared one and your personal ones, ordered by shortcut */
        get: operations["listCannedReplies"];
        put?: never;
        /** Save a canned reply: personal (yours) or shared (canned_replies.manage); audited canned_reply.create */
        post: operations["createCannedReply"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/canned-replies/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One canned reply (another user's personal reply is 404) */
        get: operations["getCannedReply"];
        /** Change a canned reply's shortcut, title and text (yours, or a shared one with canned_replies.manage); audited canned_reply.update */
        put: operations["updateCannedReply"];
        post?: never;
        /** Delete a canned reply (yours, or a shared one with canned_replies.manage); audited canned_reply.delete */
        delete: operations["deleteCannedReply"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/canned-replies/{replyId}/render": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A canned reply's text for this conversation, its variables filled in (customer name, your name, the channel's name as business name; a missing value is empty) */
        get: operations["renderCannedReply"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/draft": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Your unsent composer text in the conversation (text is empty when there is none) */
        get: operations["getDraft"];
        /** Keep your composer text in the conversation (sealed at rest); an empty text deletes it. Sending a text or media message clears it. */
        put: operations["saveDraft"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/composer-activity": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Tell the others who see the conversation that you are writing a reply or a note (event composer.activity, lasting 6 s; call it again every few seconds while typing) */
        post: operations["composerActivity"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/search/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search the text of messages and notes the user may see, newest first
         * @description Every word of q must occur in the message or note, compared case- and accent-insensitively for every script (ß = ss, İ = i). A four-letter word also matches longer words that start with it; other words match whole words. Texts are sealed; the search runs on keyed blind-index terms (docs/security.md, "Message search"). Only conversations the user may see are searched; snippets are decrypted for those only.
         */
        get: operations["searchMessages"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/contact": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The contact panel of a conversation's customer (404 for a conversation you may not see; other conversations you may not see are left out) */
        get: operations["getContactPanel"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/contact/notes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Write a note about the conversation's customer (for whoever may work on the conversation; not for a mention-only reader: 403); audited contact.note */
        post: operations["addContactNote"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/contact/notes/{noteId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete a contact note (its author, or with contacts.edit); audited contact.note_delete */
        delete: operations["deleteContactNote"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/contact/attributes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set custom attribute values of the conversation's customer (contacts.edit and a conversation you may work on); each value is checked by its attribute's type (400 naming the attribute); an empty value removes it; audited contact.attributes */
        put: operations["setContactAttributes"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/contact-attributes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The custom contact attributes */
        get: operations["listAttributeDefs"];
        put?: never;
        /** Define a custom contact attribute (contact_attributes.manage; at most 50); audited contact_attribute.create */
        post: operations["createAttributeDef"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/contact-attributes/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Rename a custom attribute or replace a list's options (contact_attributes.manage); audited contact_attribute.update */
        put: operations["updateAttributeDef"];
        post?: never;
        /** Delete a custom attribute and every contact's value of it (contact_attributes.manage); audited contact_attribute.delete */
        delete: operations["deleteAttributeDef"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/mention/read": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark your mention in the conversation read (the web app does so when you open it); not audited, it discloses nothing */
        post: operations["markMentionRead"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/teams": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the teams (users.read, users.manage or conversations.assign) */
        get: operations["listTeams"];
        put?: never;
        /** Create a team (users.manage; audited) */
        post: operations["createTeam"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/teams/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Rename a team and replace its members (users.manage; audited) */
        put: operations["updateTeam"];
        post?: never;
        /** Delete a team; its conversations lose their team (users.manage; audited) */
        delete: operations["deleteTeam"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/availability": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Set your availability (online, away, offline); everyone who may list users gets a user.availability event */
        put: operations["setAvailability"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/team": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Assign the conversation to a team, or to none with team_id "" (conversations.assign; audited) */
        put: operations["setConversationTeam"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/channels/{id}/routing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A channel's automatic assignment (channels.manage) */
        get: operations["getChannelRouting"];
        /** Change a channel's automatic assignment (channels.manage; audited) */
        put: operations["setChannelRouting"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/labels": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the labels, by name (everyone) */
        get: operations["listLabels"];
        put?: never;
        /** Create a label (labels.manage); at most 200; audited label.create */
        post: operations["createLabel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/labels/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Rename or recolour a label (labels.manage); audited label.update */
        put: operations["updateLabel"];
        post?: never;
        /** Delete a label and take it off every conversation (labels.manage); audited label.delete */
        delete: operations["deleteLabel"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/{id}/labels/{labelId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Put a label on a conversation you may work on (at most 20); audited conversation.label, publishes conversation.updated and an activity line */
        put: operations["addConversationLabel"];
        post?: never;
        /** Take a label off a conversation you may work on; audited conversation.unlabel */
        delete: operations["removeConversationLabel"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/conversations/bulk": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Apply one action to up to 100 conversations, each authorised and audited as the single action; the results say which failed and why */
        post: operations["bulkConversations"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/views": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List your saved views, by name */
        get: operations["listSavedViews"];
        put?: never;
        /** Save a list filter under a name (at most 50 views) */
        post: operations["createSavedView"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/me/views/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Delete one of your views */
        delete: operations["deleteSavedView"];
        options?: never;
        head?: never;
        /** Rename a view or replace its filter */
        patch: operations["updateSavedView"];
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Error: {
            error: {
                /** @enum {string} */
                code: "conflict" | "forbidden" | "internal" | "invalid" | "not_found" | "password_policy" | "rate_limited" | "too_large" | "two_factor_enrolment_required" | "unauthorized" | "unavailable" | "unprocessable" | "window_closed";
                /** @description A sentence for people. */
                message: string;
            };
        };
        /** @enum {string} */
        Permission: "conversations.read_all" | "conversations.assign" | "conversations.reply" | "conversations.close" | "users.read" | "users.manage" | "roles.manage" | "audit.read" | "channels.manage" | "privacy.manage" | "reports.read" | "contacts.block" | "canned_replies.manage" | "contacts.edit" | "contact_attributes.manage" | "labels.manage";
        User: {
            id: string;
            login: string;
            name: string;
            role_id: string;
            active: boolean;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
            availability?: components["schemas"]["Availability"];
        };
        Role: {
            id: string;
            name: string;
            description: string;
            permissions: components["schemas"]["Permission"][];
            /** @description The role has every channel, present and future; channel_ids is then empty. */
            all_channels: boolean;
            /** @description Channels the role is limited to; empty exactly when all_channels is true. */
            channel_ids: string[];
            built_in: boolean;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
            /** @description Users with the role must use two-factor sign-in; until they enrol their session only allows enrolment (403 two_factor_enrolment_required elsewhere). The built-in admin role requires it as soon as one active administrator has enrolled, whatever this flag says. */
            require_two_factor?: boolean;
        };
        UserRef: {
            id: string;
            name: string;
            /** @description The user is deactivated: still listed as an assignee, but the conversation counts as unassigned when nobody active is assigned. */
            deactivated?: boolean;
        };
        Contact: {
            id: string;
            channel_id: string;
            /** @description Phone number: digits in international format; empty for a customer who shares only a username. */
            phone: string;
            /** @description WhatsApp business-scoped user id (BSUID), e.g. US.13491208655302741918; absent if WhatsApp never sent one. */
            user_id?: string;
            /** @description Parent BSUID of a managed business portfolio, if any. */
            parent_user_id?: string;
            /** @description WhatsApp username, e.g. @mira.okafor, if the customer adopted one. */
            username?: string;
            name: string;
            /** Format: date-time */
            created_at: string;
            /** @description Set while the business blocks the customer on WhatsApp: they cannot write, and nothing can be sent to them. */
            blocked?: boolean;
            /** Format: date-time */
            blocked_at?: string;
            /** @description Id of the user who blocked the customer. */
            blocked_by?: string;
        };
        MessagePreview: {
            text: string;
            type: components["schemas"]["Message"]["type"];
            /** @enum {string} */
            direction: "in" | "out";
            /** Format: date-time */
            at: string;
            /** @description The last message was deleted for everyone in the WhatsApp Business app. */
            revoked?: boolean;
        };
        Conversation: {
            id: string;
            channel_id: string;
            contact: components["schemas"]["Contact"];
            /**
             * @description Every status but resolved is the contact's active conversation (at most one per contact).
             * @enum {string}
             */
            status: "open" | "pending" | "snoozed" | "resolved";
            /**
             * Format: date-time
             * @description When a snoozed conversation comes back by itself; null when not snoozed or snoozed until the customer writes.
             */
            snoozed_until: string | null;
            assignees: components["schemas"]["UserRef"][];
            last_message: components["schemas"]["MessagePreview"] | null;
            /** Format: date-time */
            last_inbound_at: string | null;
            /**
             * Format: date-time
             * @description When the 24-hour customer-service window closes; null if the customer never wrote.
             */
            window_closes_at: string | null;
            /** @description Customer messages the requesting user has not read. */
            unread_count: number;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
            /**
             * @description Who is expected to answer: the channel's bot agent or people.
             * @enum {string}
             */
            handler: "bot" | "human";
            handoff: components["schemas"]["Handoff"] | null;
            /** @description Ids of the users with an active mention (they may read the conversation until they dismiss it or it is closed); absent when none. */
            mentioned?: string[];
            /** @description The team the conversation is assigned to; its members see and work on it. A team does not make it assigned. */
            team_id?: string;
            /** @description The labels the conversation carries, by name (always sent; an empty list for none). */
            labels?: components["schemas"]["LabelRef"][];
        };
        Message: {
            id: string;
            conversation_id: string;
            /** @enum {string} */
            direction: "in" | "out";
            /** @enum {string} */
            type: "text" | "image" | "audio" | "video" | "document" | "sticker" | "location" | "contacts" | "interactive" | "button" | "reaction" | "order" | "system" | "template" | "request_welcome" | "unsupported";
            content: components["schemas"]["MessageContent"];
            wa_message_id?: string;
            /** @enum {string} */
            status: "pending" | "sent" | "delivered" | "read" | "failed" | "unknown" | "received";
            error?: {
                code: number;
                title: string;
                details?: string;
            };
            reply_to_id?: string;
            sender_id?: string;
            /** @description The sending user's current display name (outbound messages); empty if the user no longer exists. */
            sender_name?: string;
            /** Format: date-time */
            timestamp: string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
            /**
             * @description Who wrote it: the customer, a user, a bot service account (shown with a bot badge), the WhatsApp Business app, or the system.
             * @enum {string}
             */
            author: "customer" | "user" | "bot" | "business_app" | "system";
            /** @description A past message synchronised from the WhatsApp Business app (history webhook); it counted as neither unread nor new. */
            imported?: boolean;
            /**
             * Format: date-time
             * @description When the message was last edited in the WhatsApp Business app.
             */
            edited_at?: string;
            /** @description The message was deleted for everyone; its content is gone from storage and it is shown as a tombstone. */
            revoked?: boolean;
            pricing?: components["schemas"]["MessagePricing"];
        };
        /** @description What the customer or the business wrote, by message type. */
        MessageContent: {
            /** @description Text body, or caption of media. */
            text?: string;
            media?: components["schemas"]["Media"];
            location?: components["schemas"]["Location"];
            /** @description Contact cards as WhatsApp sent them. */
            contacts?: Record<string, unknown>[];
            interactive?: components["schemas"]["Interactive"];
            reaction?: components["schemas"]["Reaction"];
            template?: components["schemas"]["TemplateSend"];
            order?: components["schemas"]["Order"];
            form?: components["schemas"]["FormReply"];
            /** @description Click-to-WhatsApp ad, as WhatsApp sent it. */
            referral?: Record<string, unknown>;
            forwarded?: boolean;
            /** @description Forwarded more than five times. */
            frequently_forwarded?: boolean;
            /** @description The original payload of a type Switchboard does not model. */
            raw?: unknown;
            interactive_send?: components["schemas"]["InteractiveSend"];
        };
        Media: {
            /** @description Media id for GET /api/v1/media/{id}; absent until downloaded. */
            id?: string;
            mime_type: string;
            filename?: string;
            size?: number;
            sha256?: string;
            voice?: boolean;
            animated?: boolean;
            /** @enum {string} */
            state?: "pending" | "ready" | "failed" | "expired";
        };
        Location: {
            latitude: number;
            longitude: number;
            name?: string;
            address?: string;
            url?: string;
        };
        Interactive: {
            /** @description button_reply, list_reply, nfm_reply (a completed Flow; its answers are in MessageContent.form), call_permission_reply (id is accept or reject, description the response source: user_action or automatic) or button */
            kind: string;
            id?: string;
            title?: string;
            description?: string;
        };
        Reaction: {
            /** @description Our id of the message reacted to. */
            message_id?: string;
            /** @description Empty when the reaction was removed. */
            emoji: string;
        };
        TemplateSend: {
            name: string;
            language: string;
            parameters?: {
                [key: string]: string;
            };
        };
        /** @description Data of conversation.assigned and conversation.unassigned. */
        AssignmentEvent: {
            conversation: components["schemas"]["Conversation"];
            /** @description The user assigned or unassigned. */
            user_id: string;
        };
        /** @description Data of conversation.deleted: the conversation no longer exists; drop it. */
        DeletedConversation: {
            id: string;
            contact_id: string;
            /** @enum {string} */
            reason: "erased";
        };
        AuditEntry: {
            seq: number;
            /** Format: date-time */
            at: string;
            actor_id: string;
            actor_login: string;
            action: string;
            object_type: string;
            object_id: string;
            /** @enum {string} */
            outcome: "success" | "failure" | "denied";
            ip: string;
            user_agent: string;
            detail?: {
                [key: string]: string;
            };
            prev_hash: string;
            hash: string;
        };
        LoginResponse: {
            /** @description Send as Authorization: Bearer <token>. Browsers also get an HttpOnly cookie. */
            token: string;
            user: components["schemas"]["User"];
        };
        Event: {
            /** @description Strictly increasing; reconnect with ?last_id= to receive what you missed. */
            id: number;
            /** @enum {string} */
            type: "message.created" | "message.updated" | "conversation.created" | "conversation.updated" | "conversation.assigned" | "conversation.unassigned" | "conversation.deleted" | "conversation.reminder" | "handoff.to_human" | "handoff.to_bot" | "handoff.bot_turn" | "suggestion.created" | "suggestion.updated" | "thread_entry.created" | "composer.activity" | "resync" | "channel.notice" | "contact.updated";
            /** Format: date-time */
            at: string;
            conversation_id?: string;
            /** @description By type: the Message (message.*), the Conversation (conversation.created, conversation.updated), an AssignmentEvent (conversation.assigned, conversation.unassigned), a DeletedConversation (conversation.deleted), a ConversationReminder (conversation.reminder: a snooze ended or a customer waits too long; for the users it names), a HandoffChange (handoff.to_human, handoff.to_bot), a BotTurn (handoff.bot_turn), a Suggestion (suggestion.*), a ThreadEntry (thread_entry.created: a note or an activity line); a ContactChange (contact.updated: a note or attribute value of the conversation's customer changed; reload the panel); a ComposerActivity (composer.activity: someone is writing in the conversation, until expires_at); a ChannelNotice (channel.notice, only to users with channels.manage for the channel; no conversation_id); absent for resync. */
            data?: components["schemas"]["Message"] | components["schemas"]["Conversation"] | components["schemas"]["AssignmentEvent"] | components["schemas"]["DeletedConversation"] | components["schemas"]["HandoffChange"] | components["schemas"]["BotTurn"] | components["schemas"]["Suggestion"] | components["schemas"]["ChannelNotice"] | components["schemas"]["ThreadEntry"] | components["schemas"]["ComposerActivity"] | components["schemas"]["ContactChange"];
        };
        /** @description Secrets (access_token, app_secret, verify_token) are write-only and never returned. */
        Channel: {
            id: string;
            name: string;
            phone_number_id: string;
            waba_id: string;
            display_phone_number: string;
            graph_url?: string;
            mark_read: boolean;
            emulated: boolean;
            /** @description Paste this at Meta as the callback URL. */
            webhook_url: string;
            /** @description Only for channels.manage. */
            health?: {
                /** Format: date-time */
                last_webhook_at: string;
                /** Format: date-time */
                last_send_at: string;
                /** @enum {string} */
                token_state: "unknown" | "valid" | "rejected";
                token_error?: string;
                /** Format: date-time */
                templates_synced_at: string;
                template_sync_error?: string;
                outbox_depth: number;
                webhook_queue_depth: number;
            };
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
            /** @description Messages and media older than this many days are deleted by the hourly retention job, then conversations and contacts left empty (docs/gdpr.md). 0 keeps everything (the default); otherwise 1 to 3650. */
            retention_days: number;
            /** @description The channel's business hours; null when none are set (the reports then count every hour). */
            business_hours: components["schemas"]["BusinessHours"] | null;
            /** @description The bot service account that answers new conversations first; empty for none. */
            bot_agent_id: string;
            handoff_rules: components["schemas"]["HandoffRules"];
            /** @description The number is also in use with the WhatsApp Business app (coexistence): Meta fixes its throughput at 20 messages per second and Switchboard paces sends to it accordingly; messages sent from the app arrive as echoes. */
            coexistence: boolean;
            /** @description Newest account notices first (channels.manage only). */
            notices?: components["schemas"]["ChannelNotice"][];
            /** @description Sent automatically, once, to a customer who opens the chat for the first time (request_welcome), while the service window is open; empty for none. At most 1024 characters. */
            welcome_message?: string;
            /** @description Sent automatically, once per conversation, to a customer who writes outside the channel's business hours, while the service window is open; empty (or no business hours) for none. At most 1024 characters. */
            away_message?: string;
        };
        Template: {
            channel_id: string;
            name: string;
            language: string;
            status: string;
            category: string;
            /** @description Quality score: GREEN, YELLOW, RED or UNKNOWN; absent if never reported. */
            quality?: string;
            parameter_format?: string;
            components: Record<string, unknown>[];
            /** Format: date-time */
            synced_at: string;
        };
        MediaFile: {
            id: string;
            conversation_id: string;
            message_id: string;
            mime_type: string;
            filename?: string;
            size: number;
            sha256: string;
            /** Format: date-time */
            created_at: string;
        };
        BackupStatus: {
            enabled: boolean;
            /** @description directory or s3://bucket/prefix */
            location?: string;
            running: boolean;
            /** Format: date-time */
            last_attempt_at?: string;
            /** Format: date-time */
            last_success_at?: string;
            last_name?: string;
            last_size_bytes: number;
            last_duration_seconds: number;
            last_error?: string;
            /** @description failed backups since the server started */
            failures: number;
            consecutive_failures: number;
            /** Format: date-time */
            next_at?: string;
        };
        /** @description What each filter would list: the assignment counts under the requested status, the status counts under the requested assignment, within the search. */
        ConversationCounts: {
            all: number;
            unassigned: number;
            assigned: number;
            mine: number;
            open: number;
            pending: number;
            snoozed: number;
            resolved: number;
            /** @description A label, unread or assignee filter is counted by reading at most 2,000 conversations; true when there were more (the counts are lower bounds). */
            capped?: boolean;
        };
        DeadLetter: {
            id: number;
            channel_id: string;
            reason: string;
            /** Format: date-time */
            received_at: string;
            /** Format: date-time */
            dead_at: string;
            attempts: number;
        };
        /** @description How many durations, their median and 90th percentile in whole seconds (nearest rank; null when there are none). */
        ReportDurations: {
            count: number;
            median_seconds: number | null;
            p90_seconds: number | null;
        };
        ConversationPeriod: {
            /** @description Local start date of the period; empty in totals */
            period: string;
            opened: number;
            resolved: number;
            reopened: number;
            unanswered: number;
            first_response: components["schemas"]["ReportDurations"];
            resolution: components["schemas"]["ReportDurations"];
            /** @description first_response counted within the channel's business hours only (every hour for channels without them) */
            first_response_business: components["schemas"]["ReportDurations"];
            /** @description resolution counted within the channel's business hours only */
            resolution_business: components["schemas"]["ReportDurations"];
            /** @description Conversations open at the end of the period (in totals: at the end of the range) */
            backlog: number;
        };
        ChannelTotals: {
            /** @description Local start date of the period; empty in totals */
            period: string;
            opened: number;
            resolved: number;
            reopened: number;
            unanswered: number;
            first_response: components["schemas"]["ReportDurations"];
            resolution: components["schemas"]["ReportDurations"];
            channel_id: string;
            /** @description first_response counted within the channel's business hours only (every hour for channels without them) */
            first_response_business: components["schemas"]["ReportDurations"];
            /** @description resolution counted within the channel's business hours only */
            resolution_business: components["schemas"]["ReportDurations"];
            /** @description Conversations open at the end of the period (in totals: at the end of the range) */
            backlog: number;
        };
        ConversationsReport: {
            /** Format: date */
            from: string;
            /** Format: date */
            to: string;
            tz: string;
            /** @enum {string} */
            interval: "day" | "week" | "month";
            periods: components["schemas"]["ConversationPeriod"][];
            channels: components["schemas"]["ChannelTotals"][];
            total: components["schemas"]["ConversationPeriod"];
            /** @description The conversations opened in the range by the labels they carry (labels as they are now), by name. */
            labels?: components["schemas"]["ReportLabelCount"][];
        };
        AgentRow: {
            user_id: string;
            name: string;
            active: boolean;
            assigned: number;
            replied: number;
            resolved: number;
            messages_sent: number;
            sessions_started: number;
            first_response: components["schemas"]["ReportDurations"];
            /** Format: date-time */
            last_seen_at: string | null;
        };
        AgentsReport: {
            /** Format: date */
            from: string;
            /** Format: date */
            to: string;
            tz: string;
            agents: components["schemas"]["AgentRow"][];
        };
        MessagePeriod: {
            period: string;
            in: number;
            out: number;
            failed: number;
            in_by_type: {
                [key: string]: number;
            };
            out_by_type: {
                [key: string]: number;
            };
        };
        MessagesReport: {
            /** Format: date */
            from: string;
            /** Format: date */
            to: string;
            tz: string;
            /** @enum {string} */
            interval: "day" | "week" | "month";
            periods: components["schemas"]["MessagePeriod"][];
            errors: {
                code: number;
                count: number;
            }[];
            total: components["schemas"]["MessagePeriod"];
        };
        /** @description An API token. The secret is never returned after creation; only its SHA-256 is stored. */
        APIToken: {
            id: string;
            /** @description The owner: a person or a service account. */
            user_id: string;
            name: string;
            /** @description Effective permissions are scopes ∩ the owner's current role. */
            scopes: components["schemas"]["Permission"][];
            /** @description User who issued the token. */
            created_by: string;
            /** Format: date-time */
            created_at: string;
            /**
             * Format: date-time
             * @description Absent: never expires.
             */
            expires_at?: string;
            /**
             * Format: date-time
             * @description Absent: never used. Updated at most once a minute or when the address changes.
             */
            last_used_at?: string;
            last_used_ip: string;
            /**
             * Format: date-time
             * @description Absent: not revoked.
             */
            revoked_at?: string;
            /** @description 0: the installation's default (600). */
            rate_per_minute: number;
        };
        CreatedToken: {
            token: components["schemas"]["APIToken"];
            /** @description The token itself: shown only in this answer. Send it as Authorization: Bearer <secret>. */
            secret: string;
        };
        TokenRequest: {
            name: string;
            /** @description Each must be a permission of the owner's role (403 otherwise). */
            scopes: components["schemas"]["Permission"][];
            /**
             * Format: date-time
             * @description Optional; in the future and at most three years ahead.
             */
            expires_at?: string | null;
            /** @description Optional; 0 or absent: the default (600). Bursts of a tenth of it. */
            rate_per_minute?: number;
        };
        ServiceAccount: {
            user: components["schemas"]["User"];
            description: string;
            created_by: string;
            /** Format: date-time */
            created_at: string;
            /** @description May be a channel's bot agent; its messages carry author bot. */
            bot: boolean;
        };
        SecondFactorChallenge: {
            /** @constant */
            second_factor_required: true;
            /** @description Give it to POST /api/v1/session/second-factor with a code, or to POST /api/v1/session/passkey/options and POST /api/v1/session/passkey, before expires_at (5 minutes). Not a session. */
            challenge: string;
            /** Format: date-time */
            expires_at: string;
            /** @description The second factors the user has: totp (and recovery codes) complete the sign-in at POST /api/v1/session/second-factor, passkey at POST /api/v1/session/passkey. */
            methods: ("totp" | "recovery" | "passkey")[];
        };
        TwoFactorStatus: {
            /** @description Two-factor sign-in is on (confirmed). */
            enabled: boolean;
            /** @description An enrolment was started and not confirmed yet. */
            pending: boolean;
            /** @description The user's role requires two-factor sign-in. */
            required: boolean;
            recovery_codes_left: number;
            /** @description How many usable passkeys the user has (0 while passkeys are off); a passkey also counts as two-factor sign-in. */
            passkeys: number;
        };
        TwoFactorEnrolment: {
            /** @description otpauth://totp/ URI for authenticator apps (SHA-1, 6 digits, 30 s). */
            uri: string;
            /** @description The secret in base32, for typing in by hand. Shown only in this answer. */
            secret: string;
            /** @description data:image/png;base64 QR code of uri. */
            qr_code: string;
        };
        WebhookSubscription: {
            id: string;
            description?: string;
            url: string;
            events: ("message.created" | "message.updated" | "message.*" | "conversation.created" | "conversation.updated" | "conversation.assigned" | "conversation.unassigned" | "conversation.deleted" | "conversation.*" | "assignment.*" | "handoff.to_human" | "handoff.to_bot" | "handoff.bot_turn" | "suggestion.created" | "suggestion.updated" | "handoff.*" | "suggestion.*")[];
            all_channels: boolean;
            channel_ids: string[];
            active: boolean;
            created_by?: string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
        };
        WebhookSubscriptionWithSecret: {
            id: string;
            description?: string;
            url: string;
            events: ("message.created" | "message.updated" | "message.*" | "conversation.created" | "conversation.updated" | "conversation.assigned" | "conversation.unassigned" | "conversation.deleted" | "conversation.*" | "assignment.*" | "handoff.to_human" | "handoff.to_bot" | "handoff.bot_turn" | "suggestion.created" | "suggestion.updated" | "handoff.*" | "suggestion.*")[];
            all_channels: boolean;
            channel_ids: string[];
            active: boolean;
            created_by?: string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
            /** @description Signing secret, shown only in this response */
            secret: string;
        };
        WebhookDelivery: {
            /** @description Sent as X-Switchboard-Delivery; the same across retries and redeliveries */
            id: string;
            subscription_id: string;
            event_type: string;
            /** @enum {string} */
            state: "pending" | "delivered" | "failed";
            attempts: number;
            /** Format: date-time */
            created_at?: string;
            /** Format: date-time */
            retry_from?: string;
            /**
             * Format: date-time
             * @description Zero time when none is scheduled
             */
            next_attempt_at?: string;
            /** Format: date-time */
            last_attempt_at?: string;
            /** @description Receiver's HTTP status; 0 when there was no response */
            last_status?: number;
            last_latency_ms?: number;
            last_error?: string;
        };
        /** @description The body of every outgoing webhook delivery: the same Event object the WebSocket streams (id is 0; use the X-Switchboard-Delivery header to deduplicate). Signed with X-Switchboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the subscription's secret>. */
        WebhookPayload: components["schemas"]["Event"];
        BusinessInterval: {
            /** @description Local opening time, HH:MM */
            open: string;
            /** @description Local closing time, HH:MM; 24:00 is midnight at the end of the day */
            close: string;
        };
        /** @description When the team works on a channel. The reports measure response and resolution times also within these hours. */
        BusinessHours: {
            /** @description IANA time zone, e.g. Europe/Berlin */
            time_zone: string;
            /** @description Opening intervals per weekday, Monday first; an empty list is a closed day. At most 4 intervals a day, not overlapping. */
            week: components["schemas"]["BusinessInterval"][][];
            /** @description Closed dates in time_zone, sorted */
            holidays: string[];
        };
        PasskeyDescriptor: {
            /** @constant */
            type: "public-key";
            /** @description Credential id, base64url. */
            id: string;
            transports?: string[];
        };
        /** @description PublicKeyCredentialCreationOptionsJSON (WebAuthn Level 3): binary values are base64url. */
        PasskeyCreationOptions: {
            rp: {
                id: string;
                name: string;
            };
            user: {
                id: string;
                name: string;
                displayName: string;
            };
            challenge: string;
            pubKeyCredParams: {
                type: string;
                alg: number;
            }[];
            /** @description Milliseconds. */
            timeout: number;
            excludeCredentials: components["schemas"]["PasskeyDescriptor"][];
            authenticatorSelection: {
                residentKey: string;
                userVerification: string;
            };
            attestation: string;
        };
        /** @description PublicKeyCredentialRequestOptionsJSON (WebAuthn Level 3): binary values are base64url. */
        PasskeyRequestOptions: {
            challenge: string;
            /** @description Milliseconds. */
            timeout: number;
            rpId: string;
            allowCredentials: components["schemas"]["PasskeyDescriptor"][];
            userVerification: string;
        };
        Passkey: {
            id: string;
            name: string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            last_used_at: string | null;
        };
        /** @description The browser's PublicKeyCredential as JSON (RegistrationResponseJSON or AuthenticationResponseJSON): binary values base64url. */
        PasskeyCredential: {
            id: string;
            rawId: string;
            /** @constant */
            type: "public-key";
            authenticatorAttachment?: string | null;
            clientExtensionResults?: {
                [key: string]: unknown;
            };
            response: {
                clientDataJSON: string;
                attestationObject?: string;
                transports?: string[];
                authenticatorData?: string;
                signature?: string;
                userHandle?: string | null;
                publicKey?: string | null;
                publicKeyAlgorithm?: number;
            };
        };
        /** @description The conversation's last hand-off between the channel's bot and people (docs/automation.md). */
        Handoff: {
            /** @description Why: given by the bot or operator, or a rule's code: opened, customer_asked, taken_over, assigned, person_replied, handed_back, bot_failed, business_hours. */
            reason: string;
            /** @description For whoever takes over; at most 2,000 characters. */
            summary: string;
            /** Format: date-time */
            at: string;
            /** @description The user (or bot service account) who handed off; empty for a rule. */
            by: string;
            /** @description The bot's failures in this conversation since it took it (a refused bot message, a discarded bot suggestion); the channel's handoff_rules.bot_failures hands off at its limit. 0 after every change of handler. */
            bot_failures: number;
        };
        /** @description A draft reply by the channel's bot for a person to send as it is, edit or discard. */
        Suggestion: {
            id: string;
            conversation_id: string;
            /** @description The bot service account. */
            author_id: string;
            text: string;
            rationale: string;
            /** @enum {string} */
            state: "pending" | "sent" | "discarded";
            /** @description The person who sent or discarded it. */
            decided_by?: string;
            /** @description The message it was sent as. */
            message_id?: string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
        };
        /** @description Data of handoff.to_human and handoff.to_bot. */
        HandoffChange: {
            conversation: components["schemas"]["Conversation"];
            /** @enum {string} */
            handler: "bot" | "human";
            handoff: components["schemas"]["Handoff"] | null;
        };
        /** @description Data of handoff.bot_turn: a customer message the bot is expected to answer (never sent while people handle the conversation). */
        BotTurn: {
            conversation: components["schemas"]["Conversation"];
            message: components["schemas"]["Message"];
        };
        /** @description How Meta bills an outbound message, from its status webhooks (the newest report wins). pricing_model is PMP (per-message pricing) since July 2025. */
        MessagePricing: {
            billable: boolean;
            pricing_model?: string;
            category?: string;
            type?: string;
        };
        /** @description The customer's marketing message preference as user_preferences last reported it. */
        MarketingPreference: {
            stopped: boolean;
            /** Format: date-time */
            at: string;
        };
        /** @description An earlier identity of the contact: the old and new phone number or BSUID. */
        IdentityChange: {
            old_phone?: string;
            old_user_id?: string;
            new_phone?: string;
            new_user_id?: string;
            /** Format: date-time */
            at: string;
        };
        ContactProfile: {
            contact: components["schemas"]["Contact"];
            marketing?: components["schemas"]["MarketingPreference"];
            identity_history: components["schemas"]["IdentityChange"][];
        };
        /** @description An account-level webhook about the channel: account_alerts, account_update, business_capability_update or phone_number_quality_update. */
        ChannelNotice: {
            id: string;
            channel_id: string;
            /** @enum {string} */
            field: "account_alerts" | "account_update" | "business_capability_update" | "phone_number_quality_update";
            /** @description Meta's alert type or event, e.g. OBA_APPROVED, FLAGGED, ACCOUNT_VIOLATION. */
            kind: string;
            /** @enum {string} */
            severity: "CRITICAL" | "WARNING" | "INFORMATIONAL";
            summary: string;
            /** Format: date-time */
            at: string;
        };
        /** @description A cart the customer sent from the catalog (order message). */
        Order: {
            catalog_id: string;
            items: components["schemas"]["OrderItem"][];
        };
        OrderItem: {
            product_retailer_id: string;
            quantity: number;
            /** @description Price per unit. */
            item_price: number;
            currency: string;
        };
        /** @description A completed WhatsApp Flow (interactive nfm_reply): the answers of response_json as name/value pairs in name order, without the flow_token. */
        FormReply: {
            name?: string;
            body?: string;
            fields: components["schemas"]["FormField"][];
        };
        FormField: {
            name: string;
            /** @description The answer; JSON for answers that are not strings. */
            value: string;
        };
        ReplyButton: {
            id: string;
            title: string;
        };
        ListRow: {
            id: string;
            title: string;
            description?: string;
        };
        ListSection: {
            title?: string;
            rows: components["schemas"]["ListRow"][];
        };
        /** @description Reply buttons (kind button: 1-3 buttons), a list (kind list: list_button and 1-10 sections with at most 10 rows in all) or a call-to-action link (kind cta_url: display_text and an https url). Limits are Meta's (docs/whatsapp.md); a message over them is refused with 422 before it is stored. */
        InteractiveSend: {
            /** @enum {string} */
            kind: "button" | "list" | "cta_url";
            header?: string;
            /** @description At most 1,024 characters for buttons and links, 4,096 for lists. */
            body: string;
            footer?: string;
            buttons?: components["schemas"]["ReplyButton"][];
            list_button?: string;
            sections?: components["schemas"]["ListSection"][];
            display_text?: string;
            /** @description https:// only. */
            url?: string;
        };
        CostPeriod: {
            period?: string;
            /** @description Messages whose statuses carried a pricing object */
            priced: number;
            /** @description Of those, the ones Meta bills */
            billable: number;
            /** @description Billable messages by pricing category (marketing, utility, authentication, service, …) */
            billable_by_category: {
                [key: string]: number;
            };
        };
        CostChannel: {
            channel_id: string;
            period?: string;
            /** @description Messages whose statuses carried a pricing object */
            priced: number;
            /** @description Of those, the ones Meta bills */
            billable: number;
            /** @description Billable messages by pricing category (marketing, utility, authentication, service, …) */
            billable_by_category: {
                [key: string]: number;
            };
        };
        CostsReport: {
            /** Format: date */
            from: string;
            /** Format: date */
            to: string;
            tz: string;
            /** @enum {string} */
            interval: "day" | "week" | "month";
            periods: components["schemas"]["CostPeriod"][];
            channels: components["schemas"]["CostChannel"][];
            /** @description Messages of the range per pricing, most first */
            pricing: {
                billable: boolean;
                pricing_model: string;
                category: string;
                type: string;
                messages: number;
            }[];
            total: components["schemas"]["CostPeriod"];
        };
        BotPeriod: {
            period?: string;
            /** @description Conversations handed to a bot (opened on a bot channel, or handed back) */
            to_bot: number;
            /** @description Of to_bot, the ones a person handed back */
            handed_back: number;
            /** @description Hand-offs from the bot to people */
            handed_off: number;
            /** @description handed_off by reason */
            reasons: {
                [key: string]: number;
            };
        };
        BotChannel: {
            channel_id: string;
            period?: string;
            /** @description Conversations handed to a bot (opened on a bot channel, or handed back) */
            to_bot: number;
            /** @description Of to_bot, the ones a person handed back */
            handed_back: number;
            /** @description Hand-offs from the bot to people */
            handed_off: number;
            /** @description handed_off by reason */
            reasons: {
                [key: string]: number;
            };
        };
        BotsReport: {
            /** Format: date */
            from: string;
            /** Format: date */
            to: string;
            tz: string;
            /** @enum {string} */
            interval: "day" | "week" | "month";
            periods: components["schemas"]["BotPeriod"][];
            channels: components["schemas"]["BotChannel"][];
            reasons: {
                reason: string;
                count: number;
            }[];
            total: components["schemas"]["BotPeriod"];
        };
        /** @description What an activity line records. Clients show an action they do not know as a generic line. */
        Activity: {
            /** @description assigned, unassigned, status, handoff, label_added, label_removed, or one added later. */
            action: string;
            /** @description The user acted on (the assignee). */
            subject_id?: string;
            subject_name?: string;
            /** @description The new status, the handler (bot or human), the label's name. */
            value?: string;
            /** @description The hand-off's reason. */
            detail?: string;
        };
        /** @description A private note (never sent to WhatsApp) or an activity line in a conversation's thread, shown among the messages by created_at. */
        ThreadEntry: {
            id: string;
            conversation_id: string;
            /** @enum {string} */
            kind: "note" | "activity";
            /** @description Who wrote the note or acted; empty for the system. */
            author_id: string;
            author_name?: string;
            /** @description The note's text. */
            text?: string;
            /** @description Ids of the users the note mentions. */
            mentions?: string[];
            activity?: components["schemas"]["Activity"];
            /** Format: date-time */
            created_at: string;
        };
        /** @description An active mention of the user: they may read the conversation until they dismiss it or the conversation is closed. */
        MentionItem: {
            conversation_id: string;
            user_id: string;
            note_id: string;
            by: string;
            by_name: string;
            /** Format: date-time */
            at: string;
            conversation: components["schemas"]["Conversation"];
            /**
             * Format: date-time
             * @description When you read the mention (opened the conversation since); absent while unread. A newer note mentioning you again makes it unread.
             */
            read_at?: string;
            /** @description The beginning of the note (at most 160 characters and an ellipsis). */
            snippet: string;
        };
        /** @description Rules that hand conversations from the channel's bot agent to people on their own (docs/automation.md, "Hand-off rules"); the customer asking for a person always does. */
        HandoffRules: {
            /** @description During the channel's business hours people answer: a conversation that opens then goes to people at once (reason business_hours), and a customer message then hands over one the bot holds by a rule; one an operator handed back stays with the bot. Outside the hours the bot answers. Needs business_hours on the channel. */
            business_hours: boolean;
            /** @description Hand a conversation to people (reason bot_failed) once the bot failed it this many times since it took it: a bot message WhatsApp refused, or a bot suggestion a person discarded. 0 turns the rule off; new channels start at 1. */
            bot_failures: number;
        };
        /** @description A change of the hand-off rules; fields left out stay. */
        HandoffRulesInput: {
            /** @description During the channel's business hours people answer: a conversation that opens then goes to people at once (reason business_hours), and a customer message then hands over one the bot holds by a rule; one an operator handed back stays with the bot. Outside the hours the bot answers. Needs business_hours on the channel. */
            business_hours?: boolean;
            /** @description Hand a conversation to people (reason bot_failed) once the bot failed it this many times since it took it: a bot message WhatsApp refused, or a bot suggestion a person discarded. 0 turns the rule off; new channels start at 1. */
            bot_failures?: number;
        };
        CannedReply: {
            id: string;
            /** @enum {string} */
            scope: "shared" | "personal";
            /** @description The owner of a personal reply; absent for shared ones. */
            owner_id?: string;
            shortcut: string;
            title: string;
            /** @description With its variables, e.g. {{customer.name}}. */
            text: string;
            created_by: string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
        };
        Draft: {
            conversation_id: string;
            user_id: string;
            text: string;
            /** Format: date-time */
            updated_at: string;
        };
        ComposerActivity: {
            conversation_id: string;
            user_id: string;
            user_name: string;
            /** @enum {string} */
            kind: "reply" | "note";
            /** Format: date-time */
            expires_at: string;
        };
        SearchResult: {
            /** @enum {string} */
            kind: "message" | "note";
            /** @description The message's id, or the note's (kind note). */
            message_id: string;
            conversation_id: string;
            channel_id: string;
            contact_name: string;
            /** Format: date-time */
            at: string;
            /** @description Up to 160 characters of the text around the first matching word, with … where it was cut. */
            snippet: string;
        };
        ConversationReminder: {
            conversation: components["schemas"]["Conversation"];
            /** @enum {string} */
            reason: "woke" | "unanswered" | "escalated";
            /** @description The users the reminder is for; clients show it as their notification settings allow. */
            user_ids: string[];
        };
        /** @description A custom contact attribute defined by an administrator. */
        AttributeDef: {
            id: string;
            name: string;
            /** @enum {string} */
            type: "text" | "number" | "date" | "list";
            /** @description A list attribute's options; empty for the other types. */
            options: string[];
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
        };
        /** @description A contact's value of one custom attribute (sealed at rest). */
        AttributeValue: {
            attribute_id: string;
            /** @description text as written; number in canonical form (42, 3.5); date YYYY-MM-DD; list one of the options. */
            value: string;
            /** @description Id of the user who set it. */
            updated_by: string;
            /** Format: date-time */
            updated_at: string;
        };
        /** @description A note of the team about a contact, kept across its conversations (sealed at rest, never sent to WhatsApp). */
        ContactNote: {
            id: string;
            contact_id: string;
            author_id: string;
            author_name?: string;
            text: string;
            /** Format: date-time */
            created_at: string;
        };
        /** @description What changed in a contact's panel (contact.updated); the panel is to be reloaded. */
        ContactChange: {
            contact_id: string;
            /** @enum {string} */
            what: "note" | "attributes";
        };
        /** @description The panel beside a conversation: its customer, their conversations the user may see (on every channel, by phone number or BSUID), notes, custom attributes and what the user may do. */
        ContactPanel: {
            contact: components["schemas"]["Contact"];
            conversations: components["schemas"]["Conversation"][];
            /** @description Newest first. */
            notes: components["schemas"]["ContactNote"][];
            attributes: components["schemas"]["AttributeDef"][];
            /** @description The contact's values by attribute id. */
            values: {
                [key: string]: components["schemas"]["AttributeValue"];
            };
            can_write_notes: boolean;
            can_edit_values: boolean;
            can_manage_attributes: boolean;
        };
        /**
         * @description Whether an employee takes conversations now; offline again after their last tab closed.
         * @enum {string}
         */
        Availability: "online" | "away" | "offline";
        Team: {
            id: string;
            name: string;
            member_ids: string[];
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
        };
        TeamInput: {
            name: string;
            member_ids?: string[];
        };
        /** @description A channel's automatic assignment: off by default; otherwise new conversations go to an online employee of team_ids or role_ids (any; both empty: everyone) who may reply on the channel and has fewer than capacity open conversations; unassigned ones waiting longer than reoffer_minutes are offered again. */
        ChannelRouting: {
            /** @enum {string} */
            mode: "off" | "round_robin" | "least_busy";
            team_ids: string[];
            role_ids: string[];
            /** @description 0 on input: 10 */
            capacity: number;
            /** @description 0 on input: 10 */
            reoffer_minutes: number;
        };
        Label: {
            id: string;
            name: string;
            /** @description #rrggbb, lowercase hex */
            color: string;
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
        };
        /** @description A label as a conversation carries it. */
        LabelRef: {
            id: string;
            name: string;
            color: string;
        };
        /** @description The list filter a view saves (never a search text). */
        ViewFilter: {
            /** @enum {string} */
            status?: "open" | "closed";
            /** @enum {string} */
            assignment?: "all" | "unassigned" | "assigned" | "mine";
            assignee_id?: string;
            label_id?: string;
            channel_id?: string;
            unread?: boolean;
            /** @enum {string} */
            sort?: "newest" | "waiting";
        };
        SavedView: {
            id: string;
            user_id: string;
            name: string;
            filter: components["schemas"]["ViewFilter"];
            /** Format: date-time */
            created_at: string;
            /** Format: date-time */
            updated_at: string;
        };
        BulkResult: {
            id: string;
            ok: boolean;
            /** @description Why this conversation failed: the error the single action would answer (not_found for a conversation you may not see, exactly like a missing one). */
            error?: {
                code: string;
                message: string;
            };
        };
        /** @description One label's line: the conversations opened in the range that carry the label now, and how many of those are open now. */
        ReportLabelCount: {
            label_id: string;
            name: string;
            color: string;
            opened: number;
            open_now: number;
        };
    };
    responses: {
        /** @description Error */
        Error: {
            headers: {
                /** @description With 429: seconds to wait. */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getOpenAPI: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OpenAPI 3.1 document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, unknown>;
                };
            };
        };
    };
    getSessionState: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description signed_in false without a valid session; else the user and their role, as GET /api/v1/me */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        signed_in: boolean;
                        user?: components["schemas"]["User"];
                        role?: components["schemas"]["Role"];
                        /** @description As in GET /api/v1/me. */
                        two_factor_enrolment_required?: boolean;
                    };
                };
            };
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    login: string;
                    password: string;
                };
            };
        };
        responses: {
            /** @description The password is right and the user has two-factor sign-in on: no session yet, a challenge for the second step */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SecondFactorChallenge"];
                };
            };
            /** @description Signed in */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoginResponse"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            429: components["responses"]["Error"];
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Signed out */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Error"];
        };
    };
    logoutEverywhere: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description All sessions ended */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Error"];
        };
    };
    setupStatus: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Status */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        needed: boolean;
                    };
                };
            };
        };
    };
    completeSetup: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    token: string;
                    login: string;
                    name: string;
                    password: string;
                };
            };
        };
        responses: {
            /** @description Administrator created and signed in */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoginResponse"];
                };
            };
            400: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            422: components["responses"]["Error"];
            429: components["responses"]["Error"];
        };
    };
    getMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Me */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        user: components["schemas"]["User"];
                        role: components["schemas"]["Role"];
                        /** @description The user's role requires two-factor sign-in and they have not enrolled: until they do, every API except GET /api/v1/me, /api/v1/me/two-factor (GET, POST, confirm) and signing out answers 403 with code two_factor_enrolment_required. */
                        two_factor_enrolment_required?: boolean;
                    };
                };
            };
            401: components["responses"]["Error"];
        };
    };
    changePassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    current_password: string;
                    new_password: string;
                };
            };
        };
        responses: {
            /** @description Changed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            422: components["responses"]["Error"];
            429: components["responses"]["Error"];
        };
    };
    listPermissions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Permissions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            name: components["schemas"]["Permission"];
                        }[];
                    };
                };
            };
            401: components["responses"]["Error"];
        };
    };
    listUsers: {
        parameters: {
            query?: {
                /** @description Part of login or name; case and accents are ignored ("muller" finds "Müller", "ольга" finds "Ольга"). */
                q?: string;
                /** @description Only this role. */
                role_id?: string;
                /** @description true or false */
                active?: boolean;
                /** @description Opaque cursor from the previous page's next_cursor. */
                cursor?: string;
                /** @description Page size, 1 to 200 (default 50). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Users */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["User"][];
                        /** @description Empty on the last page. */
                        next_cursor: string;
                    };
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
        };
    };
    createUser: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    login: string;
                    name: string;
                    role_id: string;
                    password: string;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            409: components["responses"]["Error"];
            422: components["responses"]["Error"];
        };
    };
    getUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description User id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description User */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    updateUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description User id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name?: string;
                    role_id?: string;
                    active?: boolean;
                    password?: string;
                    /** @description Only with active: false (and conversations.assign): also take the user off every conversation assigned to them, one conversation.unassigned event and audit entry each. */
                    unassign_all?: boolean;
                    /** @description With unassign_all: give each of those conversations to this active user where they may reply on its channel; the others stay unassigned (and automatic assignment offers them again). */
                    reassign_to?: string;
                };
            };
        };
        responses: {
            /** @description User */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["User"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            422: components["responses"]["Error"];
        };
    };
    listRoles: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Roles */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Role"][];
                        /** @description Empty on the last page. */
                        next_cursor: string;
                    };
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
        };
    };
    createRole: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    description?: string;
                    permissions?: components["schemas"]["Permission"][];
                    /** @description Give the role every channel. Without it the role needs at least one channel in channel_ids; an empty list is refused (400) rather than meaning all channels. On create, leaving out both gives the creator's own channels. */
                    all_channels?: boolean;
                    /** @description Channels the role is limited to; a non-empty list clears all_channels. */
                    channel_ids?: string[];
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Role"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    getRole: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Role id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Role */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Role"];
                };
            };
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    deleteRole: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Role id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    updateRole: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Role id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name?: string;
                    description?: string;
                    permissions?: components["schemas"]["Permission"][];
                    /** @description Give the role every channel. Without it the role needs at least one channel in channel_ids; an empty list is refused (400) rather than meaning all channels. On create, leaving out both gives the creator's own channels. */
                    all_channels?: boolean;
                    /** @description Channels the role is limited to; a non-empty list clears all_channels. */
                    channel_ids?: string[];
                };
            };
        };
        responses: {
            /** @description Role */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Role"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    listConversations: {
        parameters: {
            query?: {
                /** @description all, unassigned, assigned or mine */
                assignment?: "all" | "unassigned" | "assigned" | "mine";
                /** @description open, pending, snoozed or resolved; the deprecated closed means resolved */
                status?: "open" | "pending" | "snoozed" | "resolved" | "closed";
                /** @description Client name or phone number (searched through blind indexes). */
                q?: string;
                /** @description Opaque cursor from the previous page's next_cursor. */
                cursor?: string;
                /** @description Page size, 1 to 200 (default 50). */
                limit?: number;
                /** @description Only conversations assigned to this team */
                team?: string;
                /** @description Only conversations assigned to this user (an id); combine with assignment for unassigned or mine. */
                assignee?: string;
                /** @description Only conversations carrying this label (an id). */
                label?: string;
                /** @description Only this channel (an id), within your role's channels. */
                channel?: string;
                /** @description true: only conversations with messages you have not read. */
                unread?: "true" | "false";
                /** @description newest (default): newest activity first; waiting: the oldest unanswered customer message first, conversations nobody waits in last. A cursor belongs to its order. */
                sort?: "newest" | "waiting";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Conversations */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Conversation"][];
                        next_cursor: string;
                        /** @description On the first page only (no cursor). */
                        counts?: components["schemas"]["ConversationCounts"];
                    };
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
        };
    };
    getConversation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Conversation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversation"];
                };
            };
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    updateConversation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    status?: "open" | "pending" | "snoozed" | "resolved" | "closed";
                    /**
                     * Format: date-time
                     * @description Only with status snoozed: when it comes back by itself, in the future and at most a year ahead; null or absent: when the customer writes.
                     */
                    snoozed_until?: string | null;
                };
            };
        };
        responses: {
            /** @description Conversation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversation"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    listMessages: {
        parameters: {
            query?: {
                /** @description Cursor: the next_cursor of the previous page (older messages). */
                before?: string;
                /** @description Page size, 1 to 200 (default 50). */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Messages */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Message"][];
                        /** @description Empty on the last page. */
                        next_cursor: string;
                        /** @description The notes and activity lines from this page's oldest message (the beginning, on the last page) up to the previous page, oldest first. */
                        entries: components["schemas"]["ThreadEntry"][];
                    };
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    sendMessage: {
        parameters: {
            query?: never;
            header?: {
                /** @description A retried request with the same key returns the first result instead of sending twice. Keys are remembered for 24 hours, per user and per conversation: the same key in another conversation sends a new message. */
                "Idempotency-Key"?: string;
            };
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    type: "text" | "image" | "video" | "audio" | "document" | "sticker" | "template" | "interactive";
                    text?: string;
                    caption?: string;
                    reply_to?: string;
                    /** @description From POST /conversations/{id}/media. */
                    media_id?: string;
                    template?: {
                        name: string;
                        language: string;
                        /** @description Keys body.1, header.1, body.<name>, header (media), button.<i>.1. */
                        parameters?: {
                            [key: string]: string;
                        };
                    };
                    interactive?: components["schemas"]["InteractiveSend"];
                };
                "multipart/form-data": {
                    /**
                     * @description Send before the file.
                     * @enum {string}
                     */
                    type: "image" | "video" | "audio" | "document" | "sticker";
                    /** @description Optional; lets an oversized file be refused before it is read. */
                    size?: number;
                    caption?: string;
                    reply_to?: string;
                    /** Format: binary */
                    file: string;
                };
            };
        };
        responses: {
            /** @description Accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Message"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            422: components["responses"]["Error"];
        };
    };
    listAssignable: {
        parameters: {
            query?: {
                /** @description Substring of login or name (at most 100 characters) */
                q?: string;
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Users */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["User"][];
                    };
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    assign: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
                /** @description User id */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Conversation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversation"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    unassign: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
                /** @description User id */
                userId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Conversation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversation"];
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    listAudit: {
        parameters: {
            query?: {
                /** @description Actor user id */
                actor?: string;
                /** @description e.g. session.login */
                action?: string;
                /** @description e.g. conversation */
                object_type?: string;
                /** @description Object id */
                object?: string;
                /** @description RFC 3339 time */
                since?: string;
                /** @description RFC 3339 time */
                until?: string;
                /** @description Opaque cursor from the previous page's next_cursor. */
                cursor?: string;
                /** @description Page size, 1 to 200 (default 50). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Entries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["AuditEntry"][];
                        /** @description Empty on the last page. */
                        next_cursor: string;
                    };
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
        };
    };
    auditActions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Actions, and the object types entries are about (the values the object_type filter takes) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: string[];
                        object_types: string[];
                    };
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
        };
    };
    verifyAudit: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Result */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        ok: boolean;
                        checked: number;
                        broken_at?: number;
                        reason?: string;
                    };
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
        };
    };
    backupStatus: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Backup status */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BackupStatus"];
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
        };
    };
    events: {
        parameters: {
            query?: {
                /** @description Resume after this event id; if it is too old the first event is resync. */
                last_id?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Switching to WebSocket; each text message is one Event as JSON. Over 20 sockets per user or 2,000 in total the socket is closed at once with 1013 and a reason (too many connections); back off and retry. */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Event"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
        };
    };
    listChannels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Channels */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Channel"][];
                        next_cursor: string;
                    };
                };
            };
            401: components["responses"]["Error"];
        };
    };
    createChannel: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    phone_number_id: string;
                    waba_id?: string;
                    display_phone_number?: string;
                    graph_url?: string;
                    access_token: string;
                    app_secret: string;
                    verify_token?: string;
                    mark_read?: boolean;
                    /** @description Messages and media older than this many days are deleted by the hourly retention job, then conversations and contacts left empty (docs/gdpr.md). 0 keeps everything (the default); otherwise 1 to 3650. */
                    retention_days?: number;
                    /** @description Business hours, or null to remove them. */
                    business_hours?: components["schemas"]["BusinessHours"] | null;
                    /** @description A bot service account (bot: true) whose role may reply on this channel; empty removes the bot agent. */
                    bot_agent_id?: string;
                    handoff_rules?: components["schemas"]["HandoffRulesInput"];
                    /** @description The number is also in use with the WhatsApp Business app (coexistence): Meta fixes its throughput at 20 messages per second and Switchboard paces sends to it accordingly; messages sent from the app arrive as echoes. */
                    coexistence?: boolean;
                    /** @description Sent automatically, once, to a customer who opens the chat for the first time (request_welcome), while the service window is open; empty for none. At most 1024 characters. */
                    welcome_message?: string;
                    /** @description Sent automatically, once per conversation, to a customer who writes outside the channel's business hours, while the service window is open; empty (or no business hours) for none. At most 1024 characters. */
                    away_message?: string;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Channel"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    getChannel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Channel id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Channel */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Channel"];
                };
            };
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    updateChannel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Channel id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name?: string;
                    phone_number_id?: string;
                    waba_id?: string;
                    display_phone_number?: string;
                    graph_url?: string;
                    access_token?: string;
                    app_secret?: string;
                    verify_token?: string;
                    mark_read?: boolean;
                    /** @description Messages and media older than this many days are deleted by the hourly retention job, then conversations and contacts left empty (docs/gdpr.md). 0 keeps everything (the default); otherwise 1 to 3650. */
                    retention_days?: number;
                    /** @description Business hours, or null to remove them. */
                    business_hours?: components["schemas"]["BusinessHours"] | null;
                    /** @description A bot service account (bot: true) whose role may reply on this channel; empty removes the bot agent. */
                    bot_agent_id?: string;
                    handoff_rules?: components["schemas"]["HandoffRulesInput"];
                    /** @description The number is also in use with the WhatsApp Business app (coexistence): Meta fixes its throughput at 20 messages per second and Switchboard paces sends to it accordingly; messages sent from the app arrive as echoes. */
                    coexistence?: boolean;
                    /** @description Sent automatically, once, to a customer who opens the chat for the first time (request_welcome), while the service window is open; empty for none. At most 1024 characters. */
                    welcome_message?: string;
                    /** @description Sent automatically, once per conversation, to a customer who writes outside the channel's business hours, while the service window is open; empty (or no business hours) for none. At most 1024 characters. */
                    away_message?: string;
                };
            };
        };
        responses: {
            /** @description Channel */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Channel"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    syncTemplates: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Channel id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Approved templates after the sync */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Template"][];
                        next_cursor: string;
                    };
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            503: components["responses"]["Error"];
        };
    };
    listTemplates: {
        parameters: {
            query: {
                channel: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Templates */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Template"][];
                        next_cursor: string;
                    };
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    uploadMedia: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "multipart/form-data": {
                    /**
                     * @description Send before the file.
                     * @enum {string}
                     */
                    type: "image" | "video" | "audio" | "document" | "sticker";
                    /** @description Optional; lets an oversized file be refused before it is read. */
                    size?: number;
                    caption?: string;
                    reply_to?: string;
                    /** Format: binary */
                    file: string;
                };
            };
        };
        responses: {
            /** @description Stored */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MediaFile"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            413: components["responses"]["Error"];
            422: components["responses"]["Error"];
        };
    };
    getMediaLimits: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One entry per kind, in the order a MIME type is matched: the first kind listing it wins. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** @enum {string} */
                            kind: "image" | "video" | "audio" | "document" | "sticker";
                            mime_types: string[];
                            /** Format: int64 */
                            max_bytes: number;
                        }[];
                    };
                };
            };
            401: components["responses"]["Error"];
        };
    };
    sendErrors: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Retryable codes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        retryable_codes: number[];
                    };
                };
            };
            401: components["responses"]["Error"];
        };
    };
    getMedia: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Media id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The decrypted file. Served with nosniff; anything a browser could run is an attachment. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": string;
                };
            };
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    markRead: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Marked read */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    getContact: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Contact id (Conversation.contact.id) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The contact's profile */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ContactProfile"];
                };
            };
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    eraseContact: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Contact id (Conversation.contact.id) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Erased */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        contact_id: string;
                        conversations: number;
                        messages: number;
                        media_files: number;
                    };
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    exportContact: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Contact id (Conversation.contact.id) */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The archive, as an attachment named switchboard-contact-<id>.zip */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/zip": string;
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    listDeadLetters: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Dead letters */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["DeadLetter"][];
                        /** @description Always empty. */
                        next_cursor: string;
                    };
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
        };
    };
    replayDeadLetter: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Queued again */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    reportConversations: {
        parameters: {
            query?: {
                /** @description First day of the range (YYYY-MM-DD, in the report's time zone). Default: 29 days before to. */
                from?: string;
                /** @description Last day of the range, included (YYYY-MM-DD). Default: today. A range covers at most 400 days. */
                to?: string;
                /** @description Width of the periods; weeks start on Monday. */
                interval?: "day" | "week" | "month";
                /** @description IANA time zone the days are counted in, e.g. Europe/Berlin. Default: the installation's (SWITCHBOARD_TIMEZONE). */
                tz?: string;
                /** @description Only this channel; it must be one of the role's channels (404 otherwise). */
                channel?: string;
                /** @description csv for a CSV download of the report's table (also chosen by Accept: text/csv); CSV exports are audited as report.export. */
                format?: "json" | "csv";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report (JSON), or its table as CSV */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConversationsReport"];
                    "text/csv": string;
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    reportAgents: {
        parameters: {
            query?: {
                /** @description First day of the range (YYYY-MM-DD, in the report's time zone). Default: 29 days before to. */
                from?: string;
                /** @description Last day of the range, included (YYYY-MM-DD). Default: today. A range covers at most 400 days. */
                to?: string;
                /** @description IANA time zone the days are counted in, e.g. Europe/Berlin. Default: the installation's (SWITCHBOARD_TIMEZONE). */
                tz?: string;
                /** @description Only this channel; it must be one of the role's channels (404 otherwise). */
                channel?: string;
                /** @description csv for a CSV download of the report's table (also chosen by Accept: text/csv); CSV exports are audited as report.export. */
                format?: "json" | "csv";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report (JSON), or its table as CSV */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AgentsReport"];
                    "text/csv": string;
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    reportMessages: {
        parameters: {
            query?: {
                /** @description First day of the range (YYYY-MM-DD, in the report's time zone). Default: 29 days before to. */
                from?: string;
                /** @description Last day of the range, included (YYYY-MM-DD). Default: today. A range covers at most 400 days. */
                to?: string;
                /** @description Width of the periods; weeks start on Monday. */
                interval?: "day" | "week" | "month";
                /** @description IANA time zone the days are counted in, e.g. Europe/Berlin. Default: the installation's (SWITCHBOARD_TIMEZONE). */
                tz?: string;
                /** @description Only this channel; it must be one of the role's channels (404 otherwise). */
                channel?: string;
                /** @description csv for a CSV download of the report's table (also chosen by Accept: text/csv); CSV exports are audited as report.export. */
                format?: "json" | "csv";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report (JSON), or its table as CSV */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MessagesReport"];
                    "text/csv": string;
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    reportCosts: {
        parameters: {
            query?: {
                /** @description First day of the range (YYYY-MM-DD, in the report's time zone). Default: 29 days before to. */
                from?: string;
                /** @description Last day of the range, included (YYYY-MM-DD). Default: today. A range covers at most 400 days. */
                to?: string;
                /** @description Width of the periods; weeks start on Monday. */
                interval?: "day" | "week" | "month";
                /** @description IANA time zone the days are counted in, e.g. Europe/Berlin. Default: the installation's (SWITCHBOARD_TIMEZONE). */
                tz?: string;
                /** @description Only this channel; it must be one of the role's channels (404 otherwise). */
                channel?: string;
                /** @description csv for a CSV download of the report's table (also chosen by Accept: text/csv); CSV exports are audited as report.export. */
                format?: "json" | "csv";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report (JSON), or its table as CSV */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CostsReport"];
                    "text/csv": string;
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    reportBots: {
        parameters: {
            query?: {
                /** @description First day of the range (YYYY-MM-DD, in the report's time zone). Default: 29 days before to. */
                from?: string;
                /** @description Last day of the range, included (YYYY-MM-DD). Default: today. A range covers at most 400 days. */
                to?: string;
                /** @description Width of the periods; weeks start on Monday. */
                interval?: "day" | "week" | "month";
                /** @description IANA time zone the days are counted in, e.g. Europe/Berlin. Default: the installation's (SWITCHBOARD_TIMEZONE). */
                tz?: string;
                /** @description Only this channel; it must be one of the role's channels (404 otherwise). */
                channel?: string;
                /** @description csv for a CSV download of the report's table (also chosen by Accept: text/csv); CSV exports are audited as report.export. */
                format?: "json" | "csv";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report (JSON), or its table as CSV */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BotsReport"];
                    "text/csv": string;
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    listMyTokens: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Tokens */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["APIToken"][];
                        /** @description Always empty: the whole list in one page. */
                        next_cursor: string;
                    };
                };
            };
            401: components["responses"]["Error"];
        };
    };
    createMyToken: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TokenRequest"];
            };
        };
        responses: {
            /** @description Created; the secret is in this answer only */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedToken"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            422: components["responses"]["Error"];
            429: components["responses"]["Error"];
        };
    };
    revokeMyToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Token id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked; the token stops working at once (REST, WebSocket, MCP). */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    listServiceAccounts: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Service accounts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["ServiceAccount"][];
                        /** @description Always empty: the whole list in one page. */
                        next_cursor: string;
                    };
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
        };
    };
    createServiceAccount: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    login: string;
                    name: string;
                    /** @description Its permissions and channel limit. */
                    role_id: string;
                    description?: string;
                    /** @description Make the account eligible as a channel's bot agent. */
                    bot?: boolean;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ServiceAccount"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    listServiceAccountTokens: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The service account's user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Tokens */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["APIToken"][];
                        /** @description Always empty: the whole list in one page. */
                        next_cursor: string;
                    };
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    createServiceAccountToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The service account's user id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TokenRequest"];
            };
        };
        responses: {
            /** @description Created; the secret is in this answer only */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CreatedToken"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            422: components["responses"]["Error"];
        };
    };
    revokeServiceAccountToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The service account's user id */
                id: string;
                /** @description Token id */
                tokenId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked; the token stops working at once (REST, WebSocket, MCP). */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    retryMessage: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Accepted */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Message"];
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    loginSecondFactor: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    challenge: string;
                    code: string;
                };
            };
        };
        responses: {
            /** @description Signed in */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoginResponse"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            429: components["responses"]["Error"];
        };
    };
    getTwoFactor: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description State */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TwoFactorStatus"];
                };
            };
            401: components["responses"]["Error"];
        };
    };
    beginTwoFactor: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The secret to add to an authenticator app */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TwoFactorEnrolment"];
                };
            };
            401: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    confirmTwoFactor: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    code: string;
                };
            };
        };
        responses: {
            /** @description On */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        recovery_codes: string[];
                    };
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            409: components["responses"]["Error"];
            429: components["responses"]["Error"];
        };
    };
    disableTwoFactor: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    password?: string;
                    code?: string;
                };
            };
        };
        responses: {
            /** @description Off */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            429: components["responses"]["Error"];
        };
    };
    regenerateRecoveryCodes: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    password: string;
                    code: string;
                };
            };
        };
        responses: {
            /** @description New codes */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        recovery_codes: string[];
                    };
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            409: components["responses"]["Error"];
            429: components["responses"]["Error"];
        };
    };
    resetTwoFactor: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Reset */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    setRoleTwoFactor: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    require_two_factor: boolean;
                };
            };
        };
        responses: {
            /** @description The role */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Role"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    listWebhooks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Subscriptions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items?: components["schemas"]["WebhookSubscription"][];
                        next_cursor?: string;
                    };
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
        };
    };
    createWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    description?: string;
                    /** @description https URL; plain http and private addresses only for hosts in SWITCHBOARD_WEBHOOK_ALLOW_HOSTS */
                    url: string;
                    /** @description Event types or families; assignment.* is conversation.assigned and conversation.unassigned; handoff.* is handoff.to_human, handoff.to_bot and handoff.bot_turn; suggestion.* is suggestion.created and suggestion.updated */
                    events: ("message.created" | "message.updated" | "message.*" | "conversation.created" | "conversation.updated" | "conversation.assigned" | "conversation.unassigned" | "conversation.deleted" | "conversation.*" | "assignment.*" | "handoff.to_human" | "handoff.to_bot" | "handoff.bot_turn" | "suggestion.created" | "suggestion.updated" | "handoff.*" | "suggestion.*")[];
                    /** @description Channels to subscribe; empty (on create) means all of the creator's channels */
                    channel_ids?: string[];
                    active?: boolean;
                };
            };
        };
        responses: {
            /** @description Subscription with its secret */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookSubscriptionWithSecret"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    getWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Subscription id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Subscription */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookSubscription"];
                };
            };
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    deleteWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Subscription id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    updateWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Subscription id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    description?: string;
                    /** @description https URL; plain http and private addresses only for hosts in SWITCHBOARD_WEBHOOK_ALLOW_HOSTS */
                    url?: string;
                    /** @description Event types or families; assignment.* is conversation.assigned and conversation.unassigned; handoff.* is handoff.to_human, handoff.to_bot and handoff.bot_turn; suggestion.* is suggestion.created and suggestion.updated */
                    events?: ("message.created" | "message.updated" | "message.*" | "conversation.created" | "conversation.updated" | "conversation.assigned" | "conversation.unassigned" | "conversation.deleted" | "conversation.*" | "assignment.*" | "handoff.to_human" | "handoff.to_bot" | "handoff.bot_turn" | "suggestion.created" | "suggestion.updated" | "handoff.*" | "suggestion.*")[];
                    /** @description Channels to subscribe; empty (on create) means all of the creator's channels */
                    channel_ids?: string[];
                    active?: boolean;
                };
            };
        };
        responses: {
            /** @description Subscription */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookSubscription"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    rotateWebhookSecret: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Subscription id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Subscription with its new secret */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookSubscriptionWithSecret"];
                };
            };
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    listWebhookDeliveries: {
        parameters: {
            query?: {
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Subscription id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deliveries */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items?: components["schemas"]["WebhookDelivery"][];
                        next_cursor?: string;
                    };
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    redeliverWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Subscription id */
                id: string;
                /** @description Delivery id */
                delivery: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Delivery, pending */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDelivery"];
                };
            };
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    listPasskeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Passkeys */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        available: boolean;
                        rp_id?: string;
                        passkeys: components["schemas"]["Passkey"][];
                    };
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
        };
    };
    registerPasskey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    credential: components["schemas"]["PasskeyCredential"];
                };
            };
        };
        responses: {
            /** @description Registered */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Passkey"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    passkeyRegistrationOptions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Options for the browser */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        public_key: components["schemas"]["PasskeyCreationOptions"];
                    };
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    deletePasskey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    password: string;
                };
            };
        };
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            429: components["responses"]["Error"];
        };
    };
    passkeySignInOptions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    challenge: string;
                };
            };
        };
        responses: {
            /** @description Options for the browser */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        public_key: components["schemas"]["PasskeyRequestOptions"];
                    };
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    loginPasskey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    challenge: string;
                    credential: components["schemas"]["PasskeyCredential"];
                };
            };
        };
        responses: {
            /** @description Signed in */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LoginResponse"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            409: components["responses"]["Error"];
            429: components["responses"]["Error"];
        };
    };
    handOff: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    to: "human" | "bot";
                    reason?: string;
                    summary?: string;
                };
            };
        };
        responses: {
            /** @description Conversation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversation"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            422: components["responses"]["Error"];
        };
    };
    reportBotFailure: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The conversation afterwards; handoff.bot_failures is the count (0 after a hand-off). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversation"];
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    listSuggestions: {
        parameters: {
            query?: {
                /** @description pending: only those waiting for a person */
                state?: "pending";
            };
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Suggestions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Suggestion"][];
                    };
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    createSuggestion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    text: string;
                    rationale?: string;
                };
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Suggestion"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    sendSuggestion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
                /** @description Suggestion id */
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    /** @description The edited text; omit to send the suggestion as it is. */
                    text?: string;
                };
            };
        };
        responses: {
            /** @description The message and the suggestion */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        message: components["schemas"]["Message"];
                        suggestion: components["schemas"]["Suggestion"];
                    };
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            422: components["responses"]["Error"];
        };
    };
    discardSuggestion: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
                /** @description Suggestion id */
                sid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Suggestion */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Suggestion"];
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    typing: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Accepted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    blockContact: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The conversation with its contact */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversation"];
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            422: components["responses"]["Error"];
            503: components["responses"]["Error"];
        };
    };
    unblockContact: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The conversation with its contact */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversation"];
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            422: components["responses"]["Error"];
            503: components["responses"]["Error"];
        };
    };
    addNote: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    text: string;
                    /** @description Ids of mentioned users (from mentionable). */
                    mentions?: string[];
                };
            };
        };
        responses: {
            /** @description The note */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ThreadEntry"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    listMentionable: {
        parameters: {
            query?: {
                /** @description Substring of login or name */
                q?: string;
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Users */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["UserRef"][];
                    };
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    dismissMention: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Dismissed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    listMentions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Mentions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["MentionItem"][];
                    };
                };
            };
            401: components["responses"]["Error"];
        };
    };
    listCannedReplies: {
        parameters: {
            query?: {
                scope?: "shared" | "personal";
                /** @description Part of the shortcut or title, case- and accent-insensitive */
                q?: string;
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The replies */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["CannedReply"][];
                    };
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
        };
    };
    createCannedReply: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description shared needs canned_replies.manage
                     * @enum {string}
                     */
                    scope: "shared" | "personal";
                    /** @description What follows / in the composer: 1 to 32 letters, digits, '-', '_' or '.'; unique per scope, compared case- and accent-insensitively. A leading / is dropped. */
                    shortcut: string;
                    title?: string;
                    /** @description The reply; may use {{customer.name}}, {{agent.name}} and {{business.name}} (an unknown variable is refused with 400). */
                    text: string;
                };
            };
        };
        responses: {
            /** @description The reply */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CannedReply"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    getCannedReply: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Canned reply id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The reply */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CannedReply"];
                };
            };
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    updateCannedReply: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Canned reply id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description What follows / in the composer: 1 to 32 letters, digits, '-', '_' or '.'; unique per scope, compared case- and accent-insensitively. A leading / is dropped. */
                    shortcut: string;
                    title?: string;
                    /** @description The reply; may use {{customer.name}}, {{agent.name}} and {{business.name}} (an unknown variable is refused with 400). */
                    text: string;
                };
            };
        };
        responses: {
            /** @description The reply */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CannedReply"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    deleteCannedReply: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Canned reply id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    renderCannedReply: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
                /** @description Canned reply id */
                replyId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The text to insert */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        text: string;
                    };
                };
            };
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    getDraft: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The draft */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Draft"];
                };
            };
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    saveDraft: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    text: string;
                };
            };
        };
        responses: {
            /** @description The draft */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Draft"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    composerActivity: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {string} */
                    kind: "reply" | "note";
                };
            };
        };
        responses: {
            /** @description Announced */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    searchMessages: {
        parameters: {
            query: {
                /** @description Words to find: at most 100 characters, 200 bytes and 8 words. */
                q: string;
                /** @description Opaque cursor from the previous page's next_cursor. */
                cursor?: string;
                /** @description Page size, 1 to 50 (default 20). */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Hits */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["SearchResult"][];
                        next_cursor: string;
                    };
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
        };
    };
    getContactPanel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The panel */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ContactPanel"];
                };
            };
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    addContactNote: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    text: string;
                };
            };
        };
        responses: {
            /** @description The note */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ContactNote"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    deleteContactNote: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
                /** @description Note id */
                noteId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    setContactAttributes: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Values by attribute id. */
                    values: {
                        [key: string]: string;
                    };
                };
            };
        };
        responses: {
            /** @description The contact's values after the change */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        values: {
                            [key: string]: components["schemas"]["AttributeValue"];
                        };
                    };
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    listAttributeDefs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The attributes by name */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["AttributeDef"][];
                    };
                };
            };
            401: components["responses"]["Error"];
        };
    };
    createAttributeDef: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /** @enum {string} */
                    type: "text" | "number" | "date" | "list";
                    options?: string[];
                };
            };
        };
        responses: {
            /** @description The attribute */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AttributeDef"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    updateAttributeDef: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Attribute id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /**
                     * @description Must be the current type (a type never changes).
                     * @enum {string}
                     */
                    type?: "text" | "number" | "date" | "list";
                    options?: string[];
                };
            };
        };
        responses: {
            /** @description The attribute */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AttributeDef"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    deleteAttributeDef: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Attribute id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    markMentionRead: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Read */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    listTeams: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Teams */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Team"][];
                    };
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
        };
    };
    createTeam: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TeamInput"];
            };
        };
        responses: {
            /** @description Team */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Team"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    updateTeam: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TeamInput"];
            };
        };
        responses: {
            /** @description Team */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Team"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    deleteTeam: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    setAvailability: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    availability: components["schemas"]["Availability"];
                };
            };
        };
        responses: {
            /** @description Availability */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        availability: components["schemas"]["Availability"];
                    };
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
        };
    };
    setConversationTeam: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    team_id: string;
                };
            };
        };
        responses: {
            /** @description Conversation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversation"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    getChannelRouting: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Settings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChannelRouting"];
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    setChannelRouting: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ChannelRouting"];
            };
        };
        responses: {
            /** @description Settings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChannelRouting"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    listLabels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The labels */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Label"][];
                    };
                };
            };
            401: components["responses"]["Error"];
        };
    };
    createLabel: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description 1 to 40 characters on one line; unique, compared case- and accent-insensitively. */
                    name: string;
                    /** @description #rrggbb */
                    color: string;
                };
            };
        };
        responses: {
            /** @description The label */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Label"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    updateLabel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Label id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description 1 to 40 characters on one line; unique, compared case- and accent-insensitively. */
                    name: string;
                    /** @description #rrggbb */
                    color: string;
                };
            };
        };
        responses: {
            /** @description The label */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Label"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    deleteLabel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Label id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    addConversationLabel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
                /** @description Label id */
                labelId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The conversation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversation"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    removeConversationLabel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Conversation id */
                id: string;
                /** @description Label id */
                labelId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The conversation */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Conversation"];
                };
            };
            401: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    bulkConversations: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    ids: string[];
                    /** @enum {string} */
                    action: "assign" | "unassign" | "label" | "unlabel" | "status";
                    /** @description For assign and unassign */
                    user_id?: string;
                    /** @description For label and unlabel */
                    label_id?: string;
                    /**
                     * @description For status
                     * @enum {string}
                     */
                    status?: "open" | "closed";
                };
            };
        };
        responses: {
            /** @description One result per distinct id, in order */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        results: components["schemas"]["BulkResult"][];
                        failed: number;
                    };
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
        };
    };
    listSavedViews: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Your views */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["SavedView"][];
                    };
                };
            };
            401: components["responses"]["Error"];
        };
    };
    createSavedView: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description 1 to 50 characters; unique among your views */
                    name: string;
                    filter: components["schemas"]["ViewFilter"];
                };
            };
        };
        responses: {
            /** @description The view */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SavedView"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
    deleteSavedView: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description View id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
        };
    };
    updateSavedView: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description View id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description 1 to 50 characters; unique among your views */
                    name?: string;
                    filter?: components["schemas"]["ViewFilter"];
                };
            };
        };
        responses: {
            /** @description The view */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SavedView"];
                };
            };
            400: components["responses"]["Error"];
            401: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
        };
    };
}
