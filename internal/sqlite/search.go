package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

var _ switchboard.SearchStore = (*DB)(nil)

// nextMessageSearchID and nextNoteSearchID allocate search ids. The WHERE
// clause lets SQLite answer max() from the partial unique index in one
// seek; without it, it scans the table on every insert.
const (
	nextMessageSearchID = `SELECT coalesce(max(search_id), 0) + 1 FROM messages WHERE search_id IS NOT NULL`
	nextNoteSearchID    = `SELECT coalesce(max(search_id), 0) + 1 FROM thread_entries WHERE search_id IS NOT NULL`
)

// searchID returns the next search id from query q.
func searchID(ctx context.Context, tx *writeTx, q string) (int64, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, q).Scan(&id); err != nil {
		return 0, fmt.Errorf("allocate search id: %w", err)
	}
	return id, nil
}

// insertTerms adds the index entries of one row: msg is its search id
// (negated for notes), ts its time in microseconds.
func insertTerms(ctx context.Context, tx *writeTx, terms []int64, ts any, msg int64) error {
	const chunk = 128
	for len(terms) > 0 {
		n := min(len(terms), chunk)
		args := make([]any, 0, 3*n)
		for _, t := range terms[:n] {
			args = append(args, t, ts, msg)
		}
		q := `INSERT OR IGNORE INTO message_terms (term, ts, msg) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", n), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert search terms: %w", err)
		}
		terms = terms[n:]
	}
	return nil
}

// deleteTerms removes the index entries of one row, from the terms it
// keeps of itself.
func deleteTerms(ctx context.Context, tx *writeTx, blob []byte, ts int64, msg int64) error {
	for _, t := range storecrypt.DecodeTerms(blob) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM message_terms WHERE term = ? AND ts = ? AND msg = ?`, t, ts, msg); err != nil {
			return fmt.Errorf("delete search terms: %w", err)
		}
	}
	return nil
}

// unindexRows removes the index entries of the messages (or, with notes,
// thread entries) that query selects as (search_id, ts, search_terms),
// before they are deleted.
func unindexRows(ctx context.Context, tx *writeTx, notes bool, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("select search terms: %w", err)
	}
	type row struct {
		id, ts int64
		terms  []byte
	}
	var rs []row
	for rows.Next() {
		var r row
		var id sql.NullInt64
		if err := rows.Scan(&id, &r.ts, &r.terms); err != nil {
			rows.Close()
			return fmt.Errorf("select search terms: %w", err)
		}
		if !id.Valid {
			continue
		}
		r.id = id.Int64
		if notes {
			r.id = -r.id
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("select search terms: %w", err)
	}
	for _, r := range rs {
		if err := deleteTerms(ctx, tx, r.terms, r.ts, r.id); err != nil {
			return err
		}
	}
	return nil
}

// reindexMessage replaces the index entries of a stored message after an
// edit or a revoke.
func (db *DB) reindexMessage(ctx context.Context, tx *writeTx, m *switchboard.Message) error {
	var id sql.NullInt64
	var blob []byte
	if err := tx.QueryRowContext(ctx, `SELECT search_id, search_terms FROM messages WHERE id = ?`, m.ID).Scan(&id, &blob); err != nil {
		return fmt.Errorf("read search terms: %w", err)
	}
	if !id.Valid {
		return nil // not indexed yet: the indexer will take the new text
	}
	ts := m.Timestamp.UTC().UnixMicro()
	if err := deleteTerms(ctx, tx, blob, ts, id.Int64); err != nil {
		return err
	}
	terms := db.codec.MessageTerms(m)
	if _, err := tx.ExecContext(ctx, `UPDATE messages SET search_terms = ? WHERE id = ?`, storecrypt.EncodeTerms(terms), m.ID); err != nil {
		return fmt.Errorf("update search terms: %w", err)
	}
	return insertTerms(ctx, tx, terms, ts, id.Int64)
}

