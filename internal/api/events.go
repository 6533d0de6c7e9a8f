package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/realtime"
)

// events upgrades to a WebSocket streaming the events the user may see.
// ?last_id= resumes after a reconnect. The user's role is reloaded every few
// seconds, so revoked sessions end and role changes apply while connected.
func (s *Server) events() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := s.actor(r)
		if err != nil {
			writeError(w, r, s.Logger, err)
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
			Revalidator: &s.revalidator,
			Revalidate: func(ctx context.Context) error {
				fresh, err := s.Service.Refresh(ctx, current.Load())
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
			writeError(w, r, s.Logger, err)
			return
		}
		defer sub.Close()
		if err := realtime.Serve(w, r, sub, opts); err != nil {
			s.Logger.Debug("websocket closed", "err", err)
		}
	})
}
