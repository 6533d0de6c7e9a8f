package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/ingest"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// This file stores inbound messages: one at a time (ReceiveMessage) or a
// batch of webhook content at once (ReceiveBatch). Both run the same write
// job, and the rules of receiving (which contact, which conversation,
// duplicates, identities, what a message moves) are ingest.Build's. The
// writer is the ingest path's bottleneck, so the job does only what needs
// the database: blind indexes are computed before it; the batch's contacts
// (by both blind indexes) with their conversations, and the stored
// messages it names, are read with one query each; the plan is written
// back once; and the conversations it returns are put together after the
// commit from what the plan knew, decrypting only what it did not.

// ReceiveBatch stores the messages and applies the statuses of a batch of
// webhook events, and deletes the events, in one write job.
func (db *DB) ReceiveBatch(ctx context.Context, b switchboard.InboundBatch) (*switchboard.BatchResult, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return db.receiveBatch(ctx, b)
}

// batchJob is the state of one ReceiveBatch write job.
type batchJob struct {
	db        *DB
	msgs      []ingest.Message
	statuses  []*preparedStatus
	events    []int64
	dead      []switchboard.DeadEvent
	templates []switchboard.TemplateStatusChange
	edits     []storekit.PreparedEdit
	handoff   map[string]switchboard.ChannelHandoff

	now       time.Time
	plan      *ingest.Plan
	outcomes  []ingest.StatusOutcome
	assignees map[string][]switchboard.UserRef
	mentioned map[string][]string
}

