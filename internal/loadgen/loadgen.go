// Package loadgen sends signed, Meta-format WhatsApp webhooks at a fixed
// rate and measures how fast they are acknowledged. Benchmarks and the crash
// test use it against a real server over loopback.
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// Config describes a load run.
type Config struct {
	URL           string  // webhook URL, e.g. http://127.0.0.1:8080/webhooks/whatsapp
	AppSecret     string  // signs each body like Meta
	PhoneNumberID string  // routes to the channel
	Rate          float64 // webhooks per second
	Duration      time.Duration
	// Customers is how many distinct senders write in (default 200).
	Customers int
	// Prefix makes message ids unique across runs.
	Prefix string
	// Text is the text of message i (nil: "Nachricht i").
	Text func(i int) string
	// MaxInFlight bounds concurrent requests (default 512).
	MaxInFlight int
	Client      *http.Client
}

// Result is what a run measured.
type Result struct {
	Sent, Acked, Failed int
	Elapsed             time.Duration
	P50, P90, P99, Max  time.Duration
	// AckedIDs are the WhatsApp message ids of acknowledged webhooks: each
	// must be stored exactly once.
	AckedIDs []string
}

// Rate returns acknowledged webhooks per second.
func (r Result) Rate() float64 { return float64(r.Acked) / r.Elapsed.Seconds() }

func (r Result) String() string {
	return fmt.Sprintf("sent %d, acked %d, failed %d in %v (%.0f/s); ack latency p50 %v p90 %v p99 %v max %v",
		r.Sent, r.Acked, r.Failed, r.Elapsed.Round(time.Millisecond), r.Rate(),
		r.P50.Round(100*time.Microsecond), r.P90.Round(100*time.Microsecond), r.P99.Round(100*time.Microsecond), r.Max.Round(time.Millisecond))
}

// Body returns a webhook carrying one inbound text message, shaped and
// escaped like Meta's.
func Body(phoneNumberID, waID, name, wamid, text string, ts time.Time) []byte {
	type m = map[string]any
	v := m{"object": "whatsapp_business_account", "entry": []m{{
		"id": "200000000000001",
		"changes": []m{{"field": "messages", "value": m{
			"messaging_product": "whatsapp",
			"metadata":          m{"display_phone_number": "4930555010", "phone_number_id": phoneNumberID},
			"contacts":          []m{{"profile": m{"name": name}, "wa_id": waID}},
			"messages": []m{{"from": waID, "id": wamid, "timestamp": strconv.FormatInt(ts.Unix(), 10),
				"type": "text", "text": m{"body": text}}},
		}}},
	}}}
	b, _ := json.Marshal(v)
	return b
}

// Run sends webhooks at cfg.Rate for cfg.Duration (or until ctx ends) and
// waits for every response.
func Run(ctx context.Context, cfg Config) Result {
	if cfg.Customers <= 0 {
		cfg.Customers = 200
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 512
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			MaxIdleConns: cfg.MaxInFlight, MaxIdleConnsPerHost: cfg.MaxInFlight,
		}}
	}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		acked     []string
		failed    atomic.Int64
		wg        sync.WaitGroup
		sem       = make(chan struct{}, cfg.MaxInFlight)
	)
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	start := time.Now()
	sent := 0
	for i := 0; ; i++ {
		// Fixed schedule: request i is due at start + i·interval, so a slow
		// response does not lower the offered rate (no coordinated omission).
		due := start.Add(time.Duration(i) * interval)
		if due.Sub(start) >= cfg.Duration {
			break
		}
		if d := time.Until(due); d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
		if ctx.Err() != nil {
			break
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		sent++
		wamid := fmt.Sprintf("wamid.%s.%d", cfg.Prefix, i)
		cust := i % cfg.Customers
		waID := fmt.Sprintf("49151%08d", cust)
		text := "Nachricht " + strconv.Itoa(i)
		if cfg.Text != nil {
			text = cfg.Text(i)
		}
		body := Body(cfg.PhoneNumberID, waID, fmt.Sprintf("Kunde %d", cust), wamid, text, time.Now())
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			t0 := time.Now()
			req, _ := http.NewRequestWithContext(ctx, "POST", cfg.URL, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Hub-Signature-256", whatsapp.Sign([]byte(cfg.AppSecret), body))
			resp, err := client.Do(req)
			if err != nil {
				failed.Add(1)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			d := time.Since(t0)
			if resp.StatusCode != http.StatusOK {
				failed.Add(1)
				return
			}
			mu.Lock()
			latencies = append(latencies, d)
			acked = append(acked, wamid)
			mu.Unlock()
		}()
	}
	wg.Wait()
	r := Result{Sent: sent, Acked: len(acked), Failed: int(failed.Load()), Elapsed: time.Since(start), AckedIDs: acked}
	slices.Sort(latencies)
	pick := func(q float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(q*float64(len(latencies))))]
	}
	r.P50, r.P90, r.P99 = pick(0.50), pick(0.90), pick(0.99)
	if len(latencies) > 0 {
		r.Max = latencies[len(latencies)-1]
	}
	return r
}
