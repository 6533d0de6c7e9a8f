package storetest

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/reports"
)

// BenchReportConversations is the default number of conversations
// BenchReports fills a year with; SWITCHBOARD_BENCH_REPORT_CONVERSATIONS
// overrides it. Every conversation has BenchReportMessages messages.
const (
	BenchReportConversations = 10_000
	BenchReportMessages      = 10
)

// BenchReports fills a store with a year of conversations (one a
// customer's, answered by one of 10 employees, half of them closed) and
// measures each report over the whole year and over the last 30 days, as
// the API computes it: the store's facts and the rules in internal/reports.
// It reports the 99th percentile besides the mean.
func BenchReports(b *testing.B, open ClockOpener) {
	convs := BenchReportConversations
	if v, err := strconv.Atoi(os.Getenv("SWITCHBOARD_BENCH_REPORT_CONVERSATIONS")); err == nil && v > 0 {
		convs = v
	}
	clock := &ManualClock{}
	start := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	clock.Set(start)
	s := open(b, clock)
	ch := mustChannel(b, s)
	var users []*switchboard.User
	for i := range 10 {
		users = append(users, mustUser(b, s, unique("agent"), fmt.Sprintf("Agent %d", i), switchboard.RoleOperator))
	}
	t0 := time.Now()
	perDay := (convs + 364) / 365
	n := 0
	for day := 0; day < 365 && n < convs; day++ {
		base := start.AddDate(0, 0, day)
		var batch switchboard.InboundBatch
		first := n
		for i := 0; i < perDay && n < convs; i++ {
			n++
			for m := 0; m < BenchReportMessages-1; m++ {
				ts := base.Add(time.Duration(i)*time.Second + time.Duration(m)*time.Millisecond)
				batch.Messages = append(batch.Messages, inbound(ch.ID, fmt.Sprintf("4916%09d", n), "Kunde", "Hallo", ts))
			}
		}
		clock.Set(base)
		res, err := s.ReceiveBatch(ctx(), batch)
		if err != nil {
			b.Fatal(err)
		}
		seen := map[string]bool{}
		var ids []string
		for _, r := range res.Received {
			if r != nil && r.Conversation != nil && !seen[r.Conversation.ID] {
				seen[r.Conversation.ID] = true
				ids = append(ids, r.Conversation.ID)
			}
		}
		for j, id := range ids {
			u := users[(first+j)%len(users)]
			clock.Set(base.Add(time.Hour + time.Duration(j)*time.Minute))
			if _, err := s.CreateOutboundMessage(ctx(), &switchboard.Message{ConversationID: id, SenderID: u.ID,
				Content: switchboard.MessageContent{Text: "Guten Tag"}}); err != nil {
				b.Fatal(err)
			}
			if j%2 == 0 {
				at := base.Add(3*time.Hour + time.Duration(j)*time.Minute)
				clock.Set(at)
				if _, err := s.SetConversationStatus(ctx(), id, switchboard.StatusResolved, at); err != nil {
					b.Fatal(err)
				}
				must(b, s.AppendAudit(ctx(), &switchboard.AuditEntry{At: at, ActorID: u.ID, ActorLogin: u.Login,
					Action: "conversation.status", ObjectType: "conversation", ObjectID: id,
					Outcome: switchboard.OutcomeSuccess, Detail: map[string]string{"status": string(switchboard.StatusResolved)}}))
			}
		}
	}
	b.Logf("filled %d conversations, %d messages in %v", n, n*BenchReportMessages, time.Since(t0).Round(time.Second))
	BenchReportEndpoints(b, s, users, start.AddDate(0, 0, 364))
}

// BenchReportSeed makes what a bulk-filled benchmark store needs besides
// the bulk rows: a channel, ten employees and one conversation (whose data
// key and contact the bulk rows may reuse).
func BenchReportSeed(b *testing.B, s switchboard.Store, at time.Time) (*switchboard.Channel, []*switchboard.User, *switchboard.Conversation) {
	ch := mustChannel(b, s)
	var users []*switchboard.User
	for i := range 10 {
		users = append(users, mustUser(b, s, unique("agent"), fmt.Sprintf("Agent %d", i), switchboard.RoleOperator))
	}
	r := mustReceive(b, s, inbound(ch.ID, "491700000000", "Kunde", "Hallo", at))
	return ch, users, r.Conversation
}

