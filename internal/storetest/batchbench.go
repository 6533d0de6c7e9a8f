package storetest

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// BenchReceiveBatch measures ReceiveBatch with batches of size messages
// from 200 returning customers, each batch also deleting its queue rows, as
// the ingest worker applies webhooks; it reports the time per message.
func BenchReceiveBatch(b *testing.B, s switchboard.Store, size int) {
	ch := mustChannel(b, s)
	const customers = 200
	i := 0
	next := func() switchboard.InboundMessage {
		i++
		c := i % customers
		return inbound(ch.ID, fmt.Sprintf("4915%08d", c), fmt.Sprintf("Kunde %d", c), "Nachricht "+fmt.Sprint(i), T0.Add(time.Duration(i)*time.Millisecond))
	}
	// Warm up: every customer has a contact and a conversation.
	for range customers {
		mustReceive(b, s, next())
	}
	body := make([]byte, 600)
	b.ResetTimer()
	msgs := 0
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		var batch switchboard.InboundBatch
		for range size {
			id, err := s.EnqueueLeasedWebhook(context.Background(), ch.ID, body, time.Now(), time.Now().Add(time.Minute))
			if err != nil {
				b.Fatal(err)
			}
			batch.Events = append(batch.Events, id)
			batch.Messages = append(batch.Messages, next())
		}
		c0 := cpuTime()
		b.StartTimer()
		if _, err := s.ReceiveBatch(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu += cpuTime() - c0
		b.StartTimer()
		msgs += size
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(msgs), "µs/msg")
	b.ReportMetric(float64(cpu.Microseconds())/float64(msgs), "cpu-µs/msg")
}

// cpuTime returns the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
