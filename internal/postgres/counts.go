package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboardhq/switchboard"
)

// CountConversations counts the conversations behind each inbox filter in
// one scan of the visible conversations.
func (db *DB) CountConversations(ctx context.Context, f switchboard.ConversationFilter) (*switchboard.ConversationCounts, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
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
	// Only active assignees count (switchboard.Conversation.Unassigned).
	// Each conversation's assignment comes from one pass over the
	// assignees grouped by conversation, joined once, instead of a
	// correlated lookup in every count.
	viewer := arg(f.ViewerID)
	status := "true"
	if f.Status != "" {
		status = `c.status = ` + arg(f.Status)
	}
	isAssigned, isMine := `coalesce(a.answered, false)`, `coalesce(a.mine, false)`
	var assign string
	switch f.Assignment {
	case "", switchboard.AssignmentAll:
		assign = "true"
	case switchboard.AssignmentUnassigned:
		assign = "NOT " + isAssigned
	case switchboard.AssignmentAssigned:
		assign = isAssigned
	case switchboard.AssignmentMine:
		assign = isMine
	default:
		return nil, switchboard.ErrInvalidAssignmentFilter
	}
	sql := `SELECT
		count(*) FILTER (WHERE ` + status + `),
		count(*) FILTER (WHERE ` + status + ` AND NOT ` + isAssigned + `),
		count(*) FILTER (WHERE ` + status + ` AND ` + isAssigned + `),
		count(*) FILTER (WHERE ` + status + ` AND ` + isMine + `),
		count(*) FILTER (WHERE ` + assign + ` AND c.status = 'open'),
		count(*) FILTER (WHERE ` + assign + ` AND c.status = 'closed')
		FROM conversations c
		LEFT JOIN (SELECT ca.conversation_id, bool_or(ca.user_id = ` + viewer + `) AS mine, bool_or(u.active) AS answered
			FROM conversation_assignees ca JOIN users u ON u.id = ca.user_id GROUP BY ca.conversation_id) a ON a.conversation_id = c.id
		WHERE ` + strings.Join(where, " AND ")
	var n switchboard.ConversationCounts
	if err := db.pool.QueryRow(ctx, sql, args...).Scan(&n.All, &n.Unassigned, &n.Assigned, &n.Mine, &n.Open, &n.Closed); err != nil {
		return nil, fmt.Errorf("count conversations: %w", err)
	}
	return &n, nil
}
