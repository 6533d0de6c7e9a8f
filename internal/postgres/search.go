package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

var _ switchboard.SearchStore = (*DB)(nil)

// insertMessageTerms adds the index entries of the messages named in ids,
// terms[i] being the terms of ids[i]. It reads ts and search_id from the
// stored rows, so a message that was not inserted (a redelivered wamid)
// gets none.
const insertMessageTerms = `INSERT INTO message_terms (term, ts, msg)
	SELECT u.term, m.ts, m.search_id FROM unnest($1::text[], $2::bigint[]) u(id, term) JOIN messages m ON m.id = u.id
	ON CONFLICT DO NOTHING`

// termPairs flattens per-message terms into the two arrays of
// insertMessageTerms.
func termPairs(ids []string, terms [][]int64) ([]string, []int64) {
	var pi []string
	var pt []int64
	for i, ts := range terms {
		for _, t := range ts {
			pi, pt = append(pi, ids[i]), append(pt, t)
		}
	}
	return pi, pt
}

// indexEntries are index rows to delete, as three parallel arrays.
type indexEntries struct {
	terms []int64
	ts    []time.Time
	msgs  []int64
}

// unindexRows removes the index entries of the rows that query selects as
// (search_id, ts, search_terms), before they are deleted or re-indexed;
// notes are the thread entries' (negated ids).
func unindexRows(ctx context.Context, tx querier, notes bool, query string, args ...any) error {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("select search terms: %w", err)
	}
	var e indexEntries
	for rows.Next() {
		var id *int64
		var ts time.Time
		var blob []byte
		if err := rows.Scan(&id, &ts, &blob); err != nil {
			rows.Close()
			return fmt.Errorf("select search terms: %w", err)
		}
		if id == nil {
			continue
		}
		msg := *id
		if notes {
			msg = -msg
		}
		for _, t := range storecrypt.DecodeTerms(blob) {
			e.terms, e.ts, e.msgs = append(e.terms, t), append(e.ts, ts), append(e.msgs, msg)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("select search terms: %w", err)
	}
	if len(e.terms) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `DELETE FROM message_terms t USING unnest($1::bigint[], $2::timestamptz[], $3::bigint[]) u(term, ts, msg)
		WHERE t.term = u.term AND t.ts = u.ts AND t.msg = u.msg`, e.terms, e.ts, e.msgs); err != nil {
		return fmt.Errorf("delete search terms: %w", err)
	}
	return nil
}

