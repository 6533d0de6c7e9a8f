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
	if in.Message == nil || in.ChannelID == "" || !in.HasSender() {
		return switchboard.Errorf(switchboard.EInvalid, "Inbound message needs a channel, a sender and a message.")
	}
	return nil
}

// preparedInbound is an inbound message with its blind indexes, computed
// outside the writer.
type preparedInbound struct {
	in                                 switchboard.InboundMessage
	wamid, contact, replyTo, reactedTo []byte
	// phone and user are the blind indexes of the sender's phone number
	// and BSUID, nil for those the message does not carry; contact is the
	// wa_id_hash of a contact it creates (storecrypt.ContactKey).
	phone, user []byte
	// change holds the new identifiers of a number or BSUID change.
	change *preparedInbound
}

// batchContact is a contact as a batch job knows it.
type batchContact struct {
	id, channelID, keyID string
	createdAt            time.Time
	sealedName           []byte
	name                 string
	nameKnown            bool // name is the plaintext of sealedName

	// waHash and userHash are the stored blind indexes (userHash nil if no
	// BSUID is known); ids are the identifiers, each decrypted only when
	// needed (see batchJob.ids).
	waHash, userHash []byte
	ids              [numIDs]contactID
}

// The identifiers of a contact besides its name, by their column.
const (
	idWaID = iota
	idUserID
	idParentUserID
	idUsername
	numIDs
)

var idColumns = [numIDs]string{"wa_id", "user_id", "parent_user_id", "username"}

// contactID is one identifier of a contact: sealed as stored (nil for
// NULL) and its plaintext once known.
type contactID struct {
	sealed []byte
	plain  string
	known  bool
}

func (c *contactID) set(sealed []byte, plain string) {
	*c = contactID{sealed: sealed, plain: plain, known: true}
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

	lastMessage []byte // sealed preview as stored; nil if none
	act         switchboard.ConversationActivity
	created     time.Time
	// preview is the newest message's preview once the batch has one
	// (then lastMessage is stale until written).
	preview   *switchboard.MessagePreview
	changed   bool // a message was added
	assignees []switchboard.UserRef
}

// batchJob is the state of one ReceiveBatch write job.
type batchJob struct {
	db        *DB
	msgs      []preparedInbound
	statuses  []*preparedStatus
	events    []int64
	dead      []switchboard.DeadEvent
	templates []switchboard.TemplateStatusChange

	now      time.Time
	received []*switchboard.Received
	outcomes []statusOutcome
	// What the batch knows so far: messages it stored by wamid blind
	// index, contacts by channel and blind index, conversations by contact
	// id, and those it changed in the order it first did.
	stored   map[string]*switchboard.Message
	contacts map[string]*batchContact // by channel, "w" or "u" and blind index
	byID     map[string]*batchContact
	convs    map[string]*batchConversation
	order    []*batchConversation
}

