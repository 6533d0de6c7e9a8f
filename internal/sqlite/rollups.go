package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// The report rollups (switchboard.ReportRollupStore); the rules that fill
// them are in internal/reports.

const slotMicros = int64(switchboard.ReportSlot / time.Microsecond)

// reportActions are the audit actions the reports count.
const reportActions = `('conversation.status', 'conversation.assign', 'session.login')`

// ReportDirtySlots returns the slots whose facts changed at or after since.
func (db *DB) ReportDirtySlots(ctx context.Context, since time.Time) ([]time.Time, int64, time.Time, error) {
	now := db.now()
	var token sql.NullInt64
	if err := db.rdb.QueryRowContext(ctx, `SELECT MAX(seq) FROM report_dirty`).Scan(&token); err != nil {
		return nil, 0, now, fmt.Errorf("report dirty: %w", err)
	}
	q := fmt.Sprintf(`SELECT m.ts / %[1]d * %[1]d FROM messages m WHERE m.updated_at >= ?1
		UNION SELECT m.created_at / %[1]d * %[1]d FROM messages m WHERE m.updated_at >= ?1
		UNION SELECT c.created_at / %[1]d * %[1]d FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.updated_at >= ?1
		UNION SELECT created_at / %[1]d * %[1]d FROM conversations WHERE updated_at >= ?1
		UNION SELECT at / %[1]d * %[1]d FROM audit_log WHERE at >= ?1 AND action IN `+reportActions+`
		UNION SELECT at / %[1]d * %[1]d FROM handoffs WHERE at >= ?1
		UNION SELECT slot FROM report_dirty WHERE seq <= ?2`, slotMicros)
	var out []time.Time
	err := db.reportRows(ctx, q, []any{micros(since), token.Int64}, func(rows *sql.Rows) error {
		var s sql.NullInt64
		if err := rows.Scan(&s); err != nil {
			return err
		}
		if s.Valid {
			out = append(out, fromMicros(s))
		}
		return nil
	})
	return out, token.Int64, now, err
}

// ReplaceReportSlots replaces the rollups of [from, to).
func (db *DB) ReplaceReportSlots(ctx context.Context, from, to time.Time, figs []switchboard.ReportFigure, sets []switchboard.ReportDaySet) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_figures WHERE slot >= ? AND slot < ?`, micros(from), micros(to)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_day_sets WHERE day >= ? AND day < ?`, micros(from), micros(to)); err != nil {
			return err
		}
		for _, f := range figs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO report_figures (slot, channel_id, metric, count) VALUES (?, ?, ?, ?)`,
				micros(f.Slot), f.ChannelID, f.Metric, f.Count); err != nil {
				return err
			}
		}
		for _, d := range sets {
			if _, err := tx.ExecContext(ctx, `INSERT INTO report_day_sets (day, channel_id, kind, user_id, data) VALUES (?, ?, ?, ?, ?)`,
				micros(d.Day), d.ChannelID, d.Kind, d.UserID, d.Data); err != nil {
				return err
			}
		}
		return nil
	})
}

// FinishReportRefresh records the refresh mark and drops the deletion marks
// up to token.
func (db *DB) FinishReportRefresh(ctx context.Context, mark time.Time, token int64) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_dirty WHERE seq <= ?`, token); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO report_state (name, value) VALUES ('mark', ?)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, micros(mark))
		return err
	})
}

// ReportRollupMark returns the last refresh mark.
func (db *DB) ReportRollupMark(ctx context.Context) (time.Time, bool, error) {
	var v sql.NullInt64
	err := db.rdb.QueryRowContext(ctx, `SELECT value FROM report_state WHERE name = 'mark'`).Scan(&v)
	if err == sql.ErrNoRows {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("report mark: %w", err)
	}
	return fromMicros(v), true, nil
}

// ReportFactSpan returns the earliest and latest time the reports count.
func (db *DB) ReportFactSpan(ctx context.Context) (time.Time, time.Time, bool, error) {
	var lo, hi sql.NullInt64
	err := db.rdb.QueryRowContext(ctx, `SELECT MIN(lo), MAX(hi) FROM (
		SELECT MIN(ts) AS lo, MAX(ts) AS hi FROM messages
		UNION ALL SELECT MIN(created_at), MAX(created_at) FROM messages
		UNION ALL SELECT MIN(created_at), MAX(created_at) FROM conversations
		UNION ALL SELECT MIN(at), MAX(at) FROM audit_log WHERE action IN `+reportActions+`
		UNION ALL SELECT MIN(at), MAX(at) FROM handoffs
		UNION ALL SELECT MIN(slot), MAX(slot) FROM report_figures
		UNION ALL SELECT MIN(day), MAX(day) FROM report_day_sets)`).Scan(&lo, &hi)
	if err != nil {
		return time.Time{}, time.Time{}, false, fmt.Errorf("report span: %w", err)
	}
	return fromMicros(lo), fromMicros(hi), lo.Valid, nil
}

