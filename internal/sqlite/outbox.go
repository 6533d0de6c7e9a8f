package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/ingest"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// parkedRetention is how long a parked status waits for its message. Meta
// also reports statuses of messages that other tools sent from the same
// number; those never find a message and are dropped after this.
const parkedRetention = 30 * 24 * time.Hour

// ClaimOutbox leases up to n outbox entries, oldest message first and at
// most one per conversation: only a conversation's oldest entry is a
// candidate, so its next message waits while an earlier one is in flight
// or scheduled for a retry. Of those, it takes as many as
// [switchboard.ClaimTake] lets fit in maxBytes of message content.
func (db *DB) ClaimOutbox(ctx context.Context, n int, maxBytes int64, lease time.Duration, now time.Time) ([]*switchboard.OutboxItem, error) {
	items := []*switchboard.OutboxItem{}
	if n <= 0 {
		return items, nil
	}
	var claims []*switchboard.OutboxItem
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		claims = claims[:0]
		rows, err := tx.QueryContext(ctx, `SELECT o.message_id, o.attempts, o.leased_until IS NOT NULL, o.state = 'dispatched',
				(SELECT length(m.content) FROM messages m WHERE m.id = o.message_id)
			FROM outbox o
			WHERE o.next_attempt_at <= ?1 AND (o.leased_until IS NULL OR o.leased_until <= ?1)
				AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.conversation_id = o.conversation_id
					AND (p.ts < o.ts OR (p.ts = o.ts AND p.message_id < o.message_id)))
			ORDER BY o.ts, o.message_id LIMIT ?2`, micros(now), n)
		if err != nil {
			return fmt.Errorf("claim outbox: %w", err)
		}
		var args []any
		var sizes []int64
		for rows.Next() {
			var id string
			var attempts int
			var leased, dispatched bool
			var size sql.NullInt64
			if err := rows.Scan(&id, &attempts, &leased, &dispatched, &size); err != nil {
				rows.Close()
				return fmt.Errorf("claim outbox: %w", err)
			}
			// A lease that ran out after an attempt: the sender died
			// between claiming and recording a result.
			claims = append(claims, &switchboard.OutboxItem{
				Message:    &switchboard.Message{ID: id},
				Attempts:   attempts + 1,
				Expired:    attempts > 0 && leased,
				Dispatched: attempts > 0 && leased && dispatched,
			})
			args = append(args, id)
			sizes = append(sizes, size.Int64)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("claim outbox: %w", err)
		}
		k := switchboard.ClaimTake(sizes, maxBytes)
		claims, args = claims[:k], args[:k]
		if len(args) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET leased_until = ?, attempts = attempts + 1
			WHERE message_id IN (`+placeholders(len(args))+`)`, append([]any{micros(now.Add(lease))}, args...)...); err != nil {
			return fmt.Errorf("lease outbox: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	leasedUntil := micros(now.Add(lease))
	for i, it := range claims {
		if err := db.readClaim(ctx, it); err != nil {
			// Nothing of these reached Graph: undo their leases and
			// attempts, so they are retried instead of expiring into
			// "outcome unknown".
			return nil, errors.Join(err, db.releaseClaims(ctx, claims[i:], leasedUntil))
		}
		items = append(items, it)
	}
	return items, nil
}

// readClaim fills a claimed item with its message, conversation and the
// wamid of the quoted message.
func (db *DB) readClaim(ctx context.Context, it *switchboard.OutboxItem) error {
	m, err := db.message(ctx, db.rdb, it.Message.ID)
	if err != nil {
		return err
	}
	c, err := db.conversation(ctx, db.rdb, m.ConversationID, "")
	if err != nil {
		return err
	}
	it.Message, it.Conversation = m, c
	if it.Message.ReplyToID != "" {
		q, err := db.message(ctx, db.rdb, it.Message.ReplyToID)
		if err != nil && switchboard.ErrorCode(err) != switchboard.ENotFound {
			return err
		}
		if q != nil {
			it.ReplyToWAID = q.WAMessageID
		}
	}
	return nil
}

// releaseClaims undoes the leases (and attempt counts) that ClaimOutbox
// took for items it does not hand out, as long as nobody re-leased them.
func (db *DB) releaseClaims(ctx context.Context, items []*switchboard.OutboxItem, leasedUntil any) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	args := []any{leasedUntil}
	for _, it := range items {
		args = append(args, it.Message.ID)
	}
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET leased_until = NULL, attempts = attempts - 1
			WHERE leased_until = ? AND message_id IN (`+placeholders(len(items))+`)`, args...); err != nil {
			return fmt.Errorf("release outbox claims: %w", err)
		}
		return nil
	})
}

