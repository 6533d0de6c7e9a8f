package storetest

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/reports"
)

// ClockOpener returns a new, empty, migrated store that stamps its times
// with clock.
type ClockOpener func(tb testing.TB, clock switchboard.Clock) switchboard.Store

// ManualClock is a clock that tests set.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the time last set.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t.UTC()
	c.mu.Unlock()
}

// RunReports runs the report conformance tests: a known history built with
// a controlled clock, and the exact figures every report must show for it.
func RunReports(t *testing.T, open ClockOpener) {
	t.Run("ReportHistory", func(t *testing.T) { testReportHistory(t, open) })
	t.Run("BusinessHoursAndBacklog", func(t *testing.T) { testReportBusinessHours(t, open) })
	t.Run("RollupEqualsRecomputation", func(t *testing.T) { RunReportRollups(t, open) })
}

// reportHistory is the known history of the report tests. All times are
// UTC; Europe/Berlin is UTC+1 in January. Day 1 is Monday 2026-01-05.
type reportHistory struct {
	s                 switchboard.Store
	clock             *ManualClock
	a, b              *switchboard.Channel
	alice, bob, carol *switchboard.User
	conv1, conv2      string
	conv3, conv4      string
	// priced are the outbound messages the history gives pricing to.
	priced []string
	// hours are the business clocks the rollup comparison uses.
	hours reports.Hours
}

func rat(day, hour, minute int) time.Time {
	return time.Date(2026, 1, 4+day, hour, minute, 0, 0, time.UTC)
}

func buildReportHistory(t *testing.T, open ClockOpener) *reportHistory {
	clock := &ManualClock{}
	clock.Set(rat(0, 12, 0))
	s := open(t, clock)
	h := &reportHistory{s: s, clock: clock, a: mustChannel(t, s), b: mustChannel(t, s)}
	h.alice = mustUser(t, s, unique("alice"), "Alice", switchboard.RoleOperator)
	h.bob = mustUser(t, s, unique("bob"), "Bob", switchboard.RoleEmployee)
	h.carol = mustUser(t, s, unique("carol"), "Carol", switchboard.RoleEmployee)
	return h
}

func (h *reportHistory) receive(t *testing.T, ch *switchboard.Channel, waID string, ts time.Time) string {
	t.Helper()
	h.clock.Set(ts)
	return mustReceive(t, h.s, inbound(ch.ID, waID, "Kunde", "Hallo", ts)).Conversation.ID
}

func (h *reportHistory) send(t *testing.T, conv string, u *switchboard.User, typ switchboard.MessageType, ts time.Time) string {
	t.Helper()
	h.clock.Set(ts)
	m := &switchboard.Message{ConversationID: conv, Type: typ, SenderID: u.ID, Content: switchboard.MessageContent{Text: "Guten Tag"}}
	if typ == switchboard.TypeTemplate {
		m.Content = switchboard.MessageContent{Template: &switchboard.TemplateSend{Name: "hello", Language: "de"}}
	}
	if _, err := h.s.CreateOutboundMessage(ctx(), m); err != nil {
		t.Fatalf("CreateOutboundMessage: %v", err)
	}
	return m.ID
}

// status changes a conversation's status as inbox.Service.SetStatus does:
// the store, then the audit entry.
func (h *reportHistory) status(t *testing.T, conv string, u *switchboard.User, status switchboard.ConversationStatus, ts time.Time) {
	t.Helper()
	h.clock.Set(ts)
	if _, err := h.s.SetConversationStatus(ctx(), conv, status, ts); err != nil {
		t.Fatalf("SetConversationStatus: %v", err)
	}
	h.audit(t, u, "conversation.status", conv, map[string]string{"status": string(status)}, ts)
}

func (h *reportHistory) audit(t *testing.T, u *switchboard.User, action, conv string, detail map[string]string, ts time.Time) {
	t.Helper()
	objType := "conversation"
	if conv == "" {
		objType, conv = "user", u.ID
	}
	must(t, h.s.AppendAudit(ctx(), &switchboard.AuditEntry{At: ts, ActorID: u.ID, ActorLogin: u.Login, Action: action,
		ObjectType: objType, ObjectID: conv, Outcome: switchboard.OutcomeSuccess, Detail: detail}))
}