func (db *DB) receiveBatch(ctx context.Context, b switchboard.InboundBatch) (*switchboard.BatchResult, error) {
	msgs := make([]ingest.Message, len(b.Messages))
	for i, in := range b.Messages {
		msgs[i] = ingest.Prepare(db.codec, in)
	}
	statuses := make([]*preparedStatus, len(b.Statuses))
	for i, u := range b.Statuses {
		p, err := db.prepareStatus(ctx, u)
		if err != nil {
			return nil, err
		}
		statuses[i] = p
	}
	edits := make([]storekit.PreparedEdit, len(b.Edits))
	for i, e := range b.Edits {
		edits[i] = storekit.PreparedEdit{Edit: e, Hash: db.codec.WAMIDHash(e.ChannelID, e.WAMessageID)}
	}
	var j *batchJob
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		j = &batchJob{db: db, msgs: msgs, statuses: statuses, events: b.Events, dead: b.Dead, templates: b.Templates, now: db.now(), handoff: b.Handoff,
			assignees: map[string][]switchboard.UserRef{}, mentioned: map[string][]string{}, edits: edits}
		return j.run(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return j.result(ctx)
}

func (j *batchJob) run(ctx context.Context, tx *writeTx) error {
	checked := map[string]bool{}
	for _, p := range j.msgs {
		if checked[p.In.ChannelID] {
			continue
		}
		var ok bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM channels WHERE id = ?)`, p.In.ChannelID).Scan(&ok); err != nil {
			return fmt.Errorf("check channel: %w", err)
		}
		if !ok {
			return switchboard.NotFound("Channel")
		}
		checked[p.In.ChannelID] = true
	}
	if len(j.msgs) > 0 {
		stored, err := j.prefetch(ctx, tx)
		if err != nil {
			return err
		}
		j.plan = ingest.Build(ingest.Input{Messages: j.msgs, Stored: stored, Now: j.now, Handoff: j.handoff,
			NewMessageID: func() string { return switchboard.NewMessageID(j.now) }})
		if err := j.write(ctx, tx); err != nil {
			return err
		}
		if err := j.writeHandoffs(ctx, tx); err != nil {
			return err
		}
	} else {
		j.plan = &ingest.Plan{}
	}
	for _, u := range j.templates {
		if _, err := tx.ExecContext(ctx, `UPDATE templates SET status = CASE WHEN ?1 = '' THEN status ELSE ?1 END,
			quality = CASE WHEN ?2 = '' THEN quality ELSE ?2 END, category = CASE WHEN ?3 = '' THEN category ELSE ?3 END
			WHERE channel_id = ?4 AND name = ?5 AND language = ?6`,
			u.Status, u.Quality, u.Category, u.ChannelID, u.Name, u.Language); err != nil {
			return fmt.Errorf("update template status: %w", err)
		}
	}
	for _, d := range j.dead {
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_inbox SET dead_reason = ?, dead_at = ?, leased_until = NULL WHERE id = ?`,
			d.Reason, micros(j.now), d.ID); err != nil {
			return fmt.Errorf("keep dead letter: %w", err)
		}
	}
	if len(j.events) > 0 {
		ids, err := json.Marshal(j.events)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_inbox WHERE id IN (SELECT value FROM json_each(?)) AND dead_reason IS NULL`, string(ids)); err != nil {
			return fmt.Errorf("delete webhooks: %w", err)
		}
	}
	for i := range j.edits {
		if err := j.db.applyEdit(ctx, tx, &j.edits[i], j.now); err != nil {
			return err
		}
	}
	j.outcomes = make([]ingest.StatusOutcome, len(j.statuses))
	for i, p := range j.statuses {
		out, err := j.db.applyStatus(ctx, tx, p)
		if err != nil {
			return err
		}
		j.outcomes[i] = out
	}
	// The batch's event records, in its transaction: a kill after the
	// commit loses none (docs/automation.md, "Durable deliveries").
	if err := j.db.insertEvents(ctx, tx, storekit.BatchEvents(j.plan, j.outcomes, j.edits, j.now)); err != nil {
		return err
	}
	ids := make([]string, len(j.plan.Conversations))
	for i, cv := range j.plan.Conversations {
		ids[i] = cv.ID
	}
	if err := eachAssignee(ctx, tx, ids, func(convID string, ref switchboard.UserRef) {
		j.assignees[convID] = append(j.assignees[convID], ref)
	}); err != nil {
		return err
	}
	return eachMention(ctx, tx, ids, func(convID, userID string) {
		j.mentioned[convID] = append(j.mentioned[convID], userID)
	})
}

// pairs returns "(?, ?), …" for n channel and blind index pairs.
func pairs(n int) string { return strings.TrimSuffix(strings.Repeat("(?, ?), ", n), ", ") }

// prefetch reads what the planner needs: every contact that holds one of
// the blind indexes the batch names (by BSUID and by wa_id_hash), each with
// its conversation (the open one, else the newest), and the stored
// messages the batch names, quotes or reacts to; one query each. The
// identifiers are decrypted here (the result needs them anyway), names
// through the cache.
func (j *batchJob) prefetch(ctx context.Context, tx *writeTx) (ingest.Stored, error) {
	st := ingest.Stored{Conversations: map[string]*ingest.Conversation{}, Messages: map[string]ingest.Known{}}
	var users, was, wamids []any
	seen := map[string]bool{}
	add := func(list *[]any, kind, ch string, h []byte) {
		if h == nil || seen[kind+ch+"\x00"+string(h)] {
			return
		}
		seen[kind+ch+"\x00"+string(h)] = true
		if kind == "m" {
			*list = append(*list, h)
		} else {
			*list = append(*list, ch, h)
		}
	}
	for _, m := range j.msgs {
		ch := m.In.ChannelID
		add(&users, "u", ch, m.User)
		add(&users, "u", ch, m.NewUser)
		add(&was, "w", ch, m.Key)
		add(&was, "w", ch, m.Phone)
		add(&was, "w", ch, m.NewPhone)
		add(&wamids, "m", "", m.WAMID)
		add(&wamids, "m", "", m.ReplyTo)
		add(&wamids, "m", "", m.ReactedTo)
	}
	// Joins from the listed keys, so that each is an index search: a
	// row-value IN list would scan every contact.
	match := `SELECT x.id FROM (VALUES ` + pairs(len(was)/2) + `) AS k
		CROSS JOIN contacts x ON x.channel_id = k.column1 AND x.wa_id_hash = k.column2`
	if len(users) > 0 {
		match += ` UNION SELECT x.id FROM (VALUES ` + pairs(len(users)/2) + `) AS k
		CROSS JOIN contacts x ON x.channel_id = k.column1 AND x.user_id_hash = k.column2`
	}
	rows, err := tx.QueryContext(ctx, `SELECT ct.id, ct.channel_id, ct.key_id, ct.name, ct.created_at, ct.wa_id_hash, ct.user_id_hash,
			ct.wa_id, ct.user_id, ct.parent_user_id, ct.username, ct.blocked_at, ct.blocked_by, c.id, c.key_id, c.status,
			c.last_message, c.last_message_at, c.last_inbound_at, c.inbound_count, c.created_at, c.updated_at,
			c.handler, c.handoff_note, c.handoff_at, c.handoff_by, c.bot_failures
		FROM contacts ct
		LEFT JOIN conversations c ON c.id = (SELECT id FROM conversations WHERE contact_id = ct.id
			ORDER BY status <> 'resolved' DESC, updated_at DESC, id DESC LIMIT 1)
		WHERE ct.id IN (`+match+`)`, append(was, users...)...)
	if err != nil {
		return st, fmt.Errorf("find contacts: %w", err)
	}
	type row struct {
		ct     *ingest.Contact
		sealed [storecrypt.NumContactIDs][]byte
		name   []byte
	}
	var found []row
	for rows.Next() {
		r := row{ct: &ingest.Contact{}}
		var created int64
		var convID, convKey, status sql.NullString
		var lastMessage []byte
		var lastMessageAt, lastInbound, inbound, convCreated, convUpdated, blockedAt sql.NullInt64
		var blockedBy, handler, handoffBy sql.NullString
		var handoffNote []byte
		var handoffAt, botFailures sql.NullInt64
		if err := rows.Scan(&r.ct.ID, &r.ct.ChannelID, &r.ct.KeyID, &r.name, &created, &r.ct.WaHash, &r.ct.UserHash,
			&r.sealed[storecrypt.IDWaID], &r.sealed[storecrypt.IDUserID], &r.sealed[storecrypt.IDParentUserID], &r.sealed[storecrypt.IDUsername],
			&blockedAt, &blockedBy, &convID, &convKey, &status, &lastMessage, &lastMessageAt, &lastInbound, &inbound, &convCreated, &convUpdated,
			&handler, &handoffNote, &handoffAt, &handoffBy, &botFailures); err != nil {
			rows.Close()
			return st, fmt.Errorf("find contacts: %w", err)
		}
		r.ct.CreatedAt = time.UnixMicro(created).UTC()
		if blockedAt.Valid {
			r.ct.Block = &switchboard.ContactBlock{By: blockedBy.String, At: fromMicros(blockedAt)}
		}
		found = append(found, r)
		st.Contacts = append(st.Contacts, r.ct)
		if convID.Valid {
			st.Conversations[r.ct.ID] = &ingest.Conversation{ID: convID.String, ContactID: r.ct.ID, KeyID: convKey.String,
				Status: switchboard.ConversationStatus(status.String), CreatedAt: fromMicros(convCreated), LastMessage: lastMessage, Contact: r.ct,
				Activity: switchboard.ConversationActivity{LastMessageAt: fromMicros(lastMessageAt), LastInboundAt: fromMicros(lastInbound),
					InboundCount: int(inbound.Int64), UpdatedAt: fromMicros(convUpdated)},
				Handoff: switchboard.HandoffState{Handler: switchboard.Handler(handler.String), At: fromMicros(handoffAt), By: handoffBy.String,
					BotFailures: int(botFailures.Int64)}, HandoffNote: handoffNote}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("find contacts: %w", err)
	}
	for _, r := range found {
		if err := j.open(ctx, r.ct, r.name, r.sealed); err != nil {
			return st, err
		}
	}
	if len(wamids) > 0 {
		rows, err := tx.QueryContext(ctx, `SELECT wamid_hash, id, conversation_id FROM messages WHERE wamid_hash IN (`+
			strings.TrimSuffix(strings.Repeat("?, ", len(wamids)), ", ")+`)`, wamids...)
		if err != nil {
			return st, fmt.Errorf("find messages: %w", err)
		}
		for rows.Next() {
			var h []byte
			var k ingest.Known
			if err := rows.Scan(&h, &k.ID, &k.ConversationID); err != nil {
				rows.Close()
				return st, fmt.Errorf("find messages: %w", err)
			}
			st.Messages[string(h)] = k
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return st, fmt.Errorf("find messages: %w", err)
		}
	}
	return st, nil
}

// open decrypts a stored contact's name (through the cache) and
// identifiers; a NULL column is an empty identifier.
func (j *batchJob) open(ctx context.Context, ct *ingest.Contact, name []byte, sealed [storecrypt.NumContactIDs][]byte) error {
	return storekit.OpenContact(ctx, j.db.codec, &j.db.names, ct, name, sealed)
}

// write stores the plan: new and changed contacts with their search
// terms, new conversations, the messages (and their media downloads), and
// every conversation the batch moved.
func (j *batchJob) write(ctx context.Context, tx *writeTx) error {
	db, p := j.db, j.plan
	for _, ct := range p.Contacts {
		if ct.New {
			var err error
			if ct.KeyID, err = db.createKey(ctx, tx); err != nil {
				return err
			}
		}
		if !ct.New && !ct.Renamed && !ct.Identified {
			continue
		}
		name, ids, err := j.db.codec.SealPlanned(ctx, ct)
		if err != nil {
			return err
		}
		if ct.New {
			_, err = tx.ExecContext(ctx, `INSERT INTO contacts (id, channel_id, key_id, wa_id_hash, wa_id, user_id_hash, user_id,
				parent_user_id, username, name, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, ct.ID, ct.ChannelID, ct.KeyID, ct.WaHash, ids[storecrypt.IDWaID],
				ct.UserHash, ids[storecrypt.IDUserID], ids[storecrypt.IDParentUserID], ids[storecrypt.IDUsername], name, micros(j.now), micros(j.now))
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE contacts SET name = ?, wa_id_hash = ?, wa_id = ?, user_id_hash = ?, user_id = ?,
				parent_user_id = ?, username = ?, updated_at = ? WHERE id = ?`, name, ct.WaHash, ids[storecrypt.IDWaID], ct.UserHash, ids[storecrypt.IDUserID],
				ids[storecrypt.IDParentUserID], ids[storecrypt.IDUsername], micros(j.now), ct.ID)
		}
		if err != nil {
			return fmt.Errorf("write contact: %w", err)
		}
		if ct.New || ct.Terms {
			if err := db.putContactTerms(ctx, tx, ct.ID, ct.Name, ct.Username, ct.WaID); err != nil {
				return err
			}
		}
		id, plain := ct.ID, ct.Name
		tx.finally(func(committed bool) {
			if committed {
				db.names.Put(id, name, plain)
			}
		})
	}
	for _, cv := range p.Conversations {
		if !cv.New {
			continue
		}
		cv.KeyID = cv.Contact.KeyID
		if _, err := tx.ExecContext(ctx, `INSERT INTO conversations (id, channel_id, contact_id, status, key_id, inbound_count,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)`,
			cv.ID, cv.Contact.ChannelID, cv.Contact.ID, cv.Status, cv.KeyID, micros(cv.CreatedAt), micros(cv.Activity.UpdatedAt)); err != nil {
			return fmt.Errorf("insert conversation: %w", err)
		}
	}
	for _, ins := range p.Inserts {
		if err := db.insertMessage(ctx, tx, ins.ChannelID, ins.Contact.KeyID, ins.Message, ins.WAMIDHash); err != nil {
			return err
		}
		if ins.Media {
			if err := db.queueMediaDownload(ctx, tx, ins.ChannelID, ins.Contact.KeyID, ins.Message, j.now); err != nil {
				return err
			}
		}
	}
	for _, cv := range p.Conversations {
		if cv.Preview != nil {
			sealed, err := db.codec.SealJSON(ctx, cv.KeyID, "conversations", "last_message", cv.ID, cv.Preview)
			if err != nil {
				return err
			}
			cv.LastMessage = sealed
		}
		a := cv.Activity
		if _, err := tx.ExecContext(ctx, `UPDATE conversations SET status = ?, last_message = ?, last_message_at = ?,
			last_inbound_at = ?, inbound_count = ?, updated_at = ?,
			snoozed_until = CASE WHEN ? = 'snoozed' THEN snoozed_until END WHERE id = ?`,
			cv.Status, cv.LastMessage, micros(a.LastMessageAt), micros(a.LastInboundAt), a.InboundCount, micros(a.UpdatedAt), cv.Status, cv.ID); err != nil {
			return fmt.Errorf("update conversation: %w", err)
		}
	}
	return nil
}

// writeHandoffs writes what the hand-off rules decided, after the
// conversations' rows: each changed conversation's hand-off state, and
// per change of handler its fact for the bots report and its activity
// line. Their event records go with the batch's (storekit.BatchEvents).
func (j *batchJob) writeHandoffs(ctx context.Context, tx *writeTx) error {
	for _, h := range j.plan.Handoffs {
		if !h.Set {
			continue
		}
		cv := h.Conversation
		if err := j.db.putHandoff(ctx, tx, cv.ID, cv.KeyID, h.To); err != nil {
			return err
		}
		for _, c := range h.Changes {
			if err := j.db.recordHandoff(ctx, tx, cv.ID, cv.Contact.ChannelID, c.State); err != nil {
				return err
			}
			if err := j.db.insertThreadEntry(ctx, tx, cv.KeyID, c.Entry); err != nil {
				return err
			}
		}
	}
	return nil
}

// result puts the batch's outcome together after the commit, decrypting
// only what the plan did not know in plaintext.
func (j *batchJob) result(ctx context.Context) (*switchboard.BatchResult, error) {
	db := j.db
	res, err := j.plan.Result(j.outcomes, ingest.Reader{
		Assignees: j.assignees,
		Mentioned: j.mentioned,
		Time:      utc,
		OpenPreview: func(cv *ingest.Conversation) (*switchboard.MessagePreview, error) {
			var p switchboard.MessagePreview
			if err := db.codec.OpenJSON(ctx, cv.KeyID, "conversations", "last_message", cv.ID, cv.LastMessage, &p); err != nil {
				return nil, err
			}
			return &p, nil
		},
		OpenHandoff: func(cv *ingest.Conversation, c *switchboard.Conversation) error {
			st := cv.Handoff
			return db.codec.OpenHandoff(ctx, cv.KeyID, c, cv.HandoffNote, st.At, st.By, st.BotFailures)
		},
		Message: func(id string) (*switchboard.Message, error) { return db.message(ctx, db.rdb, id) },
		Conversation: func(id string) (*switchboard.Conversation, error) {
			return db.conversation(ctx, db.rdb, id, "")
		},
	})
	if err != nil {
		return nil, err
	}
	if res.Edits, err = storekit.EditResults(j.edits, func(id string) (*switchboard.Conversation, error) {
		return db.conversation(ctx, db.rdb, id, "")
	}); err != nil {
		return nil, err
	}
	return res, nil
}

// applyEdit applies an edit or revoke (switchboard.MessageEdit.Apply) to
// the message it names: the content is sealed again (a revoked message's
// is empty), and the conversation's preview follows when it shows that
// message. An edit of a message not stored changes nothing.
func (db *DB) applyEdit(ctx context.Context, tx *writeTx, pe *storekit.PreparedEdit, now time.Time) error {
	var id, keyID string
	err := tx.QueryRowContext(ctx, `SELECT id, key_id FROM messages WHERE wamid_hash = ?`, pe.Hash).Scan(&id, &keyID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("find edited message: %w", err)
	}
	m, err := db.message(ctx, tx, id)
	if err != nil {
		return err
	}
	pe.Msg = m
	if !pe.Edit.Apply(m, now) {
		return nil
	}
	b, err := storecrypt.EncodeContent(m.Content)
	if err != nil {
		return err
	}
	content, err := db.codec.Seal(ctx, keyID, "messages", "content", m.ID, b)
	if err != nil {
		return err
	}
	var edited any
	if m.EditedAt != nil {
		edited = micros(*m.EditedAt)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE messages SET content = ?, edited_at = ?, revoked = ?, updated_at = ? WHERE id = ?`,
		content, edited, m.Revoked, micros(m.UpdatedAt), m.ID); err != nil {
		return fmt.Errorf("edit message: %w", err)
	}
	if err := db.reindexMessage(ctx, tx, m); err != nil {
		return err
	}
	var convKey string
	var lastAt sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT key_id, last_message_at FROM conversations WHERE id = ?`, m.ConversationID).Scan(&convKey, &lastAt); err != nil {
		return fmt.Errorf("read conversation: %w", err)
	}
	if lastAt.Valid && fromMicros(lastAt).Equal(m.Timestamp) {
		pv := switchboard.PreviewOf(m)
		sealed, err := db.codec.SealJSON(ctx, convKey, "conversations", "last_message", m.ConversationID, &pv)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE conversations SET last_message = ? WHERE id = ?`, sealed, m.ConversationID); err != nil {
			return fmt.Errorf("update preview: %w", err)
		}
	}
	pe.Changed = true
	return nil
}
