package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// The report rollups (switchboard.ReportRollupStore); the rules that fill
// them are in internal/reports.

// reportActions are the audit actions the reports count.
const reportActions = `('conversation.status', 'conversation.assign', 'session.login')`

// ReportDirtySlots returns the slots whose facts changed at or after since.
func (db *DB) ReportDirtySlots(ctx context.Context, since time.Time) ([]time.Time, int64, time.Time, error) {
	now := db.now()
	var token *int64
	if err := db.pool.QueryRow(ctx, `SELECT MAX(seq) FROM report_dirty`).Scan(&token); err != nil {
		return nil, 0, now, fmt.Errorf("report dirty: %w", err)
	}
	tok := int64(0)
	if token != nil {
		tok = *token
	}
	q := `SELECT report_slot(m.ts) FROM messages m WHERE m.updated_at >= $1
		UNION SELECT report_slot(m.created_at) FROM messages m WHERE m.updated_at >= $1
		UNION SELECT report_slot(c.created_at) FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.updated_at >= $1
		UNION SELECT report_slot(created_at) FROM conversations WHERE updated_at >= $1
		UNION SELECT report_slot(at) FROM audit_log WHERE at >= $1 AND action IN ` + reportActions + `
		UNION SELECT report_slot(at) FROM handoffs WHERE at >= $1
		UNION SELECT slot FROM report_dirty WHERE seq <= $2`
	var out []time.Time
	err := db.reportRows(ctx, q, []any{utc(since), tok}, func(rows pgx.Rows) error {
		var s time.Time
		if err := rows.Scan(&s); err != nil {
			return err
		}
		out = append(out, utc(s))
		return nil
	})
	return out, tok, now, err
}

