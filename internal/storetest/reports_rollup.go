package storetest

import (
	"context"
	"testing"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/reports"
)

// RunReportRollups proves rollup = recomputation: over the known history
// of RunReports (reopened conversations, a deactivated employee, a
// conversation across the Berlin day boundary) and then later changes to
// old slots (a message that fails after the fact, a customer's reopen,
// an erased contact), every report read from the rollups equals the
// report computed from the facts, for several time zones (Berlin, New
// York, Kolkata at +05:30), intervals and channel scopes: after the
// incremental refreshes, after a rebuild, and after a second rebuild.
func RunReportRollups(t *testing.T, open ClockOpener) {
	h := buildReportHistory(t, open)
	bh := officeHours()
	clock, err := bh.Clock()
	must(t, err)
	h.hours = reports.Hours{h.a.ID: clock}
	ro := &reports.Rollups{Store: h.s}
	// The first refresh of an empty store builds the (empty) rollups.
	must(t, ro.Refresh(ctx()))
	if _, ok, err := h.s.ReportRollupMark(ctx()); err != nil || !ok {
		t.Fatalf("no rollup mark after the first refresh: %v", err)
	}
	h.build(t)
	check := func(stage string) {
		t.Helper()
		for _, tz := range []string{"Europe/Berlin", "UTC", "America/New_York", "Asia/Kolkata"} {
			for _, iv := range []string{"day", "week", "month"} {
				for _, chans := range [][]string{nil, {h.a.ID}, {h.b.ID}, {}} {
					r, err := reports.ParseRange("2026-01-01", "2026-02-10", iv, tz, rat(3, 0, 0), nil)
					must(t, err)
					compareRollup(t, h, r, chans, stage+" "+tz+" "+iv)
				}
			}
		}
		// A range that starts inside the history.
		r, err := reports.ParseRange("2026-01-06", "2026-01-06", "day", "Europe/Berlin", rat(3, 0, 0), nil)
		must(t, err)
		compareRollup(t, h, r, nil, stage+" one day")
	}
	h.clock.Set(rat(6, 9, 0))
	must(t, ro.Refresh(ctx()))
	check("after the history")

	// A late status changes only the pricing of Alice's answer of day 1
	// (the newest report wins); conversation 4 is handed back to the bot.
	h.price(t, h.priced[0], &switchboard.MessagePricing{Billable: true, PricingModel: "PMP", Category: "utility", Type: "regular"}, rat(6, 10, 0))
	must(t, ro.Refresh(ctx()))
	check("after a late pricing")
	h.handoff(t, h.conv4, switchboard.HandlerBot, switchboard.ReasonHandedBack, rat(6, 11, 0))
	must(t, ro.Refresh(ctx()))
	check("after a hand-back")

	// Later changes to old slots: Bob's reply to conversation 1 fails (so
	// its second close's episode and the messages' figures change), the
	// customer of conversation 2 writes again (a reopen), and the contact
	// of conversation 3 is erased.
	msgs, _, err := h.s.Messages(ctx(), h.conv1, switchboard.MessagePage{Limit: 50})
	must(t, err)
	var bobs string
	for _, m := range msgs {
		if m.SenderID == h.bob.ID {
			bobs = m.ID
		}
	}
	if bobs == "" {
		t.Fatal("no message of Bob in conversation 1")
	}
	h.clock.Set(rat(7, 9, 0))
	if _, err := h.s.MarkSendFailed(ctx(), bobs, switchboard.MessageError{Code: 131026, Title: "Undeliverable"}, rat(7, 9, 0)); err != nil {
		t.Fatal(err)
	}
	h.receive(t, h.a, "491510000002", rat(7, 10, 0))
	c3, err := h.s.Conversation(ctx(), h.conv3, "")
	must(t, err)
	h.clock.Set(rat(7, 11, 0))
	_, err = h.s.EraseContact(ctx(), switchboard.Erasure{ContactID: c3.Contact.ID, ErasedAt: rat(7, 11, 0)})
	must(t, err)
	must(t, ro.Refresh(ctx()))
	check("after later changes")

	must(t, ro.Rebuild(ctx()))
	check("after a rebuild")
	// Rollups that measured the business time by the hours in force, and
	// then a change of hours: the report measures those durations again.
	measured := &reports.Rollups{Store: h.s, Hours: func(context.Context) (reports.Hours, error) { return h.hours, nil }}
	must(t, measured.Rebuild(ctx()))
	check("with the business time measured by the hours in force")
	early := []switchboard.BusinessInterval{{Open: "06:00", Close: "20:00"}}
	eh := switchboard.BusinessHours{TimeZone: "America/New_York", Week: [7][]switchboard.BusinessInterval{early, early, early, early, early, early}}
	ec, err := eh.Clock()
	must(t, err)
	h.hours = reports.Hours{h.a.ID: ec, h.b.ID: clock}
	check("after a change of hours")
	// Catching up measures every day again by the new hours, a few days
	// a step, without a rebuild.
	steps := 0
	for left := 1; left > 0; steps++ {
		var err error
		left, err = measured.CatchUp(ctx(), 2)
		must(t, err)
	}
	durs, err := reports.ReadDurations(ctx(), h.s, switchboard.ReportScope{From: rat(-400, 0, 0), To: rat(400, 0, 0)})
	must(t, err)
	if len(durs) == 0 || steps < 2 {
		t.Fatalf("catching up: %d durations in %d steps", len(durs), steps)
	}
	for _, d := range durs {
		if want := h.hours[d.ChannelID]; want != nil && d.Hours != want.Fingerprint() {
			t.Fatalf("after catching up, a duration of %s at %v is measured by hours %x, want %x", d.ChannelID, d.At, d.Hours, want.Fingerprint())
		}
	}
	check("after catching up with the new hours")
	if left, err := measured.CatchUp(ctx(), 2); err != nil || left != 0 {
		t.Fatalf("a second catch-up: %d days left, %v", left, err)
	}
	must(t, measured.Rebuild(ctx()))
	check("after a rebuild with the new hours")
	h.hours = reports.Hours{h.a.ID: clock}
	must(t, ro.Rebuild(ctx()))
	check("after a second rebuild")
	// A refresh with nothing changed keeps them.
	must(t, ro.Refresh(ctx()))
	check("after an idle refresh")
}

