package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

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

// inChannels is the condition on alias's channel_id for f's channel
// scope, with its arguments; "" for every channel.
func inChannels(f switchboard.ConversationFilter, alias string) (string, []any) {
	if f.ChannelIDs == nil {
		return "", nil
	}
	args := make([]any, len(f.ChannelIDs))
	for i, id := range f.ChannelIDs {
		args[i] = id
	}
	return " AND " + alias + ".channel_id IN (" + placeholders(len(f.ChannelIDs)) + ")", args
}

// countersTally reads the per-channel buckets of conversation_counts and
// the viewer's assignments by status.
func (db *DB) countersTally(ctx context.Context, f switchboard.ConversationFilter) ([]switchboard.ConversationTally, error) {
	cc, ccArgs := inChannels(f, "cc")
	ca, caArgs := inChannels(f, "ca")
	args := append(append(ccArgs, f.ViewerID), caArgs...)
	return db.queryTallies(ctx, `SELECT cc.status, SUM(cc.n), SUM(cc.n * cc.assigned), 0
			FROM conversation_counts cc WHERE 1 = 1`+cc+` GROUP BY cc.status
		UNION ALL
		SELECT ca.status, 0, 0, count(*) FROM conversation_assignees ca WHERE ca.user_id = ?`+ca+` GROUP BY ca.status`, args)
}

// ownTally tallies what f.OnlyAssignedTo sees, they being the viewer:
// their assignments (all of them theirs) from the index by user, and the
// conversations that mention them without being assigned to them.
func (db *DB) ownTally(ctx context.Context, f switchboard.ConversationFilter) ([]switchboard.ConversationTally, error) {
	ca, caArgs := inChannels(f, "ca")
	c, cArgs := inChannels(f, "c")
	args := append(append([]any{f.ViewerID}, caArgs...), f.ViewerID, f.ViewerID, f.ViewerID)
	args = append(args, cArgs...)
	return db.queryTallies(ctx, `SELECT ca.status, count(*), SUM(ca.assigned), count(*)
			FROM conversation_assignees ca WHERE ca.user_id = ?`+ca+` GROUP BY ca.status
		UNION ALL
		SELECT c.status, count(*), SUM(c.assigned), 0 FROM (SELECT conversation_id AS id FROM conversation_mentions WHERE user_id = ?
				UNION `+teamConversations+`) m CROSS JOIN conversations c ON c.id = m.id
			WHERE NOT EXISTS (SELECT 1 FROM conversation_assignees a WHERE a.conversation_id = m.id AND a.user_id = ?)`+c+`
			GROUP BY c.status`, args)
}

