package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
)

var _ switchboard.LiveEventLog = (*DB)(nil)

// liveBody is what a live_events row seals: the event as the hub fans it
// out, its data already in the JSON clients receive.
type liveBody struct {
	Data       json.RawMessage        `json:"data,omitempty"`
	ChannelID  string                 `json:"channel_id,omitempty"`
	Assignees  []string               `json:"assignees,omitempty"`
	Mentioned  []string               `json:"mentioned,omitempty"`
	Also       []string               `json:"also,omitempty"`
	Permission switchboard.Permission `json:"permission,omitempty"`
}

// AppendLiveEvents stores es in one transaction that holds the table's
// EXCLUSIVE lock (plain reads go on): appends commit one after the other,
// in position order, so a reader taking the rows after the last position it
// saw cannot skip a late commit. The transaction sends one NOTIFY, with the
// newest position as its payload, however many events it carries.
func (db *DB) AppendLiveEvents(ctx context.Context, es []switchboard.Event) error {
	return db.appendLiveEvents(ctx, es, nil)
}

// appendLiveEvents is AppendLiveEvents, calling beforeCommit (tests) once
// the rows are inserted; an error from it rolls the transaction back.
func (db *DB) appendLiveEvents(ctx context.Context, es []switchboard.Event, beforeCommit func() error) error {
	if len(es) == 0 {
		return nil
	}
	convKeys, err := db.conversationKeys(ctx, es)
	if err != nil {
		return err
	}
	types, ats, convs, keys, bodies := make([]string, 0, len(es)), make([]time.Time, 0, len(es)), make([]string, 0, len(es)), make([]string, 0, len(es)), make([][]byte, 0, len(es))
	for i := range es {
		e := &es[i]
		keyID, ok := convKeys[e.ConversationID]
		if !ok {
			if keyID, err = db.liveKeyFor(ctx, e.ChannelID); err != nil {
				return err
			}
		}
		b := liveBody{ChannelID: e.ChannelID, Assignees: e.Assignees, Mentioned: e.Mentioned, Also: e.Also, Permission: e.Permission}
		if e.Data != nil {
			if b.Data, err = json.Marshal(e.Data); err != nil {
				return fmt.Errorf("encode live event: %w", err)
			}
		}
		at := e.At
		if at.IsZero() {
			at = db.now()
		}
		at = utc(at)
		// The cell's row id is not known before the insert: the body is
		// bound to the event's type, time and conversation instead.
		body, err := db.codec.SealJSON(ctx, keyID, "live_events", "body", liveAAD(e.Type, at, e.ConversationID), b)
		if err != nil {
			if ok {
				// The contact was erased since (its key is destroyed):
				// nobody may see the event any more.
				continue
			}
			return err
		}
		types, ats, convs, keys, bodies = append(types, e.Type), append(ats, at), append(convs, e.ConversationID), append(keys, keyID), append(bodies, body)
	}
	if len(types) == 0 {
		return nil
	}
	return db.withTx(switchboard.WithoutAuditEntry(ctx), func(tx *txn) error {
		if err := db.appendLive(ctx, tx, types, ats, convs, keys, bodies); err != nil {
			return err
		}
		if beforeCommit != nil {
			return beforeCommit()
		}
		return nil
	})
}

