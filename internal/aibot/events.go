package aibot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// event is an event of the real-time API or an outgoing webhook.
type event struct {
	ID             int64           `json:"id"`
	Type           string          `json:"type"`
	ConversationID string          `json:"conversation_id"`
	Data           json.RawMessage `json:"data"`
}

// errTokenRefused ends the bot: its token is unknown, revoked or expired.
var errTokenRefused = errors.New("switchboard refused the bot's token (401): issue a new token for the service account")

// Back-off between WebSocket connection attempts.
const (
	minBackoff = 500 * time.Millisecond
	maxBackoff = 30 * time.Second
)

// maxEventSize bounds one event read from the socket.
const maxEventSize = 4 << 20

// streamEvents reads events from /api/v1/events and hands each to handle
// until ctx ends. It reconnects with exponential back-off and jitter and
// resumes after the last event id it saw, so no event is lost across a
// reconnect while the server still holds it (otherwise the server sends a
// resync event). A token refused when connecting ends it with
// errTokenRefused.
func (b *Bot) streamEvents(ctx context.Context, handle func(event)) error {
	wsURL := "ws" + strings.TrimPrefix(b.cfg.SwitchboardURL, "http") + "/api/v1/events"
	var lastID int64
	backoff := minBackoff
	for {
		u := wsURL
		if lastID > 0 {
			u += "?last_id=" + strconv.FormatInt(lastID, 10)
		}
		connected, err := b.readSocket(ctx, u, &lastID, handle)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, errTokenRefused) {
			return err
		}
		if connected {
			backoff = minBackoff
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		b.log.Warn("bot: event stream ended; reconnecting", "err", err, "retry_in", wait.Round(time.Millisecond), "last_id", lastID)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// readSocket connects once and reads until the connection ends; connected
// reports whether the upgrade succeeded.
func (b *Bot) readSocket(ctx context.Context, u string, lastID *int64, handle func(event)) (connected bool, err error) {
	dctx, cancel := context.WithTimeout(ctx, b.cfg.APITimeout)
	conn, resp, err := websocket.Dial(dctx, u, &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer " + b.cfg.Token}, "User-Agent": {"switchboard-bot/1"}},
	})
	cancel()
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusUnauthorized {
			return false, errTokenRefused
		}
		return false, fmt.Errorf("connect: %w", err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(maxEventSize)
	b.log.Info("bot: receiving events over the WebSocket", "last_id", *lastID)
	b.connected(ctx)
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			// Whatever the close status (1008 after a revocation, 1013
			// for a slow reader, 1001 for a server going away), the next
			// connection attempt tells: a refused token answers 401.
			return true, err
		}
		var e event
		if err := json.Unmarshal(data, &e); err != nil {
			b.log.Warn("bot: unreadable event skipped", "err", err)
			continue
		}
		if e.ID > *lastID {
			*lastID = e.ID
		}
		handle(e)
	}
}
