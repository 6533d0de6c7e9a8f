package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// BenchReceiveMessage measures ReceiveMessage from one goroutine: every
// fourth message comes from a new contact (contact, key, terms and
// conversation are created), the others from returning ones.
func BenchReceiveMessage(b *testing.B, s switchboard.Store) {
	ch := mustChannel(b, s)
	i := 0
	for b.Loop() {
		i++
		mustReceive(b, s, inbound(ch.ID, fmt.Sprintf("4915%09d", i/4), "Bench Kunde", "Hallo, ich habe eine Frage", T0.Add(time.Duration(i)*time.Millisecond)))
	}
}

// BenchReceiveMessageParallel measures ReceiveMessage from GOMAXPROCS*8
// goroutines, as concurrent webhook deliveries: this is where the SQLite
// writer's group commit pays off.
func BenchReceiveMessageParallel(b *testing.B, s switchboard.Store) {
	ch := mustChannel(b, s)
	var n atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			in := inbound(ch.ID, fmt.Sprintf("4916%09d", i/4), "Bench Kunde", "Hallo, ich habe eine Frage", T0.Add(time.Duration(i)*time.Millisecond))
			if _, err := s.ReceiveMessage(context.Background(), in); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchConversationsSize is how many conversations BenchConversations lists
// from.
const BenchConversationsSize = 10_000

// BenchConversations measures listing the first page of 50 conversations,
// with a viewer's unread counts, out of BenchConversationsSize.
func BenchConversations(b *testing.B, s switchboard.Store) {
	ch := mustChannel(b, s)
	viewer := mustUser(b, s, "bench-viewer", "Viewer", switchboard.RoleOperator)
	fillConversations(b, s, ch.ID, BenchConversationsSize)
	f := switchboard.ConversationFilter{ViewerID: viewer.ID, Limit: 50}
	for b.Loop() {
		list, _, err := s.Conversations(context.Background(), f)
		if err != nil {
			b.Fatal(err)
		}
		if len(list) != 50 {
			b.Fatalf("page of %d, want 50", len(list))
		}
	}
}

// fillConversations creates n conversations from concurrent writers.
func fillConversations(b *testing.B, s switchboard.Store, channelID string, n int) {
	b.Helper()
	fillConversationsFrom(b, s, channelID, n, 0)
}

// fillConversationsFrom is fillConversations for the customers after the
// first from.
func fillConversationsFrom(b *testing.B, s switchboard.Store, channelID string, n, from int) {
	b.Helper()
	const workers = 32
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				i += int64(from)
				in := inbound(channelID, fmt.Sprintf("4917%09d", i), fmt.Sprintf("Kunde %d", i), "Guten Tag", T0.Add(time.Duration(i)*time.Second))
				if _, err := s.ReceiveMessage(context.Background(), in); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
}

// BenchEnqueueWebhookWriters is how many goroutines BenchEnqueueWebhook
// enqueues from, as concurrent webhook deliveries from Meta.
const BenchEnqueueWebhookWriters = 50

// BenchEnqueueWebhook measures EnqueueWebhook from
// BenchEnqueueWebhookWriters concurrent callers with a typical 1.5 KB body,
// and reports the 99th percentile latency of an acknowledgement.
func BenchEnqueueWebhook(b *testing.B, s switchboard.Store) {
	ch := mustChannel(b, s)
	body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena Nelson"},"wa_id":"16505551234"}],"messages":[{"from":"16505551234","id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=","timestamp":"1749416383","type":"text","text":{"body":"Does it come in another color?"}}]},"field":"messages"}]}]}`)
	for len(body) < 1500 {
		body = append(body, ' ')
	}
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for w := 0; w < BenchEnqueueWebhookWriters; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				start := time.Now()
				if err := s.EnqueueWebhook(context.Background(), ch.ID, body, start); err != nil {
					b.Error(err)
					return
				}
				lat[i] = time.Since(start)
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchApplyStatus measures ApplyStatus from 50 concurrent callers, as the
// ingest worker applies delivery statuses: statuses cycle through
// delivered and read over a pool of 500 sent messages, so the first 1,000
// change a message and later ones are duplicates (Meta repeats statuses).
func BenchApplyStatus(b *testing.B, s switchboard.Store) {
	ch := mustChannel(b, s)
	const pool = 500
	now := time.Now()
	var wamids []string
	for i := 0; i < pool; i++ {
		r := mustReceive(b, s, inbound(ch.ID, fmt.Sprintf("4918%09d", i), "Kunde", "Hallo", T0))
		m := &switchboard.Message{ConversationID: r.Conversation.ID, Content: switchboard.MessageContent{Text: "Antwort"}}
		if _, err := s.CreateOutboundMessage(context.Background(), m); err != nil {
			b.Fatal(err)
		}
		wamids = append(wamids, fmt.Sprintf("wamid.bench%d", i))
		if _, err := s.ClaimOutbox(context.Background(), pool, 0, time.Hour, time.Now().Add(time.Second)); err != nil {
			b.Fatal(err)
		}
		if _, err := s.MarkSent(context.Background(), m.ID, wamids[i], now); err != nil {
			b.Fatal(err)
		}
	}
	statuses := []switchboard.MessageStatus{switchboard.MessageDelivered, switchboard.MessageRead}
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for w := 0; w < 50; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				u := switchboard.StatusUpdate{ChannelID: ch.ID, WAMessageID: wamids[i%pool], Status: statuses[(i/pool)%2], Timestamp: now}
				if _, err := s.ApplyStatus(context.Background(), u); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchDeleteExpiredSize is how many conversations (one message, contact
// and data key each) BenchDeleteExpired expires per iteration.
const BenchDeleteExpiredSize = 5000

// BenchDeleteExpired measures the retention job's store work: deleting
// BenchDeleteExpiredSize expired messages with their conversations,
// contacts and data keys in batches of 500, as inbox.ApplyRetention does.
// It reports rows per second (messages + conversations + contacts).
func BenchDeleteExpired(b *testing.B, s switchboard.Store) {
	ch := mustChannel(b, s)
	var rows int
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		fillConversations(b, s, ch.ID, BenchDeleteExpiredSize)
		b.StartTimer()
		start := time.Now()
		cutoff := time.Now().Add(time.Hour)
		for {
			d, err := s.DeleteExpired(context.Background(), ch.ID, cutoff, 500)
			if err != nil {
				b.Fatal(err)
			}
			if d.Empty() {
				break
			}
			rows += d.Messages + d.Conversations + d.Contacts
		}
		elapsed += time.Since(start)
	}
	if want := 3 * BenchDeleteExpiredSize * b.N; rows != want {
		b.Fatalf("deleted %d rows, want %d", rows, want)
	}
	b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
}

// BenchCountConversations measures the filter counts of the first page
// (CountConversations) for an administrator over BenchConversationsSize
// conversations, a third of them assigned and a fifth closed.
func BenchCountConversations(b *testing.B, s switchboard.Store) {
	ch := mustChannel(b, s)
	viewer := mustUser(b, s, "bench-viewer", "Viewer", switchboard.RoleOperator)
	fillConversations(b, s, ch.ID, BenchConversationsSize)
	ctx := context.Background()
	for cursor, i := "", 0; ; {
		page, next, err := s.Conversations(ctx, switchboard.ConversationFilter{Limit: 200, Cursor: cursor})
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range page {
			if i%3 == 0 {
				if _, _, err := s.AddAssignee(ctx, c.ID, viewer.ID, T0); err != nil {
					b.Fatal(err)
				}
			}
			if i%5 == 0 {
				if _, err := s.SetConversationStatus(ctx, c.ID, switchboard.StatusResolved, T0); err != nil {
					b.Fatal(err)
				}
			}
			i++
		}
		if next == "" {
			break
		}
		cursor = next
	}
	f := switchboard.ConversationFilter{ViewerID: viewer.ID, Status: switchboard.StatusOpen}
	// The process's CPU time per call as well: on a shared machine the
	// wall time mostly measures the wait for a core.
	cpu0 := processCPU()
	for b.Loop() {
		n, err := s.CountConversations(ctx, f)
		if err != nil {
			b.Fatal(err)
		}
		if n.Open+n.Resolved != BenchConversationsSize {
			b.Fatalf("counts %+v", *n)
		}
	}
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// processCPU returns the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchClaimWebhooksEvents and BenchClaimWebhooksBody shape the queue
// BenchClaimWebhooks claims from: 32 events of 512 KB (16 MB), as a burst
// of large webhooks waiting after a restart.
const (
	BenchClaimWebhooksEvents = 32
	BenchClaimWebhooksBody   = 512 << 10
)

// BenchClaimWebhooks measures one ClaimWebhooks of up to 128 events (the
// ingest worker's batch) under maxBytes from a queue of
// BenchClaimWebhooksEvents large events; every claim finds them all due
// again (the previous leases have run out). It reports the events and
// the body bytes one claim hands out; B/op is the claim's allocation.
func BenchClaimWebhooks(b *testing.B, s switchboard.Store, maxBytes int64) {
	ch := mustChannel(b, s)
	body := make([]byte, BenchClaimWebhooksBody)
	for i := range body {
		body[i] = byte('a' + i%26)
	}
	for range BenchClaimWebhooksEvents {
		must(b, s.EnqueueWebhook(context.Background(), ch.ID, body, T0))
	}
	now := time.Now()
	var events, bytes int
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		now = now.Add(2 * time.Minute)
		evs, err := s.ClaimWebhooks(context.Background(), 128, maxBytes, time.Minute, now)
		if err != nil {
			b.Fatal(err)
		}
		events += len(evs)
		for _, e := range evs {
			bytes += len(e.Body)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(events)/float64(b.N), "events/claim")
	b.ReportMetric(float64(bytes)/float64(b.N)/(1<<20), "body-MB/claim")
}
