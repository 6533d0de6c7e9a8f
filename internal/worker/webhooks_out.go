package worker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// maxWebhookResponse caps how much of a receiver's response is read.
const maxWebhookResponse = 64 << 10

// WebhookSender posts outgoing webhook deliveries: claimed from the store
// under a lease (so a restart or a crash loses none, and a delivery whose
// worker died is retried when the lease runs out), signed, with a timeout
// and a response cap, retried with exponential back-off and jitter for
// [switchboard.WebhookRetryWindow], then given up.
//
// Every connection to a host that is not on AllowHosts goes through the
// dial-time address guard of [whatsapp.NewGuardedTransport]: loopback,
// private, link-local and other special addresses are refused after name
// resolution, and redirects are not followed.
type WebhookSender struct {
	Store  switchboard.WebhookOutStore
	Logger *slog.Logger
	Clock  switchboard.Clock
	// AllowHosts may be reached at private addresses and over http.
	AllowHosts []string
	Workers    int           // concurrent posts (default 4)
	Timeout    time.Duration // per attempt (default 10 s)
	Lease      time.Duration // claim duration (default 1 minute)
	Poll       time.Duration // idle poll interval (default 2 s)
	// Jitter returns a number in [0, 1); default math/rand.
	Jitter func() float64
	// Outcome, when set, is told "delivered", "retry" or "failed".
	Outcome func(outcome string)

	once    sync.Once
	wake    chan struct{}
	guarded *http.Client
	open    *http.Client
	sem     chan struct{}
}

func (s *WebhookSender) init() {
	s.once.Do(func() {
		s.wake = make(chan struct{}, 1)
		if s.Logger == nil {
			s.Logger = slog.New(slog.DiscardHandler)
		}
		if s.Clock == nil {
			s.Clock = switchboard.SystemClock{}
		}
		if s.Workers <= 0 {
			s.Workers = 4
		}
		if s.Timeout <= 0 {
			s.Timeout = 10 * time.Second
		}
		if s.Lease <= 0 {
			s.Lease = time.Minute
		}
		if s.Lease < 2*s.Timeout {
			s.Lease = 2 * s.Timeout
		}
		if s.Poll <= 0 {
			s.Poll = 2 * time.Second
		}
		if s.Jitter == nil {
			s.Jitter = rand.Float64
		}
		noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		s.guarded = &http.Client{Transport: whatsapp.NewGuardedTransport(), Timeout: s.Timeout, CheckRedirect: noRedirect}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.Proxy = nil
		s.open = &http.Client{Transport: tr, Timeout: s.Timeout, CheckRedirect: noRedirect}
		s.sem = make(chan struct{}, s.Workers)
	})
}

// Notify wakes the sender because deliveries were queued. It never blocks.
func (s *WebhookSender) Notify() {
	s.init()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends; posts in flight finish first.
func (s *WebhookSender) Run(ctx context.Context) error {
	s.init()
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(s.Poll)
	defer t.Stop()
	for {
		free := s.Workers - len(s.sem)
		var ds []*switchboard.WebhookDelivery
		if free > 0 {
			var err error
			ds, err = s.Store.ClaimWebhookDeliveries(ctx, free, 0, s.Lease, s.Clock.Now())
			if err != nil && ctx.Err() == nil {
				s.Logger.Error("claim webhook deliveries", "err", err)
			}
		}
		for _, d := range ds {
			s.sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer func() { <-s.sem; wg.Done() }()
				s.Deliver(context.WithoutCancel(ctx), d)
				s.Notify()
			}()
		}
		if len(ds) > 0 && len(ds) == free {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-t.C:
		}
	}
}

// RunOnce claims and delivers what is due now, waiting for the posts; for
// tests and tools.
func (s *WebhookSender) RunOnce(ctx context.Context) (int, error) {
	s.init()
	ds, err := s.Store.ClaimWebhookDeliveries(ctx, 100, 0, s.Lease, s.Clock.Now())
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, d := range ds {
		wg.Add(1)
		go func() { defer wg.Done(); s.Deliver(ctx, d) }()
	}
	wg.Wait()
	return len(ds), nil
}

// Deliver makes one attempt of a claimed delivery and records its result.
func (s *WebhookSender) Deliver(ctx context.Context, d *switchboard.WebhookDelivery) {
	s.init()
	sub, err := s.Store.WebhookSubscription(ctx, d.SubscriptionID)
	if switchboard.ErrorCode(err) == switchboard.ENotFound {
		return // deleted with its deliveries
	} else if err != nil {
		s.Logger.Error("load webhook subscription", "subscription", d.SubscriptionID, "err", err)
		return // the lease runs out and the delivery is claimed again
	}
	status, latency, postErr := s.post(ctx, sub, d)
	now := s.Clock.Now().UTC()
	r := switchboard.WebhookAttempt{At: now, Status: status, LatencyMS: latency.Milliseconds()}
	if postErr == nil {
		r.State = switchboard.DeliveryDelivered
	} else {
		r.Error = truncateErr(postErr.Error(), 500)
		r.State, r.Next = switchboard.NextWebhookAttempt(d, now, s.Jitter())
	}
	if err := s.Store.RecordWebhookAttempt(ctx, d.ID, r); err != nil && switchboard.ErrorCode(err) != switchboard.ENotFound {
		s.Logger.Error("record webhook attempt", "delivery", d.ID, "err", err)
	}
	if s.Outcome != nil {
		switch r.State {
		case switchboard.DeliveryDelivered:
			s.Outcome("delivered")
		case switchboard.DeliveryFailed:
			s.Outcome("failed")
		default:
			s.Outcome("retry")
		}
	}
}

// errNotDelivered is a receiver's non-2xx answer.
var errNotDelivered = errors.New("receiver did not answer 2xx")

func (s *WebhookSender) post(ctx context.Context, sub *switchboard.WebhookSubscription, d *switchboard.WebhookDelivery) (int, time.Duration, error) {
	if !sub.Active {
		return 0, 0, errors.New("the subscription is disabled")
	}
	// The allow-list may have changed since the URL was saved.
	if err := inbox.CheckWebhookScheme(sub.URL, s.AllowHosts); err != nil {
		return 0, 0, fmt.Errorf("url refused: %s", switchboard.ErrorMessage(err))
	}
	u, _ := url.Parse(sub.URL)
	hc := s.guarded
	if inbox.HostAllowed(s.AllowHosts, u.Hostname()) {
		hc = s.open
	}
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.URL, bytes.NewReader(d.Payload))
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Switchboard-Webhooks/1")
	req.Header.Set(switchboard.HeaderWebhookSignature, switchboard.SignWebhook(sub.Secret, s.Clock.Now(), d.Payload))
	req.Header.Set(switchboard.HeaderWebhookDelivery, d.ID)
	req.Header.Set(switchboard.HeaderWebhookEvent, d.EventType)
	start := time.Now()
	resp, err := hc.Do(req)
	if err != nil {
		return 0, time.Since(start), scrubURL(err, sub.URL)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxWebhookResponse))
	latency := time.Since(start)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, latency, fmt.Errorf("%w: HTTP %d", errNotDelivered, resp.StatusCode)
	}
	return resp.StatusCode, latency, nil
}

// scrubURL keeps a URL's query (which may carry a receiver's token) out of
// the stored error.
func scrubURL(err error, raw string) error {
	msg := err.Error()
	if u, perr := url.Parse(raw); perr == nil && u.RawQuery != "" {
		msg = strings.ReplaceAll(msg, raw, u.Scheme+"://"+u.Host+u.Path)
	}
	return errors.New(msg)
}

func truncateErr(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