// ReplaceReportSlots replaces the rollups of [from, to).
func (db *DB) ReplaceReportSlots(ctx context.Context, from, to time.Time, figs []switchboard.ReportFigure, sets []switchboard.ReportDaySet) error {
	return db.withTx(ctx, func(tx *txn) error {
		if _, err := tx.Exec(ctx, `DELETE FROM report_figures WHERE slot >= $1 AND slot < $2`, utc(from), utc(to)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM report_day_sets WHERE day >= $1 AND day < $2`, utc(from), utc(to)); err != nil {
			return err
		}
		if len(figs) > 0 {
			rows := make([][]any, len(figs))
			for i, f := range figs {
				rows[i] = []any{utc(f.Slot), f.ChannelID, f.Metric, int64(f.Count)}
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"report_figures"}, []string{"slot", "channel_id", "metric", "count"},
				pgx.CopyFromRows(rows)); err != nil {
				return err
			}
		}
		if len(sets) > 0 {
			rows := make([][]any, len(sets))
			for i, d := range sets {
				rows[i] = []any{utc(d.Day), d.ChannelID, d.Kind, d.UserID, d.Data}
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"report_day_sets"}, []string{"day", "channel_id", "kind", "user_id", "data"},
				pgx.CopyFromRows(rows)); err != nil {
				return err
			}
		}
		return nil
	})
}

// FinishReportRefresh records the refresh mark and drops the deletion marks
// up to token.
func (db *DB) FinishReportRefresh(ctx context.Context, mark time.Time, token int64) error {
	return db.withTx(ctx, func(tx *txn) error {
		if _, err := tx.Exec(ctx, `DELETE FROM report_dirty WHERE seq <= $1`, token); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO report_state (name, value) VALUES ('mark', $1)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, utc(mark))
		return err
	})
}

// ReportRollupMark returns the last refresh mark.
func (db *DB) ReportRollupMark(ctx context.Context) (time.Time, bool, error) {
	var v time.Time
	err := db.pool.QueryRow(ctx, `SELECT value FROM report_state WHERE name = 'mark'`).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("report mark: %w", err)
	}
	return utc(v), true, nil
}

// ReportFactSpan returns the earliest and latest time the reports count.
func (db *DB) ReportFactSpan(ctx context.Context) (time.Time, time.Time, bool, error) {
	var lo, hi *time.Time
	err := db.pool.QueryRow(ctx, `SELECT MIN(lo), MAX(hi) FROM (
		SELECT MIN(ts) AS lo, MAX(ts) AS hi FROM messages
		UNION ALL SELECT MIN(created_at), MAX(created_at) FROM messages
		UNION ALL SELECT MIN(created_at), MAX(created_at) FROM conversations
		UNION ALL SELECT MIN(at), MAX(at) FROM audit_log WHERE action IN `+reportActions+`
		UNION ALL SELECT MIN(at), MAX(at) FROM handoffs
		UNION ALL SELECT MIN(slot), MAX(slot) FROM report_figures
		UNION ALL SELECT MIN(day), MAX(day) FROM report_day_sets) x`).Scan(&lo, &hi)
	if err != nil {
		return time.Time{}, time.Time{}, false, fmt.Errorf("report span: %w", err)
	}
	if lo == nil {
		return time.Time{}, time.Time{}, false, nil
	}
	return utc(*lo), utc(*hi), true, nil
}

// ReportFigureSums sums the figures within s per period of bounds.
func (db *DB) ReportFigureSums(ctx context.Context, s switchboard.ReportScope, bounds []time.Time) ([]switchboard.ReportFigure, error) {
	out := []switchboard.ReportFigure{}
	chans, chanArgs, ok := reportChannels("f.channel_id", 2, s)
	if !ok || len(bounds) < 2 {
		return out, nil
	}
	bs := make([]time.Time, len(bounds))
	for i, b := range bounds {
		bs[i] = utc(b)
	}
	metric := ""
	if s.MetricPrefix != "" {
		n := 1 + len(chanArgs)
		metric = fmt.Sprintf(" AND f.metric >= $%d COLLATE \"C\" AND f.metric < $%d COLLATE \"C\"", n+1, n+2)
	}
	if s.Metrics != nil {
		n := 1 + len(chanArgs)
		if s.MetricPrefix != "" {
			n += 2
		}
		metric += fmt.Sprintf(" AND f.metric = ANY($%d::text[])", n+1)
	}
	q := `WITH b AS (SELECT (i - 1)::int AS i, lo, LEAD(lo) OVER (ORDER BY i) AS hi FROM unnest($1::timestamptz[]) WITH ORDINALITY AS u (lo, i))
		SELECT b.i, f.channel_id, f.metric, SUM(f.count)::bigint
		FROM b JOIN report_figures f ON f.slot >= b.lo AND f.slot < b.hi
		WHERE b.hi IS NOT NULL AND ` + chans + metric + `
		GROUP BY b.i, f.channel_id, f.metric`
	args := append([]any{bs}, chanArgs...)
	if s.MetricPrefix != "" {
		args = append(args, s.MetricPrefix, storekit.PrefixEnd(s.MetricPrefix))
	}
	if s.Metrics != nil {
		args = append(args, s.Metrics)
	}
	err := db.reportRows(ctx, q, args, func(rows pgx.Rows) error {
		var f switchboard.ReportFigure
		var i int32
		var n int64
		if err := rows.Scan(&i, &f.ChannelID, &f.Metric, &n); err != nil {
			return err
		}
		f.Period, f.Count = int(i), int(n)
		out = append(out, f)
		return nil
	})
	return out, err
}

// ReportFigureTotals sums the figures of metrics within s's channels over
// every slot before before, per channel and metric.
func (db *DB) ReportFigureTotals(ctx context.Context, s switchboard.ReportScope, before time.Time, metrics []string) ([]switchboard.ReportFigure, error) {
	out := []switchboard.ReportFigure{}
	chans, chanArgs, ok := reportChannels("channel_id", 3, s)
	if !ok || len(metrics) == 0 {
		return out, nil
	}
	q := `SELECT channel_id, metric, SUM(count)::bigint FROM report_figures
		WHERE metric = ANY($1::text[]) AND slot < $2 AND ` + chans + `
		GROUP BY channel_id, metric`
	err := db.reportRows(ctx, q, append([]any{metrics, utc(before)}, chanArgs...), func(rows pgx.Rows) error {
		f := switchboard.ReportFigure{Period: -1}
		var n int64
		if err := rows.Scan(&f.ChannelID, &f.Metric, &n); err != nil {
			return err
		}
		f.Count = int(n)
		out = append(out, f)
		return nil
	})
	return out, err
}

// ReportDaySets returns the sets of kinds whose day overlaps s.
func (db *DB) ReportDaySets(ctx context.Context, s switchboard.ReportScope, kinds []string) ([]switchboard.ReportDaySet, error) {
	out := []switchboard.ReportDaySet{}
	chans, chanArgs, ok := reportChannels("channel_id", 4, s)
	if !ok || len(kinds) == 0 {
		return out, nil
	}
	q := `SELECT day, channel_id, kind, user_id, data FROM report_day_sets
		WHERE day > $1 AND day < $2 AND kind = ANY($3) AND ` + chans
	if s.Users {
		q += ` AND user_id <> ''`
	}
	q += ` ORDER BY day`
	err := db.reportRows(ctx, q, append([]any{utc(s.From).Add(-24 * time.Hour), utc(s.To), kinds}, chanArgs...), func(rows pgx.Rows) error {
		var d switchboard.ReportDaySet
		if err := rows.Scan(&d.Day, &d.ChannelID, &d.Kind, &d.UserID, &d.Data); err != nil {
			return err
		}
		d.Day = utc(d.Day)
		out = append(out, d)
		return nil
	})
	return out, err
}
