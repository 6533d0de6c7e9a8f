// Package dump defines the backend-neutral form of Switchboard's tables: the
// logical schema that internal/sqlite and internal/postgres read into and
// load from, so that a backup made on one backend restores on the other.
//
// Values are plain Go values of one type per [Kind]: string, int64, bool,
// time.Time (UTC, microseconds) and []byte, or nil for NULL. Ciphertext
// columns are bytes and pass through unchanged: rows keep their ids, so
// ciphertexts bound to (table, column, row id) and data keys wrapped by the
// master key stay valid.
//
// The package imports only the standard library, so that both stores can
// depend on it without depending on the backup machinery.
package dump

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Version is the version of the logical schema below. It changes when a
// table or column is added, renamed or retyped, so that a restore knows
// which columns an older backup has.
const Version = 10

// Kind is the logical type of a column.
type Kind string

// The kinds. Times are UTC at microsecond precision, which both stores keep.
const (
	Text  Kind = "text"
	Int   Kind = "int"
	Bool  Kind = "bool"
	Time  Kind = "time"
	Bytes Kind = "bytes"
)

// Column is one column of a logical table.
type Column struct {
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Null is set when the column may hold NULL on at least one backend.
	Null bool `json:"null,omitempty"`
}

// Table is a logical table: a name and its columns in dump order.
type Table struct {
	Name    string   `json:"name"`
	Columns []Column `json:"columns"`
}

