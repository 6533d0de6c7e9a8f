package emulator

import (
	"container/heap"
	"encoding/base64"
	"fmt"
	"maps"
	"strings"
	"time"
)

// mediaObject is an uploaded or customer-sent file.
type mediaObject struct {
	id       string
	pnid     string
	mime     string
	filename string
	data     []byte
	sha256   [32]byte
	expires  time.Time // 30 days for API uploads, 7 days for inbound (Meta's lifetimes)
	deleted  bool
}

// lookasideGrant is one issued download URL: valid for five minutes, like Meta's.
type lookasideGrant struct {
	mediaID string
	expires time.Time
}

// customer is a virtual WhatsApp user.
type customer struct {
	waID string
	name string
	// userID is the customer's business-scoped user id (BSUID), on every
	// webhook; a usernameOnly customer shares no phone number: webhooks
	// name them by userID and username alone, as Meta does since 2026.
	userID       string
	username     string
	usernameOnly bool
	pnid         string   // business number the customer last talked to
	chat         []string // message ids in order, both directions
	lastB        string   // last business wamid, for virtual customers' replies
}

// outMsg is a message the business sent.
type outMsg struct {
	PhoneMessage
	pnid      string
	bizOpaque string
	category  string // pricing category
	billable  bool
	priceType string
	dropped   bool // Faults.DropRate: accepted but silent

	mediaFailure *webhookError // asynchronous 131053 decided at send time
}

// inMsg is a message a customer sent.
type inMsg struct {
	PhoneMessage
	pnid string
}

// tputWindow counts messages of one phone number within one wall-clock second.
type tputWindow struct {
	second int64
	count  int
}

// bucket is a token bucket for the pair rate limit.
type bucket struct {
	tokens float64
	last   time.Time
}

// event is a clock-driven action run by Run with e.mu held.
type event struct {
	at  time.Time
	seq uint64
	fn  func(now time.Time)
}

type eventHeap []*event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(*event)) }
func (h *eventHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// scheduleLocked queues fn to run at at.
func (e *Emulator) scheduleLocked(at time.Time, fn func(now time.Time)) {
	e.seq++
	heap.Push(&e.events, &event{at: at, seq: e.seq, fn: fn})
	e.poke()
}

// runDueEventsLocked runs every event whose time has come, in time order.
func (e *Emulator) runDueEventsLocked(now time.Time) {
	for e.events.Len() > 0 && !e.events[0].at.After(now) {
		ev := heap.Pop(&e.events).(*event)
		ev.fn(now)
	}
}

// counters back Stats.
type counters struct {
	requests   map[string]int
	errors     map[int]int
	delivered  int
	failed     int
	retried    int
	dropped    int
	duplicates int
	expired    int
	sent       int
	received   int
}

func newCounters() counters {
	return counters{requests: map[string]int{}, errors: map[int]int{}}
}

// Stats is a snapshot of the emulator's counters.
type Stats struct {
	// Requests counts Graph and lookaside requests by "METHOD /endpoint".
	Requests map[string]int `json:"requests"`
	// Errors counts Meta error codes returned synchronously or in failed statuses.
	Errors map[int]int `json:"errors"`
	// MessagesSent counts messages accepted from the business.
	MessagesSent int `json:"messages_sent"`
	// MessagesReceived counts messages written by customers.
	MessagesReceived int `json:"messages_received"`
	// Webhooks describes notification delivery.
	Webhooks WebhookStats `json:"webhooks"`
	// VirtualCustomers describes the customers StartCustomers runs, so the
	// page's form shows what is running.
	VirtualCustomers VirtualCustomerStats `json:"virtual_customers"`
}

// VirtualCustomerStats is what StartCustomers was last asked to run.
type VirtualCustomerStats struct {
	Running bool    `json:"running"`
	Rate    float64 `json:"rate"`
	N       int     `json:"n"`
}

// WebhookStats describes webhook delivery.
type WebhookStats struct {
	// Delivered counts POSTs answered with 200.
	Delivered int `json:"delivered"`
	// Failed counts attempts answered otherwise or timed out.
	Failed int `json:"failed"`
	// Retried counts attempts after the first for the same POST.
	Retried int `json:"retried"`
	// Pending counts notifications not yet delivered (queued, waiting retry or in flight).
	Pending int `json:"pending"`
	// Dropped counts notifications discarded because the queue was full.
	Dropped int `json:"dropped"`
	// Expired counts POSTs abandoned after Retry.MaxAge.
	Expired int `json:"expired"`
	// Duplicates counts extra copies injected by DuplicateRate.
	Duplicates int `json:"duplicates"`
}

// Stats returns a snapshot of the counters.
func (e *Emulator) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return Stats{
		Requests:         maps.Clone(e.stats.requests),
		Errors:           maps.Clone(e.stats.errors),
		MessagesSent:     e.stats.sent,
		MessagesReceived: e.stats.received,
		Webhooks: WebhookStats{
			Delivered:  e.stats.delivered,
			Failed:     e.stats.failed,
			Retried:    e.stats.retried,
			Pending:    e.pendingCountLocked(),
			Dropped:    e.stats.dropped,
			Expired:    e.stats.expired,
			Duplicates: e.stats.duplicates,
		},
		VirtualCustomers: VirtualCustomerStats{Running: e.customersOn != nil, Rate: e.customersRate, N: e.customersN},
	}
}

func (e *Emulator) pendingCountLocked() int {
	n := len(e.pending)
	for _, d := range e.inflight {
		n += d.items
	}
	for _, d := range e.deliveries {
		n += d.items
	}
	return n
}

// --- identifiers -------------------------------------------------------------

// wamidLocked builds an id shaped like Meta's: "wamid." + base64 of a small
// protobuf-like blob carrying the customer's number ("HBgN..." for 13 digits).
func (e *Emulator) wamidLocked(waID string) string {
	const hexdigits = "0123456789ABCDEF"
	b := []byte{0x1c, 0x18, byte(len(waID))}
	b = append(b, waID...)
	b = append(b, 0x15, 0x02, 0x00, 0x12, 0x18, 0x14)
	for range 20 {
		b = append(b, hexdigits[e.idRand.IntN(16)])
	}
	b = append(b, 0x00)
	return "wamid." + base64.StdEncoding.EncodeToString(b)
}

// numericIDLocked returns a Graph-style numeric id (media ids, template ids).
func (e *Emulator) numericIDLocked(digits int) string {
	var sb strings.Builder
	sb.WriteByte(byte('1' + e.idRand.IntN(9)))
	for range digits - 1 {
		sb.WriteByte(byte('0' + e.idRand.IntN(10)))
	}
	return sb.String()
}

func (e *Emulator) tokenLocked(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[e.chaosRand.IntN(len(alphabet))]
	}
	return string(b)
}

// traceIDLocked draws from chaosRand so error responses never perturb the id sequence.
func (e *Emulator) traceIDLocked() string { return e.tokenLocked(23) }

func unixString(t time.Time) string { return fmt.Sprintf("%d", t.Unix()) }
