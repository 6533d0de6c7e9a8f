package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

const labelColumns = `id, name, color, created_at, updated_at`

func scanLabel(row interface{ Scan(...any) error }) (*switchboard.Label, error) {
	var l switchboard.Label
	if err := row.Scan(&l.ID, &l.Name, &l.Color, &l.CreatedAt, &l.UpdatedAt); err != nil {
		return nil, err
	}
	l.CreatedAt, l.UpdatedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC()
	return &l, nil
}

// Labels lists every label by name.
func (db *DB) Labels(ctx context.Context) ([]*switchboard.Label, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+labelColumns+` FROM labels ORDER BY name_key, id`)
	if err != nil {
		return nil, fmt.Errorf("list labels: %w", err)
	}
	out, err := storekit.Collect(rows, func() (*switchboard.Label, error) { return scanLabel(rows) })
	if err != nil {
		return nil, fmt.Errorf("list labels: %w", err)
	}
	if out == nil {
		out = []*switchboard.Label{}
	}
	return out, nil
}

// Label returns one label.
func (db *DB) Label(ctx context.Context, id string) (*switchboard.Label, error) {
	l, err := scanLabel(db.pool.QueryRow(ctx, `SELECT `+labelColumns+` FROM labels WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("Label")
	} else if err != nil {
		return nil, fmt.Errorf("get label: %w", err)
	}
	return l, nil
}

// CreateLabel stores a new label, at most MaxLabels of them: the table
// lock makes the count and the insert one step among concurrent creations
// (label creation is rare).
func (db *DB) CreateLabel(ctx context.Context, l *switchboard.Label) error {
	n := *l
	if err := n.PrepareNew(db.now()); err != nil {
		return err
	}
	err := db.withTx(ctx, func(tx *txn) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE labels IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("create label: %w", err)
		}
		var count int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM labels`).Scan(&count); err != nil {
			return fmt.Errorf("create label: %w", err)
		}
		if count >= switchboard.MaxLabels {
			return switchboard.ErrTooManyLabels
		}
		if _, err := tx.Exec(ctx, `INSERT INTO labels (id, name, name_key, color, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			n.ID, n.Name, storekit.LabelKey(n.Name), n.Color, n.CreatedAt, n.UpdatedAt); err != nil {
			if code, constraint := pgError(err); code == uniqueViolation {
				if constraint == "labels_pkey" {
					return switchboard.Errorf(switchboard.EConflict, "Label already exists.")
				}
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
	err := db.withTx(ctx, func(tx *txn) error {
		var err error
		out, err = scanLabel(tx.QueryRow(ctx, `UPDATE labels SET name = $1, name_key = $2, color = $3, updated_at = $4 WHERE id = $5
			RETURNING `+labelColumns, n.Name, storekit.LabelKey(n.Name), n.Color, db.now(), n.ID))
		if code, _ := pgError(err); code == uniqueViolation {
			return switchboard.ErrLabelDuplicate
		} else if errors.Is(err, pgx.ErrNoRows) {
			return switchboard.NotFound("Label")
		} else if err != nil {
			return fmt.Errorf("update label: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*l = *out
	return nil
}

// DeleteLabel deletes a label; the cascade takes it off every conversation.
func (db *DB) DeleteLabel(ctx context.Context, id string) error {
	return db.withTx(ctx, func(tx *txn) error {
		tag, err := tx.Exec(ctx, `DELETE FROM labels WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete label: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return switchboard.NotFound("Label")
		}
		return nil
	})
}

