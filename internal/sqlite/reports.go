package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// reportChannels returns the SQL condition and arguments that limit
// column to s's channels, and false when s allows no channel at all.
func reportChannels(column string, s switchboard.ReportScope) (string, []any, bool) {
	if s.ChannelIDs == nil {
		return "1", nil, true
	}
	if len(s.ChannelIDs) == 0 {
		return "", nil, false
	}
	args := make([]any, len(s.ChannelIDs))
	for i, id := range s.ChannelIDs {
		args[i] = id
	}
	return column + " IN (" + placeholders(len(s.ChannelIDs)) + ")", args, true
}

// reportResponse is the SQL form of switchboard.IsReportResponse for m.
const reportResponse = `m.direction = 'out' AND m.type NOT IN ('reaction', 'system') AND m.status <> 'failed' AND m.imported = 0`

// ReportConversations returns the conversations created within s with their
// first customer message and first response.
func (db *DB) ReportConversations(ctx context.Context, s switchboard.ReportScope) ([]switchboard.ReportConversation, error) {
	out := []switchboard.ReportConversation{}
	chans, chanArgs, ok := reportChannels("c.channel_id", s)
	if !ok {
		return out, nil
	}
	q := `SELECT x.id, x.channel_id, x.created_at, x.first_in,
		(SELECT m.ts FROM messages m WHERE m.conversation_id = x.id AND ` + reportResponse + ` AND m.ts >= x.first_in
			ORDER BY m.ts, m.id LIMIT 1),
		(SELECT m.sender_id FROM messages m WHERE m.conversation_id = x.id AND ` + reportResponse + ` AND m.ts >= x.first_in
			ORDER BY m.ts, m.id LIMIT 1)
		FROM (SELECT c.id, c.channel_id, c.created_at,
			(SELECT MIN(m.ts) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in' AND m.imported = 0) AS first_in
			FROM conversations c WHERE c.created_at >= ? AND c.created_at < ? AND ` + chans + `) x
		ORDER BY x.created_at, x.id`
	rows, err := db.rdb.QueryContext(ctx, q, append([]any{micros(s.From), micros(s.To)}, chanArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("report conversations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c switchboard.ReportConversation
		var opened, firstIn, firstOut sql.NullInt64
		var sender sql.NullString
		if err := rows.Scan(&c.ID, &c.ChannelID, &opened, &firstIn, &firstOut, &sender); err != nil {
			return nil, fmt.Errorf("scan report conversation: %w", err)
		}
		c.OpenedAt, c.FirstInboundAt, c.FirstResponseAt, c.FirstResponderID = fromMicros(opened), fromMicros(firstIn), fromMicros(firstOut), sender.String
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report conversations: %w", err)
	}
	return out, nil
}

// ReportStatusChanges returns the closes and reopens of the conversations
// with any within s (see switchboard.ReportStore).
func (db *DB) ReportStatusChanges(ctx context.Context, s switchboard.ReportScope) ([]switchboard.ReportStatusChange, error) {
	out := []switchboard.ReportStatusChange{}
	chans, chanArgs, ok := reportChannels("c.channel_id", s)
	if !ok {
		return out, nil
	}
	from, to := micros(s.From), micros(s.To)
	// changes are the users' closes and reopens before To; convs are the
	// conversations with one in the range, or with a customer message in
	// the range after a close (a reopen by the customer).
	// cand are the conversations that may have one: a status entry or a
	// customer message in the range (a customer's reopen is such a
	// message), so a short range reads only their histories.
	q := `WITH cand AS (
			SELECT a.object_id AS conv FROM audit_log a WHERE a.at >= ?2 AND a.at < ?1
				AND a.action = 'conversation.status' AND a.object_type = 'conversation'
			UNION SELECT m.conversation_id FROM messages m WHERE m.direction = 'in' AND m.created_at >= ?2 AND m.created_at < ?1),
		changes AS (
			SELECT a.object_id AS conv, a.at, CASE WHEN json_extract(a.detail, '$.status') IN ('closed', 'resolved') THEN 'resolved'
				WHEN json_extract(a.detail, '$.status') IN ('open', 'pending', 'snoozed') THEN 'open' END AS status, a.actor_id
			FROM audit_log a WHERE a.action = 'conversation.status' AND a.outcome = 'success'
				AND a.object_type = 'conversation' AND a.object_id IN (SELECT conv FROM cand) AND a.at < ?1),
		reopens AS (
			SELECT ch.conv, (SELECT MIN(m.created_at) FROM messages m WHERE m.conversation_id = ch.conv
				AND m.direction = 'in' AND m.created_at > ch.at AND m.created_at < ?1) AS at
			FROM changes ch WHERE ch.status = 'resolved'),
		convs AS (
			SELECT conv FROM changes WHERE at >= ?2
			UNION SELECT conv FROM reopens WHERE at >= ?2),
		merged AS (
			SELECT conv, at, status, actor_id, 0 AS by_customer FROM changes
			UNION ALL SELECT conv, at, 'open', '', 1 FROM reopens WHERE at IS NOT NULL)
		SELECT x.conv, c.channel_id, c.created_at, x.at, x.status, x.actor_id, x.by_customer
		FROM merged x JOIN conversations c ON c.id = x.conv
		WHERE x.conv IN (SELECT conv FROM convs) AND x.status IN ('open', 'resolved') AND ` + chans + `
		ORDER BY x.conv, x.at, x.by_customer`
	rows, err := db.rdb.QueryContext(ctx, q, append([]any{to, from}, chanArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("report status changes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c switchboard.ReportStatusChange
		var opened, at sql.NullInt64
		if err := rows.Scan(&c.ConversationID, &c.ChannelID, &opened, &at, &c.Status, &c.ActorID, &c.ByCustomer); err != nil {
			return nil, fmt.Errorf("scan report status change: %w", err)
		}
		c.OpenedAt, c.At = fromMicros(opened), fromMicros(at)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report status changes: %w", err)
	}
	return out, nil
}

// ReportAgents returns every user's figures within s.
func (db *DB) ReportAgents(ctx context.Context, s switchboard.ReportScope) ([]switchboard.ReportAgentFacts, error) {
	byUser := storekit.AgentFacts{}
	sessions, err := db.ReportSessions(ctx, s)
	if err != nil {
		return nil, err
	}
	for _, f := range sessions {
		*byUser.Get(f.UserID) = f
	}
	from, to := micros(s.From), micros(s.To)
	chans, chanArgs, ok := reportChannels("c.channel_id", s)
	if !ok {
		return byUser.List(), nil
	}
	type query struct {
		sql string
		set func(f *switchboard.ReportAgentFacts, n, m int)
	}
	// Without a channel limit the messages need no conversation: the
	// count is then read from messages_report_out alone.
	join := "JOIN conversations c ON c.id = m.conversation_id"
	if s.ChannelIDs == nil {
		join = ""
	}
	args := append([]any{from, to}, chanArgs...)
	for _, q := range []query{
		{`SELECT json_extract(a.detail, '$.user_id'), COUNT(DISTINCT a.object_id), 0 FROM audit_log a
			JOIN conversations c ON c.id = a.object_id
			WHERE a.action = 'conversation.assign' AND a.outcome = 'success' AND a.object_type = 'conversation'
			AND a.at >= ? AND a.at < ? AND ` + chans + ` GROUP BY 1`,
			func(f *switchboard.ReportAgentFacts, n, _ int) { f.Assigned = n }},
		{`SELECT a.actor_id, COUNT(*), 0 FROM audit_log a JOIN conversations c ON c.id = a.object_id
			WHERE a.action = 'conversation.status' AND a.outcome = 'success' AND a.object_type = 'conversation'
			AND json_extract(a.detail, '$.status') IN ('closed', 'resolved') AND a.actor_id <> ''
			AND a.at >= ? AND a.at < ? AND ` + chans + ` GROUP BY a.actor_id`,
			func(f *switchboard.ReportAgentFacts, n, _ int) { f.Resolved = n }},
		{`SELECT m.sender_id, COUNT(*), COUNT(DISTINCT m.conversation_id) FROM messages m ` + join + `
			WHERE m.direction = 'out' AND m.sender_id <> '' AND m.ts >= ? AND m.ts < ? AND ` + chans + `
			GROUP BY m.sender_id`,
			func(f *switchboard.ReportAgentFacts, n, m int) { f.MessagesSent, f.Replied = n, m }},
	} {
		if err := db.reportRows(ctx, q.sql, args, func(rows *sql.Rows) error {
			var id sql.NullString
			var n, m int
			if err := rows.Scan(&id, &n, &m); err != nil {
				return err
			}
			if id.String != "" {
				q.set(byUser.Get(id.String), n, m)
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return byUser.List(), nil
}

// ReportSessions returns every user's sessions started within s and last
// seen.
func (db *DB) ReportSessions(ctx context.Context, s switchboard.ReportScope) ([]switchboard.ReportAgentFacts, error) {
	byUser := storekit.AgentFacts{}
	if err := db.reportRows(ctx, `SELECT actor_id, COUNT(*) FROM audit_log INDEXED BY audit_log_report_login
		WHERE action = 'session.login' AND outcome = 'success' AND actor_id <> '' AND at >= ? AND at < ? GROUP BY actor_id`,
		[]any{micros(s.From), micros(s.To)}, func(rows *sql.Rows) error {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			byUser.Get(id).SessionsStarted = n
			return nil
		}); err != nil {
		return nil, err
	}
	// Last seen: two index seeks per user (sessions_user_id,
	// audit_log_actor_at) rather than grouping the whole audit log.
	lastSeen := `SELECT id, s, a FROM (SELECT u.id,
			(SELECT MAX(last_seen_at) FROM sessions WHERE user_id = u.id) AS s,
			(SELECT MAX(at) FROM audit_log WHERE actor_id = u.id) AS a FROM users u)
		WHERE s IS NOT NULL OR a IS NOT NULL`
	if err := db.reportRows(ctx, lastSeen, nil, func(rows *sql.Rows) error {
		var id string
		var sess, audit sql.NullInt64
		if err := rows.Scan(&id, &sess, &audit); err != nil {
			return err
		}
		for _, at := range []sql.NullInt64{sess, audit} {
			if at.Valid {
				byUser.Seen(id, fromMicros(at))
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return byUser.List(), nil
}

// ReportAgentPairs returns how often each user was assigned to, wrote in
// and closed each conversation within s.
func (db *DB) ReportAgentPairs(ctx context.Context, s switchboard.ReportScope) ([]switchboard.ReportAgentPair, error) {
	out := []switchboard.ReportAgentPair{}
	if s.ChannelIDs != nil && len(s.ChannelIDs) == 0 {
		return out, nil
	}
	// The query names its parameters: the channels are one JSON array.
	chans, chs := "1", []byte("[]")
	if s.ChannelIDs != nil {
		chans = "c.channel_id IN (SELECT value FROM json_each(?3))"
		chs, _ = json.Marshal(s.ChannelIDs)
	}
	q := `SELECT '` + switchboard.AgentAssigned + `', json_extract(a.detail, '$.user_id'), c.channel_id, a.object_id, COUNT(*)
			FROM audit_log a JOIN conversations c ON c.id = a.object_id
			WHERE a.action = 'conversation.assign' AND a.outcome = 'success' AND a.object_type = 'conversation'
			AND a.at >= ?1 AND a.at < ?2 AND ` + chans + ` GROUP BY 2, 3, 4
		UNION ALL SELECT '` + switchboard.AgentResolved + `', a.actor_id, c.channel_id, a.object_id, COUNT(*)
			FROM audit_log a JOIN conversations c ON c.id = a.object_id
			WHERE a.action = 'conversation.status' AND a.outcome = 'success' AND a.object_type = 'conversation'
			AND json_extract(a.detail, '$.status') IN ('closed', 'resolved') AND a.actor_id <> ''
			AND a.at >= ?1 AND a.at < ?2 AND ` + chans + ` GROUP BY 2, 3, 4
		UNION ALL SELECT '` + switchboard.AgentReplied + `', m.sender_id, c.channel_id, m.conversation_id, COUNT(*)
			FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE m.direction = 'out' AND m.sender_id <> '' AND m.ts >= ?1 AND m.ts < ?2 AND ` + chans + ` GROUP BY 2, 3, 4`
	err := db.reportRows(ctx, q, []any{micros(s.From), micros(s.To), string(chs)}, func(rows *sql.Rows) error {
		var p switchboard.ReportAgentPair
		var user sql.NullString
		if err := rows.Scan(&p.Kind, &user, &p.ChannelID, &p.ConversationID, &p.Count); err != nil {
			return err
		}
		if p.UserID = user.String; p.UserID != "" {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// ReportMessages counts the messages within s per 15-minute slot.
func (db *DB) ReportMessages(ctx context.Context, s switchboard.ReportScope) ([]switchboard.ReportMessageCount, error) {
	out := []switchboard.ReportMessageCount{}
	chans, chanArgs, ok := reportChannels("c.channel_id", s)
	if !ok {
		return out, nil
	}
	slot := switchboard.ReportSlot.Microseconds()
	q := fmt.Sprintf(`SELECT (m.ts / %[1]d) * %[1]d, c.channel_id, m.direction, m.type, m.status = 'failed', COALESCE(m.error_code, 0), COUNT(*)
		FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.ts >= ? AND m.ts < ? AND `+chans+`
		GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`, slot)
	err := db.reportRows(ctx, q, append([]any{micros(s.From), micros(s.To)}, chanArgs...), func(rows *sql.Rows) error {
		var c switchboard.ReportMessageCount
		var at sql.NullInt64
		if err := rows.Scan(&at, &c.ChannelID, &c.Direction, &c.Type, &c.Failed, &c.ErrorCode, &c.Count); err != nil {
			return err
		}
		c.Slot = fromMicros(at)
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (db *DB) reportRows(ctx context.Context, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("report query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("report row: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report query: %w", err)
	}
	return nil
}

// ReportCosts counts the messages within s with a pricing object per
// 15-minute slot and pricing.
func (db *DB) ReportCosts(ctx context.Context, s switchboard.ReportScope) ([]switchboard.ReportCostCount, error) {
	var cc storekit.CostCounts
	chans, chanArgs, ok := reportChannels("c.channel_id", s)
	if !ok {
		return cc.List(), nil
	}
	q := fmt.Sprintf(`SELECT (m.ts / %[1]d) * %[1]d, c.channel_id, m.pricing, COUNT(*)
		FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.ts >= ? AND m.ts < ? AND m.pricing IS NOT NULL AND `+chans+`
		GROUP BY 1, 2, 3`, slotMicros)
	err := db.reportRows(ctx, q, append([]any{micros(s.From), micros(s.To)}, chanArgs...), func(rows *sql.Rows) error {
		var at sql.NullInt64
		var ch string
		var pricing *string
		var n int
		if err := rows.Scan(&at, &ch, &pricing, &n); err != nil {
			return err
		}
		cc.Add(fromMicros(at), ch, pricing, n)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cc.List(), nil
}

// ReportHandoffs counts the hand-offs within s per 15-minute slot.
func (db *DB) ReportHandoffs(ctx context.Context, s switchboard.ReportScope) ([]switchboard.ReportHandoffCount, error) {
	out := []switchboard.ReportHandoffCount{}
	chans, chanArgs, ok := reportChannels("h.channel_id", s)
	if !ok {
		return out, nil
	}
	q := fmt.Sprintf(`SELECT (h.at / %[1]d) * %[1]d, h.channel_id, h.to_handler, h.reason, COUNT(*)
		FROM handoffs h WHERE h.at >= ? AND h.at < ? AND `+chans+`
		GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`, slotMicros)
	err := db.reportRows(ctx, q, append([]any{micros(s.From), micros(s.To)}, chanArgs...), func(rows *sql.Rows) error {
		var c switchboard.ReportHandoffCount
		var at sql.NullInt64
		if err := rows.Scan(&at, &c.ChannelID, &c.To, &c.Reason, &c.Count); err != nil {
			return err
		}
		c.Slot = fromMicros(at)
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
