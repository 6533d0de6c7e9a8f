package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/emulator"
)

// BenchmarkOutboundThroughput queues replies to many customers and measures
// the rate at which the sender delivers them to the emulator, which allows
// Meta's default 80 messages/s per number and answers 130429 above it. It
// reports the steady-state rate (between 10% and 90% of the messages) and
// fails if any 130429 came back. SWITCHBOARD_OUTBOUND_MESSAGES sets the
// number of messages (default 1,600).
func BenchmarkOutboundThroughput(b *testing.B) {
	total := 1600
	if v := os.Getenv("SWITCHBOARD_OUTBOUND_MESSAGES"); v != "" {
		total, _ = strconv.Atoi(v)
	}
	const customers = 200
	for i := 0; i < b.N; i++ {
		app := startApp(b, map[string]string{"SWITCHBOARD_EMULATOR": "on"}, func(a *App) {
			a.EmulatorOptions = func(c *emulator.Config) {
				c.Throughput = 80
				c.StatusDelays = emulator.StatusDelays{Sent: 50 * time.Millisecond, Delivered: time.Second, Read: -1}
			}
		})
		admin := app.setupAdmin()
		for n := range customers {
			if _, err := app.Emulator.CustomerSend(context.Background(), emulator.CustomerMessage{
				WaID: fmt.Sprintf("4915300%06d", n), Name: fmt.Sprintf("Kunde %d", n), Text: "Hallo",
			}); err != nil {
				b.Fatal(err)
			}
		}
		var convs []string
		deadline := time.Now().Add(60 * time.Second)
		for len(convs) < customers && time.Now().Before(deadline) {
			convs = convs[:0]
			cursor := ""
			for {
				var page struct {
					Items      []struct{ ID string }
					NextCursor string `json:"next_cursor"`
				}
				admin.must(200, "GET", "/api/v1/conversations?limit=200&cursor="+cursor, nil, &page)
				for _, c := range page.Items {
					convs = append(convs, c.ID)
				}
				if page.NextCursor == "" {
					break
				}
				cursor = page.NextCursor
			}
			time.Sleep(100 * time.Millisecond)
		}
		if len(convs) < customers {
			b.Fatalf("only %d conversations arrived", len(convs))
		}
		base := app.Emulator.Stats().MessagesSent
		var wg sync.WaitGroup
		jobs := make(chan int)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := range jobs {
					admin.must(202, "POST", "/api/v1/conversations/"+convs[n%len(convs)]+"/messages",
						map[string]string{"type": "text", "text": "Antwort " + strconv.Itoa(n)}, nil)
				}
			}()
		}
		for n := range total {
			jobs <- n
		}
		close(jobs)
		wg.Wait()

		deadline = time.Now().Add(time.Duration(total/40+60) * time.Second)
		for app.Emulator.Stats().MessagesSent-base < total && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if sent := app.Emulator.Stats().MessagesSent - base; sent < total {
			b.Fatalf("only %d of %d messages sent", sent, total)
		}
		// The emulator's own acceptance times: the rate between the 10th and
		// the 90th percentile message is the steady state.
		var stamps []time.Time
		for _, c := range app.Emulator.Customers() {
			for _, m := range app.Emulator.Outbound(c.WaID) {
				stamps = append(stamps, m.Timestamp)
			}
		}
		slices.SortFunc(stamps, func(a, b time.Time) int { return a.Compare(b) })
		lo, hi := stamps[len(stamps)/10], stamps[len(stamps)*9/10]
		rate := float64(len(stamps)*8/10) / hi.Sub(lo).Seconds()
		perSecond := map[int64]int{}
		for _, ts := range stamps {
			perSecond[ts.Unix()]++
		}
		busiest := 0
		for _, n := range perSecond {
			busiest = max(busiest, n)
		}
		st := app.Emulator.Stats()
		b.Logf("%d messages; steady-state send rate %.1f/s (%.1f%% of 80); busiest calendar second %d; 130429 responses: %d; 131056: %d",
			len(stamps), rate, rate/80*100, busiest, st.Errors[130429], st.Errors[131056])
		b.ReportMetric(rate, "msgs/s")
		if st.Errors[130429] > 0 {
			b.Errorf("%d throughput errors (130429)", st.Errors[130429])
		}
	}
}
