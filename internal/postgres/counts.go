package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/switchboardhq/switchboard"
)

// CountConversations counts the conversations behind each inbox filter.
// Without a search and for a viewer who sees whole channels, it sums the
// maintained per-channel counters (migration 0024, a few rows) and counts
// the viewer's own assignments from their index; a search or a viewer
// limited to their assigned and mentioned conversations tallies just those
// conversations. [switchboard.ConversationFilter.Counts] combines the
// tallies either way.
func (db *DB) CountConversations(ctx context.Context, f switchboard.ConversationFilter) (*switchboard.ConversationCounts, error) {
	if err := countsFilterValid(f); err != nil {
		return nil, err
	}
	var (
		tallies []switchboard.ConversationTally
		err     error
	)
	if strings.TrimSpace(f.Query) == "" && f.OnlyAssignedTo == "" {
		tallies, err = db.countersTally(ctx, f)
	} else {
		tallies, err = db.scanTally(ctx, f)
	}
	if err != nil {
		return nil, fmt.Errorf("count conversations: %w", err)
	}
	return f.Counts(tallies), nil
}

// countsFilterValid rejects an assignment value no filter has.
func countsFilterValid(f switchboard.ConversationFilter) error {
	switch f.Assignment {
	case "", switchboard.AssignmentAll, switchboard.AssignmentUnassigned, switchboard.AssignmentAssigned, switchboard.AssignmentMine:
		return nil
	}
	return switchboard.ErrInvalidAssignmentFilter
}

// countersTally reads the per-status tallies from conversation_counts over
// the viewer's channels, and the viewer's own assignments through
// conversation_assignees_user_id, in one round trip.
func (db *DB) countersTally(ctx context.Context, f switchboard.ConversationFilter) ([]switchboard.ConversationTally, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	chans := "true"
	if f.ChannelIDs != nil {
		chans = `c.channel_id = ANY(` + arg(f.ChannelIDs) + `)`
	}
	sql := `SELECT status, sum(a)::bigint, sum(s)::bigint, sum(m)::bigint FROM (
			SELECT c.status, c.n AS a, CASE WHEN c.assigned THEN c.n ELSE 0 END AS s, 0 AS m
				FROM conversation_counts c WHERE ` + chans + `
			UNION ALL
			SELECT c.status, 0, 0, 1 FROM conversation_assignees ca JOIN conversations c ON c.id = ca.conversation_id
				WHERE ca.user_id = ` + arg(f.ViewerID) + ` AND ` + chans + `) x
		GROUP BY status`
	return db.queryTallies(ctx, sql, args)
}

// scanTally tallies the visible conversations one by one: those of a
// search, or those assigned to or mentioning f.OnlyAssignedTo (read from
// the two indexes by user), using the maintained assigned column.
func (db *DB) scanTally(ctx context.Context, f switchboard.ConversationFilter) ([]switchboard.ConversationTally, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	viewer := arg(f.ViewerID)
	where := []string{"true"}
	if f.OnlyAssignedTo != "" {
		p := arg(f.OnlyAssignedTo)
		where = append(where, `c.id IN (SELECT conversation_id FROM conversation_assignees WHERE user_id = `+p+`
			UNION SELECT conversation_id FROM conversation_mentions WHERE user_id = `+p+`)`)
	}
	if f.ChannelIDs != nil {
		where = append(where, `c.channel_id = ANY(`+arg(f.ChannelIDs)+`)`)
	}
	if strings.TrimSpace(f.Query) != "" {
		terms, err := db.codec.SearchTerms(f.Query)
		if err != nil {
			return nil, err
		}
		where = append(where, `c.contact_id IN (SELECT t.contact_id FROM contact_terms t WHERE t.term = ANY(`+arg(terms)+`)
			GROUP BY t.contact_id HAVING count(DISTINCT t.term) = `+arg(len(terms))+`)`)
	}
	sql := `SELECT c.status, count(*), count(*) FILTER (WHERE c.assigned),
		count(*) FILTER (WHERE EXISTS (SELECT 1 FROM conversation_assignees ca WHERE ca.conversation_id = c.id AND ca.user_id = ` + viewer + `))
		FROM conversations c WHERE ` + strings.Join(where, " AND ") + ` GROUP BY c.status`
	return db.queryTallies(ctx, sql, args)
}

