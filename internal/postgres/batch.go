package postgres

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/ingest"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

// ReceiveBatch stores the messages and applies the statuses of a batch of
// webhook events, and deletes the events, in one transaction.
//
// The rules of receiving are ingest.Build's; this method locks and reads
// what the batch names, runs the plan and writes it. Two batches (of this
// process or another) may run at once. So that they cannot deadlock, rows
// are locked in one order: the contacts holding any blind index the batch
// names, then their conversations, each by id in one statement; new
// contacts are inserted in blind index order; then the statuses' wamid
// locks sorted by key. A deadlock PostgreSQL reports anyway (a MarkSent in
// between), a concurrent delivery of the same wamid and a contact or open
// conversation another transaction created first are retried.
func (db *DB) ReceiveBatch(ctx context.Context, b switchboard.InboundBatch) (*switchboard.BatchResult, error) {
	if err := b.Validate(); err != nil {
		return nil, err
	}
	msgs := make([]ingest.Message, len(b.Messages))
	for i, in := range b.Messages {
		msgs[i] = ingest.Prepare(db.codec, in)
	}
	statuses := make([]preparedStatus, len(b.Statuses))
	for i, u := range b.Statuses {
		p := preparedStatus{u: u, index: i, ts: db.timeOr(u.Timestamp)}
		if u.WAMessageID != "" {
			p.hash = db.codec.WAMIDHash(u.ChannelID, u.WAMessageID)
			p.lock = db.wamidLockKey(p.hash)
		}
		statuses[i] = p
	}
	slices.SortStableFunc(statuses, func(a, b preparedStatus) int { return cmp.Compare(a.lock, b.lock) })

	hashes := make([][]byte, len(b.Edits))
	for i, e := range b.Edits {
		hashes[i] = db.codec.WAMIDHash(e.ChannelID, e.WAMessageID)
	}
	var j *batchJob
	for attempt := 1; ; attempt++ {
		j = &batchJob{db: db, msgs: msgs, statuses: statuses, events: b.Events, dead: b.Dead, templates: b.Templates, now: db.now(), handoff: b.Handoff,
			outcomes: make([]ingest.StatusOutcome, len(statuses)), assignees: map[string][]switchboard.UserRef{}, mentioned: map[string][]string{}}
		j.edits = make([]storekit.PreparedEdit, len(b.Edits))
		for i, e := range b.Edits {
			j.edits[i] = storekit.PreparedEdit{Edit: e, Hash: hashes[i]}
		}
		err := db.withTx(ctx, func(tx *txn) error { return j.run(ctx, tx) })
		if err == nil {
			break
		}
		if attempt < 5 && retryable(err) {
			continue
		}
		return nil, err
	}
	return j.result(ctx)
}

// retryable reports whether a batch transaction failed only because of
// another one running at the same time.
func retryable(err error) bool {
	if errors.Is(err, errDuplicate) {
		return true
	}
	code, _ := pgError(err)
	return code == "40P01" || code == "40001" // deadlock_detected, serialization_failure
}

// preparedStatus is a status with its wamid's blind index and lock key.
type preparedStatus struct {
	u     switchboard.StatusUpdate
	index int
	ts    time.Time
	hash  []byte
	lock  int64
}

// batchJob is the state of one attempt of a batch transaction.
type batchJob struct {
	db        *DB
	msgs      []ingest.Message
	statuses  []preparedStatus
	events    []int64
	dead      []switchboard.DeadEvent
	templates []switchboard.TemplateStatusChange
	edits     []storekit.PreparedEdit
	handoff   map[string]switchboard.ChannelHandoff

	now       time.Time
	plan      *ingest.Plan
	outcomes  []ingest.StatusOutcome // by batch index
	assignees map[string][]switchboard.UserRef
	mentioned map[string][]string
}