func (h *reportHistory) assign(t *testing.T, by *switchboard.User, conv string, to *switchboard.User, ts time.Time) {
	t.Helper()
	h.clock.Set(ts)
	if _, _, err := h.s.AddAssignee(ctx(), conv, to.ID, ts); err != nil {
		t.Fatal(err)
	}
	h.audit(t, by, "conversation.assign", conv, map[string]string{"user_id": to.ID}, ts)
}

// build writes the history described in docs/reports.md's worked example.
func (h *reportHistory) build(t *testing.T) {
	// Conversation 1 (channel A): opened Monday 09:00 Berlin, answered by
	// Alice after 5 minutes, closed after an hour, reopened by the
	// customer on Tuesday and closed by Bob an hour later.
	h.conv1 = h.receive(t, h.a, "491510000001", rat(1, 8, 0))
	h.assign(t, h.alice, h.conv1, h.bob, rat(1, 8, 1))
	h.priced = append(h.priced, h.send(t, h.conv1, h.alice, switchboard.TypeText, rat(1, 8, 5)))
	h.status(t, h.conv1, h.alice, switchboard.StatusResolved, rat(1, 9, 0))
	if id := h.receive(t, h.a, "491510000001", rat(2, 10, 0)); id != h.conv1 {
		t.Fatalf("the customer's message went to %s, want the reopened %s", id, h.conv1)
	}
	h.send(t, h.conv1, h.bob, switchboard.TypeText, rat(2, 10, 10))
	h.status(t, h.conv1, h.bob, switchboard.StatusResolved, rat(2, 11, 0))

	// Conversation 2 (channel A): opened Monday 23:30 UTC, which is Tuesday
	// 00:30 in Berlin. A failed message and a reaction are no response; the
	// template after 10 minutes is. Closed, reopened by Alice, a customer
	// message while open (no reopen), closed again by Bob.
	h.conv2 = h.receive(t, h.a, "491510000002", rat(1, 23, 30))
	h.assign(t, h.alice, h.conv2, h.bob, rat(1, 23, 31))
	failed := h.send(t, h.conv2, h.alice, switchboard.TypeText, rat(1, 23, 32))
	if _, err := h.s.MarkSendFailed(ctx(), failed, switchboard.MessageError{Code: 131047, Title: "Re-engagement message"}, rat(1, 23, 33)); err != nil {
		t.Fatal(err)
	}
	h.send(t, h.conv2, h.alice, switchboard.TypeReaction, rat(1, 23, 35))
	h.priced = append(h.priced, h.send(t, h.conv2, h.bob, switchboard.TypeTemplate, rat(1, 23, 40)))
	h.status(t, h.conv2, h.alice, switchboard.StatusResolved, rat(2, 1, 0))
	h.status(t, h.conv2, h.alice, switchboard.StatusOpen, rat(2, 2, 0))
	h.receive(t, h.a, "491510000002", rat(2, 3, 0))
	h.status(t, h.conv2, h.bob, switchboard.StatusResolved, rat(2, 4, 0))

	// Conversation 3 (channel B): answered by Carol after 30 minutes; Carol
	// is deactivated afterwards and keeps her figures.
	h.conv3 = h.receive(t, h.b, "491510000003", rat(2, 9, 0))
	h.priced = append(h.priced, h.send(t, h.conv3, h.carol, switchboard.TypeText, rat(2, 9, 30)))
	if _, err := h.s.UpdateUser(ctx(), h.carol.ID, switchboard.UserUpdate{Active: boolPtr(false)}); err != nil {
		t.Fatal(err)
	}

	// Conversation 4 (channel B): never answered.
	h.conv4 = h.receive(t, h.b, "491510000004", rat(2, 12, 0))

	// Sign-ins: Alice twice, Bob once; Alice's session was last used
	// Tuesday 13:00. A sign-in outside the range does not count.
	h.audit(t, h.alice, "session.login", "", nil, rat(1, 7, 55))
	h.audit(t, h.alice, "session.login", "", nil, rat(2, 7, 50))
	h.audit(t, h.bob, "session.login", "", nil, rat(1, 7, 58))
	h.audit(t, h.bob, "session.login", "", nil, rat(5, 8, 0))
	h.clock.Set(rat(2, 7, 50))
	sess := &switchboard.Session{ID: unique("sess"), UserID: h.alice.ID, CreatedAt: rat(2, 7, 50), LastSeenAt: rat(2, 7, 50), ExpiresAt: rat(9, 0, 0)}
	must(t, h.s.CreateSession(ctx(), sess))
	must(t, h.s.TouchSession(ctx(), sess.ID, rat(2, 13, 0)))

	// Pricing, reported by the statuses in the afternoon: Alice's answer
	// in conversation 1 was free (service), Bob's template in
	// conversation 2 billable marketing, Carol's answer billable utility.
	h.price(t, h.priced[0], &switchboard.MessagePricing{Billable: false, PricingModel: "PMP", Category: "service", Type: "free_customer_service"}, rat(2, 14, 0))
	h.price(t, h.priced[1], &switchboard.MessagePricing{Billable: true, PricingModel: "PMP", Category: "marketing", Type: "regular"}, rat(2, 14, 1))
	h.price(t, h.priced[2], &switchboard.MessagePricing{Billable: true, PricingModel: "PMP", Category: "utility", Type: "regular"}, rat(2, 14, 2))

	// Hand-offs on channel B: conversation 3 went to the bot, which handed
	// it to people with words of its own ("other"), and a person handed it
	// back; conversation 4 went to the bot and the customer asked for a
	// person. A new reason without a change of handler is no hand-off.
	h.handoff(t, h.conv3, switchboard.HandlerBot, switchboard.ReasonOpened, rat(2, 9, 0))
	h.handoff(t, h.conv3, switchboard.HandlerHuman, "Kunde fragt nach der Rechnung", rat(2, 9, 20))
	h.handoff(t, h.conv3, switchboard.HandlerBot, switchboard.ReasonHandedBack, rat(2, 10, 0))
	h.handoff(t, h.conv4, switchboard.HandlerBot, switchboard.ReasonOpened, rat(2, 12, 0))
	h.handoff(t, h.conv4, switchboard.HandlerHuman, switchboard.ReasonCustomerAsked, rat(2, 12, 5))
	h.handoff(t, h.conv4, switchboard.HandlerHuman, switchboard.ReasonTakenOver, rat(2, 12, 10))
}

