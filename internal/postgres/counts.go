package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/switchboardhq/switchboard"
)

// CountConversations counts the conversations behind each inbox filter
// from the counters that migration 0024's triggers maintain: for a viewer
// who sees whole channels, the per-channel buckets of conversation_counts
// (a few rows) and the viewer's own assignments, which carry their
// conversation's bucket, from the index by user; for an employee, their
// assignments the same way and the few conversations that only mention
// them. A search tallies the conversations it finds.
// [switchboard.ConversationFilter.Counts] combines the tallies either way.
func (db *DB) CountConversations(ctx context.Context, f switchboard.ConversationFilter) (*switchboard.ConversationCounts, error) {
	src, err := f.CountsSource()
	if err != nil {
		return nil, err
	}
	var tallies []switchboard.ConversationTally
	switch src {
	case switchboard.TallyNone:
		return &switchboard.ConversationCounts{}, nil
	case switchboard.TallyScan:
		tallies, err = db.scanTally(ctx, f)
	case switchboard.TallyOwn:
		tallies, err = db.ownTally(ctx, f)
	default:
		tallies, err = db.countersTally(ctx, f)
	}
	if err != nil {
		return nil, fmt.Errorf("count conversations: %w", err)
	}
	return f.Counts(tallies), nil
}

// countersTally reads the per-channel buckets of conversation_counts and
// the viewer's assignments by status, in one round trip.
func (db *DB) countersTally(ctx context.Context, f switchboard.ConversationFilter) ([]switchboard.ConversationTally, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	chans := func(alias string) string { return "true" }
	if f.ChannelIDs != nil {
		p := arg(f.ChannelIDs)
		chans = func(alias string) string { return alias + `.channel_id = ANY(` + p + `)` }
	}
	sql := `SELECT cc.status, sum(cc.n)::bigint, coalesce(sum(cc.n) FILTER (WHERE cc.assigned), 0)::bigint, 0::bigint
			FROM conversation_counts cc WHERE ` + chans("cc") + ` GROUP BY cc.status
		UNION ALL
		SELECT ca.status, 0, 0, count(*) FROM conversation_assignees ca
			WHERE ca.user_id = ` + arg(f.ViewerID) + ` AND ` + chans("ca") + ` GROUP BY ca.status`
	return db.queryTallies(ctx, sql, args)
}

// ownTally tallies what f.OnlyAssignedTo sees, they being the viewer:
// their assignments (all of them theirs) from the index by user, and the
// conversations that mention them without being assigned to them.
func (db *DB) ownTally(ctx context.Context, f switchboard.ConversationFilter) ([]switchboard.ConversationTally, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	chans := func(alias string) string { return "true" }
	if f.ChannelIDs != nil {
		p := arg(f.ChannelIDs)
		chans = func(alias string) string { return alias + `.channel_id = ANY(` + p + `)` }
	}
	viewer := arg(f.ViewerID)
	sql := `SELECT ca.status, count(*), count(*) FILTER (WHERE ca.assigned), count(*)
			FROM conversation_assignees ca WHERE ca.user_id = ` + viewer + ` AND ` + chans("ca") + ` GROUP BY ca.status
		UNION ALL
		SELECT c.status, count(*), count(*) FILTER (WHERE c.assigned), 0 FROM (SELECT conversation_id AS id FROM conversation_mentions WHERE user_id = ` + viewer + `
				UNION ` + teamConversations(viewer) + `) m
			JOIN conversations c ON c.id = m.id
			WHERE ` + chans("c") + ` AND NOT EXISTS (SELECT 1 FROM conversation_assignees a
				WHERE a.conversation_id = m.id AND a.user_id = ` + viewer + `)
			GROUP BY c.status`
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
	from, where := "conversations c", []string{"true"}
	if f.OnlyAssignedTo != "" {
		// From the user's few conversations to their rows by primary key
		// (OFFSET 0 keeps the planner from a hash join over all of them).
		p := arg(f.OnlyAssignedTo)
		from = `(SELECT conversation_id AS id FROM conversation_assignees WHERE user_id = ` + p + `
			UNION SELECT conversation_id FROM conversation_mentions WHERE user_id = ` + p + `
			UNION ` + teamConversations(p) + `) v
			CROSS JOIN LATERAL (SELECT * FROM conversations c WHERE c.id = v.id OFFSET 0) c`
	}
	if f.ChannelIDs != nil {
		where = append(where, `c.channel_id = ANY(`+arg(f.ChannelIDs)+`)`)
	}
	if strings.TrimSpace(f.Query) != "" {
		terms, err := db.codec.SearchTerms(f.Query)
		if err != nil {
			return nil, err
		}
		where = append(where, contactTermsWhere(arg(terms), arg(len(terms))))
	}
	if f.Scanned() {
		where = narrowList(f, where, arg)
		return db.queryTallies(ctx, boundedTally(`SELECT c.status, c.assigned,
			EXISTS (SELECT 1 FROM conversation_assignees ca WHERE ca.conversation_id = c.id AND ca.user_id = `+viewer+`) AS mine
			FROM `+from+` WHERE `+strings.Join(where, " AND ")), args)
	}
	sql := `SELECT c.status, count(*), count(*) FILTER (WHERE c.assigned),
		count(*) FILTER (WHERE EXISTS (SELECT 1 FROM conversation_assignees ca WHERE ca.conversation_id = c.id AND ca.user_id = ` + viewer + `))
		FROM ` + from + ` WHERE ` + strings.Join(where, " AND ") + ` GROUP BY c.status`
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
	if _, err := f.CountsSource(); err != nil {
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
		where = append(where, contactTermsWhere(arg(terms), arg(len(terms))))
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

// rebuildConversationCounts is RebuildConversationCounts inside tx: it
// corrects the assigned column, copies each conversation's bucket into its
// assignments and recounts the buckets. The lock keeps concurrent changes
// from moving counters while they are replaced.
func rebuildConversationCounts(ctx context.Context, tx pgx.Tx) error {
	for _, q := range []string{
		`LOCK TABLE conversation_counts IN EXCLUSIVE MODE`,
		`UPDATE conversations c SET assigned = EXISTS (SELECT 1 FROM conversation_assignees ca JOIN users u ON u.id = ca.user_id
			WHERE ca.conversation_id = c.id AND u.active)
			WHERE c.assigned IS DISTINCT FROM EXISTS (SELECT 1 FROM conversation_assignees ca JOIN users u ON u.id = ca.user_id
			WHERE ca.conversation_id = c.id AND u.active)`,
		`UPDATE conversation_assignees ca SET channel_id = c.channel_id, status = c.status, assigned = c.assigned
			FROM conversations c WHERE c.id = ca.conversation_id
			AND (ca.channel_id, ca.status, ca.assigned) IS DISTINCT FROM (c.channel_id, c.status, c.assigned)`,
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