func (j *batchJob) run(ctx context.Context, tx *txn) error {
	j.plan = &ingest.Plan{}
	if len(j.msgs) > 0 {
		stored, err := j.prefetch(ctx, tx)
		if err != nil {
			return err
		}
		j.plan = ingest.Build(ingest.Input{Messages: j.msgs, Stored: stored, Now: j.now, Handoff: j.handoff,
			NewMessageID: func() string { return switchboard.NewMessageID(j.now) }})
		if err := j.writeContacts(ctx, tx); err != nil {
			return err
		}
	}
	if err := j.write(ctx, tx); err != nil {
		return err
	}
	for i := range j.statuses {
		p := &j.statuses[i]
		out, err := j.db.applyStatus(ctx, tx, p.u, p.hash, p.ts, j.now)
		if err != nil {
			return err
		}
		j.outcomes[p.index] = out
	}
	for i := range j.edits {
		if err := j.db.applyEdit(ctx, tx, &j.edits[i], j.now); err != nil {
			return err
		}
	}
	if err := j.writeHandoffs(ctx, tx); err != nil {
		return err
	}
	// The batch's event records, in its transaction: a kill after the
	// commit loses none (docs/automation.md, "Durable deliveries").
	return j.db.insertEvents(ctx, tx, storekit.BatchEvents(j.plan, j.outcomes, j.edits, j.now))
}