// reindexMessage replaces the index entries of a stored message after an
// edit or a revoke.
func (db *DB) reindexMessage(ctx context.Context, tx *txn, m *switchboard.Message) error {
	if err := unindexRows(ctx, tx, false, `SELECT search_id, ts, search_terms FROM messages WHERE id = $1 AND search_terms IS NOT NULL`, m.ID); err != nil {
		return err
	}
	terms := db.codec.MessageTerms(m)
	tag, err := tx.Exec(ctx, `UPDATE messages SET search_terms = $2 WHERE id = $1 AND search_terms IS NOT NULL`, m.ID, storecrypt.EncodeTerms(terms))
	if err != nil {
		return fmt.Errorf("update search terms: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return nil // not indexed yet: the indexer will take the new text
	}
	ids, ts := termPairs([]string{m.ID}, [][]int64{terms})
	if _, err := tx.Exec(ctx, insertMessageTerms, ids, ts); err != nil {
		return fmt.Errorf("insert search terms: %w", err)
	}
	return nil
}

// indexNote gives a stored thread entry its index entries.
func (db *DB) indexNote(ctx context.Context, tx querier, e *switchboard.ThreadEntry) error {
	terms := db.codec.NoteTerms(e)
	var sid int64
	var ts time.Time
	if err := tx.QueryRow(ctx, `UPDATE thread_entries SET search_id = coalesce(search_id, nextval('note_search_ids')), search_terms = $2
		WHERE id = $1 RETURNING search_id, created_at`, e.ID, storecrypt.EncodeTerms(terms)).Scan(&sid, &ts); err != nil {
		return fmt.Errorf("index note: %w", err)
	}
	if len(terms) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO message_terms (term, ts, msg) SELECT u, $2, $3 FROM unnest($1::bigint[]) u
		ON CONFLICT DO NOTHING`, terms, ts, -sid); err != nil {
		return fmt.Errorf("insert search terms: %w", err)
	}
	return nil
}

// SearchMessages implements [switchboard.SearchStore]: a backward scan of
// the first term's entries, every further term checked by a primary-key
// lookup, only rows of visible conversations kept.
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
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	// The window: the driving term's entries from the cursor on.
	window := "term = " + arg(terms[0])
	if s.Cursor != "" {
		at, id, err := storecrypt.DecodeCursor(s.Cursor)
		if err != nil {
			return nil, "", err
		}
		msg, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return nil, "", switchboard.Errorf(switchboard.EInvalid, "Invalid cursor.")
		}
		window += " AND (ts, msg) < (" + arg(at) + "::timestamptz, " + arg(msg) + "::bigint)"
	}
	wargs := slices.Clone(args)
	where := []string{"true"}
	for _, t := range terms[1:] {
		where = append(where, "EXISTS (SELECT 1 FROM message_terms t2 WHERE t2.term = "+arg(t)+" AND t2.ts = t.ts AND t2.msg = t.msg)")
	}
	if s.ChannelIDs != nil {
		if len(s.ChannelIDs) == 0 {
			return empty, "", nil
		}
		where = append(where, "c.channel_id = ANY("+arg(s.ChannelIDs)+")")
	}
	if s.OnlyVisibleTo != "" {
		// The user's conversations as one set (hashed once per query).
		p := arg(s.OnlyVisibleTo)
		where = append(where, `coalesce(m.conversation_id, e.conversation_id) IN (
			SELECT conversation_id FROM conversation_assignees WHERE user_id = `+p+`
			UNION SELECT conversation_id FROM conversation_mentions WHERE user_id = `+p+`)`)
	}
	limit := min(max(s.Limit, 1), switchboard.MaxSearchLimit)
	if s.Limit <= 0 {
		limit = 20
	}
	rows, err := db.pool.Query(ctx, `SELECT t.ts, t.msg, coalesce(m.id, e.id), c.id, c.channel_id, c.contact_id,
			coalesce(m.key_id, e.key_id), coalesce(m.content, e.body)
		FROM (SELECT ts, msg FROM message_terms WHERE `+window+` ORDER BY ts DESC, msg DESC LIMIT `+arg(switchboard.SearchWindow)+`) t
		LEFT JOIN messages m ON t.msg > 0 AND m.search_id = t.msg
		LEFT JOIN thread_entries e ON t.msg < 0 AND e.search_id = -t.msg
		JOIN conversations c ON c.id = coalesce(m.conversation_id, e.conversation_id)
		WHERE `+strings.Join(where, " AND ")+`
		ORDER BY t.ts DESC, t.msg DESC LIMIT `+arg(limit+1), args...)
	if err != nil {
		return nil, "", fmt.Errorf("search messages: %w", err)
	}
	type row struct {
		hit    *switchboard.SearchHit
		msg    int64
		keyID  string
		sealed []byte
	}
	var rs []row
	for rows.Next() {
		r := row{hit: &switchboard.SearchHit{Kind: switchboard.HitMessage}}
		h := r.hit
		if err := rows.Scan(&h.At, &r.msg, &h.ID, &h.ConversationID, &h.ChannelID, &h.ContactID, &r.keyID, &r.sealed); err != nil {
			rows.Close()
			return nil, "", fmt.Errorf("search messages: %w", err)
		}
		h.At = h.At.UTC()
		if r.msg < 0 {
			h.Kind = switchboard.HitNote
		}
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("search messages: %w", err)
	}
	next := ""
	if len(rs) > limit {
		last := rs[limit-1]
		next = storecrypt.EncodeCursor(last.hit.At, strconv.FormatInt(last.msg, 10))
		rs = rs[:limit]
	} else {
		// A short page: the window may have ended before the index did.
		var ts time.Time
		var msg int64
		err := db.pool.QueryRow(ctx, `SELECT ts, msg FROM message_terms WHERE `+window+`
			ORDER BY ts DESC, msg DESC LIMIT 1 OFFSET `+fmt.Sprint(switchboard.SearchWindow-1), wargs...).Scan(&ts, &msg)
		if err == nil {
			next = storecrypt.EncodeCursor(ts.UTC(), strconv.FormatInt(msg, 10))
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return nil, "", fmt.Errorf("search messages: %w", err)
		}
	}
	hits := make([]*switchboard.SearchHit, 0, len(rs))
	for _, r := range rs {
		if r.hit.Text, err = db.codec.HitText(ctx, r.hit, r.keyID, r.sealed); err != nil {
			return nil, "", err
		}
		hits = append(hits, r.hit)
	}
	return hits, next, nil
}

// rarestFirst orders the query terms by how many entries each has, up to
// SearchWindow (a bounded count), so the search drives by the rarest.
func (db *DB) rarestFirst(ctx context.Context, terms []int64) ([]int64, error) {
	counts := make(map[int64]int, len(terms))
	for _, t := range terms {
		var n int
		if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM message_terms WHERE term = $1 LIMIT $2) x`,
			t, switchboard.SearchWindow).Scan(&n); err != nil {
			return nil, fmt.Errorf("search messages: %w", err)
		}
		counts[t] = n
	}
	out := slices.Clone(terms)
	slices.SortStableFunc(out, func(a, b int64) int { return counts[a] - counts[b] })
	return out, nil
}