// BenchReportEndpoints measures every report over the year ending on the
// local day end and over its last 30 days, per day in Europe/Berlin, each
// computed two ways in the same run: "facts/…" as before the rollups
// (reading the facts) and "rollups/…" as the API answers now (a refresh of
// the rollups, then the sums and durations; agents' assigned, replied and
// sent still from the facts). It reports the 99th percentile as p99-ms.
// The rollups are built first (the time it takes is logged).
func BenchReportEndpoints(b *testing.B, s switchboard.Store, users []*switchboard.User, end time.Time) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	must(b, err)
	// Every channel keeps office hours, so the business times are measured
	// as a team with hours would see them.
	hours := reports.Hours{}
	chans, err := s.Channels(ctx())
	must(b, err)
	office := []switchboard.BusinessInterval{{Open: "08:00", Close: "18:00"}}
	bh := switchboard.BusinessHours{TimeZone: "Europe/Berlin", Week: [7][]switchboard.BusinessInterval{office, office, office, office, office}}
	clock, err := bh.Clock()
	must(b, err)
	for _, ch := range chans {
		hours[ch.ID] = clock
	}
	// The rollups measure the business time by these hours, as the
	// service's do.
	ro := &reports.Rollups{Store: s, Hours: func(context.Context) (reports.Hours, error) { return hours, nil }}
	t0 := time.Now()
	must(b, ro.Rebuild(ctx()))
	b.Logf("rollups rebuilt in %v", time.Since(t0).Round(time.Millisecond))
	// The same channels with other hours: what a report reads right after
	// a change of hours, before the rollups are rebuilt.
	changed := reports.Hours{}
	late := []switchboard.BusinessInterval{{Open: "10:00", Close: "20:00"}}
	lh := switchboard.BusinessHours{TimeZone: "Europe/Berlin", Week: [7][]switchboard.BusinessInterval{late, late, late, late, late}}
	lateClock, err := lh.Clock()
	must(b, err)
	for _, ch := range chans {
		changed[ch.ID] = lateClock
	}
	for _, rg := range []struct {
		name string
		from string
	}{{"year", end.AddDate(0, 0, -364).Format("2006-01-02")}, {"30days", end.AddDate(0, 0, -29).Format("2006-01-02")}} {
		r, err := reports.ParseRange(rg.from, end.Format("2006-01-02"), "day", "", end, berlin)
		must(b, err)
		sc := r.Scope(nil)
		for _, rep := range []struct {
			name string
			run  func() error
		}{
			{"facts/conversations", func() error {
				cs, err := s.ReportConversations(ctx(), r.HistoryScope(nil))
				if err != nil {
					return err
				}
				changes, err := s.ReportStatusChanges(ctx(), r.HistoryScope(nil))
				if err != nil {
					return err
				}
				reports.Conversations(r, cs, changes, hours)
				return nil
			}},
			{"facts/agents", func() error {
				facts, err := s.ReportAgents(ctx(), sc)
				if err != nil {
					return err
				}
				cs, err := s.ReportConversations(ctx(), sc)
				if err != nil {
					return err
				}
				reports.Agents(r, users, facts, cs)
				return nil
			}},
			{"facts/messages", func() error {
				counts, err := s.ReportMessages(ctx(), sc)
				if err != nil {
					return err
				}
				reports.Messages(r, counts)
				return nil
			}},
			{"facts/costs", func() error {
				counts, err := s.ReportCosts(ctx(), sc)
				if err != nil {
					return err
				}
				reports.Costs(r, counts)
				return nil
			}},
			{"facts/bots", func() error {
				counts, err := s.ReportHandoffs(ctx(), sc)
				if err != nil {
					return err
				}
				reports.Bots(r, counts)
				return nil
			}},
			{"rollups/conversations", func() error {
				if err := ro.Refresh(ctx()); err != nil {
					return err
				}
				_, err := ro.Conversations(ctx(), r, nil, hours)
				return err
			}},
			{"rollups-hours-changed/conversations", func() error {
				if err := ro.Refresh(ctx()); err != nil {
					return err
				}
				_, err := ro.Conversations(ctx(), r, nil, changed)
				return err
			}},
			{"rollups/agents", func() error {
				if err := ro.Refresh(ctx()); err != nil {
					return err
				}
				_, err := ro.Agents(ctx(), r, nil, users)
				return err
			}},
			{"rollups/messages", func() error {
				if err := ro.Refresh(ctx()); err != nil {
					return err
				}
				_, err := ro.Messages(ctx(), r, nil)
				return err
			}},
			// The rollups as before each report read only its own
			// metrics: every metric of the range summed.
			{"rollups-all-metrics/messages", func() error {
				if err := ro.Refresh(ctx()); err != nil {
					return err
				}
				sums, err := s.ReportFigureSums(ctx(), sc, r.Bounds())
				if err != nil {
					return err
				}
				reports.MessagesFromRollup(r, sums)
				return nil
			}},
			{"rollups/costs", func() error {
				if err := ro.Refresh(ctx()); err != nil {
					return err
				}
				_, err := ro.Costs(ctx(), r, nil)
				return err
			}},
			{"rollups/bots", func() error {
				if err := ro.Refresh(ctx()); err != nil {
					return err
				}
				_, err := ro.Bots(ctx(), r, nil)
				return err
			}},
		} {
			if os.Getenv("SWITCHBOARD_BENCH_REPORTS_SKIP_FACTS") != "" && strings.HasPrefix(rep.name, "facts/") {
				continue
			}
			b.Run(rep.name+"/"+rg.name, func(b *testing.B) {
				var took []time.Duration
				for b.Loop() {
					t := time.Now()
					if err := rep.run(); err != nil {
						b.Fatal(err)
					}
					took = append(took, time.Since(t))
				}
				slices.Sort(took)
				b.ReportMetric(float64(took[(len(took)*99+99)/100-1].Microseconds())/1000, "p99-ms")
			})
		}
	}
	// What a report pays on a live store: the refresh after one new
	// customer message on the range's last day (its whole UTC day is
	// recomputed).
	b.Run("refresh-after-one-message", func(b *testing.B) {
		var took []time.Duration
		n := 0
		for b.Loop() {
			n++
			mustReceive(b, s, inbound(chans[0].ID, fmt.Sprintf("4917%09d", n), "Kunde", "Hallo", end.Add(time.Duration(n)*time.Minute)))
			t := time.Now()
			must(b, ro.Refresh(ctx()))
			took = append(took, time.Since(t))
		}
		slices.Sort(took)
		b.ReportMetric(float64(took[(len(took)*99+99)/100-1].Microseconds())/1000, "p99-ms")
	})
}