// SearchMessages implements [switchboard.SearchStore]. It walks the hits of
// the first (driving) term newest first, checks every further term by a
// primary-key lookup, and keeps only the rows of visible conversations, so
// one page costs about as many index reads as hits it skips.
func (db *DB) SearchMessages(ctx context.Context, s switchboard.MessageSearch) ([]*switchboard.SearchHit, string, error) {
	empty := []*switchboard.SearchHit{}
	terms, err := db.codec.TextQueryTerms(strings.TrimSpace(s.Query))
	if err != nil {
		return nil, "", err
	}
	if len(terms) > 1 {
		if terms, err = db.rarestFirst(ctx, terms); err != nil {
			return nil, "", err
		}
	}
	// The window: the driving term's entries from the cursor on.
	window := []string{"term = ?"}
	wargs := []any{terms[0]}
	if s.Cursor != "" {
		at, id, err := storecrypt.DecodeCursor(s.Cursor)
		if err != nil {
			return nil, "", err
		}
		msg, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return nil, "", switchboard.Errorf(switchboard.EInvalid, "Invalid cursor.")
		}
		m := micros(at)
		window = append(window, "ts <= ? AND (ts < ? OR msg < ?)")
		wargs = append(wargs, m, m, msg)
	}
	args := append(slices.Clone(wargs), switchboard.SearchWindow)
	var where []string
	for _, t := range terms[1:] {
		where = append(where, "EXISTS (SELECT 1 FROM message_terms t2 WHERE t2.term = ? AND t2.ts = t.ts AND t2.msg = t.msg)")
		args = append(args, t)
	}
	if s.ChannelIDs != nil {
		if len(s.ChannelIDs) == 0 {
			return empty, "", nil
		}
		where = append(where, "c.channel_id IN ("+placeholders(len(s.ChannelIDs))+")")
		args = append(args, anys(s.ChannelIDs)...)
	}
	if s.OnlyVisibleTo != "" {
		// The user's conversations as one set, built once per query,
		// tested from the search-id index before any row is read.
		where = append(where, `coalesce(m.conversation_id, e.conversation_id) IN (
			SELECT conversation_id FROM conversation_assignees WHERE user_id = ?
			UNION SELECT conversation_id FROM conversation_mentions WHERE user_id = ?)`)
		args = append(args, s.OnlyVisibleTo, s.OnlyVisibleTo)
	}
	where = append(where, "1 = 1")
	limit := min(max(s.Limit, 1), switchboard.MaxSearchLimit)
	if s.Limit <= 0 {
		limit = 20
	}
	args = append(args, limit+1)
	rows, err := db.rdb.QueryContext(ctx, `SELECT t.ts, t.msg, coalesce(m.id, e.id), c.id, c.channel_id, c.contact_id,
			coalesce(m.key_id, e.key_id), coalesce(m.content, e.body)
		FROM (SELECT ts, msg FROM message_terms WHERE `+strings.Join(window, " AND ")+`
			ORDER BY ts DESC, msg DESC LIMIT ?) t
		LEFT JOIN messages m ON t.msg > 0 AND m.search_id = t.msg
		LEFT JOIN thread_entries e ON t.msg < 0 AND e.search_id = -t.msg
		JOIN conversations c ON c.id = coalesce(m.conversation_id, e.conversation_id)
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY t.ts DESC, t.msg DESC LIMIT ?`, args...)
	if err != nil {
		return nil, "", fmt.Errorf("search messages: %w", err)
	}
	defer rows.Close()
	hits := empty
	var cursors []string
	for rows.Next() {
		h := &switchboard.SearchHit{Kind: switchboard.HitMessage}
		var ts, msg int64
		var keyID string
		var sealed []byte
		if err := rows.Scan(&ts, &msg, &h.ID, &h.ConversationID, &h.ChannelID, &h.ContactID, &keyID, &sealed); err != nil {
			return nil, "", fmt.Errorf("search messages: %w", err)
		}
		h.At = fromMicros(sql.NullInt64{Int64: ts, Valid: true})
		if msg < 0 {
			h.Kind = switchboard.HitNote
		}
		if len(hits) < limit {
			if h.Text, err = db.codec.HitText(ctx, h, keyID, sealed); err != nil {
				return nil, "", err
			}
		}
		hits = append(hits, h)
		cursors = append(cursors, storecrypt.EncodeCursor(h.At, strconv.FormatInt(msg, 10)))
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("search messages: %w", err)
	}
	if len(hits) > limit {
		return hits[:limit], cursors[limit-1], nil
	}
	// A short page: the window may have ended before the index did.
	var ts, msg int64
	err = db.rdb.QueryRowContext(ctx, `SELECT ts, msg FROM message_terms WHERE `+strings.Join(window, " AND ")+`
		ORDER BY ts DESC, msg DESC LIMIT 1 OFFSET ?`, append(wargs, switchboard.SearchWindow-1)...).Scan(&ts, &msg)
	if errors.Is(err, sql.ErrNoRows) {
		return hits, "", nil
	} else if err != nil {
		return nil, "", fmt.Errorf("search messages: %w", err)
	}
	return hits, storecrypt.EncodeCursor(fromMicros(sql.NullInt64{Int64: ts, Valid: true}), strconv.FormatInt(msg, 10)), nil
}