// price records the message as sent (if it is not yet) and applies a
// status with pricing to it, as the status webhooks do.
func (h *reportHistory) price(t *testing.T, id string, p *switchboard.MessagePricing, at time.Time) {
	t.Helper()
	h.clock.Set(at)
	m, err := h.s.Message(ctx(), id)
	must(t, err)
	wamid := m.WAMessageID
	if wamid == "" {
		wamid = "wamid." + id
		if _, err := h.s.MarkSent(ctx(), id, wamid, at); err != nil {
			t.Fatalf("MarkSent: %v", err)
		}
	}
	ch, err := h.s.Conversation(ctx(), m.ConversationID, "")
	must(t, err)
	if _, err := h.s.ApplyStatus(ctx(), switchboard.StatusUpdate{ChannelID: ch.ChannelID, WAMessageID: wamid,
		Status: switchboard.MessageDelivered, Timestamp: at, Pricing: p}); err != nil {
		t.Fatalf("ApplyStatus: %v", err)
	}
}

// handoff sets a conversation's handler as inbox.Service.applyHandoff does.
func (h *reportHistory) handoff(t *testing.T, conv string, to switchboard.Handler, reason string, at time.Time) {
	t.Helper()
	h.clock.Set(at)
	if _, err := h.s.SetHandoff(ctx(), conv, nil, switchboard.HandoffState{Handler: to, Reason: reason, At: at}); err != nil {
		t.Fatalf("SetHandoff: %v", err)
	}
}

