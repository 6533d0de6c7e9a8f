package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

const labelColumns = `id, name, color, created_at, updated_at`

func scanLabel(row interface{ Scan(...any) error }) (*switchboard.Label, error) {
	var l switchboard.Label
	var created, updated sql.NullInt64
	if err := row.Scan(&l.ID, &l.Name, &l.Color, &created, &updated); err != nil {
		return nil, err
	}
	l.CreatedAt, l.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &l, nil
}

// Labels lists every label by name.
func (db *DB) Labels(ctx context.Context) ([]*switchboard.Label, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT `+labelColumns+` FROM labels ORDER BY name_key, id`)
	if err != nil {
		return nil, fmt.Errorf("list labels: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.Label{}
	for rows.Next() {
		l, err := scanLabel(rows)
		if err != nil {
			return nil, fmt.Errorf("list labels: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// Label returns one label.
func (db *DB) Label(ctx context.Context, id string) (*switchboard.Label, error) {
	l, err := scanLabel(db.rdb.QueryRowContext(ctx, `SELECT `+labelColumns+` FROM labels WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, switchboard.NotFound("Label")
	} else if err != nil {
		return nil, fmt.Errorf("get label: %w", err)
	}
	return l, nil
}

// CreateLabel stores a new label, at most MaxLabels of them.
func (db *DB) CreateLabel(ctx context.Context, l *switchboard.Label) error {
	n := *l
	if err := n.PrepareNew(db.now()); err != nil {
		return err
	}
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		var count int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM labels`).Scan(&count); err != nil {
			return fmt.Errorf("create label: %w", err)
		}
		if count >= switchboard.MaxLabels {
			return switchboard.ErrTooManyLabels
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO labels (id, name, name_key, color, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			n.ID, n.Name, storekit.LabelKey(n.Name), n.Color, micros(n.CreatedAt), micros(n.UpdatedAt)); err != nil {
			if isPrimaryKey(err) {
				return switchboard.Errorf(switchboard.EConflict, "Label already exists.")
			}
			if isUnique(err) {
				return switchboard.ErrLabelDuplicate
			}
			return fmt.Errorf("create label: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*l = n
	return nil
}

// UpdateLabel changes a label's name and colour.
func (db *DB) UpdateLabel(ctx context.Context, l *switchboard.Label) error {
	n := *l
	if err := n.Validate(); err != nil {
		return err
	}
	var out *switchboard.Label
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE labels SET name = ?, name_key = ?, color = ?, updated_at = ? WHERE id = ?`,
			n.Name, storekit.LabelKey(n.Name), n.Color, micros(db.now()), n.ID)
		if isUnique(err) {
			return switchboard.ErrLabelDuplicate
		} else if err != nil {
			return fmt.Errorf("update label: %w", err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return switchboard.NotFound("Label")
		}
		out, err = scanLabel(tx.QueryRowContext(ctx, `SELECT `+labelColumns+` FROM labels WHERE id = ?`, n.ID))
		return err
	})
	if err != nil {
		return err
	}
	*l = *out
	return nil
}