// SetConversationLabel puts a label on a conversation or takes it off. The
// conversation's row lock makes the count and the insert one step.
func (db *DB) SetConversationLabel(ctx context.Context, conversationID, labelID string, on bool, at time.Time) (*switchboard.Conversation, bool, error) {
	var out *switchboard.Conversation
	var changed bool
	err := db.withTx(ctx, func(tx *txn) error {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM conversations WHERE id = $1 FOR NO KEY UPDATE`, conversationID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return switchboard.NotFound("Conversation")
		} else if err != nil {
			return fmt.Errorf("set conversation label: %w", err)
		}
		var known bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM labels WHERE id = $1)`, labelID).Scan(&known); err != nil {
			return fmt.Errorf("set conversation label: %w", err)
		}
		if !known {
			return switchboard.NotFound("Label")
		}
		var n int64
		if on {
			var count int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM conversation_labels WHERE conversation_id = $1 AND label_id <> $2`,
				conversationID, labelID).Scan(&count); err != nil {
				return fmt.Errorf("set conversation label: %w", err)
			}
			if count >= switchboard.MaxConversationLabels {
				return switchboard.ErrConversationLabels
			}
			if at.IsZero() {
				at = db.now()
			}
			tag, err := tx.Exec(ctx, `INSERT INTO conversation_labels (conversation_id, label_id, added_at) VALUES ($1, $2, $3)
				ON CONFLICT DO NOTHING`, conversationID, labelID, utc(at))
			if code, _ := pgError(err); code == foreignKeyViolation {
				return switchboard.NotFound("Label")
			} else if err != nil {
				return fmt.Errorf("set conversation label: %w", err)
			}
			n = tag.RowsAffected()
		} else {
			tag, err := tx.Exec(ctx, `DELETE FROM conversation_labels WHERE conversation_id = $1 AND label_id = $2`, conversationID, labelID)
			if err != nil {
				return fmt.Errorf("set conversation label: %w", err)
			}
			n = tag.RowsAffected()
		}
		changed = n > 0
		if !changed {
			switchboard.SkipAuditEntry(ctx)
		}
		out, err = db.loadConversation(ctx, tx, conversationID, "")
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return out, changed, nil
}

// loadLabels sets the labels of the conversations byID (ids), by name.
func loadLabels(ctx context.Context, q querier, byID map[string]*switchboard.Conversation, ids []string) error {
	for _, c := range byID {
		c.Labels = []switchboard.LabelRef{}
	}
	rows, err := q.Query(ctx, `SELECT cl.conversation_id, l.id, l.name, l.color
		FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id
		WHERE cl.conversation_id = ANY($1) ORDER BY l.name_key, l.id`, ids)
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
		c := byID[convID]
		c.Labels = append(c.Labels, ref)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list conversation labels: %w", err)
	}
	return nil
}

// rebuildWaiting recomputes every conversation's waiting_since from its
// messages, after a load whose order the trigger followed.
func rebuildWaiting(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `UPDATE conversations SET waiting_since = (SELECT MIN(m.ts) FROM messages m
		WHERE m.conversation_id = conversations.id AND m.direction = 'in' AND NOT m.imported
			AND m.type NOT IN ('reaction', 'system')
			AND m.ts > COALESCE((SELECT MAX(o.ts) FROM messages o
				WHERE o.conversation_id = conversations.id AND o.direction = 'out' AND NOT o.imported), '-infinity'))`); err != nil {
		return fmt.Errorf("rebuild waiting times: %w", err)
	}
	return nil
}

// waitingKey is the "waiting" order's key: the waiting time, nobody
// waiting last; the index conversations_waiting is on the same expression.
const waitingKey = `COALESCE(c.waiting_since, 'infinity'::timestamptz)`

// narrowList adds the conditions of f's label, assignee and unread filters
// (label.go) to a where clause on conversations c.
func narrowList(f switchboard.ConversationFilter, where []string, arg func(any) string) []string {
	if f.AssigneeID != "" {
		where = append(where, `EXISTS (SELECT 1 FROM conversation_assignees fa WHERE fa.conversation_id = c.id AND fa.user_id = `+arg(f.AssigneeID)+`)`)
	}
	if f.LabelID != "" {
		where = append(where, `EXISTS (SELECT 1 FROM conversation_labels cl WHERE cl.conversation_id = c.id AND cl.label_id = `+arg(f.LabelID)+`)`)
	}
	if f.Unread {
		where = append(where, `c.inbound_count > COALESCE((SELECT ur.read_count FROM conversation_reads ur
			WHERE ur.conversation_id = c.id AND ur.user_id = `+arg(f.ViewerID)+`), 0)`)
	}
	return where
}

// listOrder returns the keyset condition of f's cursor ("" for the first
// page) and the ORDER BY of f's order.
func listOrder(f switchboard.ConversationFilter, arg func(any) string) (cond, order string, err error) {
	if f.Sort != switchboard.SortWaiting {
		order = `c.updated_at DESC, c.id DESC`
		if f.Cursor == "" {
			return "", order, nil
		}
		t, id, err := storecrypt.DecodeCursor(f.Cursor)
		if err != nil {
			return "", "", err
		}
		return `(c.updated_at, c.id) < (` + arg(t) + `, ` + arg(id) + `)`, order, nil
	}
	order = waitingKey + ` ASC, c.id ASC`
	if f.Cursor == "" {
		return "", order, nil
	}
	since, waiting, id, err := storekit.DecodeWaitingCursor(f.Cursor)
	if err != nil {
		return "", "", err
	}
	key := `'infinity'::timestamptz`
	if waiting {
		key = arg(since) + `::timestamptz`
	}
	return `(` + waitingKey + `, c.id) > (` + key + `, ` + arg(id) + `)`, order, nil
}

// pageCursor is the cursor after the last conversation of a page in f's
// order; the waiting order reads the last one's waiting time.
func (db *DB) pageCursor(ctx context.Context, f switchboard.ConversationFilter, last *switchboard.Conversation) (string, error) {
	if f.Sort != switchboard.SortWaiting {
		return storekit.ConversationCursor(last), nil
	}
	var since *time.Time
	if err := db.pool.QueryRow(ctx, `SELECT waiting_since FROM conversations WHERE id = $1`, last.ID).Scan(&since); err != nil {
		return "", fmt.Errorf("list conversations: %w", err)
	}
	return storekit.WaitingCursor(fromNull(since), last.ID), nil
}

// boundedTally tallies the rows (status, assigned, mine) of rowsQuery, at
// most MaxScanTally+1 of them, so that the counts of a filter the
// counters cannot answer cost a bounded scan.
func boundedTally(rowsQuery string) string {
	return `SELECT status, count(*), count(*) FILTER (WHERE assigned), count(*) FILTER (WHERE mine) FROM (` + rowsQuery +
		` LIMIT ` + strconv.Itoa(switchboard.MaxScanTally+1) + `) s GROUP BY status`
}

const savedViewColumns = `id, user_id, name, filter, created_at, updated_at`

func scanSavedView(row interface{ Scan(...any) error }) (*switchboard.SavedView, error) {
	var v switchboard.SavedView
	var filter string
	if err := row.Scan(&v.ID, &v.UserID, &v.Name, &filter, &v.CreatedAt, &v.UpdatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(filter), &v.Filter); err != nil {
		return nil, fmt.Errorf("saved view filter: %w", err)
	}
	v.CreatedAt, v.UpdatedAt = v.CreatedAt.UTC(), v.UpdatedAt.UTC()
	return &v, nil
}

// SavedViews lists a user's views by name.
func (db *DB) SavedViews(ctx context.Context, userID string) ([]*switchboard.SavedView, error) {
	rows, err := db.pool.Query(ctx, `SELECT `+savedViewColumns+` FROM saved_views WHERE user_id = $1 ORDER BY name_key, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list saved views: %w", err)
	}
	out, err := storekit.Collect(rows, func() (*switchboard.SavedView, error) { return scanSavedView(rows) })
	if err != nil {
		return nil, fmt.Errorf("list saved views: %w", err)
	}
	if out == nil {
		out = []*switchboard.SavedView{}
	}
	return out, nil
}

// SavedView returns one view.
func (db *DB) SavedView(ctx context.Context, id string) (*switchboard.SavedView, error) {
	v, err := scanSavedView(db.pool.QueryRow(ctx, `SELECT `+savedViewColumns+` FROM saved_views WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.NotFound("View")
	} else if err != nil {
		return nil, fmt.Errorf("get saved view: %w", err)
	}
	return v, nil
}

// CreateSavedView stores a view, at most MaxUserViews per user; the
// user's row lock makes the count and the insert one step.
func (db *DB) CreateSavedView(ctx context.Context, v *switchboard.SavedView) error {
	n := *v
	if err := n.PrepareNew(db.now()); err != nil {
		return err
	}
	err := db.withTx(ctx, func(tx *txn) error {
		var one int
		err := tx.QueryRow(ctx, `SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE`, n.UserID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return switchboard.NotFound("User")
		} else if err != nil {
			return fmt.Errorf("create saved view: %w", err)
		}
		var count int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM saved_views WHERE user_id = $1`, n.UserID).Scan(&count); err != nil {
			return fmt.Errorf("create saved view: %w", err)
		}
		if count >= switchboard.MaxUserViews {
			return switchboard.ErrTooManyViews
		}
		if _, err := tx.Exec(ctx, `INSERT INTO saved_views (id, user_id, name, name_key, filter, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, n.ID, n.UserID, n.Name, storekit.ViewKey(n.Name), n.FilterJSON(),
			n.CreatedAt, n.UpdatedAt); err != nil {
			if code, _ := pgError(err); code == uniqueViolation {
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
	err := db.withTx(ctx, func(tx *txn) error {
		var err error
		out, err = scanSavedView(tx.QueryRow(ctx, `UPDATE saved_views SET name = $1, name_key = $2, filter = $3, updated_at = $4 WHERE id = $5
			RETURNING `+savedViewColumns, v.Name, storekit.ViewKey(v.Name), v.FilterJSON(), db.now(), v.ID))
		if code, _ := pgError(err); code == uniqueViolation {
			return switchboard.ErrViewDuplicate
		} else if errors.Is(err, pgx.ErrNoRows) {
			return switchboard.NotFound("View")
		} else if err != nil {
			return fmt.Errorf("update saved view: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	*v = *out
	return nil
}

// DeleteSavedView deletes a view.
func (db *DB) DeleteSavedView(ctx context.Context, id string) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM saved_views WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete saved view: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return switchboard.NotFound("View")
	}
	return nil
}

// ReportLabels counts the labelled conversations created within s, from
// the conversations of the range (the index on created_at) to their labels.
func (db *DB) ReportLabels(ctx context.Context, s switchboard.ReportScope) ([]switchboard.ReportLabelCount, error) {
	out := []switchboard.ReportLabelCount{}
	chans, chanArgs, ok := reportChannels("c.channel_id", 3, s)
	if !ok {
		return out, nil
	}
	args := append([]any{s.From, s.To}, chanArgs...)
	rows, err := db.pool.Query(ctx, `SELECT l.id, l.name, l.color, count(*), count(*) FILTER (WHERE c.status <> 'resolved')
		FROM conversations c JOIN conversation_labels cl ON cl.conversation_id = c.id JOIN labels l ON l.id = cl.label_id
		WHERE c.created_at >= $1 AND c.created_at < $2 AND `+chans+`
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
