package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/ingest"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// claimOutboxCandidatesSQL locks the oldest outbox row of each
// conversation, if it is due and not leased by a live claim, with the size
// of its message's content. Only heads are considered, so a
// conversation's next message waits while an earlier one is in flight or
// waiting for a retry. The conditions on o are re-checked by PostgreSQL
// against the newest row version when it locks a row another claimer has
// just changed; rows locked by a running claim are skipped. The NOT EXISTS
// errs on the safe side: a head deleted after this statement's snapshot
// still holds back its successor until the next claim.
const claimOutboxCandidatesSQL = `SELECT o.message_id, (SELECT octet_length(m.content) FROM messages m WHERE m.id = o.message_id)
	FROM outbox o
	WHERE o.next_attempt_at <= $1
		AND (o.leased_until IS NULL OR o.leased_until <= $1)
		AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.conversation_id = o.conversation_id
			AND (e.ts, e.message_id) < (o.ts, o.message_id))
	ORDER BY o.ts, o.message_id
	LIMIT $2
	FOR UPDATE OF o SKIP LOCKED`

// claimOutboxSQL leases the candidates a claim takes (still locked by its
// transaction) and says which of them had an earlier lease run out.
const claimOutboxSQL = `WITH due AS (
	SELECT message_id, leased_until IS NOT NULL AND attempts > 0 AS expired,
		leased_until IS NOT NULL AND attempts > 0 AND state = 'dispatched' AS dispatched
	FROM outbox WHERE message_id = ANY($1)
)
UPDATE outbox o SET leased_until = $2, attempts = o.attempts + 1
FROM due WHERE o.message_id = due.message_id
RETURNING o.message_id, o.conversation_id, o.attempts, due.expired, due.dispatched`