// DeleteLabel deletes a label; the cascade takes it off every conversation.
func (db *DB) DeleteLabel(ctx context.Context, id string) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM conversation_labels WHERE label_id = ?`, id); err != nil {
			return fmt.Errorf("delete label: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM labels WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete label: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("Label")
		}
		return nil
	})
}

// SetConversationLabel puts a label on a conversation or takes it off.
func (db *DB) SetConversationLabel(ctx context.Context, conversationID, labelID string, on bool, at time.Time) (*switchboard.Conversation, bool, error) {
	var out *switchboard.Conversation
	var changed bool
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		if err := conversationExists(ctx, tx, conversationID); err != nil {
			return err
		}
		var known bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM labels WHERE id = ?)`, labelID).Scan(&known); err != nil {
			return fmt.Errorf("set conversation label: %w", err)
		}
		if !known {
			return switchboard.NotFound("Label")
		}
		var res sql.Result
		var err error
		if on {
			var count int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM conversation_labels WHERE conversation_id = ? AND label_id <> ?`,
				conversationID, labelID).Scan(&count); err != nil {
				return fmt.Errorf("set conversation label: %w", err)
			}
			if count >= switchboard.MaxConversationLabels {
				return switchboard.ErrConversationLabels
			}
			if at.IsZero() {
				at = db.now()
			}
			res, err = tx.ExecContext(ctx, `INSERT INTO conversation_labels (conversation_id, label_id, added_at) VALUES (?, ?, ?)
				ON CONFLICT DO NOTHING`, conversationID, labelID, micros(at))
		} else {
			res, err = tx.ExecContext(ctx, `DELETE FROM conversation_labels WHERE conversation_id = ? AND label_id = ?`, conversationID, labelID)
		}
		if err != nil {
			return fmt.Errorf("set conversation label: %w", err)
		}
		n, _ := res.RowsAffected()
		changed = n > 0
		if !changed {
			switchboard.SkipAuditEntry(ctx)
		}
		out, err = db.conversation(ctx, tx, conversationID, "")
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return out, changed, nil
}

// eachLabel calls fn for every label of the conversations ids, by name.
func eachLabel(ctx context.Context, q querier, ids []string, fn func(convID string, ref switchboard.LabelRef)) error {
	if len(ids) == 0 {
		return nil
	}
	arg, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	rows, err := q.QueryContext(ctx, `SELECT cl.conversation_id, l.id, l.name, l.color
		FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id
		WHERE cl.conversation_id IN (SELECT value FROM json_each(?))
		ORDER BY l.name_key, l.id`, string(arg))
	if err != nil {
		return fmt.Errorf("list conversation labels: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var convID string
		var ref switchboard.LabelRef
		if err := rows.Scan(&convID, &ref.ID, &ref.Name, &ref.Color); err != nil {
			return fmt.Errorf("list conversation labels: %w", err)
		}
		fn(convID, ref)
	}
	return rows.Err()
}

// fillLabels sets the labels of convs (an empty list for none).
func fillLabels(ctx context.Context, q querier, convs []*switchboard.Conversation) error {
	byID := make(map[string]*switchboard.Conversation, len(convs))
	ids := make([]string, len(convs))
	for i, c := range convs {
		c.Labels = []switchboard.LabelRef{}
		byID[c.ID], ids[i] = c, c.ID
	}
	return eachLabel(ctx, q, ids, func(convID string, ref switchboard.LabelRef) {
		c := byID[convID]
		c.Labels = append(c.Labels, ref)
	})
}

// rebuildWaiting recomputes every conversation's waiting_since from its
// messages, after a load whose order the triggers followed.
func rebuildWaiting(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `UPDATE conversations SET waiting_since = (SELECT MIN(m.ts) FROM messages m
		WHERE m.conversation_id = conversations.id AND m.direction = 'in' AND m.imported = 0
			AND m.type NOT IN ('reaction', 'system')
			AND m.ts > COALESCE((SELECT MAX(o.ts) FROM messages o
				WHERE o.conversation_id = conversations.id AND o.direction = 'out' AND o.imported = 0), -1))`); err != nil {
		return fmt.Errorf("rebuild waiting times: %w", err)
	}
	return nil
}

const savedViewColumns = `id, user_id, name, filter, created_at, updated_at`

func scanSavedView(row interface{ Scan(...any) error }) (*switchboard.SavedView, error) {
	var v switchboard.SavedView
	var filter string
	var created, updated sql.NullInt64
	if err := row.Scan(&v.ID, &v.UserID, &v.Name, &filter, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(filter), &v.Filter); err != nil {
		return nil, fmt.Errorf("saved view filter: %w", err)
	}
	v.CreatedAt, v.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &v, nil
}

// SavedViews lists a user's views by name.
func (db *DB) SavedViews(ctx context.Context, userID string) ([]*switchboard.SavedView, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT `+savedViewColumns+` FROM saved_views WHERE user_id = ? ORDER BY name_key, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list saved views: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.SavedView{}
	for rows.Next() {
		v, err := scanSavedView(rows)
		if err != nil {
			return nil, fmt.Errorf("list saved views: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// SavedView returns one view.
func (db *DB) SavedView(ctx context.Context, id string) (*switchboard.SavedView, error) {
	v, err := scanSavedView(db.rdb.QueryRowContext(ctx, `SELECT `+savedViewColumns+` FROM saved_views WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, switchboard.NotFound("View")
	} else if err != nil {
		return nil, fmt.Errorf("get saved view: %w", err)
	}
	return v, nil
}