// Index returns the position of the named column, or -1.
func (t *Table) Index(name string) int {
	for i, c := range t.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// ColumnNames returns the names of t's columns in order.
func (t *Table) ColumnNames() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

func col(name string, k Kind) Column     { return Column{Name: name, Kind: k} }
func nullCol(name string, k Kind) Column { return Column{Name: name, Kind: k, Null: true} }

// Tables returns the logical schema in an order that is safe for foreign
// keys: a table comes after every table it references. Both stores must
// have exactly these tables and columns (apart from the differences each
// store's dump code maps, documented there); each store has a test that
// fails when a migration adds a column that is missing here.
//
// schema_migrations is not part of a dump: a restore runs the target's
// own migrations first.
func Tables() []*Table {
	return []*Table{
		{Name: "settings", Columns: []Column{
			// value is the wrapped key bytes for settings that hold a key
			// (master_key_id set), else the value's text as bytes.
			col("name", Text), col("value", Bytes), col("master_key_id", Text),
		}},
		{Name: "data_keys", Columns: []Column{
			col("id", Text), col("master_key_id", Text), nullCol("wrapped", Bytes),
			col("created_at", Time), nullCol("destroyed_at", Time),
		}},
		{Name: "roles", Columns: []Column{
			col("id", Text), col("name", Text), col("description", Text), col("permissions", Text),
			col("channel_ids", Text), col("built_in", Bool), col("created_at", Time), col("updated_at", Time),
			col("require_two_factor", Bool), // version 5
		}},
		{Name: "users", Columns: []Column{
			col("id", Text), col("login", Text), col("name", Text), col("role_id", Text), col("active", Bool),
			col("password_hash", Text), nullCol("password_changed_at", Time), col("created_at", Time), col("updated_at", Time),
		}},
		// user_two_factor and user_recovery_codes hold two-factor sign-in
		// (version 5): the secret is sealed under key_id like any other
		// sealed cell; recovery codes are hashes.
		{Name: "user_two_factor", Columns: []Column{
			col("user_id", Text), col("key_id", Text), col("secret", Bytes), col("confirmed", Bool),
			col("last_step", Int), col("created_at", Time), nullCol("confirmed_at", Time),
		}},
		{Name: "user_recovery_codes", Columns: []Column{
			col("user_id", Text), col("hash", Text), nullCol("used_at", Time),
		}},
		// user_passkeys (version 6): WebAuthn public keys, not secret.
		{Name: "user_passkeys", Columns: []Column{
			col("id", Text), col("user_id", Text), col("name", Text), col("credential_id", Bytes), col("public_key", Bytes),
			col("sign_count", Int), col("aaguid", Bytes), col("transports", Text), col("backup_eligible", Bool),
			col("backup_state", Bool), col("created_at", Time), nullCol("last_used_at", Time),
		}},
		{Name: "sessions", Columns: []Column{
			col("id", Text), col("user_id", Text), col("created_at", Time), col("last_seen_at", Time),
			col("expires_at", Time), col("ip", Text), col("user_agent", Text),
		}},
		// service_accounts and api_tokens (version 5): API tokens are
		// kept as the hash of their secret only.
		{Name: "service_accounts", Columns: []Column{
			col("user_id", Text), col("description", Text), col("created_by", Text), col("created_at", Time),
			col("bot", Bool), // version 6
		}},
		{Name: "api_tokens", Columns: []Column{
			col("id", Text), col("user_id", Text), col("name", Text), col("scopes", Text), col("hash", Text),
			col("created_by", Text), col("created_at", Time), nullCol("expires_at", Time), nullCol("last_used_at", Time),
			col("last_used_ip", Text), nullCol("revoked_at", Time), col("rate_per_minute", Int),
		}},
		{Name: "setup_tokens", Columns: []Column{
			col("hash", Text), col("expires_at", Time),
		}},
		{Name: "channels", Columns: []Column{
			col("id", Text), col("name", Text), col("phone_number_id", Text), col("waba_id", Text),
			col("display_phone_number", Text), col("graph_url", Text), col("key_id", Text), col("secrets", Bytes),
			col("mark_read", Bool), col("emulated", Bool), col("created_at", Time), col("updated_at", Time),
			nullCol("last_webhook_at", Time), nullCol("last_send_at", Time), col("token_state", Text),
			col("token_error", Text), nullCol("templates_synced_at", Time), col("template_sync_error", Text),
			col("retention_days", Int),      // version 3
			nullCol("business_hours", Text), // version 6
			col("bot_agent_id", Text),       // version 6
			col("coexistence", Bool),        // version 6
			col("welcome_message", Text),    // version 6
			// version 8: the hand-off rules
			col("handoff_business_hours", Bool), col("handoff_bot_failures", Int),
			col("away_message", Text), // version 10
		}},
		{Name: "contacts", Columns: []Column{
			col("id", Text), col("channel_id", Text), col("key_id", Text), col("wa_id_hash", Bytes),
			col("wa_id", Bytes), col("name", Bytes), col("created_at", Time), col("updated_at", Time),
			// version 4: business-scoped user ids and usernames
			nullCol("user_id_hash", Bytes), nullCol("user_id", Bytes), nullCol("parent_user_id", Bytes), nullCol("username", Bytes),
			// version 6: blocked on WhatsApp, when and by whom
			nullCol("blocked_at", Time), nullCol("blocked_by", Text),
			nullCol("marketing_stopped", Bool), nullCol("marketing_at", Time), // version 6
		}},
		// Webhook surface (version 6): old identifiers, sealed.
		{Name: "contact_identity_history", Columns: []Column{
			col("id", Text), col("contact_id", Text), col("key_id", Text), col("ids", Bytes), col("at", Time),
		}},
		{Name: "channel_notices", Columns: []Column{
			col("id", Text), col("channel_id", Text), col("field", Text), col("kind", Text), col("severity", Text),
			col("summary", Text), col("at", Time),
		}},
		{Name: "conversations", Columns: []Column{
			col("id", Text), col("channel_id", Text), col("contact_id", Text), col("status", Text),
			col("key_id", Text), nullCol("last_message", Bytes), nullCol("last_message_at", Time),
			nullCol("last_inbound_at", Time), col("inbound_count", Int), col("created_at", Time), col("updated_at", Time),
			// version 6: the handler and the last hand-off (note sealed)
			col("handler", Text), nullCol("handoff_note", Bytes), nullCol("handoff_at", Time), col("handoff_by", Text),
			col("bot_failures", Int),       // version 8
			nullCol("snoozed_until", Time), // version 9
		}},
		// handoffs are the changes of handler, for the bots report (version 7).
		{Name: "handoffs", Columns: []Column{
			col("id", Text), col("conversation_id", Text), col("channel_id", Text), col("at", Time),
			col("to_handler", Text), col("reason", Text),
		}},
		{Name: "conversation_assignees", Columns: []Column{
			col("conversation_id", Text), col("user_id", Text), col("assigned_at", Time),
		}},
		{Name: "conversation_reads", Columns: []Column{
			col("conversation_id", Text), col("user_id", Text), col("read_count", Int),
		}},
		{Name: "conversation_signals", Columns: []Column{
			col("id", Text), col("conversation_id", Text), col("field", Text), col("key_id", Text), col("raw", Bytes), col("at", Time),
		}},
		{Name: "messages", Columns: []Column{
			col("id", Text), col("conversation_id", Text), col("key_id", Text), col("direction", Text),
			col("type", Text), col("status", Text), col("content", Bytes), nullCol("wa_message_id", Bytes),
			nullCol("wamid_hash", Bytes), col("reply_to_id", Text), col("sender_id", Text), nullCol("error_code", Int),
			col("error_title", Text), col("error_details", Text), col("ts", Time), col("created_at", Time), col("updated_at", Time),
			nullCol("pricing", Text), // version 6
			// version 6: coexistence with the WhatsApp Business app
			col("author", Text), col("imported", Bool), nullCol("edited_at", Time), col("revoked", Bool),
		}},
		// suggestions are bots' draft replies (version 6); body is sealed.
		{Name: "suggestions", Columns: []Column{
			col("id", Text), col("conversation_id", Text), col("author_id", Text), col("key_id", Text), col("body", Bytes),
			col("state", Text), col("decided_by", Text), col("message_id", Text), col("created_at", Time), col("updated_at", Time),
		}},
		// Notes, activity lines and mentions (version 7); body is sealed.
		{Name: "thread_entries", Columns: []Column{
			col("id", Text), col("conversation_id", Text), col("kind", Text), col("author_id", Text), col("key_id", Text),
			col("body", Bytes), col("created_at", Time),
		}},
		{Name: "conversation_mentions", Columns: []Column{
			col("conversation_id", Text), col("user_id", Text), col("note_id", Text), col("mentioned_by", Text), col("created_at", Time),
			nullCol("read_at", Time), // version 9
		}},
		// Canned replies (version 8), plain business texts, and drafts,
		// whose body is sealed.
		{Name: "canned_replies", Columns: []Column{
			col("id", Text), col("owner_id", Text), col("shortcut", Text), col("shortcut_key", Text), col("search_key", Text),
			col("title", Text), col("body", Text), col("created_by", Text), col("created_at", Time), col("updated_at", Time),
		}},
		{Name: "drafts", Columns: []Column{
			col("conversation_id", Text), col("user_id", Text), col("key_id", Text), col("body", Bytes), col("updated_at", Time),
		}},
		// The contact panel (version 9): custom attribute definitions,
		// their values per contact and contact notes; value and body are
		// sealed under the contact's key.
		{Name: "contact_attribute_defs", Columns: []Column{
			col("id", Text), col("name", Text), col("name_key", Text), col("type", Text), col("options", Text),
			col("created_at", Time), col("updated_at", Time),
		}},
		{Name: "contact_attribute_values", Columns: []Column{
			col("contact_id", Text), col("attribute_id", Text), col("key_id", Text), col("value", Bytes),
			col("updated_by", Text), col("updated_at", Time),
		}},
		{Name: "contact_notes", Columns: []Column{
			col("id", Text), col("contact_id", Text), col("author_id", Text), col("key_id", Text), col("body", Bytes),
			col("created_at", Time),
		}},
		// Routing (version 9): teams, their members and conversations,
		// availability, each channel's automatic assignment.
		{Name: "teams", Columns: []Column{
			col("id", Text), col("name", Text), col("name_key", Text), col("created_at", Time), col("updated_at", Time),
		}},
		{Name: "team_members", Columns: []Column{col("team_id", Text), col("user_id", Text)}},
		{Name: "conversation_teams", Columns: []Column{col("conversation_id", Text), col("team_id", Text)}},
		{Name: "user_availability", Columns: []Column{col("user_id", Text), col("availability", Text), col("updated_at", Time)}},
		{Name: "channel_routing", Columns: []Column{
			col("channel_id", Text), col("mode", Text), col("team_ids", Text), col("role_ids", Text), col("capacity", Int),
			col("reoffer_seconds", Int), col("last_assigned_id", Text), col("updated_at", Time),
		}},
		// Labels and saved views (version 9), plain business words and
		// filters. conversations.waiting_since is derived: a load rebuilds it.
		{Name: "labels", Columns: []Column{
			col("id", Text), col("name", Text), col("name_key", Text), col("color", Text), col("created_at", Time), col("updated_at", Time),
		}},
		{Name: "conversation_labels", Columns: []Column{
			col("conversation_id", Text), col("label_id", Text), col("added_at", Time),
		}},
		{Name: "saved_views", Columns: []Column{
			col("id", Text), col("user_id", Text), col("name", Text), col("name_key", Text), col("filter", Text),
			col("created_at", Time), col("updated_at", Time),
		}},
		{Name: "outbox", Columns: []Column{
			col("message_id", Text), col("conversation_id", Text), col("channel_id", Text), col("state", Text),
			col("attempts", Int), col("next_attempt_at", Time), col("created_at", Time), col("ts", Time),
			nullCol("leased_until", Time),
		}},
		{Name: "audit_log", Columns: []Column{
			col("seq", Int), col("at", Time), col("actor_id", Text), col("actor_login", Text), col("action", Text),
			col("object_type", Text), col("object_id", Text), col("outcome", Text), col("ip", Text),
			col("user_agent", Text), col("detail", Text), col("prev_hash", Text), col("hash", Text),
		}},
		{Name: "webhook_inbox", Columns: []Column{
			col("id", Int), col("uid", Text), col("channel_id", Text), col("key_id", Text), col("body", Bytes),
			col("received_at", Time), nullCol("leased_until", Time), col("attempts", Int),
			nullCol("dead_reason", Text), nullCol("dead_at", Time), // version 4
		}},
		{Name: "pending_statuses", Columns: []Column{
			// created_at is received_at on PostgreSQL; ts is NOT NULL there
			// and may be NULL on SQLite.
			col("id", Text), col("channel_id", Text), col("wamid_hash", Bytes), col("key_id", Text),
			col("status", Text), nullCol("ts", Time), nullCol("error", Bytes), col("created_at", Time),
			nullCol("pricing", Text), // version 6
		}},
		{Name: "templates", Columns: []Column{
			col("channel_id", Text), col("name", Text), col("language", Text), col("status", Text),
			col("category", Text), col("parameter_format", Text), col("components", Text), col("synced_at", Time),
			col("quality", Text), // version 6
		}},
		{Name: "media", Columns: []Column{
			// filename is NULL on SQLite when there is none; PostgreSQL
			// always stores a sealed (possibly empty) name.
			col("id", Text), col("conversation_id", Text), nullCol("message_id", Text), col("key_id", Text),
			col("mime_type", Text), nullCol("filename", Bytes), col("size", Int), col("sha256", Text), col("created_at", Time),
		}},
		{Name: "media_downloads", Columns: []Column{
			col("message_id", Text), col("conversation_id", Text), col("channel_id", Text), col("key_id", Text),
			col("wa_media_id", Bytes), col("mime_type", Text), col("sha256", Text), nullCol("filename", Bytes),
			col("attempts", Int), col("next_attempt_at", Time), nullCol("leased_until", Time), col("queued_at", Time),
		}},
		{Name: "idempotency_keys", Columns: []Column{
			col("user_id", Text), col("key", Text), col("message_id", Text), col("created_at", Time),
		}},
		// erasures is the GDPR erasure register (version 2).
		{Name: "erasures", Columns: []Column{
			col("contact_id", Text), col("erased_at", Time), col("actor_id", Text),
		}},
		// Outgoing webhooks (version 5).
		{Name: "webhook_subscriptions", Columns: []Column{
			col("id", Text), col("description", Text), col("url", Text), col("events", Text), col("all_channels", Bool),
			col("channel_ids", Text), col("active", Bool), col("key_id", Text), col("secret", Bytes),
			col("created_by", Text), col("created_at", Time), col("updated_at", Time),
		}},
		{Name: "webhook_deliveries", Columns: []Column{
			col("id", Text), col("subscription_id", Text), col("event_type", Text), col("payload", Bytes), col("state", Text),
			col("attempts", Int), col("created_at", Time), col("retry_from", Time), nullCol("next_attempt_at", Time),
			nullCol("leased_until", Time), nullCol("last_attempt_at", Time), col("last_status", Int),
			col("last_latency_ms", Int), col("last_error", Text),
		}},
	}
}

// Derived reports whether a store's physical column is left out of the dump
// because the store computes it from other columns after a load:
// users.search_key holds the folded login and name (internal/fold), so a
// backup restored by a later build gets the later build's folding; the
// search ids and terms of messages and thread entries are the message
// search index, rebuilt by the store's indexer (NULL terms mean "not
// indexed yet"), so a restore never carries index entries of another key;
// contacts.search_id and search_terms are the contact search index's
// (version 9), rebuilt by the same indexer;
// conversations.assigned (whether an active user is assigned) and the
// copy of a conversation's bucket in its assignments are rebuilt with the
// conversation counters; conversations.waiting_since (the oldest unanswered
// customer message) is rebuilt from the messages.
func Derived(table, column string) bool {
	switch table + "." + column {
	case "users.search_key", "messages.search_id", "messages.search_terms", "contacts.search_id", "contacts.search_terms",
		"thread_entries.search_id", "thread_entries.search_terms", "conversations.assigned",
		"conversation_assignees.channel_id", "conversation_assignees.status", "conversation_assignees.assigned",
		"conversations.waiting_since":
		return true
	}
	return false
}

// Lookup returns the logical table with the given name, or nil.
func Lookup(name string) *Table {
	for _, t := range Tables() {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Info describes the database a dump was read from.
type Info struct {
	// Backend is "sqlite" or "postgres".
	Backend string
	// SchemaVersion is the newest applied migration, read inside the
	// snapshot.
	SchemaVersion int
}

// LoadResult reports what a store's Load inserted.
type LoadResult struct {
	// Rows counts the rows inserted per table.
	Rows map[string]int64
	// Skipped counts rows per table that the target kept once where the
	// source had duplicates its schema allows (PostgreSQL stores a parked
	// delivery status once per message and status; SQLite may hold
	// repeats).
	Skipped map[string]int64
}

// NotEmptyError is returned when a restore targets a database that already
// holds data.
type NotEmptyError struct {
	Table string
	Rows  int64
}

func (e *NotEmptyError) Error() string {
	return fmt.Sprintf("the target database is not empty: table %s has %d rows; restore only into a new, empty database", e.Table, e.Rows)
}

// ErrValue reports a value whose Go type does not fit its column's kind.
var ErrValue = errors.New("dump: value does not match its column")

// Check returns an error unless v is a valid value for c.
func Check(c Column, v any) error {
	if v == nil {
		if !c.Null {
			return fmt.Errorf("%w: %s is NULL", ErrValue, c.Name)
		}
		return nil
	}
	ok := false
	switch c.Kind {
	case Text:
		_, ok = v.(string)
	case Int:
		_, ok = v.(int64)
	case Bool:
		_, ok = v.(bool)
	case Time:
		_, ok = v.(time.Time)
	case Bytes:
		_, ok = v.([]byte)
	}
	if !ok {
		return fmt.Errorf("%w: %s (%s) holds %T", ErrValue, c.Name, c.Kind, v)
	}
	return nil
}

// DerivedTables lists the tables a dump leaves out because they are derived from
// the dumped ones and rebuilt from them: the report rollups, which a
// restored store builds on the first report or refresh (docs/reports.md),
// the message and contact search indexes, which the indexer rebuilds
// ([switchboard.SearchStore.IndexMessages]), and the conversation counters,
// which a load rebuilds. Dumps before version 9 hold contact_terms (in a
// form of terms no longer used): a load skips the rows of a derived table.
var DerivedTables = []string{"contact_terms", "conversation_counts", "message_terms", "report_dirty", "report_day_sets", "report_figures", "report_state"}

// Rebuilt reports whether the rows of table, found in a dump of an older
// version, are skipped on load because the store derives the table now.
func Rebuilt(table string) bool { return slices.Contains(DerivedTables, table) }

// SkipRebuilt wraps a load's pull function so that rows of [Rebuilt]
// tables never reach the store; it counts them in skipped by table.
func SkipRebuilt(next func() (*Table, []any, error), skipped map[string]int64) func() (*Table, []any, error) {
	return func() (*Table, []any, error) {
		for {
			t, row, err := next()
			if err != nil || !Rebuilt(t.Name) {
				return t, row, err
			}
			skipped[t.Name]++
		}
	}
}

// QueueTables lists the tables a dump leaves out because they are
// short-lived queues: the event log (docs/automation.md, "Durable
// deliveries"), whose rows are fanned out into webhook_deliveries, which
// the dump holds, within seconds of their change, and then only wait to be
// pruned. A restore loses at most the events of the last moments before
// the backup that were not fanned out yet. send_pacing holds each
// channel's next free send time (switchboard.SendSlots), in the past again
// a moment after the last send. And PostgreSQL's live events
// (live_events, docs/architecture.md "Events across instances"), kept an
// hour for WebSocket replay: after a restore clients resync.
var QueueTables = []string{"events", "live_events", "send_pacing"}

// Upgrade brings a row of an older backup up to this build's values, in
// place: conversations.status "closed" is "resolved" since version 9.
func Upgrade(t *Table, row []any) {
	if t.Name != "conversations" {
		return
	}
	for i, c := range t.Columns {
		if c.Name == "status" && i < len(row) {
			if s, ok := row[i].(string); ok && s == "closed" {
				row[i] = "resolved"
			}
		}
	}
}

// TransientTables lists the tables a dump leaves out because their rows
// matter for minutes only: the login throttle's counters (a restore starts
// them over, as a restart of a single instance once did) and the pending
// sign-in steps and passkey ceremonies (a restore means starting them
// again).
var TransientTables = []string{"login_throttle", "auth_challenges"}