// officeHours are Monday to Friday, 09:00 to 17:00 in Berlin.
func officeHours() switchboard.BusinessHours {
	day := []switchboard.BusinessInterval{{Open: "09:00", Close: "17:00"}}
	return switchboard.BusinessHours{TimeZone: "Europe/Berlin", Week: [7][]switchboard.BusinessInterval{day, day, day, day, day}, Holidays: []string{}}
}

// testReportBusinessHours: a channel's business hours are stored and read
// back, and the report measures a conversation across a weekend within
// them; the backlog counts conversations opened before the range.
func testReportBusinessHours(t *testing.T, open ClockOpener) {
	h := buildReportHistory(t, open)
	bh := officeHours()
	bh.Normalize()
	ch, err := h.s.UpdateChannel(ctx(), h.a.ID, switchboard.ChannelUpdate{SetBusinessHours: true, BusinessHours: &bh})
	must(t, err)
	for _, got := range []*switchboard.Channel{ch, mustGetChannel(t, h.s, h.a.ID)} {
		if jsonOf(t, got.BusinessHours) != jsonOf(t, bh) {
			t.Fatalf("business hours read back as %s, want %s", jsonOf(t, got.BusinessHours), jsonOf(t, bh))
		}
	}
	if other := mustGetChannel(t, h.s, h.b.ID); other.BusinessHours != nil {
		t.Fatalf("channel B got business hours %s", jsonOf(t, other.BusinessHours))
	}
	// An update of something else keeps them.
	name := "Renamed"
	if ch, err = h.s.UpdateChannel(ctx(), h.a.ID, switchboard.ChannelUpdate{Name: &name}); err != nil || ch.BusinessHours == nil {
		t.Fatalf("rename dropped the business hours: %v", err)
	}
	clock, err := bh.Clock()
	must(t, err)

	// Friday 2026-01-09 16:30 Berlin (15:30 UTC) a customer writes; Monday
	// 09:30 Berlin an answer; Monday 10:00 Berlin it is closed. On the
	// clock that is 2 days 17 hours; in business hours 30 minutes on
	// Friday and 30 on Monday, then 30 more until the close.
	conv := h.receive(t, h.a, "491510000009", time.Date(2026, 1, 9, 15, 30, 0, 0, time.UTC))
	h.send(t, conv, h.alice, switchboard.TypeText, time.Date(2026, 1, 12, 8, 30, 0, 0, time.UTC))
	h.status(t, conv, h.alice, switchboard.StatusResolved, time.Date(2026, 1, 12, 9, 0, 0, 0, time.UTC))
	// One conversation on B opened the week before and left open.
	h.receive(t, h.b, "491510000010", time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC))
	h.clock.Set(time.Date(2026, 1, 13, 0, 0, 0, 0, time.UTC))

	r, err := reports.ParseRange("2026-01-05", "2026-01-12", "week", "Europe/Berlin", h.clock.Now(), nil)
	must(t, err)
	hours := reports.Hours{h.a.ID: clock}
	history, err := h.s.ReportConversations(ctx(), r.HistoryScope(nil))
	must(t, err)
	changes, err := h.s.ReportStatusChanges(ctx(), r.HistoryScope(nil))
	must(t, err)
	facts := reports.Conversations(r, history, changes, hours)
	ro := &reports.Rollups{Store: h.s}
	must(t, ro.Refresh(ctx()))
	rolled, err := ro.Conversations(ctx(), r, nil, hours)
	must(t, err)
	if f, g := jsonOf(t, facts), jsonOf(t, rolled); f != g {
		t.Fatalf("from the facts   %s\nfrom the rollups %s", f, g)
	}
	sec := func(v int64) *int64 { return &v }
	one := func(v int64) reports.Durations {
		return reports.Durations{Count: 1, MedianSeconds: sec(v), P90Seconds: sec(v)}
	}
	want := []reports.ConversationPeriod{
		{Period: "2026-01-05", Opened: 1, FirstResponse: one(234000), FirstResponseBusiness: one(3600), Backlog: 2},
		{Period: "2026-01-12", Resolved: 1, Resolution: one(235800), ResolutionBusiness: one(5400), Backlog: 1},
	}
	if got, w := jsonOf(t, rolled.Periods), jsonOf(t, want); got != w {
		t.Errorf("periods\n got %s\nwant %s", got, w)
	}
	if rolled.Total.Backlog != 1 {
		t.Errorf("total backlog %d, want 1 (the conversation on B)", rolled.Total.Backlog)
	}
	for _, c := range rolled.Channels {
		if want := map[string]int{h.a.ID: 0, h.b.ID: 1}[c.ChannelID]; c.Backlog != want {
			t.Errorf("channel %s backlog %d, want %d", c.ChannelID, c.Backlog, want)
		}
	}
	if len(rolled.Channels) != 2 {
		t.Errorf("channels %s, want A with figures and B with its open conversation", jsonOf(t, rolled.Channels))
	}

	// Removing the hours clears them.
	if ch, err = h.s.UpdateChannel(ctx(), h.a.ID, switchboard.ChannelUpdate{SetBusinessHours: true}); err != nil || ch.BusinessHours != nil {
		t.Fatalf("clearing: %v, %+v", err, ch.BusinessHours)
	}
	if mustGetChannel(t, h.s, h.a.ID).BusinessHours != nil {
		t.Fatal("cleared business hours came back")
	}
}