// CreateSavedView stores a view, at most MaxUserViews per user.
func (db *DB) CreateSavedView(ctx context.Context, v *switchboard.SavedView) error {
	n := *v
	if err := n.PrepareNew(db.now()); err != nil {
		return err
	}
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		var count int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM saved_views WHERE user_id = ?`, n.UserID).Scan(&count); err != nil {
			return fmt.Errorf("create saved view: %w", err)
		}
		if count >= switchboard.MaxUserViews {
			return switchboard.ErrTooManyViews
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO saved_views (id, user_id, name, name_key, filter, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, n.ID, n.UserID, n.Name, storekit.ViewKey(n.Name), n.FilterJSON(),
			micros(n.CreatedAt), micros(n.UpdatedAt)); err != nil {
			if isConstraint(err, foreignKeyViolation) {
				return switchboard.NotFound("User")
			}
			if isUnique(err) || isPrimaryKey(err) {
				return switchboard.ErrViewDuplicate
			}
			return fmt.Errorf("create saved view: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*v = n
	return nil
}

// UpdateSavedView changes a view's name and filter.
func (db *DB) UpdateSavedView(ctx context.Context, v *switchboard.SavedView) error {
	if err := v.Validate(); err != nil {
		return err
	}
	var out *switchboard.SavedView
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE saved_views SET name = ?, name_key = ?, filter = ?, updated_at = ? WHERE id = ?`,
			v.Name, storekit.ViewKey(v.Name), v.FilterJSON(), micros(db.now()), v.ID)
		if isUnique(err) {
			return switchboard.ErrViewDuplicate
		} else if err != nil {
			return fmt.Errorf("update saved view: %w", err)
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return switchboard.NotFound("View")
		}
		out, err = scanSavedView(tx.QueryRowContext(ctx, `SELECT `+savedViewColumns+` FROM saved_views WHERE id = ?`, v.ID))
		return err
	})
	if err != nil {
		return err
	}
	*v = *out
	return nil
}

// DeleteSavedView deletes a view.
func (db *DB) DeleteSavedView(ctx context.Context, id string) error {
	return db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM saved_views WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete saved view: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return switchboard.NotFound("View")
		}
		return nil
	})
}

// waitingKey is the "waiting" order's key: the waiting time, nobody
// waiting last; the index conversations_waiting is on the same expression.
const waitingKey = `COALESCE(c.waiting_since, 9223372036854775807)`

// narrowList adds the conditions of f's label, assignee and unread filters
// (label.go) to a where clause on conversations c.
func narrowList(f switchboard.ConversationFilter, where []string, args []any) ([]string, []any) {
	if f.AssigneeID != "" {
		where = append(where, `EXISTS (SELECT 1 FROM conversation_assignees fa WHERE fa.conversation_id = c.id AND fa.user_id = ?)`)
		args = append(args, f.AssigneeID)
	}
	if f.LabelID != "" {
		// A probe of the label's row per conversation, so that the list
		// walks its order's index and stops at a page (a scan of the
		// label's conversations and a sort would read all of them).
		where = append(where, `EXISTS (SELECT 1 FROM conversation_labels cl WHERE cl.conversation_id = c.id AND cl.label_id = ?)`)
		args = append(args, f.LabelID)
	}
	if f.Unread {
		where = append(where, `c.inbound_count > COALESCE((SELECT ur.read_count FROM conversation_reads ur
			WHERE ur.conversation_id = c.id AND ur.user_id = ?), 0)`)
		args = append(args, f.ViewerID)
	}
	return where, args
}