// msgState is what the status updates need of a message, without
// decrypting it.
type msgState struct {
	id, conversationID, channelID, keyID string
	status                               switchboard.MessageStatus
	direction                            switchboard.Direction
	hasWAMID                             bool
}

// loadState reads a message's state; where filters messages m and
// conversations c. It returns nil without error when nothing matches.
func loadState(ctx context.Context, tx *writeTx, where string, args ...any) (*msgState, error) {
	var st msgState
	err := tx.QueryRowContext(ctx, msgStateSelect+` WHERE `+where, args...).Scan(&st.id, &st.conversationID, &st.channelID,
		&st.keyID, &st.status, &st.direction, &st.hasWAMID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("get message state: %w", err)
	}
	return &st, nil
}

func mustState(ctx context.Context, tx *writeTx, messageID string) (*msgState, error) {
	st, err := loadState(ctx, tx, `m.id = ?`, messageID)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, switchboard.NotFound("Message")
	}
	return st, nil
}

// advance moves an outbound message to status if that ranks higher than
// its current one (statuses never regress; failed is terminal). It reports
// whether it changed anything.
func advance(ctx context.Context, tx *writeTx, st *msgState, status switchboard.MessageStatus, e *switchboard.MessageError, at time.Time) (bool, error) {
	if st.direction != switchboard.DirectionOut || switchboard.StatusRank(status) <= switchboard.StatusRank(st.status) {
		return false, nil
	}
	var err error
	if status == switchboard.MessageFailed && e != nil {
		_, err = tx.ExecContext(ctx, `UPDATE messages SET status = ?, error_code = ?, error_title = ?, error_details = ?, updated_at = ?
			WHERE id = ?`, status, e.Code, e.Title, e.Details, micros(at), st.id)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE messages SET status = ?, updated_at = ? WHERE id = ?`, status, micros(at), st.id)
	}
	if err != nil {
		return false, fmt.Errorf("update message status: %w", err)
	}
	st.status = status
	return true, nil
}

// setWAMID records a message's wamid, sealed, with its blind index.
func (db *DB) setWAMID(ctx context.Context, tx *writeTx, st *msgState, wamid string, at time.Time) error {
	sealed, err := db.codec.Seal(ctx, st.keyID, "messages", "wa_message_id", st.id, []byte(wamid))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE messages SET wa_message_id = ?, wamid_hash = ?, updated_at = ? WHERE id = ?`,
		sealed, db.codec.WAMIDHash(st.channelID, wamid), micros(at), st.id)
	if isUnique(err) {
		return switchboard.Errorf(switchboard.EConflict, "Another message has this WhatsApp message id.")
	} else if err != nil {
		return fmt.Errorf("set wamid: %w", err)
	}
	st.hasWAMID = true
	return nil
}

// applyParked applies the statuses parked for wamid, in rank order, and
// deletes them.
func (db *DB) applyParked(ctx context.Context, tx *writeTx, st *msgState, wamid string, at time.Time) (bool, error) {
	hash := db.codec.WAMIDHash(st.channelID, wamid)
	rows, err := tx.QueryContext(ctx, `SELECT id, key_id, status, error, pricing FROM pending_statuses WHERE wamid_hash = ? ORDER BY ts, id`, hash)
	if err != nil {
		return false, fmt.Errorf("find parked statuses: %w", err)
	}
	type parked struct {
		id, keyID string
		status    switchboard.MessageStatus
		sealedErr []byte
		pricing   *string
	}
	var ps []parked
	var pricing *switchboard.MessagePricing // the newest parked one
	for rows.Next() {
		var p parked
		if err := rows.Scan(&p.id, &p.keyID, &p.status, &p.sealedErr, &p.pricing); err != nil {
			rows.Close()
			return false, fmt.Errorf("find parked statuses: %w", err)
		}
		if pr := storekit.DecodePricing(p.pricing); pr != nil {
			pricing = pr
		}
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("find parked statuses: %w", err)
	}
	if len(ps) == 0 {
		return false, nil
	}
	// Only the highest status matters; advance would skip the others.
	best := ps[0]
	for _, p := range ps[1:] {
		if switchboard.StatusRank(p.status) > switchboard.StatusRank(best.status) {
			best = p
		}
	}
	var e *switchboard.MessageError
	if best.sealedErr != nil {
		e = &switchboard.MessageError{}
		if err := db.codec.OpenJSON(ctx, best.keyID, "pending_statuses", "error", best.id, best.sealedErr, e); err != nil {
			return false, err
		}
	}
	changed, err := advance(ctx, tx, st, best.status, e, at)
	if err != nil {
		return false, err
	}
	if c, err := setPricing(ctx, tx, st.id, pricing); err != nil {
		return false, err
	} else if c {
		changed = true
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM pending_statuses WHERE wamid_hash = ?`, hash); err != nil {
		return false, fmt.Errorf("delete parked statuses: %w", err)
	}
	return changed, nil
}

// statusResult reads a message and its conversation after a committed
// change.
func (db *DB) statusResult(ctx context.Context, messageID string, changed bool) (*switchboard.StatusResult, error) {
	m, err := db.message(ctx, db.rdb, messageID)
	if err != nil {
		return nil, err
	}
	c, err := db.conversation(ctx, db.rdb, m.ConversationID, "")
	if err != nil {
		return nil, err
	}
	return &switchboard.StatusResult{Message: m, Conversation: c, Changed: changed}, nil
}

// resolveSend runs fn on a message's state in a write job, removes the
// outbox entry, and returns the message after the commit.
func (db *DB) resolveSend(ctx context.Context, messageID string, fn func(ctx context.Context, tx *writeTx, st *msgState) (bool, error)) (*switchboard.StatusResult, error) {
	var changed bool
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		st, err := mustState(ctx, tx, messageID)
		if err != nil {
			return err
		}
		if changed, err = fn(ctx, tx, st); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE message_id = ?`, messageID); err != nil {
			return fmt.Errorf("delete outbox entry: %w", err)
		}
		return db.insertEvents(ctx, tx, storekit.StatusEvents(messageID, changed, db.now()))
	})
	if err != nil {
		return nil, err
	}
	return db.statusResult(ctx, messageID, changed)
}

