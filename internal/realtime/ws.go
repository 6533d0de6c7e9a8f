package realtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Defaults for [ServeOptions].
const (
	DefaultPingInterval       = 25 * time.Second
	DefaultWriteTimeout       = 10 * time.Second
	DefaultRevalidateInterval = 4 * time.Second
)

// maxClientMessage bounds what a client may send. Clients have nothing to
// say on this socket, so anything larger is abuse and ends the connection.
const maxClientMessage = 4 << 10

// ServeOptions configures [Serve]. The zero value is usable.
type ServeOptions struct {
	// OriginPatterns lists host patterns (path.Match syntax, e.g.
	// "app.example.com" or "*.example.com") allowed as Origin besides the
	// request's own host. Any other Origin is refused with 403 before the
	// upgrade, which stops cross-site WebSocket hijacking with the session
	// cookie.
	OriginPatterns []string
	// PingInterval is how often the server pings; a pong must arrive within
	// WriteTimeout. Pings keep proxies from closing idle sockets and detect
	// dead peers. DefaultPingInterval if zero.
	PingInterval time.Duration
	// WriteTimeout bounds each write and each ping. DefaultWriteTimeout if
	// zero.
	WriteTimeout time.Duration
	// Revalidate, if set, is called every RevalidateInterval; an error closes
	// the socket with status 1008 (policy violation). It checks that the
	// session behind the socket still exists, which ends sockets of sessions
	// revoked on another instance, where DisconnectUser cannot reach.
	Revalidate func(ctx context.Context) error
	// RevalidateInterval is DefaultRevalidateInterval if zero. It applies
	// only without a Revalidator.
	RevalidateInterval time.Duration
	// Revalidator, if set, runs Revalidate on its shared timer together
	// with every other socket's, instead of on a timer of this socket's
	// own. A server with many sockets sets one for all of them.
	Revalidator *Revalidator
	// Logger receives one line per closed socket; discarded if nil.
	Logger *slog.Logger
}

// Serve upgrades the request to a WebSocket and streams sub's events to it,
// one JSON text message per event, until the subscription ends, the client
// goes away, a ping or write fails, or Revalidate fails. It closes sub before
// returning, so the caller only creates it.
//
// The close status tells the client what to do: 1013 (try again later) after
// [ErrSlowConsumer], reconnect with the last id; 1008 (policy violation) after
// [ErrRevoked] or a failed Revalidate, sign in again; 1001 (going away) after
// [ErrHubClosed], reconnect to another instance or later.
//
// Serve returns nil when the client closed the socket normally, the
// subscription's end reason otherwise, or why the upgrade or connection
// failed. When the upgrade fails the response has already been written.
func Serve(w http.ResponseWriter, r *http.Request, sub *Subscription, opts ServeOptions) error {
	defer sub.Close()
	if opts.PingInterval <= 0 {
		opts.PingInterval = DefaultPingInterval
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = DefaultWriteTimeout
	}
	if opts.RevalidateInterval <= 0 {
		opts.RevalidateInterval = DefaultRevalidateInterval
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}

	// InsecureSkipVerify stays false: the library then compares Origin with
	// the Host and OriginPatterns and answers a mismatch with 403.
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: opts.OriginPatterns})
	if err != nil {
		return fmt.Errorf("realtime: accept websocket: %w", err)
	}
	c.SetReadLimit(maxClientMessage)

	ctx, cancel := context.WithCancel(r.Context())
	s := &socket{conn: c, sub: sub, opts: opts, ctx: ctx}
	var wg sync.WaitGroup
	s.start(&wg)
	err = s.run()
	// Stop the pinger and revalidator, then make sure the connection is
	// closed so the reader returns too (a no-op after a clean Close).
	cancel()
	_ = c.CloseNow()
	wg.Wait()

	opts.Logger.Debug("realtime: websocket closed", "user_id", sub.userID, "subscription", sub.id, "reason", err)
	return err
}

// socket is the state of one [Serve] call.
type socket struct {
	conn *websocket.Conn
	sub  *Subscription
	opts ServeOptions
	ctx  context.Context

	readErr  chan error // the client closed or broke the connection
	pingErr  chan error // the client stopped answering
	revalErr chan error // the session is no longer valid
}