// listOrder returns the keyset condition of f's cursor (none for the first
// page), its arguments and the ORDER BY of f's order.
func listOrder(f switchboard.ConversationFilter) (cond string, args []any, order string, err error) {
	if f.Sort != switchboard.SortWaiting {
		order = `c.updated_at DESC, c.id DESC`
		if f.Cursor == "" {
			return "", nil, order, nil
		}
		at, id, err := storecrypt.DecodeCursor(f.Cursor)
		if err != nil {
			return "", nil, "", err
		}
		// Written so that SQLite can range-scan the (updated_at, id) index.
		m := micros(at)
		return "c.updated_at <= ? AND (c.updated_at < ? OR c.id < ?)", []any{m, m, id}, order, nil
	}
	order = waitingKey + ` ASC, c.id ASC`
	if f.Cursor == "" {
		return "", nil, order, nil
	}
	since, waiting, id, err := storekit.DecodeWaitingCursor(f.Cursor)
	if err != nil {
		return "", nil, "", err
	}
	key := any(int64(math.MaxInt64))
	if waiting {
		key = micros(since)
	}
	return waitingKey + ` >= ? AND (` + waitingKey + ` > ? OR c.id > ?)`, []any{key, key, id}, order, nil
}

// pageCursor is the cursor after the last conversation of a page in f's
// order; the waiting order reads the last one's waiting time.
func (db *DB) pageCursor(ctx context.Context, f switchboard.ConversationFilter, last *switchboard.Conversation) (string, error) {
	if f.Sort != switchboard.SortWaiting {
		return storekit.ConversationCursor(last), nil
	}
	var since sql.NullInt64
	if err := db.rdb.QueryRowContext(ctx, `SELECT waiting_since FROM conversations WHERE id = ?`, last.ID).Scan(&since); err != nil {
		return "", fmt.Errorf("list conversations: %w", err)
	}
	return storekit.WaitingCursor(fromMicros(since), last.ID), nil
}

// boundedTally tallies the rows (status, assigned, mine) of rowsQuery, at
// most MaxScanTally+1 of them, so that the counts of a filter the
// counters cannot answer cost a bounded scan.
func boundedTally(rowsQuery string) string {
	return `SELECT status, count(*), SUM(assigned), SUM(mine) FROM (` + rowsQuery + ` LIMIT ` +
		strconv.Itoa(switchboard.MaxScanTally+1) + `) GROUP BY status`
}

// ReportLabels counts the labelled conversations created within s, from
// the conversations of the range (the index on created_at) to their labels.
func (db *DB) ReportLabels(ctx context.Context, s switchboard.ReportScope) ([]switchboard.ReportLabelCount, error) {
	out := []switchboard.ReportLabelCount{}
	chans, chanArgs, ok := reportChannels("c.channel_id", s)
	if !ok {
		return out, nil
	}
	args := append([]any{micros(s.From), micros(s.To)}, chanArgs...)
	rows, err := db.rdb.QueryContext(ctx, `SELECT l.id, l.name, l.color, count(*), SUM(c.status <> 'resolved')
		FROM conversations c CROSS JOIN conversation_labels cl ON cl.conversation_id = c.id JOIN labels l ON l.id = cl.label_id
		WHERE c.created_at >= ? AND c.created_at < ? AND `+chans+`
		GROUP BY l.id, l.name, l.color, l.name_key ORDER BY l.name_key, l.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("report labels: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r switchboard.ReportLabelCount
		if err := rows.Scan(&r.LabelID, &r.Name, &r.Color, &r.Opened, &r.OpenNow); err != nil {
			return nil, fmt.Errorf("report labels: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
