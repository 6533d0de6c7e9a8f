package main

import (
	"context"
	"fmt"
	"os"
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

		var t10, t90 time.Time
		deadline = time.Now().Add(time.Duration(total/40+60) * time.Second)
		for time.Now().Before(deadline) {
			sent := app.Emulator.Stats().MessagesSent - base
			if t10.IsZero() && sent >= total/10 {
				t10 = time.Now()
			}
			if sent >= total*9/10 {
				t90 = time.Now()
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if t90.IsZero() {
			b.Fatalf("only %d of %d messages sent", app.Emulator.Stats().MessagesSent-base, total)
		}
		rate := float64(total*8/10) / t90.Sub(t10).Seconds()
		st := app.Emulator.Stats()
		b.Logf("steady-state send rate %.1f messages/s (%.1f%% of 80); 130429 responses: %d; 131056: %d", rate, rate/80*100, st.Errors[130429], st.Errors[131056])
		b.ReportMetric(rate, "msgs/s")
		if st.Errors[130429] > 0 {
			b.Errorf("%d throughput errors (130429)", st.Errors[130429])
		}
	}
}
