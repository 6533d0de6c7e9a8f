package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

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
	if f.ChannelIDs != nil && len(f.ChannelIDs) == 0 {
		return &switchboard.ConversationCounts{}, nil
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
// conversation_assignees_user_id.
func (db *DB) countersTally(ctx context.Context, f switchboard.ConversationFilter) ([]switchboard.ConversationTally, error) {
	chanWhere, args := "", []any(nil)
	if f.ChannelIDs != nil {
		chanWhere = " AND c.channel_id IN (" + placeholders(len(f.ChannelIDs)) + ")"
		for _, id := range f.ChannelIDs {
			args = append(args, id)
		}
	}
	byStatus := map[switchboard.ConversationStatus]*switchboard.ConversationTally{}
	tally := func(s switchboard.ConversationStatus) *switchboard.ConversationTally {
		if byStatus[s] == nil {
			byStatus[s] = &switchboard.ConversationTally{Status: s}
		}
		return byStatus[s]
	}
	rows, err := db.rdb.QueryContext(ctx, `SELECT c.status, c.assigned, SUM(c.n) FROM conversation_counts c WHERE 1 = 1`+chanWhere+`
		GROUP BY c.status, c.assigned`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			status   switchboard.ConversationStatus
			assigned bool
			n        int
		)
		if err := rows.Scan(&status, &assigned, &n); err != nil {
			return nil, err
		}
		t := tally(status)
		t.All += n
		if assigned {
			t.Assigned += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if f.ViewerID != "" {
		// CROSS JOIN: from the viewer's assignments, never through the channel index.
		mine, err := db.rdb.QueryContext(ctx, `SELECT c.status, count(*) FROM conversation_assignees ca
			CROSS JOIN conversations c ON c.id = ca.conversation_id WHERE ca.user_id = ?`+chanWhere+` GROUP BY c.status`,
			append([]any{f.ViewerID}, args...)...)
		if err != nil {
			return nil, err
		}
		defer mine.Close()
		for mine.Next() {
			var (
				status switchboard.ConversationStatus
				n      int
			)
			if err := mine.Scan(&status, &n); err != nil {
				return nil, err
			}
			tally(status).Mine += n
		}
		if err := mine.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]switchboard.ConversationTally, 0, len(byStatus))
	for _, t := range byStatus {
		out = append(out, *t)
	}
	return out, nil
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
			UNION SELECT conversation_id FROM conversation_mentions WHERE user_id = ?) v CROSS JOIN conversations c`
		where = append(where, "c.id = v.id")
		args = append(args, f.OnlyAssignedTo, f.OnlyAssignedTo)
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
			where = append(where, "c.contact_id IN (SELECT t.contact_id FROM contact_terms t WHERE t.term = ?)")
			args = append(args, t)
		}
	}
	rows, err := db.rdb.QueryContext(ctx, `SELECT c.status, count(*), COALESCE(SUM(c.assigned), 0),
		COALESCE(SUM(EXISTS (SELECT 1 FROM conversation_assignees ca WHERE ca.conversation_id = c.id AND ca.user_id = ?)), 0)
		FROM `+from+` WHERE `+strings.Join(where, " AND ")+` GROUP BY c.status`, args...)
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

// RecountConversations counts the conversations behind each inbox filter
// from the facts alone (assignees and users, neither the assigned column
// nor the counters), in one scan of the visible conversations: the counts
// before migration 0024. Tests compare the maintained counts with it, and
// the list benchmark runs it as the baseline.
func (db *DB) RecountConversations(ctx context.Context, f switchboard.ConversationFilter) (*switchboard.ConversationCounts, error) {
	if err := countsFilterValid(f); err != nil {
		return nil, err
	}
	where, args := []string{"1 = 1"}, []any{}
	if f.OnlyAssignedTo != "" {
		where, args = append(where, visibleTo), append(args, f.OnlyAssignedTo, f.OnlyAssignedTo)
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
			where = append(where, "c.contact_id IN (SELECT t.contact_id FROM contact_terms t WHERE t.term = ?)")
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
// trigger; the counters are replaced afterwards anyway).
func rebuildConversationCounts(ctx context.Context, tx *sql.Tx) error {
	for _, q := range []string{
		`UPDATE conversations SET assigned = NOT assigned WHERE assigned IS NOT EXISTS (SELECT 1 FROM conversation_assignees ca
			JOIN users u ON u.id = ca.user_id WHERE ca.conversation_id = conversations.id AND u.active = 1)`,
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