// ClaimOutbox leases up to n outbox rows, at most one per conversation and
// as many as [switchboard.ClaimTake] lets fit in maxBytes of message
// content, and returns them with the message, the conversation (recipient, channel, data
// key) and the wamid of the quoted message. A row whose earlier lease ran
// out without a result is returned with Expired set.
func (db *DB) ClaimOutbox(ctx context.Context, n int, maxBytes int64, lease time.Duration, now time.Time) ([]*switchboard.OutboxItem, error) {
	items := []*switchboard.OutboxItem{}
	if n <= 0 {
		return items, nil
	}
	now = utc(now)
	leasedUntil := now.Add(lease)
	var msgIDs, convIDs []string
	err := db.withTx(ctx, func(tx *txn) error {
		items, msgIDs, convIDs = items[:0], nil, nil
		ids, err := claimCandidates[string](ctx, tx, claimOutboxCandidatesSQL, maxBytes, now, n)
		if err != nil || len(ids) == 0 {
			return err
		}
		rows, err := tx.Query(ctx, claimOutboxSQL, ids, leasedUntil)
		if err != nil {
			return fmt.Errorf("claim outbox: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var it switchboard.OutboxItem
			var msgID, convID string
			if err := rows.Scan(&msgID, &convID, &it.Attempts, &it.Expired, &it.Dispatched); err != nil {
				return fmt.Errorf("scan outbox: %w", err)
			}
			items = append(items, &it)
			msgIDs, convIDs = append(msgIDs, msgID), append(convIDs, convID)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("claim outbox: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return items, nil
	}

	// The leases are committed; what the sender needs is read afterwards.
	// If that read fails, nothing of these reached Graph: the leases and
	// attempts are undone, so the messages are retried instead of
	// expiring into "outcome unknown".
	if err := db.readClaims(ctx, items, msgIDs, convIDs); err != nil {
		return nil, errors.Join(err, db.releaseClaims(ctx, msgIDs, leasedUntil))
	}
	slices.SortFunc(items, func(a, b *switchboard.OutboxItem) int {
		if c := a.Message.Timestamp.Compare(b.Message.Timestamp); c != 0 {
			return c
		}
		return cmp.Compare(a.Message.ID, b.Message.ID)
	})
	return items, nil
}

// readClaims fills claimed items with their messages, conversations and
// the wamids of quoted messages.
func (db *DB) readClaims(ctx context.Context, items []*switchboard.OutboxItem, msgIDs, convIDs []string) error {
	msgs, err := db.messagesByID(ctx, msgIDs)
	if err != nil {
		return err
	}
	convs, err := db.conversationsByID(ctx, convIDs)
	if err != nil {
		return err
	}
	var replyIDs []string
	for _, m := range msgs {
		if m.ReplyToID != "" {
			replyIDs = append(replyIDs, m.ReplyToID)
		}
	}
	replies, err := db.messagesByID(ctx, replyIDs)
	if err != nil {
		return err
	}
	for i, it := range items {
		it.Message, it.Conversation = msgs[msgIDs[i]], convs[convIDs[i]]
		if it.Message == nil || it.Conversation == nil {
			return fmt.Errorf("claim outbox: message %s vanished", msgIDs[i])
		}
		if q := replies[it.Message.ReplyToID]; q != nil {
			it.ReplyToWAID = q.WAMessageID
		}
	}
	return nil
}

// releaseClaims undoes the leases (and attempt counts) that ClaimOutbox
// took for messages it does not hand out, as long as nobody re-leased them.
func (db *DB) releaseClaims(ctx context.Context, ids []string, leasedUntil time.Time) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := db.pool.Exec(ctx, `UPDATE outbox SET leased_until = NULL, attempts = attempts - 1
		WHERE message_id = ANY($1) AND leased_until = $2`, ids, leasedUntil); err != nil {
		return fmt.Errorf("release outbox claims: %w", err)
	}
	return nil
}

// messagesByID reads and opens the messages with the given ids.
func (db *DB) messagesByID(ctx context.Context, ids []string) (map[string]*switchboard.Message, error) {
	msgs := make(map[string]*switchboard.Message, len(ids))
	if len(ids) == 0 {
		return msgs, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT `+messageSelect+` FROM messages WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("get messages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		m, err := db.scanMessage(ctx, rows)
		if err != nil {
			return nil, fmt.Errorf("scan message: %w", err)
		}
		msgs[m.ID] = m
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("get messages: %w", err)
	}
	return msgs, nil
}

// conversationsByID reads the conversations with the given ids, without a
// viewer's unread count.
func (db *DB) conversationsByID(ctx context.Context, ids []string) (map[string]*switchboard.Conversation, error) {
	rows, err := db.pool.Query(ctx, conversationSelect+` WHERE c.id = ANY($2)`, "", ids)
	if err != nil {
		return nil, fmt.Errorf("get conversations: %w", err)
	}
	defer rows.Close()
	convs := make(map[string]*switchboard.Conversation, len(ids))
	var list []*switchboard.Conversation
	for rows.Next() {
		c, err := db.scanConversation(ctx, rows)
		if err != nil {
			return nil, fmt.Errorf("scan conversation: %w", err)
		}
		convs[c.ID] = c
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("get conversations: %w", err)
	}
	rows.Close()
	if err := loadAssignees(ctx, db.pool, list...); err != nil {
		return nil, err
	}
	return convs, nil
}

// lockedMessage is what status changes need of a message, read under its
// row lock.
type lockedMessage struct {
	id, conversationID, channelID, keyID string
	direction                            switchboard.Direction
	status                               switchboard.MessageStatus
	hasWAMID                             bool
}

// lockMessage locks the message matching cond ("m.id = $1" or
// "m.wamid_hash = $1") for the rest of tx. It returns nil if there is none.
func lockMessage(ctx context.Context, tx *txn, cond string, arg any) (*lockedMessage, error) {
	var m lockedMessage
	err := tx.QueryRow(ctx, `SELECT m.id, m.conversation_id, c.channel_id, m.key_id, m.direction, m.status, m.wamid_hash IS NOT NULL
		FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE `+cond+` FOR UPDATE OF m`, arg).
		Scan(&m.id, &m.conversationID, &m.channelID, &m.keyID, &m.direction, &m.status, &m.hasWAMID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("lock message: %w", err)
	}
	return &m, nil
}

// setStatus moves an outbound message to status if that ranks higher than
// its current one (statuses never regress; failed is terminal). It reports
// whether the message changed.
func setStatus(ctx context.Context, tx *txn, m *lockedMessage, status switchboard.MessageStatus, e *switchboard.MessageError, at time.Time) (bool, error) {
	if m.direction != switchboard.DirectionOut || switchboard.StatusRank(status) <= switchboard.StatusRank(m.status) {
		return false, nil
	}
	var err error
	if status == switchboard.MessageFailed && e != nil {
		_, err = tx.Exec(ctx, `UPDATE messages SET status = $2, error_code = $3, error_title = $4, error_details = $5, updated_at = $6
			WHERE id = $1`, m.id, status, e.Code, e.Title, e.Details, at)
	} else {
		_, err = tx.Exec(ctx, `UPDATE messages SET status = $2, updated_at = $3 WHERE id = $1`, m.id, status, at)
	}
	if err != nil {
		return false, fmt.Errorf("update message status: %w", err)
	}
	m.status = status
	return true, nil
}

// storeWAMID records a message's wamid, sealed, with its blind index.
func (db *DB) storeWAMID(ctx context.Context, tx *txn, m *lockedMessage, wamid string, hash []byte, at time.Time) error {
	sealed, err := db.codec.Seal(ctx, m.keyID, "messages", "wa_message_id", m.id, []byte(wamid))
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE messages SET wa_message_id = $2, wamid_hash = $3, updated_at = $4 WHERE id = $1`, m.id, sealed, hash, at)
	if code, _ := pgError(err); code == uniqueViolation {
		return switchboard.Errorf(switchboard.EConflict, "Another message has this WhatsApp message id.")
	} else if err != nil {
		return fmt.Errorf("store wamid: %w", err)
	}
	m.hasWAMID = true
	return nil
}

// applyParked applies, in order, the statuses parked for a wamid before its
// message was known, and drops them.
func (db *DB) applyParked(ctx context.Context, tx *txn, m *lockedMessage, hash []byte, at time.Time) (bool, error) {
	type parked struct {
		id, keyID string
		status    switchboard.MessageStatus
		sealedErr []byte
		pricing   *string
	}
	rows, err := tx.Query(ctx, `SELECT id, key_id, status, error, pricing FROM pending_statuses WHERE wamid_hash = $1 ORDER BY ts, id`, hash)
	if err != nil {
		return false, fmt.Errorf("list parked statuses: %w", err)
	}
	ps, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (parked, error) {
		var p parked
		err := row.Scan(&p.id, &p.keyID, &p.status, &p.sealedErr, &p.pricing)
		return p, err
	})
	if err != nil {
		return false, fmt.Errorf("list parked statuses: %w", err)
	} else if len(ps) == 0 {
		return false, nil
	}
	changed := false
	var pricing *switchboard.MessagePricing // the newest parked one
	for _, p := range ps {
		if pr := storekit.DecodePricing(p.pricing); pr != nil {
			pricing = pr
		}
		var e *switchboard.MessageError
		if p.sealedErr != nil {
			e = &switchboard.MessageError{}
			if err := db.codec.OpenJSON(ctx, p.keyID, "pending_statuses", "error", p.id, p.sealedErr, e); err != nil {
				return false, err
			}
		}
		c, err := setStatus(ctx, tx, m, p.status, e, at)
		if err != nil {
			return false, err
		}
		changed = changed || c
	}
	if c, err := setPricing(ctx, tx, m.id, pricing, db.now()); err != nil {
		return false, err
	} else if c {
		changed = true
	}
	if _, err := tx.Exec(ctx, `DELETE FROM pending_statuses WHERE wamid_hash = $1`, hash); err != nil {
		return false, fmt.Errorf("delete parked statuses: %w", err)
	}
	return changed, nil
}

// statusResult reads the message and its conversation after a change,
// through q: the pool after a commit, or the transaction that made it.
func (db *DB) statusResult(ctx context.Context, q querier, messageID string, changed bool) (*switchboard.StatusResult, error) {
	msg, err := db.loadMessage(ctx, q, messageID)
	if err != nil {
		return nil, err
	}
	conv, err := db.loadConversation(ctx, q, msg.ConversationID, "")
	if err != nil {
		return nil, err
	}
	return &switchboard.StatusResult{Message: msg, Conversation: conv, Changed: changed}, nil
}

// finishSend records the outcome of a send: fn changes the locked message,
// then the outbox row is deleted, in one transaction. A non-nil hash is the
// wamid's blind index, locked first (see lockWAMID).
func (db *DB) finishSend(ctx context.Context, messageID string, hash []byte, fn func(tx *txn, m *lockedMessage) (bool, error)) (*switchboard.StatusResult, error) {
	var changed bool
	err := db.withTx(ctx, func(tx *txn) error {
		if err := db.lockWAMID(ctx, tx, hash); err != nil {
			return err
		}
		m, err := lockMessage(ctx, tx, "m.id = $1", messageID)
		if err != nil {
			return err
		} else if m == nil {
			return switchboard.NotFound("Message")
		}
		if changed, err = fn(tx, m); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM outbox WHERE message_id = $1`, messageID); err != nil {
			return fmt.Errorf("delete outbox entry: %w", err)
		}
		return db.insertEvents(ctx, tx, storekit.StatusEvents(messageID, changed, db.now()))
	})
	if err != nil {
		return nil, err
	}
	return db.statusResult(ctx, db.pool, messageID, changed)
}

// MarkSent records the wamid Meta returned for a message: sealed, with its
// blind index. The status becomes sent unless a status matched by our id
// already moved it further; statuses parked for the wamid are applied; the
// outbox row is deleted.
func (db *DB) MarkSent(ctx context.Context, messageID, waMessageID string, at time.Time) (*switchboard.StatusResult, error) {
	at = db.timeOr(at)
	var hash []byte
	if waMessageID != "" {
		var channelID string
		err := db.pool.QueryRow(ctx, `SELECT c.channel_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE m.id = $1`, messageID).Scan(&channelID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, switchboard.NotFound("Message")
		} else if err != nil {
			return nil, fmt.Errorf("get message: %w", err)
		}
		hash = db.codec.WAMIDHash(channelID, waMessageID)
	}
	return db.finishSend(ctx, messageID, hash, func(tx *txn, m *lockedMessage) (bool, error) {
		changed := false
		if hash != nil {
			if !m.hasWAMID {
				if err := db.storeWAMID(ctx, tx, m, waMessageID, hash, at); err != nil {
					return false, err
				}
				changed = true
			}
		}
		c, err := setStatus(ctx, tx, m, switchboard.MessageSent, nil, at)
		if err != nil {
			return false, err
		}
		changed = changed || c
		if hash != nil {
			c, err := db.applyParked(ctx, tx, m, hash, at)
			if err != nil {
				return false, err
			}
			changed = changed || c
		}
		return changed, nil
	})
}

// MarkSendFailed ends a send permanently with Meta's error.
func (db *DB) MarkSendFailed(ctx context.Context, messageID string, e switchboard.MessageError, at time.Time) (*switchboard.StatusResult, error) {
	at = db.timeOr(at)
	return db.finishSend(ctx, messageID, nil, func(tx *txn, m *lockedMessage) (bool, error) {
		return setStatus(ctx, tx, m, switchboard.MessageFailed, &e, at)
	})
}

// MarkSendUnknown flags a send whose outcome is unknown. A status that
// already moved the message further is kept.
func (db *DB) MarkSendUnknown(ctx context.Context, messageID string, at time.Time) (*switchboard.StatusResult, error) {
	at = db.timeOr(at)
	return db.finishSend(ctx, messageID, nil, func(tx *txn, m *lockedMessage) (bool, error) {
		return setStatus(ctx, tx, m, switchboard.MessageUnknown, nil, at)
	})
}

// RetrySend releases a claimed outbox row for another attempt at next.
func (db *DB) RetrySend(ctx context.Context, messageID string, attempts int, next time.Time) error {
	tag, err := db.pool.Exec(ctx, `UPDATE outbox SET attempts = $2, next_attempt_at = $3, leased_until = NULL, state = 'pending' WHERE message_id = $1`,
		messageID, attempts, utc(next))
	if err != nil {
		return fmt.Errorf("retry send: %w", err)
	} else if tag.RowsAffected() == 0 {
		return switchboard.NotFound("Message")
	}
	return nil
}

// OutboxDepth counts the outbox rows of a channel, or of all channels for "".
func (db *DB) OutboxDepth(ctx context.Context, channelID string) (int, error) {
	var n int
	var err error
	if channelID == "" {
		err = db.pool.QueryRow(ctx, `SELECT count(*) FROM outbox`).Scan(&n)
	} else {
		err = db.pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE channel_id = $1`, channelID).Scan(&n)
	}
	if err != nil {
		return 0, fmt.Errorf("outbox depth: %w", err)
	}
	return n, nil
}

// ApplyStatus applies a delivery status from a webhook. The message is
// found by our id (Meta echoes it as biz_opaque_callback_data; it must
// belong to the status's channel) or by the wamid's blind index. A status
// for a message not known yet is parked until MarkSent records its wamid.
func (db *DB) ApplyStatus(ctx context.Context, u switchboard.StatusUpdate) (*switchboard.StatusResult, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if switchboard.StatusRank(u.Status) < 0 {
		// A status value this version does not know: nothing to apply.
		return &switchboard.StatusResult{}, nil
	}
	// The message's updated_at becomes the time of the status, as Meta
	// reports it.
	ts, now := db.timeOr(u.Timestamp), db.now()
	var hash []byte
	if u.WAMessageID != "" {
		hash = db.codec.WAMIDHash(u.ChannelID, u.WAMessageID)
	}

	var out ingest.StatusOutcome
	err := db.withTx(ctx, func(tx *txn) error {
		var err error
		if out, err = db.applyStatus(ctx, tx, u, hash, ts, now); err != nil {
			return err
		}
		return db.insertEvents(ctx, tx, storekit.StatusEvents(out.MessageID, out.Changed && !out.Parked, now))
	})
	if err != nil {
		return nil, err
	} else if out.Parked {
		return &switchboard.StatusResult{Parked: true}, nil
	}
	// Read after the commit: the row locks are released sooner.
	return db.statusResult(ctx, db.pool, out.MessageID, out.Changed)
}

// applyStatus applies a status inside tx; hash is the blind index of its
// wamid (nil without one), ts its time as stored.
func (db *DB) applyStatus(ctx context.Context, tx *txn, u switchboard.StatusUpdate, hash []byte, ts, now time.Time) (ingest.StatusOutcome, error) {
	var out ingest.StatusOutcome
	if switchboard.StatusRank(u.Status) < 0 {
		return out, nil
	}
	if err := db.lockWAMID(ctx, tx, hash); err != nil {
		return out, err
	}
	var m *lockedMessage
	if u.MessageID != "" {
		var err error
		if m, err = lockMessage(ctx, tx, "m.id = $1", u.MessageID); err != nil {
			return out, err
		} else if m != nil && m.channelID != u.ChannelID {
			m = nil // not ours to change: fall back to the wamid
		}
	}
	if m == nil && hash != nil {
		var err error
		if m, err = lockMessage(ctx, tx, "m.wamid_hash = $1", hash); err != nil {
			return out, err
		}
	}
	if m == nil {
		if hash == nil {
			return out, switchboard.NotFound("Message")
		}
		out.Parked = true
		return out, db.parkStatus(ctx, tx, u, hash, ts, now)
	}

	if hash != nil && !m.hasWAMID && m.direction == switchboard.DirectionOut {
		// Matched by our id before the send call returned: keep the
		// wamid, and apply anything parked under it.
		if err := db.storeWAMID(ctx, tx, m, u.WAMessageID, hash, ts); err != nil {
			return out, err
		}
		out.Changed = true
		if c, err := db.applyParked(ctx, tx, m, hash, ts); err != nil {
			return out, err
		} else if c {
			out.Changed = true
		}
	}
	c, err := setStatus(ctx, tx, m, u.Status, u.Error, ts)
	if err != nil {
		return out, err
	}
	out.MessageID, out.Changed = m.id, out.Changed || c
	if c, err := setPricing(ctx, tx, m.id, u.Pricing, now); err != nil {
		return out, err
	} else if c {
		out.Changed = true
	}
	return out, nil
}

// setPricing stores a status's pricing on its message, if it carried one
// that differs from the stored one, and reports whether it did.
func setPricing(ctx context.Context, tx *txn, messageID string, p *switchboard.MessagePricing, now time.Time) (bool, error) {
	enc := storekit.EncodePricing(p)
	if enc == nil {
		return false, nil
	}
	// updated_at moves with it: the costs report's rollups find the
	// message by it.
	tag, err := tx.Exec(ctx, `UPDATE messages SET pricing = $1, updated_at = $3 WHERE id = $2 AND pricing IS DISTINCT FROM $1`, *enc, messageID, now)
	if err != nil {
		return false, fmt.Errorf("store pricing: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// lockWAMID takes a transaction-scoped advisory lock on a wamid's blind
// index. MarkSent and ApplyStatus both take it before anything else, so a
// status cannot be parked after MarkSent looked for parked statuses but
// before its wamid became visible: the lock makes the second transaction
// wait for the first to commit, and its statements then see the first's
// rows (READ COMMITTED takes a snapshot per statement).
func (db *DB) lockWAMID(ctx context.Context, tx *txn, hash []byte) error {
	if hash == nil {
		return nil
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, db.wamidLockKey(hash)); err != nil {
		return fmt.Errorf("lock wamid: %w", err)
	}
	return nil
}

// wamidLockKey is the advisory lock key of a wamid's blind index.
func (db *DB) wamidLockKey(hash []byte) int64 {
	key := db.wamidLock
	for i := 0; i < 8 && i < len(hash); i++ {
		key ^= int64(hash[i]) << (8 * i)
	}
	return key
}

// parkedRetention is how long a parked status waits for its message. Meta
// also reports statuses of messages that other tools sent from the same
// number; those never find a message and are dropped after this.
const parkedRetention = 30 * 24 * time.Hour

// parkStatus keeps a status for a wamid not stored yet. Repeats of the same
// status are stored once. Parking also drops statuses that waited longer
// than parkedRetention.
func (db *DB) parkStatus(ctx context.Context, tx *txn, u switchboard.StatusUpdate, hash []byte, ts, now time.Time) error {
	keyID, err := db.channelKey(ctx, tx, u.ChannelID)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM pending_statuses WHERE received_at < $1`, now.Add(-parkedRetention)); err != nil {
		return fmt.Errorf("expire parked statuses: %w", err)
	}
	id := switchboard.NewID()
	var sealedErr []byte
	if u.Error != nil {
		if sealedErr, err = db.codec.SealJSON(ctx, keyID, "pending_statuses", "error", id, u.Error); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO pending_statuses (id, wamid_hash, channel_id, key_id, status, ts, error, received_at, pricing)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (wamid_hash, status) DO NOTHING`,
		id, hash, u.ChannelID, keyID, u.Status, ts, sealedErr, now, storekit.EncodePricing(u.Pricing))
	if code, _ := pgError(err); code == foreignKeyViolation {
		db.channelKeys.Delete(u.ChannelID)
		return switchboard.NotFound("Channel")
	} else if err != nil {
		return fmt.Errorf("park status: %w", err)
	}
	return nil
}

// timeOr returns t as stored, or the clock's time for the zero time.
func (db *DB) timeOr(t time.Time) time.Time {
	if t.IsZero() {
		return db.now()
	}
	return utc(t)
}
