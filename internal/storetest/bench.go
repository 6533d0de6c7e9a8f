package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
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
