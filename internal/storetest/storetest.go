// Package storetest is the conformance suite that every switchboard.Store
// implementation runs: the same test bodies for SQLite and PostgreSQL.
//
// Besides the interface's doc comments, the suite pins these choices:
//
//   - A conversation's UpdatedAt is the timestamp of its newest message
//     (Meta's time for inbound ones); a new conversation starts at its first
//     message's timestamp. Out-of-order messages never move UpdatedAt,
//     LastMessage or LastInboundAt back. Status changes and assignments do
//     not change UpdatedAt.
//   - A customer message after a close reopens the most recent closed
//     conversation (Received.NewConversation is then true).
//   - Times come back in UTC, truncated to microseconds.
//   - Lists return empty slices, never nil; unknown filter values, cursors
//     and unusable search queries are EInvalid; limits default to 50 and are
//     clamped to 200.
//   - DeleteSession of an unknown id is not an error; deleting or editing a
//     built-in role is EInvalid; deleting a role in use is EConflict.
//   - Queues (webhooks, outbox, media downloads) hand a row to one claimer
//     at a time; an expired lease makes it claimable again with the
//     attempt counted. The outbox hands out only a conversation's oldest
//     entry, so a later message waits while an earlier one is in flight or
//     scheduled for a retry. OutboxItem.Expired is set when the row's
//     previous lease ran out after an attempt (a retry releases the lease).
//   - Delivery statuses never regress (switchboard.StatusRank; failed is
//     terminal). A status for an unknown wamid is parked and applied by
//     MarkSent; a status found by our id (opaque callback data) of the
//     same channel records its wamid. MarkSendUnknown never overrides a
//     status Meta reported. Unknown status values are ignored.
//   - Health: LastWebhookAt and LastSendAt only move forward; TokenState
//     starts as "unknown". Templates of an unknown channel are an empty
//     list; ReplaceTemplates of an unknown channel is ENotFound.
//   - An Idempotency-Key is per user: reusing one is EConflict and stores
//     nothing.
package storetest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/seal"
)

// Opener returns a new, empty, migrated store; the store must be closed by
// the opener's own tb.Cleanup.
type Opener func(tb testing.TB) switchboard.Store

// MasterKey returns a random master key for tests.
func MasterKey(tb testing.TB) *seal.MasterKey {
	tb.Helper()
	raw := make([]byte, seal.KeySize)
	rand.Read(raw)
	mk, err := seal.NewMasterKey("mk_test", raw)
	if err != nil {
		tb.Fatal(err)
	}
	return mk
}

// Run runs the whole conformance suite against stores made by open. Every
// subtest gets a fresh store.
func Run(t *testing.T, open func(tb testing.TB) switchboard.Store) {
	for _, tt := range []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"Users", testUsers},
		{"Roles", testRoles},
		{"Sessions", testSessions},
		{"Setup", testSetup},
		{"TwoFactor", testTwoFactor},
		{"Passkeys", testPasskeys},
		{"Channels", testChannels},
		{"ReceiveMessage", testReceiveMessage},
		{"Preview", testPreview},
		{"IngestRules", testIngestRules},
		{"Identities", testIdentities},
		{"Coexistence", testCoexistence},
		{"Conversations", testConversations},
		{"ConversationCounts", testConversationCounts},
		{"ConversationCountsRecount", testConversationCountsRecount},
		{"ConversationStatuses", testConversationStatuses},
		{"DeactivatedAssignees", testDeactivatedAssignees},
		{"Messages", testMessages},
		{"Assignees", testAssignees},
		{"OutboundMessage", testOutboundMessage},
		{"Audit", testAudit},
		{"SchemaVersion", testSchemaVersion},
		{"NotFound", testNotFound},
		{"Concurrency", testConcurrency},
		{"WebhookQueue", testWebhookQueue},
		{"ClaimBytes", testClaimBytes},
		{"AuditInTransaction", testAuditInTransaction},
		{"DeadLetters", testDeadLetters},
		{"Outbox", testOutbox},
		{"Statuses", testStatuses},
		{"ChannelOps", testChannelOps},
		{"Media", testMedia},
		{"Idempotency", testIdempotency},
		{"Throttle", testThrottle},
		{"AuthChallenges", testAuthChallenges},
		{"ReceiveBatch", testReceiveBatch},
		{"LeasedWebhook", testLeasedWebhook},
		{"Privacy", testPrivacy},
		{"ContactData", testContactData},
		{"Retention", testRetention},
		{"Drift", testDrift},
		{"Tokens", testTokens},
		{"Uploads", testUploads},
		{"Dispatch", testDispatch},
		{"WebhooksOut", testWebhooksOut},
		{"EventLog", testEventLog},
		{"StatusEvents", testStatusEvents},
		{"Handoff", testHandoff},
		{"HandoffInBatch", testHandoffInBatch},
		{"Surface", testSurface},
		{"Blocks", testBlocks},
		{"Thread", testThread},
		{"CannedReplies", testCannedReplies},
		{"ContactPanel", testContactPanel},
		{"MentionRead", testMentionRead},
		{"Routing", testRouting},
		{"Drafts", testDrafts},
		{"Search", testSearch},
		{"ContactSearch", testContactSearch},
		{"SendSlots", testSendSlots},
		{"Labels", testLabels},
		{"CombinedFilters", testCombinedFilters},
		{"SavedViews", testSavedViews},
		{"ReportLabels", testReportLabels},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

