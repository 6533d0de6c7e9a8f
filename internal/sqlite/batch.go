package sqlite

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard"
)

// This file stores inbound messages: one at a time (ReceiveMessage) or a
// batch of webhook content at once (ReceiveBatch). Both run the same code
// in one write job. The writer is the ingest path's bottleneck, so the job
// does only what needs the database: blind indexes are computed before it;
// a contact and its conversation are read with one query per batch, kept
// in memory while the batch's messages change them and written back once;
// and the conversations it returns are put together after the commit from
// what the job knew, decrypting only what it did not.

// ReceiveMessage stores an inbound message, in one transaction: it finds or
// creates the contact and the conversation (reopening the most recent closed
// one), ignores a WhatsApp message id it has seen before, and resolves
// replies and reactions to our message ids.
func (db *DB) ReceiveMessage(ctx context.Context, in switchboard.InboundMessage) (*switchboard.Received, error) {
	if err := validInbound(in); err != nil {
		return nil, err
	}
	res, err := db.receiveBatch(ctx, switchboard.InboundBatch{Messages: []switchboard.InboundMessage{in}})
	if err != nil {
		return nil, err
	}
	r := res.Received[0]
	if r.Duplicate {
		// A redelivery: answer with what is stored, read after the commit.
		if r.Message, err = db.message(ctx, db.rdb, r.Message.ID); err != nil {
			return nil, err
		}
		if r.Conversation, err = db.conversation(ctx, db.rdb, r.Message.ConversationID, ""); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// ReceiveBatch stores the messages and applies the statuses of a batch of
// webhook events, and deletes the events, in one write job.
func (db *DB) ReceiveBatch(ctx context.Context, b switchboard.InboundBatch) (*switchboard.BatchResult, error) {
	for _, in := range b.Messages {
		if err := validInbound(in); err != nil {
			return nil, err
		}
	}
	for _, u := range b.Statuses {
		if u.MessageID == "" && u.WAMessageID == "" {
			return nil, switchboard.Errorf(switchboard.EInvalid, "A status needs a message id.")
		}
	}
	return db.receiveBatch(ctx, b)
}

func validInbound(in switchboard.InboundMessage) error {
	if in.Message == nil || in.ChannelID == "" || in.WaID == "" {
		return switchboard.Errorf(switchboard.EInvalid, "Inbound message needs a channel, a sender and a message.")
	}
	return nil
}

// preparedInbound is an inbound message with its blind indexes, computed
// outside the writer.
type preparedInbound struct {
	in                                 switchboard.InboundMessage
	wamid, contact, replyTo, reactedTo []byte
}

// batchContact is a contact as a batch job knows it.
type batchContact struct {
	id, channelID, keyID, waID string
	createdAt                  time.Time
	sealedName                 []byte
	name                       string
	nameKnown                  bool // name is the plaintext of sealedName
}

// batchConversation is a conversation as a batch job knows it: its row as
// read, then as the batch's messages change it. The job writes it back once,
// at the end.
type batchConversation struct {
	id      string
	contact *batchContact
	keyID   string
	status  string
	// isNew is set when the batch created or reopened it; first is the
	// index of its first message in the batch.
	isNew bool
	first int

	lastMessage                                  []byte // sealed preview as stored; nil if none
	lastMessageAt, lastInbound, created, updated sql.NullInt64
	inbound                                      int
	// preview is the newest message's preview once the batch has one
	// (then lastMessage is stale until written).
	preview   *switchboard.MessagePreview
	changed   bool // a message was added
	assignees []switchboard.UserRef
}

// batchJob is the state of one ReceiveBatch write job.
type batchJob struct {
	db       *DB
	msgs     []preparedInbound
	statuses []*preparedStatus
	events   []int64

	now      time.Time
	received []*switchboard.Received
	outcomes []statusOutcome
	// What the batch knows so far: messages it stored by wamid blind
	// index, contacts by channel and blind index, conversations by contact
	// id, and those it changed in the order it first did.
	stored   map[string]*switchboard.Message
	contacts map[string]*batchContact
	missing  map[string]bool // contacts known not to exist before the batch
	convs    map[string]*batchConversation
	order    []*batchConversation
}

func (db *DB) receiveBatch(ctx context.Context, b switchboard.InboundBatch) (*switchboard.BatchResult, error) {
	msgs := make([]preparedInbound, len(b.Messages))
	for i, in := range b.Messages {
		p := preparedInbound{in: in, contact: db.codec.ContactWaIDHash(in.ChannelID, in.WaID)}
		if id := in.Message.WAMessageID; id != "" {
			p.wamid = db.codec.WAMIDHash(in.ChannelID, id)
		}
		if in.ReplyToWAID != "" {
			p.replyTo = db.codec.WAMIDHash(in.ChannelID, in.ReplyToWAID)
		}
		if in.ReactionToWAID != "" {
			p.reactedTo = db.codec.WAMIDHash(in.ChannelID, in.ReactionToWAID)
		}
		msgs[i] = p
	}
	statuses := make([]*preparedStatus, len(b.Statuses))
	for i, u := range b.Statuses {
		p, err := db.prepareStatus(ctx, u)
		if err != nil {
			return nil, err
		}
		statuses[i] = p
	}
	var j *batchJob
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		j = &batchJob{db: db, msgs: msgs, statuses: statuses, events: b.Events, now: db.now(),
			stored: map[string]*switchboard.Message{}, contacts: map[string]*batchContact{}, missing: map[string]bool{},
			convs: map[string]*batchConversation{}}
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
		if checked[p.in.ChannelID] {
			continue
		}
		var ok bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM channels WHERE id = ?)`, p.in.ChannelID).Scan(&ok); err != nil {
			return fmt.Errorf("check channel: %w", err)
		}
		if !ok {
			return switchboard.NotFound("Channel")
		}
		checked[p.in.ChannelID] = true
	}
	if err := j.prefetch(ctx, tx); err != nil {
		return err
	}
	j.received = make([]*switchboard.Received, len(j.msgs))
	for i := range j.msgs {
		r, err := j.receive(ctx, tx, i)
		if err != nil {
			return err
		}
		j.received[i] = r
	}
	if err := j.save(ctx, tx); err != nil {
		return err
	}
	if len(j.events) > 0 {
		ids, err := json.Marshal(j.events)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_inbox WHERE id IN (SELECT value FROM json_each(?))`, string(ids)); err != nil {
			return fmt.Errorf("delete webhooks: %w", err)
		}
	}
	j.outcomes = make([]statusOutcome, len(j.statuses))
	for i, p := range j.statuses {
		out, err := j.db.applyStatus(ctx, tx, p)
		if err != nil {
			return err
		}
		j.outcomes[i] = out
	}
	return j.loadAssignees(ctx, tx)
}