func (db *DB) receiveBatch(ctx context.Context, b switchboard.InboundBatch) (*switchboard.BatchResult, error) {
	msgs := make([]preparedInbound, len(b.Messages))
	for i, in := range b.Messages {
		p := preparedInbound{in: in, contact: db.codec.ContactKey(in.ChannelID, in.WaID, in.UserID)}
		if in.WaID != "" {
			p.phone = p.contact
		}
		if in.UserID != "" {
			p.user = db.codec.ContactUserIDHash(in.ChannelID, in.UserID)
		}
		if in.NewWaID != "" || in.NewUserID != "" {
			c := &preparedInbound{in: switchboard.InboundMessage{ChannelID: in.ChannelID, WaID: in.NewWaID, UserID: in.NewUserID}}
			if in.NewWaID != "" {
				c.phone = db.codec.ContactWaIDHash(in.ChannelID, in.NewWaID)
			}
			if in.NewUserID != "" {
				c.user = db.codec.ContactUserIDHash(in.ChannelID, in.NewUserID)
			}
			p.change = c
		}
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
		j = &batchJob{db: db, msgs: msgs, statuses: statuses, events: b.Events, dead: b.Dead, templates: b.Templates, now: db.now(),
			stored: map[string]*switchboard.Message{}, contacts: map[string]*batchContact{}, byID: map[string]*batchContact{}, convs: map[string]*batchConversation{}}
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
	for _, u := range j.templates {
		if _, err := tx.ExecContext(ctx, `UPDATE templates SET status = ? WHERE channel_id = ? AND name = ? AND language = ?`,
			u.Status, u.ChannelID, u.Name, u.Language); err != nil {
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
	reidentify, err := j.reidentifies(ctx, ct, p)
	if err != nil {
		return nil, err
	}
	// A returning customer writing into an open conversation under the
	// same name and identifiers is by far the common case: then the insert
	// itself finds a webhook delivered twice. Otherwise look first, so that
	// a duplicate changes nothing.
	direct := ct != nil && cv != nil && cv.status == switchboard.StatusOpen && !rename && !reidentify && p.change == nil
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
	} else {
		if rename {
			if err := j.rename(ctx, tx, ct, in.ProfileName); err != nil {
				return nil, err
			}
		}
		if reidentify {
			if err := j.identify(ctx, tx, ct, p); err != nil {
				return nil, err
			}
		}
	}
	if p.change != nil {
		if err := j.identify(ctx, tx, ct, p.change); err != nil {
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
// one, else the most recent), in the batch or with one query; either may
// be nil. A contact is found by its BSUID first, then by wa_id_hash (the
// phone number's blind index, or the BSUID's for a contact without one).
func (j *batchJob) lookup(ctx context.Context, tx *writeTx, p *preparedInbound) (*batchContact, *batchConversation, error) {
	ch := p.in.ChannelID
	if p.user != nil {
		if ct, ok := j.contacts[ch+"\x00u"+string(p.user)]; ok {
			return ct, j.convs[ct.id], nil
		}
	} else if ct, ok := j.contacts[ch+"\x00w"+string(p.contact)]; ok {
		return ct, j.convs[ct.id], nil
	}
	ct := &batchContact{channelID: ch}
	var created sql.NullInt64
	var convID, convKey, status sql.NullString
	var lastMessageAt, lastInbound, convCreated, convUpdated, inbound sql.NullInt64
	cv := &batchConversation{contact: ct}
	err := tx.QueryRowContext(ctx, `SELECT ct.id, ct.key_id, ct.name, ct.created_at, ct.wa_id_hash, ct.user_id_hash,
			ct.wa_id, ct.user_id, ct.parent_user_id, ct.username, c.id, c.key_id, c.status,
			c.last_message, c.last_message_at, c.last_inbound_at, c.inbound_count, c.created_at, c.updated_at
		FROM contacts ct
		LEFT JOIN conversations c ON c.id = (SELECT id FROM conversations WHERE contact_id = ct.id
			ORDER BY status = 'open' DESC, updated_at DESC, id DESC LIMIT 1)
		WHERE (ct.channel_id = ? AND ct.user_id_hash = ?) OR (ct.channel_id = ? AND ct.wa_id_hash = ?)
		ORDER BY COALESCE(ct.user_id_hash = ?, 0) DESC LIMIT 1`, ch, p.user, ch, p.contact, p.user).
		Scan(&ct.id, &ct.keyID, &ct.sealedName, &created, &ct.waHash, &ct.userHash,
			&ct.ids[idWaID].sealed, &ct.ids[idUserID].sealed, &ct.ids[idParentUserID].sealed, &ct.ids[idUsername].sealed,
			&convID, &convKey, &status,
			&cv.lastMessage, &lastMessageAt, &lastInbound, &inbound, &convCreated, &convUpdated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, fmt.Errorf("find contact: %w", err)
	}
	if known := j.byID[ct.id]; known != nil {
		// Found under an identifier the batch did not know it by yet.
		j.remember(known)
		return known, j.convs[known.id], nil
	}
	ct.createdAt = fromMicros(created)
	ct.name, ct.nameKnown = j.db.names.get(ct.id, ct.sealedName)
	// What the message says is the plaintext of what matched; a NULL
	// column is an empty identifier.
	if p.phone != nil && bytes.Equal(ct.waHash, p.phone) {
		ct.ids[idWaID].plain, ct.ids[idWaID].known = p.in.WaID, true
	}
	if p.user != nil && bytes.Equal(ct.userHash, p.user) {
		ct.ids[idUserID].plain, ct.ids[idUserID].known = p.in.UserID, true
	}
	for i := range ct.ids {
		if ct.ids[i].sealed == nil {
			ct.ids[i].known = true
		}
	}
	j.remember(ct)
	if !convID.Valid {
		return ct, nil, nil
	}
	cv.id, cv.keyID, cv.status, cv.created = convID.String, convKey.String, status.String, fromMicros(convCreated)
	cv.act = switchboard.ConversationActivity{LastMessageAt: fromMicros(lastMessageAt), LastInboundAt: fromMicros(lastInbound),
		InboundCount: int(inbound.Int64), UpdatedAt: fromMicros(convUpdated)}
	j.convs[ct.id] = cv
	return ct, cv, nil
}

// remember keeps the contact under its id and current blind indexes.
func (j *batchJob) remember(ct *batchContact) {
	j.byID[ct.id] = ct
	j.contacts[ct.channelID+"\x00w"+string(ct.waHash)] = ct
	if ct.userHash != nil {
		j.contacts[ct.channelID+"\x00u"+string(ct.userHash)] = ct
	}
}

// ids decrypts the contact's identifiers the job does not know yet.
func (j *batchJob) ids(ctx context.Context, ct *batchContact) error {
	for i := range ct.ids {
		id := &ct.ids[i]
		if id.known {
			continue
		}
		b, err := j.db.codec.Open(ctx, ct.keyID, "contacts", idColumns[i], ct.id, id.sealed)
		if err != nil {
			return err
		}
		id.plain, id.known = string(b), true
	}
	return nil
}

// reidentifies reports whether a message from the contact brings an
// identifier it does not have: a BSUID (first or new), a phone number
// (first or changed), a changed username or parent BSUID.
func (j *batchJob) reidentifies(ctx context.Context, ct *batchContact, p *preparedInbound) (bool, error) {
	if ct == nil {
		return false, nil
	}
	in := p.in
	if p.user != nil && !bytes.Equal(ct.userHash, p.user) {
		return true, nil
	}
	if p.phone == nil || bytes.Equal(ct.waHash, p.phone) {
		if in.Username == "" && in.ParentUserID == "" {
			return false, nil
		}
	}
	if err := j.ids(ctx, ct); err != nil {
		return false, err
	}
	return in.WaID != "" && ct.ids[idWaID].plain != in.WaID ||
		in.Username != "" && ct.ids[idUsername].plain != in.Username ||
		in.ParentUserID != "" && ct.ids[idParentUserID].plain != in.ParentUserID, nil
}

// identify links what the message says about its sender to the contact:
// a BSUID it did not have (or a new one), a phone number it did not have
// (or a new one; wa_id_hash moves to it unless another contact holds that
// number), a changed username or parent BSUID. The search terms follow.
func (j *batchJob) identify(ctx context.Context, tx *writeTx, ct *batchContact, p *preparedInbound) error {
	db, in := j.db, p.in
	if err := j.ids(ctx, ct); err != nil {
		return err
	}
	var sets []string
	var args []any
	seal := func(i int, v string) error {
		sealed, err := db.codec.Seal(ctx, ct.keyID, "contacts", idColumns[i], ct.id, []byte(v))
		if err != nil {
			return err
		}
		ct.ids[i].set(sealed, v)
		sets, args = append(sets, idColumns[i]+" = ?"), append(args, sealed)
		return nil
	}
	if p.user != nil && !bytes.Equal(ct.userHash, p.user) {
		var taken bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM contacts WHERE channel_id = ? AND user_id_hash = ?)`,
			ct.channelID, p.user).Scan(&taken); err != nil {
			return fmt.Errorf("check BSUID: %w", err)
		}
		// A BSUID another contact holds stays there; contacts are not
		// merged.
		if !taken {
			if err := seal(idUserID, in.UserID); err != nil {
				return err
			}
			sets, args = append(sets, "user_id_hash = ?"), append(args, p.user)
			ct.userHash = p.user
		}
	}
	terms := false
	if in.WaID != "" && ct.ids[idWaID].plain != in.WaID {
		if err := seal(idWaID, in.WaID); err != nil {
			return err
		}
		var taken bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM contacts WHERE channel_id = ? AND wa_id_hash = ?)`,
			ct.channelID, p.phone).Scan(&taken); err != nil {
			return fmt.Errorf("check phone number: %w", err)
		}
		if !taken {
			sets, args = append(sets, "wa_id_hash = ?"), append(args, p.phone)
			ct.waHash = p.phone
		}
		terms = true
	}
	if in.Username != "" && ct.ids[idUsername].plain != in.Username {
		if err := seal(idUsername, in.Username); err != nil {
			return err
		}
		terms = true
	}
	if in.ParentUserID != "" && ct.ids[idParentUserID].plain != in.ParentUserID {
		if err := seal(idParentUserID, in.ParentUserID); err != nil {
			return err
		}
	}
	if len(sets) == 0 {
		return nil
	}
	args = append(args, micros(j.now), ct.id)
	if _, err := tx.ExecContext(ctx, `UPDATE contacts SET `+strings.Join(sets, ", ")+`, updated_at = ? WHERE id = ?`, args...); err != nil {
		return fmt.Errorf("update contact identifiers: %w", err)
	}
	j.remember(ct)
	if !terms {
		return nil
	}
	name, err := j.nameOf(ctx, ct)
	if err != nil {
		return err
	}
	return db.putContactTerms(ctx, tx, ct.id, name, ct.ids[idUsername].plain, ct.ids[idWaID].plain)
}

// nameOf returns the contact's name in plaintext.
func (j *batchJob) nameOf(ctx context.Context, ct *batchContact) (string, error) {
	if !ct.nameKnown {
		b, err := j.db.codec.Open(ctx, ct.keyID, "contacts", "name", ct.id, ct.sealedName)
		if err != nil {
			return "", err
		}
		ct.name, ct.nameKnown = string(b), true
	}
	return ct.name, nil
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
	if err := j.ids(ctx, ct); err != nil {
		return err
	}
	if err := db.putContactTerms(ctx, tx, ct.id, name, ct.ids[idUsername].plain, ct.ids[idWaID].plain); err != nil {
		return err
	}
	ct.sealedName, ct.name = sealed, name
	j.rememberName(tx, ct)
	return nil
}

// createContact inserts a new contact with its own data key, under every
// identifier the message names.
func (j *batchJob) createContact(ctx context.Context, tx *writeTx, p *preparedInbound) (*batchContact, error) {
	db, in := j.db, p.in
	ct := &batchContact{id: switchboard.NewID(), channelID: in.ChannelID, createdAt: j.now, waHash: p.contact, userHash: p.user}
	var err error
	if ct.keyID, err = db.createKey(ctx, tx); err != nil {
		return nil, err
	}
	plain := [numIDs]string{in.WaID, in.UserID, in.ParentUserID, in.Username}
	for i, v := range plain {
		var sealed []byte
		// The phone number is sealed even when empty: the column is NOT
		// NULL since before BSUIDs.
		if v != "" || i == idWaID {
			if sealed, err = db.codec.Seal(ctx, ct.keyID, "contacts", idColumns[i], ct.id, []byte(v)); err != nil {
				return nil, err
			}
		}
		ct.ids[i].set(sealed, v)
	}
	if ct.sealedName, err = db.codec.Seal(ctx, ct.keyID, "contacts", "name", ct.id, []byte(in.ProfileName)); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO contacts (id, channel_id, key_id, wa_id_hash, wa_id, user_id_hash, user_id,
		parent_user_id, username, name, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, ct.id, in.ChannelID, ct.keyID, p.contact, ct.ids[idWaID].sealed,
		p.user, ct.ids[idUserID].sealed, ct.ids[idParentUserID].sealed, ct.ids[idUsername].sealed, ct.sealedName,
		micros(j.now), micros(j.now)); err != nil {
		return nil, fmt.Errorf("insert contact: %w", err)
	}
	if err := db.putContactTerms(ctx, tx, ct.id, in.ProfileName, in.Username, in.WaID); err != nil {
		return nil, err
	}
	ct.name, ct.nameKnown = in.ProfileName, true
	j.rememberName(tx, ct)
	j.remember(ct)
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
			created: j.now, act: switchboard.ConversationActivity{UpdatedAt: ts}}
		if _, err := tx.ExecContext(ctx, `INSERT INTO conversations (id, channel_id, contact_id, status, key_id, inbound_count,
			created_at, updated_at) VALUES (?, ?, ?, 'open', ?, 0, ?, ?)`,
			cv.id, ct.channelID, ct.id, ct.keyID, micros(cv.created), micros(ts)); err != nil {
			return nil, fmt.Errorf("insert conversation: %w", err)
		}
		j.convs[ct.id] = cv
	case cv.status != switchboard.StatusOpen:
		cv.status, cv.isNew, cv.first = switchboard.StatusOpen, true, i
	}
	return cv, nil
}

// touch records an inbound message in its conversation, in memory, by
// the domain's rule (switchboard.ConversationActivity.Absorb). The job
// writes the conversation back once (see save).
func (j *batchJob) touch(cv *batchConversation, m *switchboard.Message) {
	if p := cv.act.Absorb(m); p != nil {
		cv.preview = p
	}
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
			cv.status, cv.lastMessage, micros(cv.act.LastMessageAt), micros(cv.act.LastInboundAt), cv.act.InboundCount,
			micros(cv.act.UpdatedAt), cv.id); err != nil {
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
	// Not cached: after the commit, an erasure of the contact may already
	// have emptied its cache entry.
	if _, err := j.nameOf(ctx, ct); err != nil {
		return nil, err
	}
	if err := j.ids(ctx, ct); err != nil {
		return nil, err
	}
	c := &switchboard.Conversation{
		ID: cv.id, ChannelID: ct.channelID, Status: cv.status, KeyID: ct.keyID,
		Contact: switchboard.Contact{ID: ct.id, ChannelID: ct.channelID, WaID: ct.ids[idWaID].plain,
			UserID: ct.ids[idUserID].plain, ParentUserID: ct.ids[idParentUserID].plain, Username: ct.ids[idUsername].plain,
			Name: ct.name, CreatedAt: ct.createdAt},
		LastInboundAt: cv.act.LastInboundAt, CreatedAt: cv.created, UpdatedAt: cv.act.UpdatedAt,
		UnreadCount: cv.act.InboundCount, Assignees: cv.assignees,
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