func compareRollup(t *testing.T, h *reportHistory, r reports.Range, chans []string, stage string) {
	t.Helper()
	s := r.Scope(chans)
	convs, err := h.s.ReportConversations(ctx(), s)
	must(t, err)
	history, err := h.s.ReportConversations(ctx(), r.HistoryScope(chans))
	must(t, err)
	changes, err := h.s.ReportStatusChanges(ctx(), r.HistoryScope(chans))
	must(t, err)
	counts, err := h.s.ReportMessages(ctx(), s)
	must(t, err)
	costs, err := h.s.ReportCosts(ctx(), s)
	must(t, err)
	handoffs, err := h.s.ReportHandoffs(ctx(), s)
	must(t, err)
	facts, err := h.s.ReportAgents(ctx(), s)
	must(t, err)
	sums, err := h.s.ReportFigureSums(ctx(), s, r.Bounds())
	must(t, err)
	before, err := h.s.ReportFigureTotals(ctx(), s, r.Start, reports.BacklogMetrics())
	must(t, err)
	durs, err := reports.ReadDurations(ctx(), h.s, s)
	must(t, err)
	// The reports as the service reads them (each its own metrics).
	ro := &reports.Rollups{Store: h.s}
	roMsgs, err := ro.Messages(ctx(), r, chans)
	must(t, err)
	roCosts, err := ro.Costs(ctx(), r, chans)
	must(t, err)
	roBots, err := ro.Bots(ctx(), r, chans)
	must(t, err)
	roConvs, err := ro.Conversations(ctx(), r, chans, h.hours)
	must(t, err)
	users := []*switchboard.User{h.alice, h.bob, h.carol}
	// The agents report as the service reads it: the whole UTC days
	// from the rollups' day sets, the days the range cuts from the facts.
	roAgents, err := ro.Agents(ctx(), r, chans, users)
	must(t, err)
	for _, pair := range []struct {
		name       string
		facts, rol any
	}{
		{"conversations", reports.Conversations(r, history, changes, h.hours), reports.ConversationsFromRollup(r, sums, before, durs, h.hours)},
		{"conversations csv", reports.Conversations(r, history, changes, h.hours).Table(), reports.ConversationsFromRollup(r, sums, before, durs, h.hours).Table()},
		{"messages", reports.Messages(r, counts), reports.MessagesFromRollup(r, sums)},
		{"messages csv", reports.Messages(r, counts).Table(), reports.MessagesFromRollup(r, sums).Table()},
		{"costs", reports.Costs(r, costs), reports.CostsFromRollup(r, sums)},
		{"messages read", reports.Messages(r, counts), roMsgs},
		{"costs read", reports.Costs(r, costs), roCosts},
		{"bots read", reports.Bots(r, handoffs), roBots},
		{"conversations read", reports.Conversations(r, history, changes, h.hours), roConvs},
		{"costs csv", reports.Costs(r, costs).Table(), reports.CostsFromRollup(r, sums).Table()},
		{"bots", reports.Bots(r, handoffs), reports.BotsFromRollup(r, sums)},
		{"bots csv", reports.Bots(r, handoffs).Table(), reports.BotsFromRollup(r, sums).Table()},
		{"agents read", reports.Agents(r, users, facts, convs), roAgents},
	} {
		if f, g := jsonOf(t, pair.facts), jsonOf(t, pair.rol); f != g {
			t.Errorf("%s, %s, channels %v:\nfrom the facts   %s\nfrom the rollups %s", stage, pair.name, chans, f, g)
		}
	}
	// The history has figures: a comparison of two empty reports would
	// prove nothing.
	if chans == nil && r.FromDate == "2026-01-01" && (len(sums) == 0 || len(costs) == 0 || len(handoffs) == 0) {
		t.Errorf("%s: no rollup figures (%d sums, %d costs, %d hand-offs)", stage, len(sums), len(costs), len(handoffs))
	}
}