// receive stores the i-th message of the batch.
func (j *batchJob) receive(ctx context.Context, tx *writeTx, i int) (*switchboard.Received, error) {
	db, p := j.db, &j.msgs[i]
	in := p.in

	// A wamid repeated in the batch: answer with the first.
	if p.wamid != nil {
		if m := j.stored[string(p.wamid)]; m != nil {
			return duplicate(m.ID, m.ConversationID), nil
		}
	}
	ct, cv, err := j.lookup(ctx, tx, p)
	if err != nil {
		return nil, err
	}
	rename, err := j.renames(ctx, ct, in.ProfileName)
	if err != nil {
		return nil, err
	}
	// A returning customer writing into an open conversation under the
	// same name is by far the common case: then the insert itself finds a
	// webhook delivered twice. Otherwise look first, so that a duplicate
	// changes nothing.
	direct := ct != nil && cv != nil && cv.status == switchboard.StatusOpen && !rename
	if !direct && p.wamid != nil {
		if r, err := storedDuplicate(ctx, tx, p.wamid); r != nil || err != nil {
			return r, err
		}
	}

	m := *in.Message
	if m.ID == "" {
		m.ID = newMessageID(j.now)
	}
	m.Direction = switchboard.DirectionIn
	m.Status = switchboard.MessageReceived
	if m.Type == "" {
		m.Type = switchboard.TypeText
	}
	m.Timestamp = utc(m.Timestamp)
	if m.Timestamp.IsZero() {
		m.Timestamp = j.now
	}
	m.CreatedAt, m.UpdatedAt = j.now, j.now
	m.SenderID = ""

	if ct == nil {
		if ct, err = j.createContact(ctx, tx, p); err != nil {
			return nil, err
		}
	} else if rename {
		if err := j.rename(ctx, tx, ct, in.ProfileName); err != nil {
			return nil, err
		}
	}
	if cv, err = j.openConversation(ctx, tx, ct, cv, m.Timestamp, i); err != nil {
		return nil, err
	}
	m.ConversationID = cv.id

	// Resolve the quoted and the reacted-to message; both are looked up by
	// their wamid's blind index, which is specific to the channel.
	if p.replyTo != nil {
		if m.ReplyToID, err = j.messageID(ctx, tx, p.replyTo); err != nil {
			return nil, fmt.Errorf("resolve reply: %w", err)
		}
	}
	if p.reactedTo != nil {
		id, err := j.messageID(ctx, tx, p.reactedTo)
		if err != nil {
			return nil, fmt.Errorf("resolve reaction: %w", err)
		}
		r := switchboard.Reaction{}
		if m.Content.Reaction != nil {
			r = *m.Content.Reaction
		}
		r.MessageID = id
		m.Content.Reaction = &r
	}

	inserted, err := db.insertMessageIfNew(ctx, tx, in.ChannelID, ct.keyID, &m, p.wamid, direct)
	if err != nil {
		return nil, err
	}
	if !inserted {
		r, err := storedDuplicate(ctx, tx, p.wamid)
		if err == nil && r == nil {
			err = errors.New("receive message: duplicate vanished")
		}
		return r, err
	}
	if md := m.Content.Media; md != nil && md.WAMediaID != "" {
		if err := db.queueMediaDownload(ctx, tx, in.ChannelID, ct.keyID, &m, j.now); err != nil {
			return nil, err
		}
	}
	j.touch(cv, &m)
	if p.wamid != nil {
		j.stored[string(p.wamid)] = &m
	}
	return &switchboard.Received{Message: &m, NewConversation: cv.isNew && cv.first == i}, nil
}

