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
	const assigned = `EXISTS (SELECT 1 FROM conversation_assignees a WHERE a.conversation_id = c.id`
	where, args := []string{"1 = 1"}, []any{}
	if f.OnlyAssignedTo != "" {
		where, args = append(where, assigned+" AND a.user_id = ?)"), append(args, f.OnlyAssignedTo)
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
	status, statusArgs := "1", []any(nil)
	if f.Status != "" {
		status, statusArgs = "c.status = ?", []any{f.Status}
	}
	mine := assigned + " AND a.user_id = ?)"
	var assign string
	var assignArgs []any
	switch f.Assignment {
	case "", switchboard.AssignmentAll:
		assign = "1"
	case switchboard.AssignmentUnassigned:
		assign = "NOT " + assigned + ")"
	case switchboard.AssignmentAssigned:
		assign = assigned + ")"
	case switchboard.AssignmentMine:
		assign, assignArgs = mine, []any{f.ViewerID}
	default:
		return nil, switchboard.Errorf(switchboard.EInvalid, "Invalid assignment filter.")
	}
	sel := `SELECT
		COALESCE(SUM(CASE WHEN ` + status + ` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + status + ` AND NOT ` + assigned + `) THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + status + ` AND ` + assigned + `) THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + status + ` AND ` + mine + ` THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + assign + ` AND c.status = 'open' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN ` + assign + ` AND c.status = 'closed' THEN 1 ELSE 0 END), 0)
		FROM conversations c WHERE ` + strings.Join(where, " AND ")
	all := append([]any{}, statusArgs...)
	all = append(all, statusArgs...)
	all = append(all, statusArgs...)
	all = append(all, statusArgs...)
	all = append(all, f.ViewerID)
	all = append(all, assignArgs...)
	all = append(all, assignArgs...)
	all = append(all, args...)
	var n switchboard.ConversationCounts
	if err := db.rdb.QueryRowContext(ctx, sel, all...).Scan(&n.All, &n.Unassigned, &n.Assigned, &n.Mine, &n.Open, &n.Closed); err != nil {
		return nil, fmt.Errorf("count conversations: %w", err)
	}
	return &n, nil
}
