package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboardhq/switchboard"
)

// CountConversations counts the conversations behind each inbox filter in
// one scan of the visible conversations.
func (db *DB) CountConversations(ctx context.Context, f switchboard.ConversationFilter) (*switchboard.ConversationCounts, error) {
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
	// Only active assignees make a conversation assigned
	// (switchboard.Conversation.Unassigned).
	// Each visible conversation's assignment is looked up twice (any
	// assignee, the viewer), once per row in a materialised subquery;
	// written into every sum, the lookups ran up to seven times per row.
	status, statusArgs := "1", []any(nil)
	if f.Status != "" {
		status, statusArgs = "v.status = ?", []any{f.Status}
	}
	var assign string
	switch f.Assignment {
	case "", switchboard.AssignmentAll:
		assign = "1"
	case switchboard.AssignmentUnassigned:
		assign = "NOT v.assigned"
	case switchboard.AssignmentAssigned:
		assign = "v.assigned"
	case switchboard.AssignmentMine:
		assign = "v.mine"
	default:
		return nil, switchboard.ErrInvalidAssignmentFilter
	}
	sel := `WITH v AS (SELECT c.status AS status, COALESCE(a.answered, 0) AS assigned, COALESCE(a.mine, 0) AS mine
			FROM conversations c LEFT JOIN (SELECT ca.conversation_id, MAX(ca.user_id = ?) AS mine, MAX(u.active) AS answered
				FROM conversation_assignees ca JOIN users u ON u.id = ca.user_id GROUP BY ca.conversation_id) a ON a.conversation_id = c.id
			WHERE ` + strings.Join(where, " AND ") + `)
		SELECT
		COALESCE(SUM(CASE WHEN ` + status + ` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + status + ` AND NOT v.assigned THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + status + ` AND v.assigned THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + status + ` AND v.mine THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + assign + ` AND v.status = 'open' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + assign + ` AND v.status = 'closed' THEN 1 ELSE 0 END), 0)
		FROM v`
	all := append([]any{f.ViewerID}, args...)
	for range 4 {
		all = append(all, statusArgs...)
	}
	var n switchboard.ConversationCounts
	if err := db.rdb.QueryRowContext(ctx, sel, all...).Scan(&n.All, &n.Unassigned, &n.Assigned, &n.Mine, &n.Open, &n.Closed); err != nil {
		return nil, fmt.Errorf("count conversations: %w", err)
	}
	return &n, nil
}