// prefetch locks and reads what the planner needs, in one round trip: every
// contact that holds one of the blind indexes the batch names (by BSUID
// and by wa_id_hash), each one's conversation (the open one, else the
// newest), both locked in id order so that concurrent batches cannot
// deadlock, and the stored messages the batch names, quotes or reacts to.
// The identifiers are decrypted here (the result needs them anyway), names
// through the cache.
func (j *batchJob) prefetch(ctx context.Context, tx *txn) (ingest.Stored, error) {
	st := ingest.Stored{Conversations: map[string]*ingest.Conversation{}, Messages: map[string]ingest.Known{}}
	var waChannels, userChannels []string
	var was, users, wamids [][]byte
	seen := map[string]bool{}
	for _, m := range j.msgs {
		ch := m.In.ChannelID
		for _, h := range [][]byte{m.Key, m.Phone, m.NewPhone} {
			if h != nil && !seen["w"+ch+"\x00"+string(h)] {
				seen["w"+ch+"\x00"+string(h)] = true
				waChannels, was = append(waChannels, ch), append(was, h)
			}
		}
		for _, h := range [][]byte{m.User, m.NewUser} {
			if h != nil && !seen["u"+ch+"\x00"+string(h)] {
				seen["u"+ch+"\x00"+string(h)] = true
				userChannels, users = append(userChannels, ch), append(users, h)
			}
		}
		for _, h := range [][]byte{m.WAMID, m.ReplyTo, m.ReactedTo} {
			if h != nil && !seen["m"+string(h)] {
				seen["m"+string(h)] = true
				wamids = append(wamids, h)
			}
		}
	}
	// A UNION of two index joins: an OR of the two IN lists would scan
	// every contact.
	const match = `ct.id IN (SELECT c.id FROM contacts c
			JOIN unnest($1::text[], $2::bytea[]) AS k(ch, h) ON c.channel_id = k.ch AND c.wa_id_hash = k.h
		UNION SELECT c.id FROM contacts c
			JOIN unnest($3::text[], $4::bytea[]) AS k(ch, h) ON c.channel_id = k.ch AND c.user_id_hash = k.h)`
	b := &pgx.Batch{}
	b.Queue(`SELECT ct.id, ct.channel_id, ct.wa_id_hash, ct.key_id, ct.name, ct.created_at, ct.user_id_hash, ct.wa_id, ct.user_id,
			ct.parent_user_id, ct.username, ct.blocked_at, ct.blocked_by FROM contacts ct
		WHERE `+match+` ORDER BY ct.id FOR NO KEY UPDATE`, waChannels, was, userChannels, users)
	b.Queue(`SELECT c.id, c.contact_id, c.status, c.key_id, c.last_message, c.last_message_at, c.last_inbound_at, c.inbound_count,
			c.created_at, c.updated_at, c.handler, c.handoff_note, c.handoff_at, c.handoff_by, c.bot_failures FROM conversations c
		WHERE c.id IN (SELECT (SELECT id FROM conversations WHERE contact_id = ct.id
				ORDER BY status <> 'resolved' DESC, updated_at DESC, id DESC LIMIT 1)
			FROM contacts ct WHERE `+match+`)
		ORDER BY c.id FOR NO KEY UPDATE`, waChannels, was, userChannels, users)
	b.Queue(`SELECT wamid_hash, id, conversation_id FROM messages WHERE wamid_hash = ANY($1)`, wamids)
	br := tx.SendBatch(ctx, b)
	defer br.Close()

	type row struct {
		ct     *ingest.Contact
		name   []byte
		sealed [storecrypt.NumContactIDs][]byte
	}
	var found []row
	byID := map[string]*ingest.Contact{}
	rows, err := br.Query()
	if err != nil {
		return st, fmt.Errorf("lock contacts: %w", err)
	}
	for rows.Next() {
		r := row{ct: &ingest.Contact{}}
		var blockedAt *time.Time
		var blockedBy *string
		if err := rows.Scan(&r.ct.ID, &r.ct.ChannelID, &r.ct.WaHash, &r.ct.KeyID, &r.name, &r.ct.CreatedAt, &r.ct.UserHash,
			&r.sealed[storecrypt.IDWaID], &r.sealed[storecrypt.IDUserID], &r.sealed[storecrypt.IDParentUserID], &r.sealed[storecrypt.IDUsername],
			&blockedAt, &blockedBy); err != nil {
			rows.Close()
			return st, fmt.Errorf("lock contacts: %w", err)
		}
		r.ct.CreatedAt = r.ct.CreatedAt.UTC()
		if blockedAt != nil {
			var tmp switchboard.Contact
			setBlock(&tmp, blockedAt, blockedBy)
			r.ct.Block = &switchboard.ContactBlock{By: tmp.BlockedBy, At: *tmp.BlockedAt}
		}
		found = append(found, r)
		st.Contacts = append(st.Contacts, r.ct)
		byID[r.ct.ID] = r.ct
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("lock contacts: %w", err)
	}
	if rows, err = br.Query(); err != nil {
		return st, fmt.Errorf("lock conversations: %w", err)
	}
	for rows.Next() {
		cv := &ingest.Conversation{}
		var lastMessageAt, lastInbound, handoffAt *time.Time
		if err := rows.Scan(&cv.ID, &cv.ContactID, &cv.Status, &cv.KeyID, &cv.LastMessage, &lastMessageAt, &lastInbound,
			&cv.Activity.InboundCount, &cv.CreatedAt, &cv.Activity.UpdatedAt,
			&cv.Handoff.Handler, &cv.HandoffNote, &handoffAt, &cv.Handoff.By, &cv.Handoff.BotFailures); err != nil {
			rows.Close()
			return st, fmt.Errorf("lock conversations: %w", err)
		}
		cv.CreatedAt, cv.Activity.UpdatedAt = cv.CreatedAt.UTC(), cv.Activity.UpdatedAt.UTC()
		cv.Activity.LastMessageAt, cv.Activity.LastInboundAt = fromNull(lastMessageAt), fromNull(lastInbound)
		cv.Handoff.At = fromNull(handoffAt)
		if ct := byID[cv.ContactID]; ct != nil {
			cv.Contact = ct
			st.Conversations[ct.ID] = cv
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("lock conversations: %w", err)
	}
	if rows, err = br.Query(); err != nil {
		return st, fmt.Errorf("find messages: %w", err)
	}
	for rows.Next() {
		var hash []byte
		var k ingest.Known
		if err := rows.Scan(&hash, &k.ID, &k.ConversationID); err != nil {
			rows.Close()
			return st, fmt.Errorf("find messages: %w", err)
		}
		st.Messages[string(hash)] = k
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("find messages: %w", err)
	}
	if err := br.Close(); err != nil {
		return st, err
	}
	for _, r := range found {
		if err := j.open(ctx, r.ct, r.name, r.sealed); err != nil {
			return st, err
		}
	}
	return st, nil
}

// writeHandoffs writes what the hand-off rules decided, after the
// conversations' rows: each changed conversation's hand-off state, and
// per change of handler its fact for the bots report and its activity
// line. Their event records go with the batch's (storekit.BatchEvents).
// The prefetch locked the conversations, so a concurrent SetHandoff
// waits for the commit and then finds the handler changed.
func (j *batchJob) writeHandoffs(ctx context.Context, tx *txn) error {
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

// open decrypts a stored contact's name (through the cache) and
// identifiers; a NULL column is an empty identifier.
func (j *batchJob) open(ctx context.Context, ct *ingest.Contact, name []byte, sealed [storecrypt.NumContactIDs][]byte) error {
	return storekit.OpenContact(ctx, j.db.codec, &j.db.names, ct, name, sealed)
}

// writeContacts inserts the batch's new contacts (in blind index order, so
// that concurrent batches wait for each other in one order), each with its
// own data key, and updates the changed ones, with their search terms; and
// inserts the new conversations. A contact or open conversation another
// transaction created first sends the batch back to be retried.
func (j *batchJob) writeContacts(ctx context.Context, tx *txn) error {
	db := j.db
	contacts := slices.Clone(j.plan.Contacts)
	slices.SortStableFunc(contacts, func(a, b *ingest.Contact) int {
		if c := strings.Compare(a.ChannelID, b.ChannelID); c != 0 {
			return c
		}
		return bytes.Compare(a.WaHash, b.WaHash)
	})
	for _, ct := range contacts {
		if !ct.New && !ct.Renamed && !ct.Identified {
			if ct.Terms {
				if err := replaceTerms(ctx, tx, ct.ID, db.codec.ContactTerms(ct.Name, ct.Username, ct.WaID)); err != nil {
					return err
				}
			}
			continue
		}
		if ct.New {
			var err error
			if ct.KeyID, err = db.newDataKey(ctx, tx, j.now); err != nil {
				return err
			}
		}
		name, ids, err := j.db.codec.SealPlanned(ctx, ct)
		if err != nil {
			return err
		}
		if ct.New {
			tag, err := tx.Exec(ctx, `INSERT INTO contacts (id, channel_id, key_id, wa_id_hash, wa_id, name, created_at, updated_at,
					user_id_hash, user_id, parent_user_id, username)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
				ct.ID, ct.ChannelID, ct.KeyID, ct.WaHash, ids[storecrypt.IDWaID], name, j.now, ct.UserHash, ids[storecrypt.IDUserID],
				ids[storecrypt.IDParentUserID], ids[storecrypt.IDUsername])
			if code, _ := pgError(err); code == foreignKeyViolation {
				return switchboard.NotFound("Channel")
			} else if err != nil {
				return fmt.Errorf("insert contact: %w", err)
			}
			if tag.RowsAffected() == 0 {
				// Another transaction created the contact first: start
				// over, and the prefetch finds it.
				return errDuplicate
			}
		} else {
			_, err := tx.Exec(ctx, `UPDATE contacts SET name = $2, wa_id_hash = $3, wa_id = $4, user_id_hash = $5, user_id = $6,
					parent_user_id = $7, username = $8, updated_at = $9 WHERE id = $1`,
				ct.ID, name, ct.WaHash, ids[storecrypt.IDWaID], ct.UserHash, ids[storecrypt.IDUserID], ids[storecrypt.IDParentUserID], ids[storecrypt.IDUsername], j.now)
			if code, _ := pgError(err); code == uniqueViolation {
				// Another transaction took the identifier since the prefetch.
				return errDuplicate
			} else if err != nil {
				return fmt.Errorf("update contact: %w", err)
			}
		}
		if ct.New || ct.Terms {
			if err := replaceTerms(ctx, tx, ct.ID, db.codec.ContactTerms(ct.Name, ct.Username, ct.WaID)); err != nil {
				return err
			}
		}
		db.names.Put(ct.ID, name, ct.Name)
	}
	for _, cv := range j.plan.Conversations {
		if !cv.New {
			continue
		}
		cv.KeyID = cv.Contact.KeyID
		tag, err := tx.Exec(ctx, `INSERT INTO conversations (id, channel_id, contact_id, status, key_id, created_at, updated_at)
			VALUES ($1, $2, $3, $7, $4, $5, $6) ON CONFLICT (contact_id) WHERE status <> 'resolved' DO NOTHING`,
			cv.ID, cv.Contact.ChannelID, cv.Contact.ID, cv.KeyID, cv.CreatedAt, cv.Activity.UpdatedAt, string(cv.Status))
		if err != nil {
			return fmt.Errorf("insert conversation: %w", err)
		} else if tag.RowsAffected() == 0 {
			// A conversation was opened by another path
			// (SetConversationStatus) in the meantime.
			return errDuplicate
		}
	}
	return nil
}

// write inserts the batch's messages, writes its conversations' status
// and activity, queues media downloads, deletes the events and reads the
// assignees, in one round trip.
func (j *batchJob) write(ctx context.Context, tx *txn) error {
	db, p := j.db, j.plan
	b := &pgx.Batch{}
	if n := len(p.Inserts); n > 0 {
		var (
			ids, convs, keys, dirs, types, states, replies, senders, titles, details = make([]string, n), make([]string, n),
				make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n),
				make([]string, n), make([]string, n)
			contents, wamids, hashes = make([][]byte, n), make([][]byte, n), make([][]byte, n)
			codes                    = make([]*int32, n)
			times, created, updated  = make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
			authors                  = make([]string, n)
			imported, revoked        = make([]bool, n), make([]bool, n)
			edited                   = make([]*time.Time, n)
			terms                    = make([][]int64, n)
			blobs                    = make([][]byte, n)
		)
		for i, r := range p.Inserts {
			m, keyID := r.Message, r.Contact.KeyID
			content, err := storecrypt.EncodeContent(m.Content)
			if err != nil {
				return err
			}
			if contents[i], err = db.codec.Seal(ctx, keyID, "messages", "content", m.ID, content); err != nil {
				return err
			}
			if m.WAMessageID != "" {
				if wamids[i], err = db.codec.Seal(ctx, keyID, "messages", "wa_message_id", m.ID, []byte(m.WAMessageID)); err != nil {
					return err
				}
				hashes[i] = r.WAMIDHash
			}
			if m.Error != nil {
				code := int32(m.Error.Code)
				codes[i], titles[i], details[i] = &code, m.Error.Title, m.Error.Details
			}
			ids[i], convs[i], keys[i], dirs[i], types[i], states[i] = m.ID, m.ConversationID, keyID, string(m.Direction), string(m.Type), string(m.Status)
			replies[i], senders[i], times[i], created[i], updated[i] = m.ReplyToID, m.SenderID, m.Timestamp, m.CreatedAt, m.UpdatedAt
			m.FillAuthor()
			authors[i], imported[i], edited[i], revoked[i] = string(m.Author), m.Imported, m.EditedAt, m.Revoked
			terms[i] = db.codec.MessageTerms(m)
			blobs[i] = storecrypt.EncodeTerms(terms[i])
		}
		b.Queue(`INSERT INTO messages (`+messageColumns+`, wamid_hash, search_terms)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[], $8::bytea[],
				$9::text[], $10::text[], $11::int[], $12::text[], $13::text[], $14::timestamptz[], $15::timestamptz[],
				$16::timestamptz[], $17::text[], $18::boolean[], $19::timestamptz[], $20::boolean[], $21::bytea[], $22::bytea[])
			ON CONFLICT (wamid_hash) DO NOTHING`,
			ids, convs, keys, dirs, types, states, contents, wamids, replies, senders, codes, titles, details, times, created, updated,
			authors, imported, edited, revoked, hashes, blobs)
		// The search terms of the rows just inserted (a redelivered
		// wamid inserted no row, so its terms join nothing).
		pi, pt := termPairs(ids, terms)
		b.Queue(insertMessageTerms, pi, pt)
	}
	if n := len(p.Conversations); n > 0 {
		var (
			ids, statuses       = make([]string, n), make([]string, n)
			previews            = make([][]byte, n)
			lastAt, lastInbound = make([]*time.Time, n), make([]*time.Time, n)
			counts              = make([]int32, n)
			updated             = make([]time.Time, n)
		)
		for i, cv := range p.Conversations {
			if cv.Preview != nil {
				sealed, err := db.codec.SealJSON(ctx, cv.KeyID, "conversations", "last_message", cv.ID, cv.Preview)
				if err != nil {
					return err
				}
				cv.LastMessage = sealed
			}
			a := cv.Activity
			ids[i], statuses[i], previews[i], counts[i], updated[i] = cv.ID, string(cv.Status), cv.LastMessage, int32(a.InboundCount), a.UpdatedAt
			lastAt[i], lastInbound[i] = timePtr(a.LastMessageAt), timePtr(a.LastInboundAt)
		}
		b.Queue(`UPDATE conversations c SET status = v.status, last_message = v.preview, last_message_at = v.last_at,
				last_inbound_at = v.last_inbound, inbound_count = v.inbound, updated_at = v.updated,
				snoozed_until = CASE WHEN v.status = 'snoozed' THEN c.snoozed_until END
			FROM unnest($1::text[], $2::text[], $3::bytea[], $4::timestamptz[], $5::timestamptz[], $6::int[], $7::timestamptz[])
				AS v(id, status, preview, last_at, last_inbound, inbound, updated)
			WHERE c.id = v.id`, ids, statuses, previews, lastAt, lastInbound, counts, updated)
		b.Queue(`SELECT a.conversation_id, u.id, u.name, NOT u.active FROM conversation_assignees a JOIN users u ON u.id = a.user_id
			WHERE a.conversation_id = ANY($1) ORDER BY u.name, u.id`, ids)
		b.Queue(`SELECT conversation_id, user_id FROM conversation_mentions WHERE conversation_id = ANY($1) ORDER BY user_id`, ids)
	}
	for _, u := range j.templates {
		b.Queue(`UPDATE templates SET status = CASE WHEN $4 = '' THEN status ELSE $4 END,
			quality = CASE WHEN $5 = '' THEN quality ELSE $5 END, category = CASE WHEN $6 = '' THEN category ELSE $6 END
			WHERE channel_id = $1 AND name = $2 AND language = $3`, u.ChannelID, u.Name, u.Language, u.Status, u.Quality, u.Category)
	}
	for _, d := range j.dead {
		b.Queue(`UPDATE webhook_inbox SET dead_reason = $2, dead_at = $3, leased_until = NULL WHERE id = $1`, d.ID, d.Reason, j.now)
	}
	if len(j.events) > 0 {
		b.Queue(`DELETE FROM webhook_inbox WHERE id = ANY($1) AND dead_reason IS NULL`, j.events)
	}
	if b.Len() == 0 {
		return nil
	}
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	if len(p.Inserts) > 0 {
		tag, err := br.Exec()
		if err != nil {
			return fmt.Errorf("insert messages: %w", err)
		}
		if tag.RowsAffected() != int64(len(p.Inserts)) {
			// A concurrent delivery of the same wamid committed after the
			// check: start over, and the check finds it.
			return errDuplicate
		}
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("insert search terms: %w", err)
		}
	}
	if len(p.Conversations) > 0 {
		if _, err := br.Exec(); err != nil {
			if code, _ := pgError(err); code == uniqueViolation {
				// A reopened conversation, while another path opened one.
				return errDuplicate
			}
			return fmt.Errorf("update conversations: %w", err)
		}
		rows, err := br.Query()
		if err != nil {
			return fmt.Errorf("list assignees: %w", err)
		}
		for rows.Next() {
			var convID string
			var ref switchboard.UserRef
			if err := rows.Scan(&convID, &ref.ID, &ref.Name, &ref.Deactivated); err != nil {
				rows.Close()
				return fmt.Errorf("list assignees: %w", err)
			}
			j.assignees[convID] = append(j.assignees[convID], ref)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list assignees: %w", err)
		}
		if rows, err = br.Query(); err != nil {
			return fmt.Errorf("list mentions: %w", err)
		}
		for rows.Next() {
			var convID, userID string
			if err := rows.Scan(&convID, &userID); err != nil {
				rows.Close()
				return fmt.Errorf("list mentions: %w", err)
			}
			j.mentioned[convID] = append(j.mentioned[convID], userID)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list mentions: %w", err)
		}
	}
	for range j.templates {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("update template status: %w", err)
		}
	}
	for range j.dead {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("keep dead letter: %w", err)
		}
	}
	if len(j.events) > 0 {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("delete webhooks: %w", err)
		}
	}
	if err := br.Close(); err != nil {
		return err
	}
	// Media downloads need the messages in place; they are rare.
	for _, r := range p.Inserts {
		if r.Media {
			if err := db.queueMediaDownload(ctx, tx, r.ChannelID, r.Contact.KeyID, r.Message, j.now); err != nil {
				return err
			}
		}
	}
	return nil
}

// timePtr maps the zero time to NULL in an array parameter.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// result puts the batch's outcome together after the commit, decrypting
// only what the plan did not know in plaintext.
func (j *batchJob) result(ctx context.Context) (*switchboard.BatchResult, error) {
	db := j.db
	res, err := j.plan.Result(j.outcomes, ingest.Reader{
		Assignees: j.assignees,
		Mentioned: j.mentioned,
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
		Message: func(id string) (*switchboard.Message, error) { return db.loadMessage(ctx, db.pool, id) },
		Conversation: func(id string) (*switchboard.Conversation, error) {
			return db.loadConversation(ctx, db.pool, id, "")
		},
	})
	if err != nil {
		return nil, err
	}
	if res.Edits, err = storekit.EditResults(j.edits, func(id string) (*switchboard.Conversation, error) {
		return db.loadConversation(ctx, db.pool, id, "")
	}); err != nil {
		return nil, err
	}
	return res, nil
}

// applyEdit applies an edit or revoke (switchboard.MessageEdit.Apply) to
// the message it names, locked: the content is sealed again (a revoked
// message's is empty), and the conversation's preview follows when it
// shows that message. An edit of a message not stored changes nothing.
func (db *DB) applyEdit(ctx context.Context, tx *txn, pe *storekit.PreparedEdit, now time.Time) error {
	var id, keyID string
	err := tx.QueryRow(ctx, `SELECT id, key_id FROM messages WHERE wamid_hash = $1 FOR UPDATE`, pe.Hash).Scan(&id, &keyID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("find edited message: %w", err)
	}
	m, err := db.loadMessage(ctx, tx, id)
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
	if _, err := tx.Exec(ctx, `UPDATE messages SET content = $2, edited_at = $3, revoked = $4, updated_at = $5 WHERE id = $1`,
		m.ID, content, m.EditedAt, m.Revoked, m.UpdatedAt); err != nil {
		return fmt.Errorf("edit message: %w", err)
	}
	if err := db.reindexMessage(ctx, tx, m); err != nil {
		return err
	}
	var convKey string
	var lastAt *time.Time
	if err := tx.QueryRow(ctx, `SELECT key_id, last_message_at FROM conversations WHERE id = $1 FOR UPDATE`, m.ConversationID).Scan(&convKey, &lastAt); err != nil {
		return fmt.Errorf("read conversation: %w", err)
	}
	if lastAt != nil && lastAt.Equal(m.Timestamp) {
		pv := switchboard.PreviewOf(m)
		sealed, err := db.codec.SealJSON(ctx, convKey, "conversations", "last_message", m.ConversationID, &pv)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE conversations SET last_message = $2 WHERE id = $1`, m.ConversationID, sealed); err != nil {
			return fmt.Errorf("update preview: %w", err)
		}
	}
	pe.Changed = true
	return nil
}