func duplicate(id, conversationID string) *switchboard.Received {
	return &switchboard.Received{Message: &switchboard.Message{ID: id, ConversationID: conversationID}, Duplicate: true}
}

// storedDuplicate returns the stored message with the wamid blind index as a
// duplicate, or nil if there is none.
func storedDuplicate(ctx context.Context, tx *writeTx, wamid []byte) (*switchboard.Received, error) {
	var id, convID string
	err := tx.QueryRowContext(ctx, `SELECT id, conversation_id FROM messages WHERE wamid_hash = ?`, wamid).Scan(&id, &convID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("find duplicate message: %w", err)
	}
	return duplicate(id, convID), nil
}

// messageID finds a message by its wamid's blind index, in the batch or
// stored; "" if there is none.
func (j *batchJob) messageID(ctx context.Context, tx *writeTx, hash []byte) (string, error) {
	if m := j.stored[string(hash)]; m != nil {
		return m.ID, nil
	}
	var id string
	err := tx.QueryRowContext(ctx, `SELECT id FROM messages WHERE wamid_hash = ?`, hash).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// lookup finds the contact of a message and its conversation (the open
// one, else the most recent), in the batch (see prefetch); either may be
// nil.
func (j *batchJob) lookup(ctx context.Context, tx *writeTx, p *preparedInbound) (*batchContact, *batchConversation, error) {
	key := p.in.ChannelID + "\x00" + string(p.contact)
	if ct, ok := j.contacts[key]; ok {
		return ct, j.convs[ct.id], nil
	}
	if j.missing[key] {
		return nil, nil, nil
	}
	// Not prefetched: cannot happen, but one query is still right.
	if err := j.fetchContacts(ctx, tx, p.in.ChannelID, [][]byte{p.contact}); err != nil {
		return nil, nil, err
	}
	if ct := j.contacts[key]; ct != nil {
		return ct, j.convs[ct.id], nil
	}
	return nil, nil, nil
}

// prefetchChunk bounds the blind indexes looked up by one query.
const prefetchChunk = 256

// prefetch reads the contacts of all the batch's messages, and their
// conversations, with one query per channel instead of one per contact:
// that query was a third of the apply job's time. The batch's own writes
// come later, and the job keeps what it changes in memory, so reading
// ahead sees exactly what reading one by one would.
func (j *batchJob) prefetch(ctx context.Context, tx *writeTx) error {
	byChannel := map[string][][]byte{}
	var channels []string
	seen := map[string]bool{}
	for i := range j.msgs {
		p := &j.msgs[i]
		key := p.in.ChannelID + "\x00" + string(p.contact)
		if seen[key] {
			continue
		}
		seen[key] = true
		if _, ok := byChannel[p.in.ChannelID]; !ok {
			channels = append(channels, p.in.ChannelID)
		}
		byChannel[p.in.ChannelID] = append(byChannel[p.in.ChannelID], p.contact)
	}
	for _, ch := range channels {
		hashes := byChannel[ch]
		for len(hashes) > 0 {
			n := min(len(hashes), prefetchChunk)
			if err := j.fetchContacts(ctx, tx, ch, hashes[:n]); err != nil {
				return err
			}
			hashes = hashes[n:]
		}
	}
	return nil
}

// fetchContacts reads the contacts of the channel with these wa_id blind
// indexes and their conversations (the open one, else the most recent)
// into the job, and notes those that do not exist.
func (j *batchJob) fetchContacts(ctx context.Context, tx *writeTx, channelID string, hashes [][]byte) error {
	hexes := make([]string, len(hashes))
	for i, h := range hashes {
		hexes[i] = hex.EncodeToString(h)
	}
	list, err := json.Marshal(hexes)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT ct.wa_id_hash, ct.id, ct.key_id, ct.name, ct.created_at, c.id, c.key_id, c.status,
			c.last_message, c.last_message_at, c.last_inbound_at, c.inbound_count, c.created_at, c.updated_at
		FROM contacts ct
		LEFT JOIN conversations c ON c.id = (SELECT id FROM conversations WHERE contact_id = ct.id
			ORDER BY status = 'open' DESC, updated_at DESC, id DESC LIMIT 1)
		WHERE ct.channel_id = ? AND ct.wa_id_hash IN (SELECT unhex(value) FROM json_each(?))`, channelID, string(list))
	if err != nil {
		return fmt.Errorf("find contacts: %w", err)
	}
	defer rows.Close()
	found := map[string]bool{}
	for rows.Next() {
		var hash []byte
		ct := &batchContact{channelID: channelID}
		var created sql.NullInt64
		var convID, convKey, status sql.NullString
		var inbound sql.NullInt64
		cv := &batchConversation{contact: ct}
		if err := rows.Scan(&hash, &ct.id, &ct.keyID, &ct.sealedName, &created, &convID, &convKey, &status,
			&cv.lastMessage, &cv.lastMessageAt, &cv.lastInbound, &inbound, &cv.created, &cv.updated); err != nil {
			return fmt.Errorf("find contacts: %w", err)
		}
		key := channelID + "\x00" + string(hash)
		found[key] = true
		ct.createdAt = fromMicros(created)
		ct.name, ct.nameKnown = j.db.names.get(ct.id, ct.sealedName)
		j.contacts[key] = ct
		if convID.Valid {
			cv.id, cv.keyID, cv.status, cv.inbound = convID.String, convKey.String, status.String, int(inbound.Int64)
			j.convs[ct.id] = cv
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find contacts: %w", err)
	}
	for _, h := range hashes {
		if key := channelID + "\x00" + string(h); !found[key] {
			j.missing[key] = true
		}
	}
	// The wa_id is not read back: it is sealed, and every message of the
	// contact carries it in plaintext.
	for i := range j.msgs {
		p := &j.msgs[i]
		if p.in.ChannelID != channelID {
			continue
		}
		if ct := j.contacts[channelID+"\x00"+string(p.contact)]; ct != nil && ct.waID == "" {
			ct.waID = p.in.WaID
		}
	}
	return nil
}

// renames reports whether a message from the contact with this profile
// name changes its name: a non-empty profile name that differs replaces
// it.
func (j *batchJob) renames(ctx context.Context, ct *batchContact, profileName string) (bool, error) {
	if ct == nil || profileName == "" {
		return false, nil
	}
	if !ct.nameKnown {
		old, err := j.db.codec.Open(ctx, ct.keyID, "contacts", "name", ct.id, ct.sealedName)
		if err != nil {
			return false, err
		}
		ct.name, ct.nameKnown = string(old), true
		j.db.names.put(ct.id, ct.sealedName, ct.name)
	}
	return ct.name != profileName, nil
}

// rename stores the contact's new name and search terms.
func (j *batchJob) rename(ctx context.Context, tx *writeTx, ct *batchContact, name string) error {
	db := j.db
	sealed, err := db.codec.Seal(ctx, ct.keyID, "contacts", "name", ct.id, []byte(name))
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE contacts SET name = ?, updated_at = ? WHERE id = ?`, sealed, micros(j.now), ct.id); err != nil {
		return fmt.Errorf("update contact: %w", err)
	}
	if err := db.putContactTerms(ctx, tx, ct.id, name, ct.waID); err != nil {
		return err
	}
	ct.sealedName, ct.name = sealed, name
	j.rememberName(tx, ct)
	return nil
}

