package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
	"github.com/switchboardhq/switchboard/internal/realtime"
)

// events upgrades to a WebSocket streaming the events the user may see.
// ?last_id= resumes after a reconnect. The user's role is reloaded every few
// seconds, so revoked sessions end and role changes apply while connected.
func (s *Server) events() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := s.actor(r)
		if err == nil && a.EnrolmentOnly {
			err = errEnrolmentRequired()
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var lastID int64
		if v := r.URL.Query().Get("last_id"); v != "" {
			lastID, err = strconv.ParseInt(v, 10, 64)
			if err != nil || lastID < 0 {
				writeError(w, r, s.Logger, switchboard.Errorf(switchboard.EInvalid, "last_id must be a non-negative number."))
				return
			}
		}
		var current atomic.Pointer[switchboard.Actor]
		current.Store(a)
		allow := func(e *switchboard.Event) bool { return switchboard.CanSeeEvent(current.Load(), e) }
		opts := realtime.ServeOptions{
			Logger:      s.Logger,
			Revalidator: &s.revalidator.Revalidator,
			Revalidate: func(ctx context.Context) error {
				fresh, err := s.revalidator.refresh(ctx, s.Service, current.Load())
				if err != nil {
					return err
				}
				current.Store(fresh)
				return nil
			},
		}
		if o := s.origin(); o != "" {
			if u, err := url.Parse(o); err == nil {
				opts.OriginPatterns = []string{u.Host}
			}
		}
		sub, err := s.Hub.Subscribe(a.User.ID, allow, lastID)
		if errors.Is(err, realtime.ErrTooManyForUser) || errors.Is(err, realtime.ErrTooManySubscribers) {
			s.Logger.Warn("websocket refused", "user_id", a.User.ID, "reason", err)
			_ = realtime.Refuse(w, r, err, opts)
			return
		} else if err != nil {
			s.fail(w, r, err)
			return
		}
		defer sub.Close()
		if err := realtime.Serve(w, r, sub, opts); err != nil {
			s.Logger.Debug("websocket closed", "err", err)
		}
	})
}

// sessionRevalidator checks the sessions behind the WebSockets on one
// shared timer, and lets the sockets of one session (browser tabs) share
// one Service.Refresh per round instead of reading the session and user
// once each.
type sessionRevalidator struct {
	realtime.Revalidator

	mu     sync.Mutex
	recent map[string]*sharedRefresh // by session id
	pruned time.Time
}

// sharedRefresh is one Service.Refresh for a session; done is closed when
// actor and err are set.
type sharedRefresh struct {
	at    time.Time
	done  chan struct{}
	actor *switchboard.Actor
	err   error
}

// refreshReuse is how long a session's refresh answers other sockets of
// the same session: well below the revalidation interval, so that every
// round reads the session afresh.
const refreshReuse = time.Second

// refresh returns a's actor as Service.Refresh reloads it, reusing a
// refresh of the same session made less than refreshReuse ago.
func (r *sessionRevalidator) refresh(ctx context.Context, svc *inbox.Service, a *switchboard.Actor) (*switchboard.Actor, error) {
	now := time.Now()
	r.mu.Lock()
	if r.recent == nil {
		r.recent = map[string]*sharedRefresh{}
	}
	if now.Sub(r.pruned) > refreshReuse {
		for id, e := range r.recent {
			if now.Sub(e.at) > refreshReuse {
				delete(r.recent, id)
			}
		}
		r.pruned = now
	}
	key := a.SessionID
	if a.TokenID != "" { // an API token has no session; its sockets share by token
		key = "token:" + a.TokenID
	}
	e := r.recent[key]
	if e == nil || now.Sub(e.at) > refreshReuse {
		e = &sharedRefresh{at: now, done: make(chan struct{})}
		r.recent[key] = e
		r.mu.Unlock()
		// Not bound to this socket: the others of the session wait for
		// the answer, and this socket closing must not fail theirs.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		e.actor, e.err = svc.Refresh(rctx, a)
		cancel()
		close(e.done)
	} else {
		r.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if e.err != nil {
		return nil, e.err
	}
	fresh := *e.actor
	fresh.IP, fresh.UserAgent = a.IP, a.UserAgent
	return &fresh, nil
}