// rarestFirst orders the query terms by how many entries each has, up to
// SearchWindow (a bounded count), so the search drives by the rarest.
func (db *DB) rarestFirst(ctx context.Context, terms []int64) ([]int64, error) {
	counts := make(map[int64]int, len(terms))
	for _, t := range terms {
		var n int
		if err := db.rdb.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM message_terms WHERE term = ? LIMIT ?)`,
			t, switchboard.SearchWindow).Scan(&n); err != nil {
			return nil, fmt.Errorf("search messages: %w", err)
		}
		counts[t] = n
	}
	out := slices.Clone(terms)
	slices.SortStableFunc(out, func(a, b int64) int { return counts[a] - counts[b] })
	return out, nil
}

// IndexMessages implements [switchboard.SearchStore]: it gives search ids
// and index entries to up to limit rows that have none: contacts first
// (their terms serve the conversation list's search), then messages, then
// notes.
func (db *DB) IndexMessages(ctx context.Context, limit int) (int, error) {
	limit = storekit.ClampLimit(limit)
	n := 0
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		var err error
		if n, err = db.indexContacts(ctx, tx, limit); err != nil || n >= limit {
			return err
		}
		ids, err := queryIDs(ctx, tx, `SELECT id FROM messages WHERE search_terms IS NULL LIMIT ?`, limit-n)
		if err != nil {
			return fmt.Errorf("select unindexed messages: %w", err)
		}
		for _, id := range ids {
			m, err := db.message(ctx, tx, id)
			if err != nil {
				return err
			}
			sid, err := searchID(ctx, tx, nextMessageSearchID)
			if err != nil {
				return err
			}
			terms := db.codec.MessageTerms(m)
			if _, err := tx.ExecContext(ctx, `UPDATE messages SET search_id = ?, search_terms = ? WHERE id = ?`,
				sid, storecrypt.EncodeTerms(terms), id); err != nil {
				return fmt.Errorf("index message: %w", err)
			}
			if err := insertTerms(ctx, tx, terms, micros(m.Timestamp), sid); err != nil {
				return err
			}
		}
		n += len(ids)
		if n >= limit {
			return nil
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, kind, key_id, body, created_at FROM thread_entries WHERE search_terms IS NULL LIMIT ?`, limit-n)
		if err != nil {
			return fmt.Errorf("select unindexed notes: %w", err)
		}
		var entries []*switchboard.ThreadEntry
		for rows.Next() {
			e := &switchboard.ThreadEntry{}
			var keyID string
			var body []byte
			var at sql.NullInt64
			if err := rows.Scan(&e.ID, &e.Kind, &keyID, &body, &at); err != nil {
				rows.Close()
				return fmt.Errorf("select unindexed notes: %w", err)
			}
			var s switchboard.EntrySealed
			if err := db.codec.OpenJSON(ctx, keyID, "thread_entries", "body", e.ID, body, &s); err != nil {
				rows.Close()
				return err
			}
			e.SetSealed(s)
			e.CreatedAt = fromMicros(at)
			entries = append(entries, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("select unindexed notes: %w", err)
		}
		for _, e := range entries {
			if err := db.indexNote(ctx, tx, e); err != nil {
				return err
			}
		}
		n += len(entries)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("index messages: %w", err)
	}
	return n, nil
}

// indexNote gives a stored thread entry its search id and index entries.
func (db *DB) indexNote(ctx context.Context, tx *writeTx, e *switchboard.ThreadEntry) error {
	sid, err := searchID(ctx, tx, nextNoteSearchID)
	if err != nil {
		return err
	}
	terms := db.codec.NoteTerms(e)
	if _, err := tx.ExecContext(ctx, `UPDATE thread_entries SET search_id = ?, search_terms = ? WHERE id = ?`,
		sid, storecrypt.EncodeTerms(terms), e.ID); err != nil {
		return fmt.Errorf("index note: %w", err)
	}
	return insertTerms(ctx, tx, terms, micros(e.CreatedAt), -sid)
}
