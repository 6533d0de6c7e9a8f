package emulator

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// Webhook payload shapes. Field order follows Meta's samples, which matters only
// for readability: receivers must not depend on it, but golden files do.
type whPayload struct {
	Object string    `json:"object"`
	Entry  []whEntry `json:"entry"`
}

type whEntry struct {
	ID      string     `json:"id"`
	Changes []whChange `json:"changes"`
}

type whChange struct {
	Value whValue `json:"value"`
	Field string  `json:"field"`
}

type whValue struct {
	MessagingProduct string       `json:"messaging_product"`
	Metadata         whMetadata   `json:"metadata"`
	Contacts         []*whContact `json:"contacts,omitempty"`
	Messages         []*whMessage `json:"messages,omitempty"`
	Statuses         []*whStatus  `json:"statuses,omitempty"`
}

type whMetadata struct {
	DisplayPhoneNumber string `json:"display_phone_number"`
	PhoneNumberID      string `json:"phone_number_id"`
}

type whContact struct {
	Profile struct {
		Name     string `json:"name"`
		Username string `json:"username,omitempty"`
	} `json:"profile"`
	WaID   string `json:"wa_id,omitempty"`
	UserID string `json:"user_id,omitempty"`
}

type whStatus struct {
	ID                    string         `json:"id"`
	Status                string         `json:"status"`
	Timestamp             string         `json:"timestamp"`
	RecipientID           string         `json:"recipient_id,omitempty"`
	RecipientUserID       string         `json:"recipient_user_id,omitempty"`
	BizOpaqueCallbackData string         `json:"biz_opaque_callback_data,omitempty"`
	Pricing               *whPricing     `json:"pricing,omitempty"`
	Errors                []webhookError `json:"errors,omitempty"`
}

type whPricing struct {
	Billable     bool   `json:"billable"`
	PricingModel string `json:"pricing_model"`
	Category     string `json:"category"`
	Type         string `json:"type"`
}

// whItem is one message or status waiting to be batched into a POST.
type whItem struct {
	seq      uint64
	pnid     string
	statuses bool
	contact  *whContact
	message  *whMessage
	status   *whStatus
	readyAt  time.Time
	// field and coex are set for a coexistence webhook (smb_message_echoes,
	// history), sent on its own.
	field string
	coex  *whCoexValue
}

// delivery is one POST body with its retry state; Meta keeps retrying the same
// notification, so the body (and hence the signature) never changes.
type delivery struct {
	id       uint64
	body     []byte
	items    int
	attempts int
	first    time.Time
	nextAt   time.Time
}

type deliveryResult struct {
	d       *delivery
	ok      bool
	aborted bool
}

// enqueueLocked queues a notification, applying reorder chaos and the queue bound.
func (e *Emulator) enqueueLocked(it *whItem) {
	if e.pendingCountLocked() >= e.cfg.MaxPending {
		e.stats.dropped++
		e.log.Warn("emulator: webhook queue full, notification dropped", "max_pending", e.cfg.MaxPending)
		return
	}
	now := e.now()
	e.seq++
	it.seq = e.seq
	it.readyAt = now
	if e.cfg.ReorderRate > 0 && e.chaosRand.Float64() < e.cfg.ReorderRate {
		// Held back so that notifications created later overtake it, as Meta's
		// parallel senders do.
		it.readyAt = now.Add(e.cfg.ReorderDelay)
	}
	e.pending = append(e.pending, it)
	e.poke()
}

// step runs due events, forms batches and hands ready POSTs to idle workers.
func (e *Emulator) step(ctx context.Context, work chan<- *delivery) {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	e.runDueEventsLocked(now)
	e.batchLocked(now)

	slices.SortStableFunc(e.deliveries, func(a, b *delivery) int {
		if c := a.nextAt.Compare(b.nextAt); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	kept := e.deliveries[:0]
	busy := false
	for _, d := range e.deliveries {
		if busy || d.nextAt.After(now) {
			kept = append(kept, d)
			continue
		}
		if d.attempts > 0 && now.Sub(d.first) > e.cfg.Retry.MaxAge {
			e.stats.expired++
			e.log.Warn("emulator: webhook abandoned after max age", "delivery", d.id, "attempts", d.attempts)
			continue
		}
		select {
		case work <- d:
			e.inflight[d.id] = d
		case <-ctx.Done():
			busy = true
			kept = append(kept, d)
		default:
			busy = true // every worker is busy; keep order for the next tick
			kept = append(kept, d)
		}
	}
	clear(e.deliveries[len(kept):])
	e.deliveries = kept
}

// batchLocked turns ready items into POST bodies: up to MaxBatch items of the
// same phone number and kind, once MaxBatch is reached or BatchWindow elapsed.
func (e *Emulator) batchLocked(now time.Time) {
	if len(e.pending) == 0 {
		return
	}
	type key struct {
		pnid     string
		statuses bool
	}
	groups := map[key][]*whItem{}
	var order []key
	var rest []*whItem
	for _, it := range e.pending {
		if it.readyAt.After(now) {
			rest = append(rest, it)
			continue
		}
		if it.coex != nil {
			e.addCoexDeliveryLocked(now, it)
			continue
		}
		k := key{it.pnid, it.statuses}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], it)
	}
	for _, k := range order {
		items := groups[k]
		for len(items) > 0 {
			n := min(len(items), e.cfg.MaxBatch)
			if n < e.cfg.MaxBatch && now.Sub(items[0].readyAt) < e.cfg.BatchWindow {
				break // wait for companions
			}
			e.addDeliveryLocked(now, items[:n])
			items = items[n:]
		}
		rest = append(rest, items...)
	}
	slices.SortFunc(rest, func(a, b *whItem) int { return cmp.Compare(a.seq, b.seq) })
	e.pending = rest
}

