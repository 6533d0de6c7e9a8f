package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// reportChannels returns the SQL condition that limits column to s's
// channels as parameter n, its argument, and false when s allows no
// channel at all.
func reportChannels(column string, n int, s switchboard.ReportScope) (string, []any, bool) {
	if s.ChannelIDs == nil {
		return "true", nil, true
	}
	if len(s.ChannelIDs) == 0 {
		return "", nil, false
	}
	return fmt.Sprintf("%s = ANY($%d)", column, n), []any{s.ChannelIDs}, true
}

// reportResponse is the SQL form of switchboard.IsReportResponse for m.
const reportResponse = `m.direction = 'out' AND m.type NOT IN ('reaction', 'system') AND m.status <> 'failed' AND NOT m.imported`

func timeOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return utc(*t)
}

// ReportConversations returns the conversations created within s with their
// first customer message and first response.
func (db *DB) ReportConversations(ctx context.Context, s switchboard.ReportScope) ([]switchboard.ReportConversation, error) {
	out := []switchboard.ReportConversation{}
	chans, chanArgs, ok := reportChannels("c.channel_id", 3, s)
	if !ok {
		return out, nil
	}
	q := `SELECT x.id, x.channel_id, x.created_at, x.first_in, r.ts, r.sender_id
		FROM (SELECT c.id, c.channel_id, c.created_at,
			(SELECT MIN(m.ts) FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in' AND NOT m.imported) AS first_in
			FROM conversations c WHERE c.created_at >= $1 AND c.created_at < $2 AND ` + chans + `) x
		LEFT JOIN LATERAL (SELECT m.ts, m.sender_id FROM messages m
			WHERE m.conversation_id = x.id AND ` + reportResponse + ` AND m.ts >= x.first_in
			ORDER BY m.ts, m.id LIMIT 1) r ON true
		ORDER BY x.created_at, x.id`
	err := db.reportRows(ctx, q, append([]any{utc(s.From), utc(s.To)}, chanArgs...), func(rows pgx.Rows) error {
		var c switchboard.ReportConversation
		var opened time.Time
		var firstIn, firstOut *time.Time
		var sender *string
		if err := rows.Scan(&c.ID, &c.ChannelID, &opened, &firstIn, &firstOut, &sender); err != nil {
			return err
		}
		c.OpenedAt, c.FirstInboundAt, c.FirstResponseAt = utc(opened), timeOrZero(firstIn), timeOrZero(firstOut)
		if sender != nil {
			c.FirstResponderID = *sender
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ReportStatusChanges returns the closes and reopens of the conversations
// with any within s (see switchboard.ReportStore).
func (db *DB) ReportStatusChanges(ctx context.Context, s switchboard.ReportScope) ([]switchboard.ReportStatusChange, error) {
	out := []switchboard.ReportStatusChange{}
	chans, chanArgs, ok := reportChannels("c.channel_id", 3, s)
	if !ok {
		return out, nil
	}
	// The same facts as internal/sqlite's ReportStatusChanges, but the
	// conversations with a change in the range are picked here, not in
	// SQL: PostgreSQL estimates one row for every CTE scan and joins the
	// CTEs with a nested loop, quadratic in the number of closes (3.8 s
	// for a year of 5,000 closes, docs/benchmarks.md).
	// The candidates are the conversations that may have one: a status
	// entry or a customer message in the range (a customer's reopen is
	// such a message), so a short range reads only their histories.
	q := `WITH changes AS (
			SELECT a.object_id AS conv, a.at, CASE WHEN a.detail::jsonb ->> 'status' IN ('closed', 'resolved') THEN 'resolved'
				WHEN a.detail::jsonb ->> 'status' IN ('open', 'pending', 'snoozed') THEN 'open' END AS status, a.actor_id
			FROM audit_log a WHERE a.action = 'conversation.status' AND a.outcome = 'success'
				AND a.object_type = 'conversation' AND a.at < $1
				AND a.object_id IN (
					SELECT a2.object_id FROM audit_log a2 WHERE a2.at >= $2 AND a2.at < $1
						AND a2.action = 'conversation.status' AND a2.object_type = 'conversation'
					UNION SELECT m.conversation_id FROM messages m WHERE m.direction = 'in' AND m.created_at >= $2 AND m.created_at < $1)),
		reopens AS (
			SELECT ch.conv, (SELECT MIN(m.created_at) FROM messages m WHERE m.conversation_id = ch.conv
				AND m.direction = 'in' AND m.created_at > ch.at AND m.created_at < $1) AS at
			FROM changes ch WHERE ch.status = 'resolved'),
		merged AS (
			SELECT conv, at, status, actor_id, false AS by_customer FROM changes
			UNION ALL SELECT conv, at, 'open', '', true FROM reopens WHERE at IS NOT NULL)
		SELECT x.conv, c.channel_id, c.created_at, x.at, x.status, x.actor_id, x.by_customer
		FROM merged x JOIN conversations c ON c.id = x.conv
		WHERE x.status IN ('open', 'resolved') AND ` + chans + `
		ORDER BY x.conv, x.at, x.by_customer`
	inRange := map[string]bool{}
	err := db.reportRows(ctx, q, append([]any{utc(s.To), utc(s.From)}, chanArgs...), func(rows pgx.Rows) error {
		var c switchboard.ReportStatusChange
		var opened, at time.Time
		if err := rows.Scan(&c.ConversationID, &c.ChannelID, &opened, &at, &c.Status, &c.ActorID, &c.ByCustomer); err != nil {
			return err
		}
		c.OpenedAt, c.At = utc(opened), utc(at)
		if !c.At.Before(s.From) {
			inRange[c.ConversationID] = true
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(out, func(c switchboard.ReportStatusChange) bool { return !inRange[c.ConversationID] }), nil
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
	chans, chanArgs, ok := reportChannels("c.channel_id", 3, s)
	if !ok {
		return byUser.List(), nil
	}
	type query struct {
		sql string
		set func(f *switchboard.ReportAgentFacts, n, m int)
	}
	args := append([]any{utc(s.From), utc(s.To)}, chanArgs...)
	for _, q := range []query{
		{`SELECT a.detail::jsonb ->> 'user_id', COUNT(DISTINCT a.object_id), 0 FROM audit_log a
			JOIN conversations c ON c.id = a.object_id
			WHERE a.action = 'conversation.assign' AND a.outcome = 'success' AND a.object_type = 'conversation'
			AND a.at >= $1 AND a.at < $2 AND ` + chans + ` GROUP BY 1`,
			func(f *switchboard.ReportAgentFacts, n, _ int) { f.Assigned = n }},
		{`SELECT a.actor_id, COUNT(*), 0 FROM audit_log a JOIN conversations c ON c.id = a.object_id
			WHERE a.action = 'conversation.status' AND a.outcome = 'success' AND a.object_type = 'conversation'
			AND a.detail::jsonb ->> 'status' IN ('closed', 'resolved') AND a.actor_id <> ''
			AND a.at >= $1 AND a.at < $2 AND ` + chans + ` GROUP BY a.actor_id`,
			func(f *switchboard.ReportAgentFacts, n, _ int) { f.Resolved = n }},
		{`SELECT m.sender_id, COUNT(*), COUNT(DISTINCT m.conversation_id) FROM messages m
			JOIN conversations c ON c.id = m.conversation_id
			WHERE m.direction = 'out' AND m.sender_id <> '' AND m.ts >= $1 AND m.ts < $2 AND ` + chans + `
			GROUP BY m.sender_id`,
			func(f *switchboard.ReportAgentFacts, n, m int) { f.MessagesSent, f.Replied = n, m }},
	} {
		if err := db.reportRows(ctx, q.sql, args, func(rows pgx.Rows) error {
			var id *string
			var n, m int64
			if err := rows.Scan(&id, &n, &m); err != nil {
				return err
			}
			if id != nil && *id != "" {
				q.set(byUser.Get(*id), int(n), int(m))
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
	if err := db.reportRows(ctx, `SELECT actor_id, COUNT(*) FROM audit_log WHERE action = 'session.login' AND outcome = 'success'
		AND actor_id <> '' AND at >= $1 AND at < $2 GROUP BY actor_id`, []any{utc(s.From), utc(s.To)}, func(rows pgx.Rows) error {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		byUser.Get(id).SessionsStarted = int(n)
		return nil
	}); err != nil {
		return nil, err
	}
	// Last seen: two index seeks per user (sessions_user_id,
	// audit_log_actor_at) rather than grouping the whole audit log.
	lastSeen := `SELECT id, s, a FROM (SELECT u.id,
			(SELECT MAX(last_seen_at) FROM sessions WHERE user_id = u.id) AS s,
			(SELECT MAX(at) FROM audit_log WHERE actor_id = u.id) AS a FROM users u) x
		WHERE s IS NOT NULL OR a IS NOT NULL`
	if err := db.reportRows(ctx, lastSeen, nil, func(rows pgx.Rows) error {
		var id string
		var sess, audit *time.Time
		if err := rows.Scan(&id, &sess, &audit); err != nil {
			return err
		}
		for _, at := range []*time.Time{sess, audit} {
			if at != nil {
				byUser.Seen(id, timeOrZero(at))
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
	chans, chanArgs, ok := reportChannels("c.channel_id", 3, s)
	if !ok {
		return out, nil
	}
	q := `SELECT '` + switchboard.AgentAssigned + `', a.detail::jsonb ->> 'user_id', c.channel_id, a.object_id, COUNT(*)
			FROM audit_log a JOIN conversations c ON c.id = a.object_id
			WHERE a.action = 'conversation.assign' AND a.outcome = 'success' AND a.object_type = 'conversation'
			AND a.at >= $1 AND a.at < $2 AND ` + chans + ` GROUP BY 2, 3, 4
		UNION ALL SELECT '` + switchboard.AgentResolved + `', a.actor_id, c.channel_id, a.object_id, COUNT(*)
			FROM audit_log a JOIN conversations c ON c.id = a.object_id
			WHERE a.action = 'conversation.status' AND a.outcome = 'success' AND a.object_type = 'conversation'
			AND a.detail::jsonb ->> 'status' IN ('closed', 'resolved') AND a.actor_id <> ''
			AND a.at >= $1 AND a.at < $2 AND ` + chans + ` GROUP BY 2, 3, 4
		UNION ALL SELECT '` + switchboard.AgentReplied + `', m.sender_id, c.channel_id, m.conversation_id, COUNT(*)
			FROM messages m JOIN conversations c ON c.id = m.conversation_id
			WHERE m.direction = 'out' AND m.sender_id <> '' AND m.ts >= $1 AND m.ts < $2 AND ` + chans + ` GROUP BY 2, 3, 4`
	err := db.reportRows(ctx, q, append([]any{utc(s.From), utc(s.To)}, chanArgs...), func(rows pgx.Rows) error {
		var p switchboard.ReportAgentPair
		var user *string
		var n int64
		if err := rows.Scan(&p.Kind, &user, &p.ChannelID, &p.ConversationID, &n); err != nil {
			return err
		}
		if user != nil && *user != "" {
			p.UserID, p.Count = *user, int(n)
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// ReportMessages counts the messages within s per 15-minute slot.
func (db *DB) ReportMessages(ctx context.Context, s switchboard.ReportScope) ([]switchboard.ReportMessageCount, error) {
	out := []switchboard.ReportMessageCount{}
	chans, chanArgs, ok := reportChannels("c.channel_id", 3, s)
	if !ok {
		return out, nil
	}
	slot := int(switchboard.ReportSlot.Seconds())
	q := fmt.Sprintf(`SELECT to_timestamp(floor(extract(epoch FROM m.ts) / %[1]d) * %[1]d), c.channel_id, m.direction, m.type,
		m.status = 'failed', COALESCE(m.error_code, 0), COUNT(*)
		FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.ts >= $1 AND m.ts < $2 AND `+chans+`
		GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`, slot)
	err := db.reportRows(ctx, q, append([]any{utc(s.From), utc(s.To)}, chanArgs...), func(rows pgx.Rows) error {
		var c switchboard.ReportMessageCount
		var at time.Time
		var code int32
		var n int64
		if err := rows.Scan(&at, &c.ChannelID, &c.Direction, &c.Type, &c.Failed, &code, &n); err != nil {
			return err
		}
		c.Slot, c.ErrorCode, c.Count = utc(at), int(code), int(n)
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (db *DB) reportRows(ctx context.Context, q string, args []any, fn func(pgx.Rows) error) error {
	rows, err := db.pool.Query(ctx, q, args...)
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
	chans, chanArgs, ok := reportChannels("c.channel_id", 3, s)
	if !ok {
		return cc.List(), nil
	}
	q := `SELECT report_slot(m.ts), c.channel_id, m.pricing, COUNT(*)
		FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.ts >= $1 AND m.ts < $2 AND m.pricing IS NOT NULL AND ` + chans + `
		GROUP BY 1, 2, 3`
	err := db.reportRows(ctx, q, append([]any{utc(s.From), utc(s.To)}, chanArgs...), func(rows pgx.Rows) error {
		var at time.Time
		var ch string
		var pricing *string
		var n int64
		if err := rows.Scan(&at, &ch, &pricing, &n); err != nil {
			return err
		}
		cc.Add(utc(at), ch, pricing, int(n))
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
	chans, chanArgs, ok := reportChannels("h.channel_id", 3, s)
	if !ok {
		return out, nil
	}
	q := `SELECT report_slot(h.at), h.channel_id, h.to_handler, h.reason, COUNT(*)
		FROM handoffs h WHERE h.at >= $1 AND h.at < $2 AND ` + chans + `
		GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`
	err := db.reportRows(ctx, q, append([]any{utc(s.From), utc(s.To)}, chanArgs...), func(rows pgx.Rows) error {
		var c switchboard.ReportHandoffCount
		var at time.Time
		var n int64
		if err := rows.Scan(&at, &c.ChannelID, &c.To, &c.Reason, &n); err != nil {
			return err
		}
		c.Slot, c.Count = utc(at), int(n)
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