// ReportFigureSums sums the figures within s per period of bounds. With a
// metric prefix or list, it seeks each metric's rows of each period on
// report_figures_metric (metric, slot), so it reads only that report's
// rows of that level; the metrics of a prefix are found by a skip-scan of
// the same index (one seek per metric). Without, it reads every row of the
// range by slot.
func (db *DB) ReportFigureSums(ctx context.Context, s switchboard.ReportScope, bounds []time.Time) ([]switchboard.ReportFigure, error) {
	out := []switchboard.ReportFigure{}
	if (s.ChannelIDs != nil && len(s.ChannelIDs) == 0) || len(bounds) < 2 {
		return out, nil
	}
	bs := make([]int64, len(bounds))
	for i, b := range bounds {
		bs[i] = b.UnixMicro()
	}
	js, _ := json.Marshal(bs)
	chans, cs := "1", []byte("[]")
	if s.ChannelIDs != nil {
		chans = "f.channel_id IN (SELECT value FROM json_each(?5))"
		cs, _ = json.Marshal(s.ChannelIDs)
	}
	lo, hi := "", ""
	if s.MetricPrefix != "" {
		lo, hi = s.MetricPrefix, storekit.PrefixEnd(s.MetricPrefix)
	}
	ms := []byte("null")
	if s.Metrics != nil {
		ms, _ = json.Marshal(s.Metrics)
	}
	bq := `b AS (SELECT CAST(key AS INTEGER) AS i, value AS lo, LEAD(value) OVER (ORDER BY key) AS hi FROM json_each(?1))`
	var q string
	switch {
	case s.Metrics != nil:
		q = `WITH ` + bq + `, m(x) AS (SELECT value FROM json_each(?4))
			SELECT b.i, f.channel_id, f.metric, SUM(f.count)
			FROM m JOIN b JOIN report_figures f INDEXED BY report_figures_metric ON f.metric = m.x AND f.slot >= b.lo AND f.slot < b.hi
			WHERE b.hi IS NOT NULL AND (?2 = '' OR (f.metric >= ?2 AND f.metric < ?3)) AND ` + chans + `
			GROUP BY b.i, f.channel_id, f.metric`
	case s.MetricPrefix != "":
		q = `WITH RECURSIVE ` + bq + `,
			m(x) AS (SELECT MIN(metric) FROM report_figures INDEXED BY report_figures_metric WHERE metric >= ?2 AND metric < ?3
				UNION ALL SELECT (SELECT MIN(metric) FROM report_figures INDEXED BY report_figures_metric WHERE metric > m.x AND metric < ?3)
				FROM m WHERE m.x IS NOT NULL)
			SELECT b.i, f.channel_id, f.metric, SUM(f.count)
			FROM m JOIN b JOIN report_figures f INDEXED BY report_figures_metric ON f.metric = m.x AND f.slot >= b.lo AND f.slot < b.hi
			WHERE b.hi IS NOT NULL AND m.x IS NOT NULL AND ` + chans + `
			GROUP BY b.i, f.channel_id, f.metric`
	default:
		q = `WITH ` + bq + `
			SELECT b.i, f.channel_id, f.metric, SUM(f.count)
			FROM b JOIN report_figures f ON f.slot >= b.lo AND f.slot < b.hi
			WHERE b.hi IS NOT NULL AND ` + chans + `
			GROUP BY b.i, f.channel_id, f.metric`
	}
	// The parameters are numbered; one a query does not name is unused.
	err := db.reportRows(ctx, q, []any{string(js), lo, hi, string(ms), string(cs)}, func(rows *sql.Rows) error {
		var f switchboard.ReportFigure
		if err := rows.Scan(&f.Period, &f.ChannelID, &f.Metric, &f.Count); err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	return out, err
}

// ReportFigureTotals sums the figures of metrics within s's channels over
// every slot before before, per channel and metric.
func (db *DB) ReportFigureTotals(ctx context.Context, s switchboard.ReportScope, before time.Time, metrics []string) ([]switchboard.ReportFigure, error) {
	out := []switchboard.ReportFigure{}
	chans, chanArgs, ok := reportChannels("channel_id", s)
	if !ok || len(metrics) == 0 {
		return out, nil
	}
	js, _ := json.Marshal(metrics)
	q := `SELECT channel_id, metric, SUM(count) FROM report_figures INDEXED BY report_figures_metric
		WHERE metric IN (SELECT value FROM json_each(?)) AND slot < ? AND ` + chans + `
		GROUP BY channel_id, metric`
	err := db.reportRows(ctx, q, append([]any{string(js), micros(before)}, chanArgs...), func(rows *sql.Rows) error {
		f := switchboard.ReportFigure{Period: -1}
		if err := rows.Scan(&f.ChannelID, &f.Metric, &f.Count); err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	return out, err
}

// ReportDaySets returns the sets of kinds whose day overlaps s.
func (db *DB) ReportDaySets(ctx context.Context, s switchboard.ReportScope, kinds []string) ([]switchboard.ReportDaySet, error) {
	out := []switchboard.ReportDaySet{}
	chans, chanArgs, ok := reportChannels("channel_id", s)
	if !ok || len(kinds) == 0 {
		return out, nil
	}
	ks, _ := json.Marshal(kinds)
	q := `SELECT day, channel_id, kind, user_id, data FROM report_day_sets
		WHERE day > ? AND day < ? AND kind IN (SELECT value FROM json_each(?)) AND ` + chans
	if s.Users {
		q += ` AND user_id <> ''`
	}
	q += ` ORDER BY day`
	err := db.reportRows(ctx, q, append([]any{micros(s.From.Add(-24 * time.Hour)), micros(s.To), string(ks)}, chanArgs...), func(rows *sql.Rows) error {
		var d switchboard.ReportDaySet
		var at sql.NullInt64
		if err := rows.Scan(&at, &d.ChannelID, &d.Kind, &d.UserID, &d.Data); err != nil {
			return err
		}
		d.Day = fromMicros(at)
		out = append(out, d)
		return nil
	})
	return out, err
}