// createContact inserts a new contact with its own data key.
func (j *batchJob) createContact(ctx context.Context, tx *writeTx, p *preparedInbound) (*batchContact, error) {
	db, in := j.db, p.in
	ct := &batchContact{id: switchboard.NewID(), channelID: in.ChannelID, waID: in.WaID, createdAt: j.now}
	var err error
	if ct.keyID, err = db.createKey(ctx, tx); err != nil {
		return nil, err
	}
	sealedWaID, err := db.codec.Seal(ctx, ct.keyID, "contacts", "wa_id", ct.id, []byte(in.WaID))
	if err != nil {
		return nil, err
	}
	if ct.sealedName, err = db.codec.Seal(ctx, ct.keyID, "contacts", "name", ct.id, []byte(in.ProfileName)); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO contacts (id, channel_id, key_id, wa_id_hash, wa_id, name, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, ct.id, in.ChannelID, ct.keyID, p.contact, sealedWaID, ct.sealedName,
		micros(j.now), micros(j.now)); err != nil {
		return nil, fmt.Errorf("insert contact: %w", err)
	}
	if err := db.putContactTerms(ctx, tx, ct.id, in.ProfileName, in.WaID); err != nil {
		return nil, err
	}
	ct.name, ct.nameKnown = in.ProfileName, true
	j.rememberName(tx, ct)
	j.contacts[in.ChannelID+"\x00"+string(p.contact)] = ct
	return ct, nil
}