// queryTallies reads rows of (status, all, assigned, mine).
func (db *DB) queryTallies(ctx context.Context, sql string, args []any) ([]switchboard.ConversationTally, error) {
	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (switchboard.ConversationTally, error) {
		var t switchboard.ConversationTally
		err := row.Scan(&t.Status, &t.All, &t.Assigned, &t.Mine)
		return t, err
	})
}

// RecountConversations counts the conversations behind each inbox filter
// from the facts alone (assignees and users, neither the assigned column
// nor the counters), in one scan of the visible conversations: the counts
// before migration 0024. Tests compare the maintained counts with it, and
// the list benchmark runs it as the baseline.
func (db *DB) RecountConversations(ctx context.Context, f switchboard.ConversationFilter) (*switchboard.ConversationCounts, error) {
	if err := countsFilterValid(f); err != nil {
		return nil, err
	}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	viewer := arg(f.ViewerID)
	where := []string{"true"}
	if f.OnlyAssignedTo != "" {
		where = append(where, visibleTo(arg(f.OnlyAssignedTo)))
	}
	if f.ChannelIDs != nil {
		where = append(where, `c.channel_id = ANY(`+arg(f.ChannelIDs)+`)`)
	}
	if strings.TrimSpace(f.Query) != "" {
		terms, err := db.codec.SearchTerms(f.Query)
		if err != nil {
			return nil, err
		}
		where = append(where, `c.contact_id IN (SELECT t.contact_id FROM contact_terms t WHERE t.term = ANY(`+arg(terms)+`)
			GROUP BY t.contact_id HAVING count(DISTINCT t.term) = `+arg(len(terms))+`)`)
	}
	sql := `SELECT c.status, count(*), count(*) FILTER (WHERE coalesce(a.answered, false)), count(*) FILTER (WHERE coalesce(a.mine, false))
		FROM conversations c
		LEFT JOIN (SELECT ca.conversation_id, bool_or(ca.user_id = ` + viewer + `) AS mine, bool_or(u.active) AS answered
			FROM conversation_assignees ca JOIN users u ON u.id = ca.user_id GROUP BY ca.conversation_id) a ON a.conversation_id = c.id
		WHERE ` + strings.Join(where, " AND ") + ` GROUP BY c.status`
	tallies, err := db.queryTallies(ctx, sql, args)
	if err != nil {
		return nil, fmt.Errorf("recount conversations: %w", err)
	}
	return f.Counts(tallies), nil
}

// RebuildConversationCounts recomputes the assigned column and the
// counters from the facts, in one transaction. A load calls it itself; it
// is for a database whose derived counts are in doubt.
func (db *DB) RebuildConversationCounts(ctx context.Context) error {
	return db.withTx(ctx, func(tx *txn) error { return rebuildConversationCounts(ctx, tx) })
}

// rebuildConversationCounts is RebuildConversationCounts inside tx. The
// lock keeps concurrent changes from moving counters while they are
// replaced.
func rebuildConversationCounts(ctx context.Context, tx pgx.Tx) error {
	for _, q := range []string{
		`LOCK TABLE conversation_counts IN EXCLUSIVE MODE`,
		`UPDATE conversations c SET assigned = EXISTS (SELECT 1 FROM conversation_assignees ca JOIN users u ON u.id = ca.user_id
			WHERE ca.conversation_id = c.id AND u.active)
			WHERE c.assigned IS DISTINCT FROM EXISTS (SELECT 1 FROM conversation_assignees ca JOIN users u ON u.id = ca.user_id
			WHERE ca.conversation_id = c.id AND u.active)`,
		`DELETE FROM conversation_counts`,
		`INSERT INTO conversation_counts (channel_id, status, assigned, n)
			SELECT channel_id, status, assigned, count(*) FROM conversations GROUP BY channel_id, status, assigned`,
	} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("rebuild conversation counts: %w", err)
		}
	}
	return nil
}