// queryTallies reads rows of (status, all, assigned, mine).
func (db *DB) queryTallies(ctx context.Context, query string, args []any) ([]switchboard.ConversationTally, error) {
	rows, err := db.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []switchboard.ConversationTally
	for rows.Next() {
		var t switchboard.ConversationTally
		if err := rows.Scan(&t.Status, &t.All, &t.Assigned, &t.Mine); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// scanTally tallies the visible conversations one by one: those of a
// search, or those assigned to or mentioning f.OnlyAssignedTo (read from
// the two indexes by user), using the maintained assigned column.
func (db *DB) scanTally(ctx context.Context, f switchboard.ConversationFilter) ([]switchboard.ConversationTally, error) {
	from, where, args := "conversations c", []string{"1 = 1"}, []any{f.ViewerID}
	if f.OnlyAssignedTo != "" {
		// CROSS JOIN keeps this order: from the user's few conversations
		// to the rows, not through the channel index over all of them.
		from = `(SELECT conversation_id AS id FROM conversation_assignees WHERE user_id = ?
			UNION SELECT conversation_id FROM conversation_mentions WHERE user_id = ?
			UNION ` + teamConversations + `) v CROSS JOIN conversations c`
		where = append(where, "c.id = v.id")
		args = append(args, visibleArgs(f.OnlyAssignedTo)...)
	}
	if f.ChannelIDs != nil {
		where = append(where, "c.channel_id IN ("+placeholders(len(f.ChannelIDs))+")")
		for _, id := range f.ChannelIDs {
			args = append(args, id)
		}
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		terms, err := db.codec.SearchTerms(q)
		if err != nil {
			return nil, err
		}
		for _, t := range terms {
			where = append(where, contactTermsWhere)
			args = append(args, t)
		}
	}
	if f.Scanned() {
		rest := f // the filters the driving index has not applied
		if f.LabelID != "" && f.OnlyAssignedTo == "" {
			// The label's conversations from its index: CROSS JOIN keeps
			// the order (the probe in narrowList then finds its own row).
			from = "conversation_labels fl CROSS JOIN conversations c"
			where = append(where, "fl.label_id = ? AND c.id = fl.conversation_id")
			args = append(args, f.LabelID)
			rest.LabelID = ""
		} else if f.AssigneeID != "" && f.OnlyAssignedTo == "" {
			from = "conversation_assignees fu CROSS JOIN conversations c"
			where = append(where, "fu.user_id = ? AND c.id = fu.conversation_id")
			args = append(args, f.AssigneeID)
			rest.AssigneeID = ""
		}
		where, args = narrowList(rest, where, args)
		return db.queryTallies(ctx, boundedTally(`SELECT c.status, c.assigned,
			EXISTS (SELECT 1 FROM conversation_assignees ca WHERE ca.conversation_id = c.id AND ca.user_id = ?) AS mine
			FROM `+from+` WHERE `+strings.Join(where, " AND ")), args)
	}
	return db.queryTallies(ctx, `SELECT c.status, count(*), SUM(c.assigned),
		SUM(EXISTS (SELECT 1 FROM conversation_assignees ca WHERE ca.conversation_id = c.id AND ca.user_id = ?))
		FROM `+from+` WHERE `+strings.Join(where, " AND ")+` GROUP BY c.status`, args)
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
	where, args := []string{"1 = 1"}, []any{}
	if f.OnlyAssignedTo != "" {
		where, args = append(where, visibleTo), append(args, visibleArgs(f.OnlyAssignedTo)...)
	}
	if f.ChannelIDs != nil {
		if len(f.ChannelIDs) == 0 {
			return &switchboard.ConversationCounts{}, nil
		}
		where = append(where, "c.channel_id IN ("+placeholders(len(f.ChannelIDs))+")")
		for _, id := range f.ChannelIDs {
			args = append(args, id)
		}
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		terms, err := db.codec.SearchTerms(q)
		if err != nil {
			return nil, err
		}
		for _, t := range terms {
			where = append(where, contactTermsWhere)
			args = append(args, t)
		}
	}
	rows, err := db.rdb.QueryContext(ctx, `SELECT c.status, count(*), COALESCE(SUM(COALESCE(a.answered, 0)), 0), COALESCE(SUM(COALESCE(a.mine, 0)), 0)
		FROM conversations c LEFT JOIN (SELECT ca.conversation_id, MAX(ca.user_id = ?) AS mine, MAX(u.active) AS answered
			FROM conversation_assignees ca JOIN users u ON u.id = ca.user_id GROUP BY ca.conversation_id) a ON a.conversation_id = c.id
		WHERE `+strings.Join(where, " AND ")+` GROUP BY c.status`, append([]any{f.ViewerID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("recount conversations: %w", err)
	}
	defer rows.Close()
	var tallies []switchboard.ConversationTally
	for rows.Next() {
		var t switchboard.ConversationTally
		if err := rows.Scan(&t.Status, &t.All, &t.Assigned, &t.Mine); err != nil {
			return nil, fmt.Errorf("recount conversations: %w", err)
		}
		tallies = append(tallies, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recount conversations: %w", err)
	}
	return f.Counts(tallies), nil
}

// RebuildConversationCounts recomputes the assigned column and the
// counters from the facts, in one write transaction. A load calls it
// itself; it is for a database whose derived counts are in doubt.
func (db *DB) RebuildConversationCounts(ctx context.Context) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		return rebuildConversationCounts(ctx, tx.Tx)
	})
}

// rebuildConversationCounts is RebuildConversationCounts inside tx: it
// flips the assigned column where it is wrong (which fires the counter
// triggers; everything is replaced afterwards anyway), copies each
// conversation's bucket into its assignments and recounts the buckets.
func rebuildConversationCounts(ctx context.Context, tx *sql.Tx) error {
	for _, q := range []string{
		`UPDATE conversations SET assigned = NOT assigned WHERE assigned IS NOT EXISTS (SELECT 1 FROM conversation_assignees ca
			JOIN users u ON u.id = ca.user_id WHERE ca.conversation_id = conversations.id AND u.active = 1)`,
		`UPDATE conversation_assignees SET (channel_id, status, assigned) =
			(SELECT c.channel_id, c.status, c.assigned FROM conversations c WHERE c.id = conversation_assignees.conversation_id)`,
		`DELETE FROM conversation_counts`,
		`INSERT INTO conversation_counts (channel_id, status, assigned, n)
			SELECT channel_id, status, assigned, count(*) FROM conversations GROUP BY channel_id, status, assigned`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("rebuild conversation counts: %w", err)
		}
	}
	return nil
}