// rememberName caches the contact's name once the job has committed.
func (j *batchJob) rememberName(tx *writeTx, ct *batchContact) {
	id, sealed, name := ct.id, ct.sealedName, ct.name
	tx.finally(func(committed bool) {
		if committed {
			j.db.names.put(id, sealed, name)
		}
	})
}

// openConversation returns the contact's conversation cv, to be reopened
// if it is closed (so the history stays in one thread), or starts one when
// cv is nil.
func (j *batchJob) openConversation(ctx context.Context, tx *writeTx, ct *batchContact, cv *batchConversation, ts time.Time, i int) (*batchConversation, error) {
	switch {
	case cv == nil:
		cv = &batchConversation{id: switchboard.NewID(), keyID: ct.keyID, status: switchboard.StatusOpen, contact: ct, isNew: true, first: i,
			created: sql.NullInt64{Int64: j.now.UnixMicro(), Valid: true}, updated: sql.NullInt64{Int64: ts.UnixMicro(), Valid: true}}
		if _, err := tx.ExecContext(ctx, `INSERT INTO conversations (id, channel_id, contact_id, status, key_id, inbound_count,
			created_at, updated_at) VALUES (?, ?, ?, 'open', ?, 0, ?, ?)`,
			cv.id, ct.channelID, ct.id, ct.keyID, cv.created.Int64, cv.updated.Int64); err != nil {
			return nil, fmt.Errorf("insert conversation: %w", err)
		}
		j.convs[ct.id] = cv
	case cv.status != switchboard.StatusOpen:
		cv.status, cv.isNew, cv.first = switchboard.StatusOpen, true, i
	}
	return cv, nil
}