// MarkSent records Meta's wamid for a sent message: the status becomes sent
// unless a status already moved it further, statuses parked for the wamid
// are applied, and the outbox entry is removed.
func (db *DB) MarkSent(ctx context.Context, messageID, waMessageID string, at time.Time) (*switchboard.StatusResult, error) {
	at = db.orNow(at)
	return db.resolveSend(ctx, messageID, func(ctx context.Context, tx *writeTx, st *msgState) (bool, error) {
		changed := false
		if waMessageID != "" && !st.hasWAMID {
			if err := db.setWAMID(ctx, tx, st, waMessageID, at); err != nil {
				return false, err
			}
			changed = true
		}
		c, err := advance(ctx, tx, st, switchboard.MessageSent, nil, at)
		if err != nil {
			return false, err
		}
		changed = changed || c
		if waMessageID != "" {
			c, err := db.applyParked(ctx, tx, st, waMessageID, at)
			if err != nil {
				return false, err
			}
			changed = changed || c
		}
		return changed, nil
	})
}

// MarkSendFailed ends a send with Meta's error.
func (db *DB) MarkSendFailed(ctx context.Context, messageID string, e switchboard.MessageError, at time.Time) (*switchboard.StatusResult, error) {
	at = db.orNow(at)
	return db.resolveSend(ctx, messageID, func(ctx context.Context, tx *writeTx, st *msgState) (bool, error) {
		return advance(ctx, tx, st, switchboard.MessageFailed, &e, at)
	})
}

// MarkSendUnknown flags a send whose outcome is unknown, unless a status
// has shown that it went out.
func (db *DB) MarkSendUnknown(ctx context.Context, messageID string, at time.Time) (*switchboard.StatusResult, error) {
	at = db.orNow(at)
	return db.resolveSend(ctx, messageID, func(ctx context.Context, tx *writeTx, st *msgState) (bool, error) {
		return advance(ctx, tx, st, switchboard.MessageUnknown, nil, at)
	})
}

// RetrySend schedules another attempt and releases the lease.
func (db *DB) RetrySend(ctx context.Context, messageID string, attempts int, next time.Time) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = ?, next_attempt_at = ?, leased_until = NULL, state = 'pending' WHERE message_id = ?`,
			attempts, micros(next), messageID)
		if err != nil {
			return fmt.Errorf("retry send: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Message")
		}
		return nil
	})
}

// OutboxDepth counts outbox entries of a channel, or of all channels for "".
func (db *DB) OutboxDepth(ctx context.Context, channelID string) (int, error) {
	var n int
	var err error
	if channelID == "" {
		err = db.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&n)
	} else {
		err = db.rdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE channel_id = ?`, channelID).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("outbox depth: %w", err)
	}
	return n, nil
}

// ApplyStatus applies a delivery status monotonically. The message is found
// by our id (biz_opaque_callback_data) when it belongs to the status's
// channel, else by the wamid's blind index; a status for an unknown message
// is parked until MarkSent records its wamid. Unknown status values are
// ignored.
func (db *DB) ApplyStatus(ctx context.Context, u switchboard.StatusUpdate) (*switchboard.StatusResult, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if switchboard.StatusRank(u.Status) < 0 {
		return &switchboard.StatusResult{}, nil
	}
	p, err := db.prepareStatus(ctx, u)
	if err != nil {
		return nil, err
	}
	var out ingest.StatusOutcome
	err = db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		var err error
		if out, err = db.applyStatus(ctx, tx, p); err != nil {
			return err
		}
		return db.insertEvents(ctx, tx, storekit.StatusEvents(out.MessageID, out.Changed && !out.Parked, p.now))
	})
	if err != nil {
		return nil, err
	}
	if out.Parked {
		return &switchboard.StatusResult{Parked: true}, nil
	}
	return db.statusResult(ctx, out.MessageID, out.Changed)
}