func (db *DB) appendLive(ctx context.Context, tx *txn, types []string, ats []time.Time, convs, keys []string, bodies [][]byte) error {
	if _, err := tx.Exec(ctx, `LOCK TABLE live_events IN EXCLUSIVE MODE`); err != nil {
		return fmt.Errorf("lock live events: %w", err)
	}
	var newest int64
	if err := tx.QueryRow(ctx, `WITH rows AS (
			INSERT INTO live_events (type, at, conversation_id, key_id, body)
			SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::bytea[])
			RETURNING position)
		SELECT max(position) FROM rows`, types, ats, convs, keys, bodies).Scan(&newest); err != nil {
		return fmt.Errorf("insert live events: %w", err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, db.liveChannel, strconv.FormatInt(newest, 10)); err != nil {
		return fmt.Errorf("notify live events: %w", err)
	}
	return nil
}

func liveAAD(typ string, at time.Time, conversationID string) string {
	return typ + "/" + strconv.FormatInt(at.UnixMicro(), 10) + "/" + conversationID
}

// conversationKeys returns the data keys (their contacts') of the
// conversations es are about, in one query: a conversation's events are
// sealed under its contact's key, like its messages, so that erasing the
// contact makes them unreadable at once.
func (db *DB) conversationKeys(ctx context.Context, es []switchboard.Event) (map[string]string, error) {
	ids := make([]string, 0, len(es))
	for i := range es {
		if id := es[i].ConversationID; id != "" {
			ids = append(ids, id)
		}
	}
	keys := map[string]string{}
	if len(ids) == 0 {
		return keys, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT id, key_id FROM conversations WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("live event keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, keyID string
		if err := rows.Scan(&id, &keyID); err != nil {
			return nil, fmt.Errorf("live event keys: %w", err)
		}
		keys[id] = keyID
	}
	return keys, rows.Err()
}

// liveKeyFor returns the data key a live event without a conversation (or
// of one deleted since) is sealed under: its channel's, or for an event without one (or of a channel since deleted)
// one key of the live events, made once per process.
func (db *DB) liveKeyFor(ctx context.Context, channelID string) (string, error) {
	if channelID != "" {
		id, err := db.channelKey(ctx, db.pool, channelID)
		if err == nil {
			return id, nil
		}
		if switchboard.ErrorCode(err) != switchboard.ENotFound {
			return "", err
		}
	}
	db.liveKeyMu.Lock()
	defer db.liveKeyMu.Unlock()
	if db.liveKey != "" {
		return db.liveKey, nil
	}
	var id string
	err := db.withTx(switchboard.WithoutAuditEntry(ctx), func(tx *txn) error {
		var err error
		id, err = db.newDataKey(ctx, tx, db.now())
		return err
	})
	if err != nil {
		return "", err
	}
	db.liveKey = id
	return id, nil
}

// LiveEventsAfter returns up to n events after position after, opened.
// An event that cannot be opened (its key was destroyed with its channel)
// comes back as its position alone.
func (db *DB) LiveEventsAfter(ctx context.Context, after int64, n int) ([]switchboard.Event, error) {
	rows, err := db.pool.Query(ctx, `SELECT position, type, at, conversation_id, key_id, body
		FROM live_events WHERE position > $1 ORDER BY position LIMIT $2`, after, n)
	if err != nil {
		return nil, fmt.Errorf("read live events: %w", err)
	}
	type row struct {
		e     switchboard.Event
		keyID string
		body  []byte
	}
	var rs []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.e.ID, &r.e.Type, &r.e.At, &r.e.ConversationID, &r.keyID, &r.body); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read live events: %w", err)
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read live events: %w", err)
	}
	out := make([]switchboard.Event, 0, len(rs))
	for _, r := range rs {
		e := r.e
		e.At = e.At.UTC()
		var b liveBody
		if err := db.codec.OpenJSON(ctx, r.keyID, "live_events", "body", liveAAD(e.Type, e.At, e.ConversationID), r.body, &b); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// Its position only: readers move past it.
			out = append(out, switchboard.Event{ID: e.ID})
			continue
		}
		if b.Data != nil {
			e.Data = b.Data
		}
		e.ChannelID, e.Assignees, e.Mentioned, e.Also, e.Permission = b.ChannelID, b.Assignees, b.Mentioned, b.Also, b.Permission
		out = append(out, e)
	}
	return out, nil
}

// LiveEventBounds returns the oldest and newest positions kept.
func (db *DB) LiveEventBounds(ctx context.Context) (oldest, newest int64, err error) {
	err = db.pool.QueryRow(ctx, `SELECT coalesce(min(position), 0), coalesce(max(position), 0) FROM live_events`).Scan(&oldest, &newest)
	if err != nil {
		return 0, 0, fmt.Errorf("live event bounds: %w", err)
	}
	return oldest, newest, nil
}

// ListenLiveEvents listens on a connection of its own (not the pool's)
// until ctx ends or the connection fails.
func (db *DB) ListenLiveEvents(ctx context.Context, ready, wake func()) error {
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("listen for live events: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{db.liveChannel}.Sanitize()); err != nil {
		return fmt.Errorf("listen for live events: %w", err)
	}
	ready()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("listen for live events: %w", err)
		}
		wake()
	}
}

// PruneLiveEvents deletes old events but never the newest, whose position
// tells the next instance to start where the log is.
func (db *DB) PruneLiveEvents(ctx context.Context, before, ephemeralBefore time.Time) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM live_events
		WHERE position < (SELECT max(position) FROM live_events)
		AND (at < $1 OR (type = $3 AND at < $2))`, utc(before), utc(ephemeralBefore), switchboard.EventComposerActivity)
	if err != nil {
		return 0, fmt.Errorf("prune live events: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