// touch records an inbound message in its conversation, in memory: the
// preview, last_message_at and updated_at only move forward in time, so
// messages that arrive out of order do not replace a newer preview, and
// last_inbound_at is Meta's timestamp of the newest customer message. The
// job writes the conversation back once (see save).
func (j *batchJob) touch(cv *batchConversation, m *switchboard.Message) {
	ts := m.Timestamp.UnixMicro()
	if !cv.lastMessageAt.Valid || cv.lastMessageAt.Int64 <= ts {
		cv.lastMessageAt = sql.NullInt64{Int64: ts, Valid: true}
		cv.preview = &switchboard.MessagePreview{Text: previewText(m), Type: m.Type, Direction: m.Direction, At: m.Timestamp}
	}
	if !cv.lastInbound.Valid || cv.lastInbound.Int64 < ts {
		cv.lastInbound = sql.NullInt64{Int64: ts, Valid: true}
	}
	if cv.updated.Int64 < ts {
		cv.updated.Int64 = ts
	}
	cv.inbound++
	if !cv.changed {
		cv.changed = true
		j.order = append(j.order, cv)
	}
}

// save writes back the conversations the batch changed.
func (j *batchJob) save(ctx context.Context, tx *writeTx) error {
	for _, cv := range j.order {
		if cv.preview != nil {
			sealed, err := j.db.codec.SealJSON(ctx, cv.keyID, "conversations", "last_message", cv.id, cv.preview)
			if err != nil {
				return err
			}
			cv.lastMessage = sealed
		}
		if _, err := tx.ExecContext(ctx, `UPDATE conversations SET status = ?, last_message = ?, last_message_at = ?,
			last_inbound_at = ?, inbound_count = ?, updated_at = ? WHERE id = ?`,
			cv.status, cv.lastMessage, cv.lastMessageAt, cv.lastInbound, cv.inbound, cv.updated, cv.id); err != nil {
			return fmt.Errorf("update conversation: %w", err)
		}
	}
	return nil
}

// loadAssignees reads the assignees of the conversations the batch touched,
// sorted by name.
func (j *batchJob) loadAssignees(ctx context.Context, tx *writeTx) error {
	ids := make([]string, len(j.order))
	byID := make(map[string]*batchConversation, len(j.order))
	for i, cv := range j.order {
		ids[i], byID[cv.id] = cv.id, cv
	}
	return eachAssignee(ctx, tx, ids, func(convID string, ref switchboard.UserRef) {
		cv := byID[convID]
		cv.assignees = append(cv.assignees, ref)
	})
}