// IndexMessages implements [switchboard.SearchStore]. Rows are locked
// with SKIP LOCKED, so two instances indexing at once share the work.
func (db *DB) IndexMessages(ctx context.Context, limit int) (int, error) {
	limit = storekit.ClampLimit(limit)
	n := 0
	err := db.withTx(ctx, func(tx *txn) error {
		var err error
		if n, err = db.indexContacts(ctx, tx, limit); err != nil || n >= limit {
			return err
		}
		ids, err := collectIDs(ctx, tx, `SELECT id FROM messages WHERE search_terms IS NULL LIMIT $1 FOR UPDATE SKIP LOCKED`, limit-n)
		if err != nil {
			return fmt.Errorf("select unindexed messages: %w", err)
		}
		terms := make([][]int64, len(ids))
		blobs := make([][]byte, len(ids))
		for i, id := range ids {
			m, err := db.loadMessage(ctx, tx, id)
			if err != nil {
				return err
			}
			terms[i] = db.codec.MessageTerms(m)
			blobs[i] = storecrypt.EncodeTerms(terms[i])
		}
		if len(ids) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE messages m SET search_id = coalesce(m.search_id, nextval('message_search_ids')), search_terms = u.terms
				FROM unnest($1::text[], $2::bytea[]) u(id, terms) WHERE m.id = u.id`, ids, blobs); err != nil {
				return fmt.Errorf("index messages: %w", err)
			}
			pi, pt := termPairs(ids, terms)
			if _, err := tx.Exec(ctx, insertMessageTerms, pi, pt); err != nil {
				return fmt.Errorf("insert search terms: %w", err)
			}
		}
		n += len(ids)
		if n >= limit {
			return nil
		}
		rows, err := tx.Query(ctx, `SELECT id, kind, key_id, body FROM thread_entries WHERE search_terms IS NULL
			LIMIT $1 FOR UPDATE SKIP LOCKED`, limit-n)
		if err != nil {
			return fmt.Errorf("select unindexed notes: %w", err)
		}
		var entries []*switchboard.ThreadEntry
		var keys []string
		var bodies [][]byte
		for rows.Next() {
			e := &switchboard.ThreadEntry{}
			var keyID string
			var body []byte
			if err := rows.Scan(&e.ID, &e.Kind, &keyID, &body); err != nil {
				rows.Close()
				return fmt.Errorf("select unindexed notes: %w", err)
			}
			entries, keys, bodies = append(entries, e), append(keys, keyID), append(bodies, body)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("select unindexed notes: %w", err)
		}
		for i, e := range entries {
			var s switchboard.EntrySealed
			if err := db.codec.OpenJSON(ctx, keys[i], "thread_entries", "body", e.ID, bodies[i], &s); err != nil {
				return err
			}
			e.SetSealed(s)
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