// preparedStatus is a status with what can be computed outside the writer:
// the wamid's blind index and, in case it is parked, the sealed error.
type preparedStatus struct {
	u          switchboard.StatusUpdate
	at, now    time.Time
	hash       []byte // of the wamid; nil without one
	parkID     string
	channelKey string
	sealedErr  []byte
}

// prepareStatus computes what applyStatus needs besides the database: the
// error details of a parked status are sealed under the channel's key.
func (db *DB) prepareStatus(ctx context.Context, u switchboard.StatusUpdate) (*preparedStatus, error) {
	p := &preparedStatus{u: u, at: db.orNow(u.Timestamp), now: db.now(), parkID: switchboard.NewID()}
	if u.WAMessageID != "" {
		p.hash = db.codec.WAMIDHash(u.ChannelID, u.WAMessageID)
	}
	var err error
	if p.channelKey, err = db.channelKey(ctx, u.ChannelID); err != nil {
		return nil, err
	}
	if u.Error != nil {
		if p.sealedErr, err = db.codec.SealJSON(ctx, p.channelKey, "pending_statuses", "error", p.parkID, u.Error); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// applyStatus applies a prepared status inside a write job.
func (db *DB) applyStatus(ctx context.Context, tx *writeTx, p *preparedStatus) (ingest.StatusOutcome, error) {
	u := p.u
	var out ingest.StatusOutcome
	if switchboard.StatusRank(u.Status) < 0 {
		return out, nil
	}
	var st *msgState
	var err error
	byID := false
	if u.MessageID != "" {
		if st, err = loadState(ctx, tx, `m.id = ? AND c.channel_id = ?`, u.MessageID, u.ChannelID); err != nil {
			return out, err
		}
		byID = st != nil
	}
	if st == nil && p.hash != nil {
		if st, err = loadState(ctx, tx, `m.wamid_hash = ?`, p.hash); err != nil {
			return out, err
		}
	}
	if st == nil {
		if p.hash == nil {
			return out, switchboard.NotFound("Message")
		}
		out.Parked = true
		if _, err := tx.ExecContext(ctx, `DELETE FROM pending_statuses WHERE created_at < ?`, micros(p.now.Add(-parkedRetention))); err != nil {
			return out, fmt.Errorf("expire parked statuses: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO pending_statuses (id, channel_id, wamid_hash, key_id, status, ts, error, created_at, pricing)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.parkID, u.ChannelID, p.hash, p.channelKey,
			u.Status, micros(u.Timestamp), p.sealedErr, micros(p.now), storekit.EncodePricing(u.Pricing)); err != nil {
			return out, fmt.Errorf("park status: %w", err)
		}
		return out, nil
	}
	out.MessageID = st.id
	if byID && u.WAMessageID != "" && !st.hasWAMID && st.direction == switchboard.DirectionOut {
		if err := db.setWAMID(ctx, tx, st, u.WAMessageID, p.at); err != nil {
			return out, err
		}
		out.Changed = true
		if c, err := db.applyParked(ctx, tx, st, u.WAMessageID, p.at); err != nil {
			return out, err
		} else if c {
			out.Changed = true
		}
	}
	c, err := advance(ctx, tx, st, u.Status, u.Error, p.at)
	if err != nil {
		return out, err
	}
	out.Changed = out.Changed || c
	if c, err := setPricing(ctx, tx, st.id, u.Pricing); err != nil {
		return out, err
	} else if c {
		out.Changed = true
	}
	return out, nil
}

// setPricing stores a status's pricing on its message, if it carried one
// that differs from the stored one, and reports whether it did.
func setPricing(ctx context.Context, tx *writeTx, messageID string, p *switchboard.MessagePricing) (bool, error) {
	enc := storekit.EncodePricing(p)
	if enc == nil {
		return false, nil
	}
	// updated_at moves with it: the costs report's rollups find the
	// message by it.
	res, err := tx.ExecContext(ctx, `UPDATE messages SET pricing = ?, updated_at = ? WHERE id = ? AND pricing IS NOT ?`, *enc, micros(tx.db.now()), messageID, *enc)
	if err != nil {
		return false, fmt.Errorf("store pricing: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// orNow returns t as stored, or the clock's time for the zero time.
func (db *DB) orNow(t time.Time) time.Time {
	if t.IsZero() {
		return db.now()
	}
	return utc(t)
}