// result puts the batch's outcome together after the commit, decrypting
// only what the job did not know in plaintext.
func (j *batchJob) result(ctx context.Context) (*switchboard.BatchResult, error) {
	db := j.db
	convs := make(map[string]*switchboard.Conversation, len(j.order))
	for _, cv := range j.order {
		c, err := j.conversationOf(ctx, cv)
		if err != nil {
			return nil, err
		}
		convs[c.ID] = c
	}
	for _, r := range j.received {
		if !r.Duplicate {
			r.Conversation = convs[r.Message.ConversationID]
		}
	}
	res := &switchboard.BatchResult{Received: j.received, Statuses: make([]*switchboard.StatusResult, len(j.outcomes))}
	msgs := map[string]*switchboard.Message{}
	for i, out := range j.outcomes {
		r := &switchboard.StatusResult{Changed: out.changed, Parked: out.parked}
		res.Statuses[i] = r
		if !out.changed {
			continue
		}
		m := msgs[out.messageID]
		if m == nil {
			var err error
			if m, err = db.message(ctx, db.rdb, out.messageID); err != nil {
				return nil, err
			}
			msgs[m.ID] = m
		}
		c := convs[m.ConversationID]
		if c == nil {
			var err error
			if c, err = db.conversation(ctx, db.rdb, m.ConversationID, ""); err != nil {
				return nil, err
			}
			convs[c.ID] = c
		}
		r.Message, r.Conversation = m, c
	}
	return res, nil
}

// conversationOf builds a conversation as Conversation would read it (for
// no viewer), from what the job knows.
func (j *batchJob) conversationOf(ctx context.Context, cv *batchConversation) (*switchboard.Conversation, error) {
	db, ct := j.db, cv.contact
	if !ct.nameKnown {
		b, err := db.codec.Open(ctx, ct.keyID, "contacts", "name", ct.id, ct.sealedName)
		if err != nil {
			return nil, err
		}
		// Not cached: after the commit, an erasure of the contact may
		// already have emptied its cache entry.
		ct.name, ct.nameKnown = string(b), true
	}
	c := &switchboard.Conversation{
		ID: cv.id, ChannelID: ct.channelID, Status: cv.status, KeyID: ct.keyID,
		Contact:       switchboard.Contact{ID: ct.id, ChannelID: ct.channelID, WaID: ct.waID, Name: ct.name, CreatedAt: ct.createdAt},
		LastInboundAt: fromMicros(cv.lastInbound), CreatedAt: fromMicros(cv.created), UpdatedAt: fromMicros(cv.updated),
		UnreadCount: cv.inbound, Assignees: cv.assignees,
	}
	if c.Assignees == nil {
		c.Assignees = []switchboard.UserRef{}
	}
	switch {
	case cv.preview != nil:
		p := *cv.preview
		p.At = utc(p.At)
		c.LastMessage = &p
	case cv.lastMessage != nil:
		// An older message arrived late: the preview is a newer one's.
		var p switchboard.MessagePreview
		if err := db.codec.OpenJSON(ctx, cv.keyID, "conversations", "last_message", cv.id, cv.lastMessage, &p); err != nil {
			return nil, err
		}
		p.At = utc(p.At)
		c.LastMessage = &p
	}
	return c, nil
}

// nameCache remembers contacts' decrypted names by their sealed form, so
// that a returning customer's name is not decrypted again for every
// message. An entry is used only while the stored ciphertext is the one it
// was made from, so it can never be stale.
type nameCache struct {
	mu sync.Mutex
	m  map[string]cachedName
}

type cachedName struct {
	sealed []byte
	name   string
}

// maxCachedNames bounds the cache; it is simply emptied when full.
const maxCachedNames = 50_000

func (c *nameCache) get(contactID string, sealed []byte) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[contactID]
	if !ok || !bytes.Equal(e.sealed, sealed) {
		return "", false
	}
	return e.name, true
}

func (c *nameCache) put(contactID string, sealed []byte, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedNames {
		c.m = map[string]cachedName{}
	}
	c.m[contactID] = cachedName{sealed: sealed, name: strings.Clone(name)}
}

// newMessageID returns an id of the form switchboard.NewID makes whose first
// twelve hex digits are the time in milliseconds: ids made at about the same
// time sort together, so the messages' primary key index grows at its end
// instead of at a random page for every message, which saves a page write
// per stored message. The other 80 bits are random.
func newMessageID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	_, _ = rand.Read(b[6:]) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b[:])
}
