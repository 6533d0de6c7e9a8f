package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// benchFirstNames and benchLastNames make customers' profile names of the
// usual shape (two words of 4–9 letters), so the contact search terms a
// benchmark pays for are those of real customers.
var (
	benchFirstNames = []string{"Anna", "Lukas", "Mira", "Jonas", "Emilia", "Maximilian", "Sofia", "Paul", "Hannah", "Elias", "Lea", "Felix"}
	benchLastNames  = []string{"Müller", "Schmidt", "Okafor", "Yılmaz", "Wagner", "Becker", "Hoffmann", "Kowalski", "Schäfer", "Nguyen", "Fischer"}
)

// BenchNewCustomers receives a first message from n new customers, in
// apply batches of 128 as the ingest worker writes them, and reports the
// CPU time per first message (the store's share: contact, search terms,
// conversation, message). after, when set, runs once the customers are in
// and reports what the caller measures of the store (its size).
func BenchNewCustomers(b *testing.B, s switchboard.Store, n int, after func(b *testing.B)) {
	ch := mustChannel(b, s)
	body := make([]byte, 600)
	ctx := context.Background()
	b.ResetTimer()
	var cpu time.Duration
	received := 0
	for b.Loop() {
		for received < n {
			b.StopTimer()
			var batch switchboard.InboundBatch
			for range min(128, n-received) {
				received++
				id, err := s.EnqueueLeasedWebhook(ctx, ch.ID, body, time.Now(), time.Now().Add(time.Minute))
				if err != nil {
					b.Fatal(err)
				}
				batch.Events = append(batch.Events, id)
				name := benchFirstNames[received%len(benchFirstNames)] + " " + benchLastNames[(received/len(benchFirstNames))%len(benchLastNames)]
				batch.Messages = append(batch.Messages, inbound(ch.ID, fmt.Sprintf("49151%07d", received), name,
					"Guten Tag, ich habe eine Frage zu meiner Bestellung.", T0.Add(time.Duration(received)*time.Second)))
			}
			c0 := cpuTime()
			b.StartTimer()
			if _, err := s.ReceiveBatch(ctx, batch); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			cpu += cpuTime() - c0
			b.StartTimer()
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpu.Microseconds())/float64(received), "cpu-µs/first-msg")
	if after != nil {
		after(b)
	}
}
