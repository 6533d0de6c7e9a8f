package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// BenchCombinedFilters measures the conversation list's combined filters
// (label.go) as the API serves a first page: 50 conversations and the
// filter counts, at 100,000 conversations (BenchFirstPage's shape: two
// channels, a third assigned among ten agents, one in five of the seed
// closed and every clone closed), one in seven carrying a label, one in
// four of the seed answered by the business. "baseline" is the page
// without the new filters (open, newest first), in the same run; each
// variant reports p50 and p99 of the whole page and p99 of its counts.
// clone multiplies the conversations, their assignees and their labels in
// the store's own SQL, as older closed conversations nobody waits in (a
// clone's sealed preview cannot be opened under its new id, so the lists
// measured must reach the seed's conversations first).
func BenchCombinedFilters(b *testing.B, s switchboard.Store, clone func(tb testing.TB, copies int)) {
	ctx := context.Background()
	chans := []*switchboard.Channel{mustChannel(b, s), mustChannel(b, s)}
	operator := mustUser(b, s, "bench-operator", "Operator", switchboard.RoleOperator)
	agents := []*switchboard.User{operator}
	for i := range 9 {
		agents = append(agents, mustUser(b, s, fmt.Sprintf("bench-agent-%d", i), "Agent", switchboard.RoleEmployee))
	}
	agent := agents[1]
	vip := &switchboard.Label{Name: "VIP", Color: "#aa0000"}
	must(b, s.CreateLabel(ctx, vip))
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
		if i%7 == 0 {
			_, _, err := s.SetConversationLabel(ctx, c.ID, vip.ID, true, T0)
			must(b, err)
		}
		if i%4 == 0 {
			_, err := s.CreateOutboundMessage(ctx, &switchboard.Message{ConversationID: c.ID, Type: switchboard.TypeText,
				Content: switchboard.MessageContent{Text: "answer"}, SenderID: operator.ID, Timestamp: c.UpdatedAt.Add(-time.Second)})
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
	op := func(f switchboard.ConversationFilter) switchboard.ConversationFilter {
		f.ViewerID = operator.ID
		if f.Limit == 0 {
			f.Limit = 50
		}
		return f
	}
	open := switchboard.StatusOpen
	for _, v := range []struct {
		name string
		f    switchboard.ConversationFilter
	}{
		{"baseline", op(switchboard.ConversationFilter{Status: open})},
		{"label", op(switchboard.ConversationFilter{LabelID: vip.ID})},
		{"label-open-unassigned", op(switchboard.ConversationFilter{LabelID: vip.ID, Status: open, Assignment: switchboard.AssignmentUnassigned})},
		{"unread-open", op(switchboard.ConversationFilter{Unread: true, Status: open})},
		{"waiting-open", op(switchboard.ConversationFilter{Sort: switchboard.SortWaiting, Status: open})},
		{"waiting-all", op(switchboard.ConversationFilter{Sort: switchboard.SortWaiting})},
		{"assignee-open", op(switchboard.ConversationFilter{AssigneeID: agent.ID, Status: open, Limit: 20})},
		{"channel-label-unread-waiting", op(switchboard.ConversationFilter{ChannelIDs: []string{chans[0].ID}, LabelID: vip.ID,
			Unread: true, Sort: switchboard.SortWaiting})},
	} {
		b.Run(v.name, func(b *testing.B) {
			var took, counting []time.Duration
			cpu0 := processCPU()
			for b.Loop() {
				t0 := time.Now()
				if _, _, err := s.Conversations(ctx, v.f); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if _, err := s.CountConversations(ctx, v.f); err != nil {
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