func (e *Emulator) addDeliveryLocked(now time.Time, items []*whItem) {
	num := e.numbers[items[0].pnid]
	v := whValue{
		MessagingProduct: "whatsapp",
		Metadata:         whMetadata{DisplayPhoneNumber: num.DisplayPhoneNumber, PhoneNumberID: num.PhoneNumberID},
	}
	seen := map[string]bool{}
	for _, it := range items {
		if it.contact != nil && !seen[it.contact.UserID+"|"+it.contact.WaID] {
			seen[it.contact.UserID+"|"+it.contact.WaID] = true
			v.Contacts = append(v.Contacts, it.contact)
		}
		if it.message != nil {
			v.Messages = append(v.Messages, it.message)
		}
		if it.status != nil {
			v.Statuses = append(v.Statuses, it.status)
		}
	}
	body := metaJSON(whPayload{
		Object: "whatsapp_business_account",
		Entry:  []whEntry{{ID: num.WABAID, Changes: []whChange{{Value: v, Field: "messages"}}}},
	})
	e.seq++
	e.deliveries = append(e.deliveries, &delivery{id: e.seq, body: body, items: len(items), first: now, nextAt: now})
	if e.cfg.DuplicateRate > 0 && e.chaosRand.Float64() < e.cfg.DuplicateRate {
		// Meta only promises at-least-once delivery; the copy is independent.
		e.seq++
		e.stats.duplicates += len(items)
		e.deliveries = append(e.deliveries, &delivery{id: e.seq, body: body, items: len(items), first: now, nextAt: now})
	}
}

// post performs one delivery attempt. Success is HTTP 200 only, like Meta.
func (e *Emulator) post(ctx context.Context, d *delivery) deliveryResult {
	if e.cfg.WebhookURL == "" {
		return deliveryResult{d: d, ok: true}
	}
	ctx, cancel := context.WithTimeout(ctx, e.cfg.Retry.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.cfg.WebhookURL, bytes.NewReader(d.body))
	if err != nil {
		e.log.Error("emulator: invalid webhook URL")
		return deliveryResult{d: d}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "facebookexternalua")
	req.Header.Set("X-Hub-Signature-256", Sign(e.cfg.AppSecret, d.body))
	resp, err := e.client.Do(req)
	if err != nil {
		if ctx.Err() != nil && context.Cause(ctx) == context.Canceled {
			return deliveryResult{d: d, aborted: true}
		}
		// Log the cause without the URL, which may carry a secret.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		e.log.Debug("emulator: webhook attempt failed", "delivery", d.id, "attempt", d.attempts+1, "err", err)
		return deliveryResult{d: d}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e.log.Debug("emulator: webhook attempt rejected", "delivery", d.id, "attempt", d.attempts+1, "status", resp.StatusCode)
		return deliveryResult{d: d}
	}
	return deliveryResult{d: d, ok: true}
}

// finish records an attempt's outcome and schedules a retry with exponential backoff.
func (e *Emulator) finish(r deliveryResult) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.inflight, r.d.id)
	if r.aborted {
		e.deliveries = append(e.deliveries, r.d)
		return
	}
	now := e.now()
	if r.d.attempts == 0 {
		r.d.first = now
	}
	r.d.attempts++
	if r.ok {
		e.stats.delivered++
		return
	}
	e.stats.failed++
	e.stats.retried++
	p := e.cfg.Retry
	backoff := time.Duration(float64(p.Initial) * math.Pow(p.Factor, float64(r.d.attempts-1)))
	if backoff > p.Max || backoff <= 0 {
		backoff = p.Max
	}
	r.d.nextAt = now.Add(backoff)
	e.deliveries = append(e.deliveries, r.d)
	e.poke()
}

// Sign returns the X-Hub-Signature-256 header value Meta sends for body:
// "sha256=" followed by the lowercase hex HMAC-SHA256 keyed with the app secret.
func Sign(appSecret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(appSecret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}
