package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// BenchFirstPageSeed and BenchFirstPageCopies shape BenchFirstPage: real
// conversations received from as many customers, then cloned in the
// database (as closed conversations of the same contacts, with their
// assignees) until there are seed × (copies + 1).
const (
	BenchFirstPageSeed   = 1_000
	BenchFirstPageCopies = 99
)

// BenchFirstPage measures the inbox's first page as the API serves it:
// a page of 50 open conversations and the filter counts, at 100,000
// conversations over two channels (a third assigned among ten agents).
// Each variant reports its p50 and p99; "full-scan" computes the counts
// with RecountConversations, the counts before migration 0024, in the same
// run. clone multiplies the conversations in the store's own SQL (only the
// seed is received through the store, as new customers cost milliseconds
// each); the clones are older than the seed, so the page lists real ones.
func BenchFirstPage(b *testing.B, s switchboard.Store, clone func(tb testing.TB, copies int)) {
	rc, ok := s.(countRecounter)
	if !ok {
		b.Fatalf("%T has no RecountConversations", s)
	}
	ctx := context.Background()
	chans := []*switchboard.Channel{mustChannel(b, s), mustChannel(b, s)}
	operator := mustUser(b, s, "bench-operator", "Operator", switchboard.RoleOperator)
	agents := []*switchboard.User{operator}
	for i := range 9 {
		agents = append(agents, mustUser(b, s, fmt.Sprintf("bench-agent-%d", i), "Agent", switchboard.RoleEmployee))
	}
	employee := agents[1]
	for i, ch := range chans {
		fillConversationsFrom(b, s, ch.ID, BenchFirstPageSeed/2, i*BenchFirstPageSeed)
	}
	var seed []*switchboard.Conversation
	for cursor := ""; ; {
		page, next, err := s.Conversations(ctx, switchboard.ConversationFilter{Limit: 200, Cursor: cursor})
		must(b, err)
		seed = append(seed, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	for i, c := range seed {
		if i%3 == 0 {
			_, _, err := s.AddAssignee(ctx, c.ID, agents[(i/3)%len(agents)].ID, T0)
			must(b, err)
		}
		if i%5 == 0 {
			_, err := s.SetConversationStatus(ctx, c.ID, switchboard.StatusResolved, T0)
			must(b, err)
		}
	}
	clone(b, BenchFirstPageCopies)
	total := BenchFirstPageSeed * (BenchFirstPageCopies + 1)
	if n, err := s.CountConversations(ctx, switchboard.ConversationFilter{ViewerID: operator.ID}); err != nil || n.All != total {
		b.Fatalf("counts after cloning %+v, %v; want %d conversations", n, err, total)
	}
	views := []struct {
		name string
		f    switchboard.ConversationFilter
	}{
		{"operator", switchboard.ConversationFilter{ViewerID: operator.ID, Status: switchboard.StatusOpen, Limit: 50}},
		{"employee", switchboard.ConversationFilter{ViewerID: employee.ID, OnlyAssignedTo: employee.ID,
			ChannelIDs: []string{chans[0].ID, chans[1].ID}, Status: switchboard.StatusOpen, Limit: 50}},
	}
	for _, v := range views {
		want, err := rc.RecountConversations(ctx, v.f)
		must(b, err)
		if got, err := s.CountConversations(ctx, v.f); err != nil || *got != *want {
			b.Fatalf("%s: counts %+v, %v; full recount %+v", v.name, got, err, *want)
		}
		for _, count := range []struct {
			name string
			fn   func(context.Context, switchboard.ConversationFilter) (*switchboard.ConversationCounts, error)
		}{{"counters", s.CountConversations}, {"full-scan", rc.RecountConversations}} {
			b.Run(v.name+"/"+count.name, func(b *testing.B) {
				var took, counting []time.Duration
				cpu0 := processCPU()
				for b.Loop() {
					t0 := time.Now()
					if page, _, err := s.Conversations(ctx, v.f); err != nil || len(page) == 0 {
						b.Fatalf("page of %d, %v", len(page), err)
					}
					t1 := time.Now()
					if _, err := count.fn(ctx, v.f); err != nil {
						b.Fatal(err)
					}
					took, counting = append(took, time.Since(t0)), append(counting, time.Since(t1))
				}
				ms := func(d []time.Duration, q float64) float64 {
					slices.Sort(d)
					return float64(d[int(q*float64(len(d)-1))].Microseconds()) / 1000
				}
				b.ReportMetric(ms(took, 0.5), "p50-ms")
				b.ReportMetric(ms(took, 0.99), "p99-ms")
				b.ReportMetric(ms(counting, 0.99), "counts-p99-ms")
				b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(len(took)), "cpu-ms/op")
			})
		}
	}
}