// start runs the reader, pinger and revalidator. Each reports at most one
// error on its buffered channel and stops when the connection closes or
// s.ctx ends.
func (s *socket) start(wg *sync.WaitGroup) {
	s.readErr = make(chan error, 1)
	s.pingErr = make(chan error, 1)
	s.revalErr = make(chan error, 1)

	wg.Go(func() {
		// Reading is required for pongs and the close handshake to be
		// processed. The context is not s.ctx: cancelling a read makes the
		// library drop the connection before a close frame can be sent.
		for {
			if _, _, err := s.conn.Read(context.Background()); err != nil {
				s.readErr <- err
				return
			}
			// Client messages carry no meaning on this socket.
		}
	})
	wg.Go(func() {
		t := time.NewTicker(s.opts.PingInterval)
		defer t.Stop()
		for {
			select {
			case <-s.ctx.Done():
				return
			case <-t.C:
			}
			ctx, cancel := context.WithTimeout(s.ctx, s.opts.WriteTimeout)
			err := s.conn.Ping(ctx)
			cancel()
			if err != nil {
				s.pingErr <- err
				return
			}
		}
	})
	if s.opts.Revalidate == nil {
		return
	}
	if r := s.opts.Revalidator; r != nil {
		failed, remove := r.add(s.ctx, s.opts.Revalidate)
		wg.Go(func() {
			defer remove()
			select {
			case <-s.ctx.Done():
			case err := <-failed:
				s.revalErr <- err
			}
		})
		return
	}
	wg.Go(func() {
		t := time.NewTicker(s.opts.RevalidateInterval)
		defer t.Stop()
		for {
			select {
			case <-s.ctx.Done():
				return
			case <-t.C:
			}
			if err := s.opts.Revalidate(s.ctx); err != nil {
				if s.ctx.Err() == nil {
					s.revalErr <- err
				}
				return
			}
		}
	})
}

// run writes events until something ends the socket, closes the connection
// with the matching status where a close handshake is still possible, and
// returns why it ended.
func (s *socket) run() error {
	for {
		// An ended subscription wins over buffered events: a revoked user
		// must not receive anything more.
		select {
		case <-s.sub.Done():
			return s.closeFor(s.sub.Err())
		default:
		}
		select {
		case <-s.sub.Done():
			return s.closeFor(s.sub.Err())
		case e, ok := <-s.sub.Events():
			if !ok {
				continue // Done is closed too; the check above reports why.
			}
			b, err := e.JSON()
			if err != nil {
				// A programming error in a publisher. Skipping the event
				// would leave the client silently out of date.
				_ = s.conn.Close(websocket.StatusInternalError, "internal error")
				return fmt.Errorf("realtime: encode %s event %d: %w", e.Event.Type, e.Event.ID, err)
			}
			ctx, cancel := context.WithTimeout(s.ctx, s.opts.WriteTimeout)
			err = s.conn.Write(ctx, websocket.MessageText, b)
			cancel()
			if err != nil {
				return fmt.Errorf("realtime: write event: %w", err)
			}
		case err := <-s.readErr:
			switch websocket.CloseStatus(err) {
			case websocket.StatusNormalClosure, websocket.StatusGoingAway:
				return nil
			}
			return fmt.Errorf("realtime: read: %w", err)
		case err := <-s.pingErr:
			return fmt.Errorf("realtime: ping: %w", err)
		case err := <-s.revalErr:
			_ = s.conn.Close(websocket.StatusPolicyViolation, "session no longer valid")
			return fmt.Errorf("realtime: revalidate: %w", err)
		case <-s.ctx.Done():
			_ = s.conn.Close(websocket.StatusGoingAway, "server shutting down")
			return s.ctx.Err()
		}
	}
}

// closeFor closes the connection with the status for a subscription's end
// reason and returns the reason.
func (s *socket) closeFor(err error) error {
	code, reason := closeStatus(err)
	_ = s.conn.Close(code, reason)
	if errors.Is(err, ErrClosed) {
		return nil
	}
	return err
}

// Refuse answers a WebSocket request that [Hub.Subscribe] refused over a
// cap: it completes the upgrade (so that a browser can read why, which an
// HTTP error at the upgrade would hide) and closes at once with 1013 (try
// again later) and a reason naming the cap. The client backs off and
// retries.
func Refuse(w http.ResponseWriter, r *http.Request, reason error, opts ServeOptions) error {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: opts.OriginPatterns})
	if err != nil {
		return fmt.Errorf("realtime: accept websocket: %w", err)
	}
	code, text := closeStatus(reason)
	return c.Close(code, text)
}

// closeStatus maps why a subscription ended to the WebSocket close status the
// client acts on. Reasons are fixed strings: a close frame allows 123 bytes
// and must not leak details.
func closeStatus(err error) (websocket.StatusCode, string) {
	switch {
	case errors.Is(err, ErrSlowConsumer):
		return websocket.StatusTryAgainLater, "slow consumer, reconnect with last id"
	case errors.Is(err, ErrRevoked):
		return websocket.StatusPolicyViolation, "access revoked"
	case errors.Is(err, ErrHubClosed):
		return websocket.StatusGoingAway, "server shutting down"
	case errors.Is(err, ErrTooManyForUser):
		return websocket.StatusTryAgainLater, "too many connections for this user, close other tabs"
	case errors.Is(err, ErrTooManySubscribers):
		return websocket.StatusTryAgainLater, "too many connections to the server, try again later"
	default:
		return websocket.StatusNormalClosure, ""
	}
}
