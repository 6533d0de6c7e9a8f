package aibot

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Limits of the webhook receiver.
const (
	// SignatureTolerance is how far a delivery's signed time may be from
	// the bot's clock; older deliveries are refused as replays.
	SignatureTolerance = 5 * time.Minute
	// maxWebhookBody bounds a delivery's body.
	maxWebhookBody = 1 << 20
	// maxSeenDeliveries bounds the delivery ids remembered for dedupe.
	maxSeenDeliveries = 100000
)

// verifySignature reports whether header (X-Switchboard-Signature,
// "t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">") signs body with secret
// within SignatureTolerance of now.
func verifySignature(secret, header string, body []byte, now time.Time) bool {
	var t, sig string
	for _, kv := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(kv), "=")
		switch k {
		case "t":
			t = v
		case "v1":
			if sig == "" {
				sig = v
			}
		}
	}
	unix, err := strconv.ParseInt(t, 10, 64)
	if err != nil || now.Sub(time.Unix(unix, 0)).Abs() > SignatureTolerance {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(t + "."))
	m.Write(body)
	return hmac.Equal([]byte(hex.EncodeToString(m.Sum(nil))), []byte(sig))
}

// deliveries remembers the delivery ids seen within the tolerance, so a
// retried or redelivered delivery is acted on once.
type deliveries struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

// first records id and reports whether it is new.
func (d *deliveries) first(id string, now time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.seen == nil {
		d.seen = map[string]time.Time{}
	}
	if _, ok := d.seen[id]; ok {
		return false
	}
	if len(d.seen) >= maxSeenDeliveries {
		// Redeliveries come hours later; forget the oldest day first.
		for k, at := range d.seen {
			if now.Sub(at) > 24*time.Hour {
				delete(d.seen, k)
			}
		}
		if len(d.seen) >= maxSeenDeliveries {
			clear(d.seen)
		}
	}
	d.seen[id] = now
	return true
}

// webhookHandler receives outgoing webhooks: it checks the signature and
// the time, drops repeated deliveries and hands new events to handle.
func (b *Bot) webhookHandler(handle func(event)) http.Handler {
	var seen deliveries
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
		if err != nil {
			http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		now := time.Now()
		if !verifySignature(b.cfg.WebhookSecret, r.Header.Get("X-Switchboard-Signature"), body, now) {
			b.log.Warn("bot: webhook refused: bad or stale signature", "delivery", truncate(r.Header.Get("X-Switchboard-Delivery"), 64))
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		id := r.Header.Get("X-Switchboard-Delivery")
		if id == "" || len(id) > 128 {
			http.Error(w, "missing delivery id", http.StatusBadRequest)
			return
		}
		if !seen.first(id, now) {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		var e event
		if err := json.Unmarshal(body, &e); err != nil {
			http.Error(w, "not an event", http.StatusBadRequest)
			return
		}
		handle(e)
		w.WriteHeader(http.StatusNoContent)
	})
}

// serveWebhooks receives events as outgoing webhooks on WebhookAddr until
// ctx ends.
func (b *Bot) serveWebhooks(ctx context.Context) error {
	ln, err := net.Listen("tcp", b.cfg.WebhookAddr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           b.webhookHandler(func(e event) { b.onEvent(ctx, e) }),
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	b.log.Info("bot: receiving events as webhooks", "addr", ln.Addr().String())
	b.connected(ctx)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