func mustGetChannel(t *testing.T, s switchboard.Store, id string) *switchboard.Channel {
	t.Helper()
	c, err := s.Channel(ctx(), id)
	must(t, err)
	return c
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func testReportHistory(t *testing.T, open ClockOpener) {
	h := buildReportHistory(t, open)
	h.build(t)
	berlin, err := time.LoadLocation("Europe/Berlin")
	must(t, err)
	rng := func(from, to, interval, tz string) reports.Range {
		r, err := reports.ParseRange(from, to, interval, tz, rat(3, 0, 0), berlin)
		must(t, err)
		return r
	}
	conversations := func(r reports.Range, channels []string) *reports.ConversationsReport {
		convs, err := h.s.ReportConversations(ctx(), r.HistoryScope(channels))
		must(t, err)
		changes, err := h.s.ReportStatusChanges(ctx(), r.HistoryScope(channels))
		must(t, err)
		return reports.Conversations(r, convs, changes, nil)
	}
	sec := func(v int64) *int64 { return &v }
	d := func(n int, median, p90 int64) reports.Durations {
		if n == 0 {
			return reports.Durations{}
		}
		return reports.Durations{Count: n, MedianSeconds: sec(median), P90Seconds: sec(p90)}
	}
	// Without business hours every hour is business time.
	allHours := func(p reports.ConversationPeriod) reports.ConversationPeriod {
		p.FirstResponseBusiness, p.ResolutionBusiness = p.FirstResponse, p.Resolution
		return p
	}

	t.Run("conversations per Berlin day", func(t *testing.T) {
		rep := conversations(rng("2026-01-05", "2026-01-06", "day", ""), nil)
		// The backlog: conversation 1 is closed again by Monday's end;
		// conversations 3 and 4 are still open on Tuesday evening.
		want := []reports.ConversationPeriod{
			allHours(reports.ConversationPeriod{Period: "2026-01-05", Opened: 1, Resolved: 1, FirstResponse: d(1, 300, 300), Resolution: d(1, 3600, 3600)}),
			allHours(reports.ConversationPeriod{Period: "2026-01-06", Opened: 3, Resolved: 3, Reopened: 2, Unanswered: 1,
				FirstResponse: d(2, 600, 1800), Resolution: d(3, 5400, 7200), Backlog: 2}),
		}
		if got, w := jsonOf(t, rep.Periods), jsonOf(t, want); got != w {
			t.Errorf("periods\n got %s\nwant %s", got, w)
		}
		wantTotal := allHours(reports.ConversationPeriod{Opened: 4, Resolved: 4, Reopened: 2, Unanswered: 1,
			FirstResponse: d(3, 600, 1800), Resolution: d(4, 3600, 7200), Backlog: 2})
		if got, w := jsonOf(t, rep.Total), jsonOf(t, wantTotal); got != w {
			t.Errorf("total\n got %s\nwant %s", got, w)
		}
		wantChannels := []reports.ChannelTotals{
			{ChannelID: h.a.ID, ConversationPeriod: allHours(reports.ConversationPeriod{Opened: 2, Resolved: 4, Reopened: 2,
				FirstResponse: d(2, 300, 600), Resolution: d(4, 3600, 7200)})},
			{ChannelID: h.b.ID, ConversationPeriod: allHours(reports.ConversationPeriod{Opened: 2, Unanswered: 1, FirstResponse: d(1, 1800, 1800), Backlog: 2})},
		}
		if h.b.ID < h.a.ID {
			wantChannels[0], wantChannels[1] = wantChannels[1], wantChannels[0]
		}
		if got, w := jsonOf(t, rep.Channels), jsonOf(t, wantChannels); got != w {
			t.Errorf("channels\n got %s\nwant %s", got, w)
		}
	})

	t.Run("the time zone moves a late conversation to the previous day", func(t *testing.T) {
		rep := conversations(rng("2026-01-05", "2026-01-06", "day", "UTC"), nil)
		if got := []int{rep.Periods[0].Opened, rep.Periods[1].Opened}; got[0] != 2 || got[1] != 2 {
			t.Errorf("opened per UTC day = %v, want [2 2]", got)
		}
	})

	t.Run("a range that starts after a close still sees the customer's reopen", func(t *testing.T) {
		rep := conversations(rng("2026-01-06", "2026-01-06", "week", ""), nil)
		if len(rep.Periods) != 1 || rep.Periods[0].Period != "2026-01-05" {
			t.Fatalf("periods = %+v, want the one week starting Monday 2026-01-05", rep.Periods)
		}
		p := rep.Periods[0]
		if p.Opened != 3 || p.Reopened != 2 || p.Resolved != 3 || p.Backlog != 2 {
			t.Errorf("Tuesday alone: opened %d reopened %d resolved %d backlog %d, want 3 2 3 2", p.Opened, p.Reopened, p.Resolved, p.Backlog)
		}
		// Conversation 1 was closed on Monday; its reopen on Tuesday and the
		// close after it count, with the hour since the reopen.
		if got := jsonOf(t, p.Resolution); got != jsonOf(t, d(3, 5400, 7200)) {
			t.Errorf("resolution = %s", got)
		}
	})

	t.Run("channel scope", func(t *testing.T) {
		rep := conversations(rng("2026-01-05", "2026-01-06", "day", ""), []string{h.b.ID})
		if rep.Total.Opened != 2 || rep.Total.Resolved != 0 || rep.Total.Reopened != 0 {
			t.Errorf("channel B: %+v, want 2 opened, nothing resolved", rep.Total)
		}
		none := conversations(rng("2026-01-05", "2026-01-06", "day", ""), []string{})
		if none.Total.Opened != 0 || none.Total.Resolved != 0 {
			t.Errorf("no channels: %+v, want nothing", none.Total)
		}
	})

	t.Run("agents", func(t *testing.T) {
		r := rng("2026-01-05", "2026-01-06", "day", "")
		facts, err := h.s.ReportAgents(ctx(), r.Scope(nil))
		must(t, err)
		convs, err := h.s.ReportConversations(ctx(), r.Scope(nil))
		must(t, err)
		users := []*switchboard.User{h.alice, h.bob, h.carol}
		for _, u := range users {
			fresh, err := h.s.User(ctx(), u.ID)
			must(t, err)
			*u = *fresh
		}
		rep := reports.Agents(r, users, facts, convs)
		type row struct {
			Name                                                  string
			Active                                                bool
			Assigned, Replied, Resolved, Sent, Sessions, FirstCnt int
			FirstMedian                                           *int64
		}
		var got []row
		for _, a := range rep.Agents {
			got = append(got, row{a.Name, a.Active, a.Assigned, a.Replied, a.Resolved, a.MessagesSent, a.SessionsStarted,
				a.FirstResponse.Count, a.FirstResponse.MedianSeconds})
		}
		want := []row{
			{"Alice", true, 0, 2, 2, 3, 2, 1, sec(300)},
			{"Bob", true, 2, 2, 2, 2, 1, 1, sec(600)},
			{"Carol", false, 0, 1, 0, 1, 0, 1, sec(1800)},
		}
		if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
			t.Errorf("agents\n got %s\nwant %s", g, w)
		}
		if a := rep.Agents[0]; a.LastSeenAt == nil || !a.LastSeenAt.Equal(rat(2, 13, 0)) {
			t.Errorf("Alice last seen %v, want her session's last use %v", a.LastSeenAt, rat(2, 13, 0))
		}
		if b := rep.Agents[1]; b.LastSeenAt == nil || !b.LastSeenAt.Equal(rat(5, 8, 0)) {
			t.Errorf("Bob last seen %v, want his newest audit entry %v", b.LastSeenAt, rat(5, 8, 0))
		}
		scoped, err := h.s.ReportAgents(ctx(), r.Scope([]string{h.b.ID}))
		must(t, err)
		for _, f := range scoped {
			if f.UserID == h.alice.ID && (f.MessagesSent != 0 || f.Resolved != 0 || f.SessionsStarted != 2) {
				t.Errorf("Alice on channel B: %+v, want no conversation figures but her 2 sign-ins", f)
			}
		}
	})

	t.Run("messages", func(t *testing.T) {
		r := rng("2026-01-05", "2026-01-06", "day", "")
		counts, err := h.s.ReportMessages(ctx(), r.Scope(nil))
		must(t, err)
		rep := reports.Messages(r, counts)
		want := []reports.MessagePeriod{
			{Period: "2026-01-05", In: 1, Out: 1, InByType: map[string]int{"text": 1}, OutByType: map[string]int{"text": 1}},
			{Period: "2026-01-06", In: 5, Out: 5, Failed: 1, InByType: map[string]int{"text": 5},
				OutByType: map[string]int{"text": 3, "reaction": 1, "template": 1}},
		}
		if g, w := jsonOf(t, rep.Periods), jsonOf(t, want); g != w {
			t.Errorf("messages\n got %s\nwant %s", g, w)
		}
		if g, w := jsonOf(t, rep.Errors), `[{"code":131047,"count":1}]`; g != w {
			t.Errorf("errors = %s, want %s", g, w)
		}
		table := rep.Table()
		last := []string{"2026-01-06", "out", "text", "true", "131047", "1"}
		if len(table) != 8 || table[0][0] != "period" || jsonOf(t, table[7]) != jsonOf(t, last) {
			t.Errorf("CSV table = %v, want a header and 7 rows ending with %v", table, last)
		}
	})

	t.Run("costs", func(t *testing.T) {
		r := rng("2026-01-05", "2026-01-06", "day", "")
		counts, err := h.s.ReportCosts(ctx(), r.Scope(nil))
		must(t, err)
		rep := reports.Costs(r, counts)
		want := `[{"period":"2026-01-05","priced":1,"billable":0,"billable_by_category":{}},` +
			`{"period":"2026-01-06","priced":2,"billable":2,"billable_by_category":{"marketing":1,"utility":1}}]`
		if g := jsonOf(t, rep.Periods); g != want {
			t.Errorf("costs per day\n got %s\nwant %s", g, want)
		}
		wantCh := `[{"channel_id":"` + h.a.ID + `","priced":2,"billable":1,"billable_by_category":{"marketing":1}},` +
			`{"channel_id":"` + h.b.ID + `","priced":1,"billable":1,"billable_by_category":{"utility":1}}]`
		if g, w := jsonOf(t, rep.Channels), sortedChannels(wantCh, h.a.ID, h.b.ID); g != w {
			t.Errorf("costs per channel\n got %s\nwant %s", g, w)
		}
		wantPricing := `[{"billable":true,"pricing_model":"PMP","category":"marketing","type":"regular","messages":1},` +
			`{"billable":true,"pricing_model":"PMP","category":"utility","type":"regular","messages":1},` +
			`{"billable":false,"pricing_model":"PMP","category":"service","type":"free_customer_service","messages":1}]`
		if g := jsonOf(t, rep.Pricing); g != wantPricing {
			t.Errorf("pricing\n got %s\nwant %s", g, wantPricing)
		}
		if rep.Total.Priced != 3 || rep.Total.Billable != 2 {
			t.Errorf("total = %+v, want 3 priced, 2 billable", rep.Total)
		}
		table := rep.Table()
		if len(table) != 4 || jsonOf(t, table[0]) != `["period","channel_id","billable","pricing_model","category","type","messages"]` ||
			jsonOf(t, table[1]) != jsonOf(t, []string{"2026-01-05", h.a.ID, "false", "PMP", "service", "free_customer_service", "1"}) {
			t.Errorf("CSV table = %v", table)
		}
		// Only channel B: Carol's utility message.
		counts, err = h.s.ReportCosts(ctx(), r.Scope([]string{h.b.ID}))
		must(t, err)
		if rep := reports.Costs(r, counts); rep.Total.Priced != 1 || rep.Total.BillableByCategory["utility"] != 1 {
			t.Errorf("channel B costs = %+v", rep.Total)
		}
	})

	t.Run("bots", func(t *testing.T) {
		r := rng("2026-01-05", "2026-01-06", "day", "")
		counts, err := h.s.ReportHandoffs(ctx(), r.Scope(nil))
		must(t, err)
		rep := reports.Bots(r, counts)
		want := `[{"period":"2026-01-05","to_bot":0,"handed_back":0,"handed_off":0,"reasons":{}},` +
			`{"period":"2026-01-06","to_bot":3,"handed_back":1,"handed_off":2,"reasons":{"customer_asked":1,"other":1}}]`
		if g := jsonOf(t, rep.Periods); g != want {
			t.Errorf("bots per day\n got %s\nwant %s", g, want)
		}
		if g, w := jsonOf(t, rep.Reasons), `[{"reason":"customer_asked","count":1},{"reason":"other","count":1}]`; g != w {
			t.Errorf("reasons = %s, want %s", g, w)
		}
		if len(rep.Channels) != 1 || rep.Channels[0].ChannelID != h.b.ID || rep.Channels[0].ToBot != 3 {
			t.Errorf("channels = %s, want only channel B", jsonOf(t, rep.Channels))
		}
		table := rep.Table()
		wantRows := [][]string{{"period", "channel_id", "to", "reason", "handoffs"},
			{"2026-01-06", h.b.ID, "bot", "handed_back", "1"}, {"2026-01-06", h.b.ID, "bot", "opened", "2"},
			{"2026-01-06", h.b.ID, "human", "customer_asked", "1"}, {"2026-01-06", h.b.ID, "human", "other", "1"}}
		if g, w := jsonOf(t, table), jsonOf(t, wantRows); g != w {
			t.Errorf("CSV table\n got %s\nwant %s", g, w)
		}
		// Channel A has no bot: nothing.
		counts, err = h.s.ReportHandoffs(ctx(), r.Scope([]string{h.a.ID}))
		must(t, err)
		if len(counts) != 0 {
			t.Errorf("channel A hand-offs = %+v", counts)
		}
	})
}

// sortedChannels orders the two channel rows of want (a's first) by
// channel id, as the reports do.
func sortedChannels(want, a, b string) string {
	if a < b {
		return want
	}
	i := strings.Index(want, `},{`)
	return "[" + want[i+2:len(want)-1] + "," + want[1:i+1] + "]"
}