// T0 is the base of the message timestamps the suite uses.
var T0 = time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)

func ctx() context.Context { return context.Background() }

// wantCode fails unless err carries the domain error code want.
func wantCode(tb testing.TB, err error, want string) {
	tb.Helper()
	if got := switchboard.ErrorCode(err); got != want {
		tb.Fatalf("error = %v (code %q), want code %q", err, got, want)
	}
	var e *switchboard.Error
	if !errors.As(err, &e) {
		tb.Fatalf("error %v is not a *switchboard.Error", err)
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

var seq atomic.Int64

// unique returns a string that is unique within the process.
func unique(prefix string) string { return fmt.Sprintf("%s%d", prefix, seq.Add(1)) }

// mustUser creates an active user with the given login and role.
func mustUser(tb testing.TB, s switchboard.Store, login, name, roleID string) *switchboard.User {
	tb.Helper()
	u := &switchboard.User{Login: login, Name: name, RoleID: roleID, Active: true, PasswordHash: "$argon2id$v=19$x"}
	must(tb, s.CreateUser(ctx(), u))
	return u
}

// mustChannel creates a channel with fresh ids and secrets.
func mustChannel(tb testing.TB, s switchboard.Store) *switchboard.Channel {
	tb.Helper()
	c := &switchboard.Channel{
		Name: unique("Channel "), PhoneNumberID: unique("10000"), WABAID: "waba1", DisplayPhoneNumber: "+49 30 1234567",
		AccessToken: unique("token-"), AppSecret: unique("appsecret-"), VerifyToken: unique("verify-"),
	}
	must(tb, s.CreateChannel(ctx(), c))
	return c
}

// inbound builds a text message from waID at ts.
func inbound(channelID, waID, name, text string, ts time.Time) switchboard.InboundMessage {
	return switchboard.InboundMessage{
		ChannelID: channelID, WaID: waID, ProfileName: name,
		Message: &switchboard.Message{
			Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: text},
			WAMessageID: unique("wamid.HBgN" + waID + "FQIAEhg"), Timestamp: ts,
		},
	}
}

// mustReceive stores an inbound message.
func mustReceive(tb testing.TB, s switchboard.Store, in switchboard.InboundMessage) *switchboard.Received {
	tb.Helper()
	r, err := s.ReceiveMessage(ctx(), in)
	if err != nil {
		tb.Fatalf("ReceiveMessage: %v", err)
	}
	if r == nil || r.Conversation == nil || r.Message == nil {
		tb.Fatalf("ReceiveMessage returned %+v", r)
	}
	return r
}

// ids returns the ids of conversations, in order.
func convIDs(cs []*switchboard.Conversation) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func boolPtr(b bool) *bool    { return &b }
func strPtr(s string) *string { return &s }
