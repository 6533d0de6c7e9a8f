package postgres

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
)

// ReceiveBatch stores the messages and applies the statuses of a batch of
// webhook events, and deletes the events, in one transaction.
//
// Two batches (of this process or another) may run at once. So that they
// cannot deadlock, rows are locked in one order: the messages' contacts
// sorted by blind index, then the statuses' wamid locks sorted by key. A
// deadlock PostgreSQL reports anyway (a MarkSent in between) and a
// concurrent delivery of the same wamid are retried.
func (db *DB) ReceiveBatch(ctx context.Context, b switchboard.InboundBatch) (*switchboard.BatchResult, error) {
	for _, in := range b.Messages {
		switch {
		case in.Message == nil:
			return nil, switchboard.Errorf(switchboard.EInvalid, "Message is required.")
		case in.ChannelID == "":
			return nil, switchboard.Errorf(switchboard.EInvalid, "Channel is required.")
		case !in.HasSender():
			return nil, switchboard.Errorf(switchboard.EInvalid, "A phone number or business-scoped user id is required.")
		}
	}
	for _, u := range b.Statuses {
		if u.MessageID == "" && u.WAMessageID == "" {
			return nil, switchboard.Errorf(switchboard.EInvalid, "A status needs a message id.")
		}
	}
	msgs := make([]preparedInbound, len(b.Messages))
	for i, in := range b.Messages {
		p := preparedInbound{in: in, index: i, key: db.codec.ContactKey(in.ChannelID, in.WaID, in.UserID)}
		p.contact = p.key
		if in.WaID != "" {
			p.phone = p.key
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
	sortInbound(msgs)
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

	var j *batchJob
	for attempt := 1; ; attempt++ {
		j = &batchJob{db: db, msgs: msgs, statuses: statuses, events: b.Events, dead: b.Dead, templates: b.Templates, now: db.now(),
			received: make([]*switchboard.Received, len(msgs)), outcomes: make([]statusOutcome, len(statuses)),
			known: map[string]*switchboard.Message{}, contacts: map[string]*batchContact{}, convs: map[string]*batchConversation{}}
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

// sortInbound puts messages in lock order; stable, so that a contact's
// messages keep theirs.
func sortInbound(msgs []preparedInbound) {
	slices.SortStableFunc(msgs, func(a, b preparedInbound) int {
		if c := strings.Compare(a.in.ChannelID, b.in.ChannelID); c != 0 {
			return c
		}
		return bytes.Compare(a.contact, b.contact)
	})
}

// preparedInbound is an inbound message with its blind indexes, computed
// before the transaction; index is its place in the batch.
type preparedInbound struct {
	in                                 switchboard.InboundMessage
	index                              int
	wamid, contact, replyTo, reactedTo []byte
	// key is the wa_id_hash of a contact the message creates
	// (storecrypt.ContactKey); contact is the wa_id_hash of the contact it
	// belongs to, as resolve found it. phone and user are the blind
	// indexes of the phone number and BSUID it names (nil if it does not).
	key, phone, user []byte
	// change holds the new identifiers of a number or BSUID change.
	change *preparedInbound
}

// preparedStatus is a status with its wamid's blind index and lock key.
type preparedStatus struct {
	u     switchboard.StatusUpdate
	index int
	ts    time.Time
	hash  []byte
	lock  int64
}

// batchContact is a contact as a batch transaction knows it.
type batchContact struct {
	id, channelID, keyID string
	createdAt            time.Time
	sealedName           []byte
	name                 string
	nameKnown            bool // name is the plaintext of sealedName (or was just stored)

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

// batchConversation is a conversation the batch adds messages to: its id
// and status as locked, then the row as the batch's update returned it.
type batchConversation struct {
	id      string
	contact *batchContact
	status  string
	keyID   string
	// isNew is set when the batch created or reopened it; first is the
	// batch index of its first message.
	isNew bool
	first int

	// What the batch adds: how many messages, the newest one's time and
	// preview (the later one of equal times, as one by one).
	added   int
	newest  time.Time
	preview switchboard.MessagePreview
	sealed  []byte // preview as written

	lastMessage      []byte
	lastInbound      *time.Time
	inbound          int
	created, updated time.Time
	assignees        []switchboard.UserRef
}

// batchJob is the state of one attempt of a batch transaction.
type batchJob struct {
	db        *DB
	msgs      []preparedInbound
	statuses  []preparedStatus
	events    []int64
	dead      []switchboard.DeadEvent
	templates []switchboard.TemplateStatusChange

	now      time.Time
	received []*switchboard.Received // by batch index
	outcomes []statusOutcome         // by batch index
	// What the transaction knows: messages by wamid blind index (stored
	// before, or by this batch), contacts by channel and blind index,
	// conversations by contact id in the order the batch first adds to
	// them, and the messages to insert.
	known    map[string]*switchboard.Message
	contacts map[string]*batchContact
	convs    map[string]*batchConversation
	order    []*batchConversation
	inserts  []insertRow
}

// insertRow is a message to insert, sealed under its contact's key.
type insertRow struct {
	m         *switchboard.Message
	keyID     string
	channelID string
	wamidHash []byte
}

func (j *batchJob) run(ctx context.Context, tx *txn) error {
	if err := j.resolve(ctx, tx); err != nil {
		return err
	}
	if err := j.prefetch(ctx, tx); err != nil {
		return err
	}
	for i := range j.msgs {
		p := &j.msgs[i]
		r, err := j.receive(ctx, tx, p)
		if err != nil {
			return err
		}
		j.received[p.index] = r
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
	return nil
}

// resolve finds the contact each message belongs to: by BSUID first, then
// by wa_id_hash (the phone number's blind index, or the BSUID's for a
// contact without one), then by what an earlier message of the batch
// named; and puts the messages in lock order by it. A message from a
// customer the store does not know yet keeps its own key.
func (j *batchJob) resolve(ctx context.Context, tx *txn) error {
	if len(j.msgs) == 0 {
		return nil
	}
	var userChannels, waChannels []string
	var users, was [][]byte
	for _, p := range j.msgs {
		if p.user != nil {
			userChannels, users = append(userChannels, p.in.ChannelID), append(users, p.user)
		}
		waChannels, was = append(waChannels, p.in.ChannelID), append(was, p.key)
	}
	rows, err := tx.Query(ctx, `SELECT channel_id, wa_id_hash, user_id_hash FROM contacts
		WHERE (channel_id, user_id_hash) IN (SELECT * FROM unnest($1::text[], $2::bytea[]))
			OR (channel_id, wa_id_hash) IN (SELECT * FROM unnest($3::text[], $4::bytea[]))`, userChannels, users, waChannels, was)
	if err != nil {
		return fmt.Errorf("resolve contacts: %w", err)
	}
	byUser, byWa := map[string][]byte{}, map[string][]byte{}
	for rows.Next() {
		var ch string
		var wa, user []byte
		if err := rows.Scan(&ch, &wa, &user); err != nil {
			rows.Close()
			return fmt.Errorf("resolve contacts: %w", err)
		}
		byWa[ch+"\x00"+string(wa)] = wa
		if user != nil {
			byUser[ch+"\x00"+string(user)] = wa
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("resolve contacts: %w", err)
	}
	order := make([]*preparedInbound, len(j.msgs))
	for i := range j.msgs {
		order[j.msgs[i].index] = &j.msgs[i]
	}
	for _, p := range order {
		ch := p.in.ChannelID
		uk, wk := ch+"\x00"+string(p.user), ch+"\x00"+string(p.key)
		switch key, ok := byUser[uk]; {
		case p.user != nil && ok:
			p.contact = key
		case byWa[wk] != nil:
			p.contact = byWa[wk]
		default:
			p.contact = p.key
			byWa[wk] = p.key
		}
		if p.user != nil && byUser[uk] == nil {
			byUser[uk] = p.contact
		}
		if p.phone != nil && byWa[ch+"\x00"+string(p.phone)] == nil {
			byWa[ch+"\x00"+string(p.phone)] = p.contact
		}
	}
	sortInbound(j.msgs)
	return nil
}

// prefetch locks the batch's contacts and their newest conversations (in
// id order, so that concurrent batches cannot deadlock) and reads them,
// and reads the stored messages the batch names by wamid, in one round
// trip.
func (j *batchJob) prefetch(ctx context.Context, tx *txn) error {
	var channels []string
	var hashes, wamids [][]byte
	seen := map[string]bool{}
	for _, p := range j.msgs {
		key := p.in.ChannelID + "\x00" + string(p.contact)
		if !seen[key] {
			seen[key] = true
			channels, hashes = append(channels, p.in.ChannelID), append(hashes, p.contact)
		}
		for _, h := range [][]byte{p.wamid, p.replyTo, p.reactedTo} {
			if h != nil {
				wamids = append(wamids, h)
			}
		}
	}
	if len(channels) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT id, channel_id, wa_id_hash, key_id, name, created_at, user_id_hash, wa_id, user_id, parent_user_id, username FROM contacts
		WHERE (channel_id, wa_id_hash) IN (SELECT * FROM unnest($1::text[], $2::bytea[]))
		ORDER BY id FOR NO KEY UPDATE`, channels, hashes)
	b.Queue(`SELECT c.id, c.contact_id, c.status, c.key_id FROM conversations c
		WHERE c.id IN (SELECT (SELECT id FROM conversations WHERE contact_id = ct.id
				ORDER BY status = 'open' DESC, created_at DESC, id DESC LIMIT 1)
			FROM contacts ct WHERE (ct.channel_id, ct.wa_id_hash) IN (SELECT * FROM unnest($1::text[], $2::bytea[])))
		ORDER BY c.id FOR NO KEY UPDATE`, channels, hashes)
	b.Queue(`SELECT wamid_hash, id, conversation_id FROM messages WHERE wamid_hash = ANY($1)`, wamids)
	br := tx.SendBatch(ctx, b)
	defer br.Close()

	byID := map[string]*batchContact{}
	rows, err := br.Query()
	if err != nil {
		return fmt.Errorf("lock contacts: %w", err)
	}
	for rows.Next() {
		ct := &batchContact{}
		if err := rows.Scan(&ct.id, &ct.channelID, &ct.waHash, &ct.keyID, &ct.sealedName, &ct.createdAt, &ct.userHash,
			&ct.ids[idWaID].sealed, &ct.ids[idUserID].sealed, &ct.ids[idParentUserID].sealed, &ct.ids[idUsername].sealed); err != nil {
			rows.Close()
			return fmt.Errorf("lock contacts: %w", err)
		}
		ct.createdAt = ct.createdAt.UTC()
		ct.name, ct.nameKnown = j.db.names.get(ct.id, ct.sealedName)
		for i := range ct.ids {
			if ct.ids[i].sealed == nil {
				ct.ids[i].known = true
			}
		}
		j.contacts[ct.channelID+"\x00"+string(ct.waHash)] = ct
		byID[ct.id] = ct
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("lock contacts: %w", err)
	}
	if rows, err = br.Query(); err != nil {
		return fmt.Errorf("lock conversations: %w", err)
	}
	for rows.Next() {
		cv := &batchConversation{}
		var contactID string
		if err := rows.Scan(&cv.id, &contactID, &cv.status, &cv.keyID); err != nil {
			rows.Close()
			return fmt.Errorf("lock conversations: %w", err)
		}
		if ct := byID[contactID]; ct != nil {
			cv.contact = ct
			j.convs[contactID] = cv
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("lock conversations: %w", err)
	}
	if rows, err = br.Query(); err != nil {
		return fmt.Errorf("find messages: %w", err)
	}
	for rows.Next() {
		var hash []byte
		m := &switchboard.Message{}
		if err := rows.Scan(&hash, &m.ID, &m.ConversationID); err != nil {
			rows.Close()
			return fmt.Errorf("find messages: %w", err)
		}
		j.known[string(hash)] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find messages: %w", err)
	}
	return br.Close()
}

// receive takes one message of the batch into the transaction: a
// duplicate is answered at once; the contact and conversation are created,
// renamed or reopened as needed (rarely); the message is queued for the
// insert and counted in its conversation.
func (j *batchJob) receive(ctx context.Context, tx *txn, p *preparedInbound) (*switchboard.Received, error) {
	db, in := j.db, p.in
	if p.wamid != nil {
		if m := j.known[string(p.wamid)]; m != nil {
			return duplicate(m.ID, m.ConversationID), nil
		}
	}
	ct, err := j.contact(ctx, tx, p)
	if err != nil {
		return nil, err
	}

	m := *in.Message
	if m.ID == "" {
		m.ID = newMessageID(j.now)
	}
	m.Direction, m.Status = switchboard.DirectionIn, switchboard.MessageReceived
	if m.Timestamp.IsZero() {
		m.Timestamp = j.now
	}
	m.Timestamp, m.CreatedAt, m.UpdatedAt = utc(m.Timestamp), j.now, j.now

	cv := j.convs[ct.id]
	if cv == nil || cv.status != switchboard.StatusOpen {
		// A new customer, or one writing after a close: this is rare
		// enough for the one-by-one path, which also reopens.
		id, isNew, err := db.receiveConversation(ctx, tx, in.ChannelID, ct.id, ct.keyID, m.Timestamp, j.now)
		if err != nil {
			return nil, err
		}
		keyID := ct.keyID
		if cv != nil && cv.id == id {
			keyID = cv.keyID
		}
		cv = &batchConversation{id: id, contact: ct, status: switchboard.StatusOpen, keyID: keyID, isNew: isNew, first: p.index}
		j.convs[ct.id] = cv
	}
	m.ConversationID = cv.id

	if p.replyTo != nil {
		if r := j.known[string(p.replyTo)]; r != nil {
			m.ReplyToID = r.ID
		}
	}
	if p.reactedTo != nil {
		if r := j.known[string(p.reactedTo)]; r != nil {
			re := switchboard.Reaction{}
			if m.Content.Reaction != nil {
				re = *m.Content.Reaction
			}
			re.MessageID = r.ID
			m.Content.Reaction = &re
		}
	}

	j.inserts = append(j.inserts, insertRow{m: &m, keyID: ct.keyID, channelID: in.ChannelID, wamidHash: p.wamid})
	if p.wamid != nil {
		j.known[string(p.wamid)] = &m
	}
	if cv.added == 0 {
		j.order = append(j.order, cv)
	}
	cv.added++
	if cv.added == 1 || !m.Timestamp.Before(cv.newest) {
		cv.newest, cv.preview = m.Timestamp, preview(&m)
	}
	return &switchboard.Received{Message: &m, NewConversation: cv.isNew && cv.first == p.index}, nil
}

// write inserts the batch's messages, moves its conversations forward,
// queues media downloads, deletes the events and reads the assignees, in
// one round trip.
func (j *batchJob) write(ctx context.Context, tx *txn) error {
	db := j.db
	b := &pgx.Batch{}
	if n := len(j.inserts); n > 0 {
		var (
			ids, convs, keys, dirs, types, states, replies, senders, titles, details = make([]string, n), make([]string, n),
				make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n),
				make([]string, n), make([]string, n)
			contents, wamids, hashes = make([][]byte, n), make([][]byte, n), make([][]byte, n)
			codes                    = make([]*int32, n)
			times, created, updated  = make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
		)
		for i, r := range j.inserts {
			m := r.m
			content, err := storecrypt.EncodeContent(m.Content)
			if err != nil {
				return err
			}
			if contents[i], err = db.codec.Seal(ctx, r.keyID, "messages", "content", m.ID, content); err != nil {
				return err
			}
			if m.WAMessageID != "" {
				if wamids[i], err = db.codec.Seal(ctx, r.keyID, "messages", "wa_message_id", m.ID, []byte(m.WAMessageID)); err != nil {
					return err
				}
				hashes[i] = r.wamidHash
			}
			if m.Error != nil {
				code := int32(m.Error.Code)
				codes[i], titles[i], details[i] = &code, m.Error.Title, m.Error.Details
			}
			ids[i], convs[i], keys[i], dirs[i], types[i], states[i] = m.ID, m.ConversationID, r.keyID, m.Direction, m.Type, m.Status
			replies[i], senders[i], times[i], created[i], updated[i] = m.ReplyToID, m.SenderID, m.Timestamp, m.CreatedAt, m.UpdatedAt
		}
		b.Queue(`INSERT INTO messages (`+messageColumns+`, wamid_hash)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[], $8::bytea[],
				$9::text[], $10::text[], $11::int[], $12::text[], $13::text[], $14::timestamptz[], $15::timestamptz[],
				$16::timestamptz[], $17::bytea[])
			ON CONFLICT (wamid_hash) DO NOTHING`,
			ids, convs, keys, dirs, types, states, contents, wamids, replies, senders, codes, titles, details, times, created, updated, hashes)
	}
	if n := len(j.order); n > 0 {
		ids, counts, newest, previews := make([]string, n), make([]int32, n), make([]time.Time, n), make([][]byte, n)
		for i, cv := range j.order {
			sealed, err := db.codec.SealJSON(ctx, cv.keyID, "conversations", "last_message", cv.id, cv.preview)
			if err != nil {
				return err
			}
			cv.sealed = sealed
			ids[i], counts[i], newest[i], previews[i] = cv.id, int32(cv.added), cv.newest, sealed
		}
		// SET expressions all see the row as it was, so the CASE compares
		// with the old last_message_at; GREATEST ignores NULLs.
		b.Queue(`UPDATE conversations c SET
				inbound_count = c.inbound_count + v.added,
				last_inbound_at = GREATEST(c.last_inbound_at, v.newest),
				last_message = CASE WHEN c.last_message_at IS NULL OR c.last_message_at <= v.newest THEN v.preview ELSE c.last_message END,
				last_message_at = GREATEST(c.last_message_at, v.newest),
				updated_at = GREATEST(c.updated_at, v.newest)
			FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::bytea[]) AS v(id, added, newest, preview)
			WHERE c.id = v.id
			RETURNING c.id, c.status, c.last_message, c.last_inbound_at, c.inbound_count, c.created_at, c.updated_at`,
			ids, counts, newest, previews)
		b.Queue(`SELECT a.conversation_id, u.id, u.name, NOT u.active FROM conversation_assignees a JOIN users u ON u.id = a.user_id
			WHERE a.conversation_id = ANY($1) ORDER BY u.name, u.id`, ids)
	}
	for _, u := range j.templates {
		b.Queue(`UPDATE templates SET status = $4 WHERE channel_id = $1 AND name = $2 AND language = $3`, u.ChannelID, u.Name, u.Language, u.Status)
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
	if len(j.inserts) > 0 {
		tag, err := br.Exec()
		if err != nil {
			return fmt.Errorf("insert messages: %w", err)
		}
		if tag.RowsAffected() != int64(len(j.inserts)) {
			// A concurrent delivery of the same wamid committed after the
			// check: start over, and the check finds it.
			return errDuplicate
		}
	}
	if len(j.order) > 0 {
		byID := make(map[string]*batchConversation, len(j.order))
		for _, cv := range j.order {
			byID[cv.id] = cv
		}
		rows, err := br.Query()
		if err != nil {
			return fmt.Errorf("update conversations: %w", err)
		}
		for rows.Next() {
			var id, status string
			var last []byte
			var lastInbound *time.Time
			var inbound int
			var created, updated time.Time
			if err := rows.Scan(&id, &status, &last, &lastInbound, &inbound, &created, &updated); err != nil {
				rows.Close()
				return fmt.Errorf("update conversations: %w", err)
			}
			if cv := byID[id]; cv != nil {
				cv.status, cv.lastMessage, cv.lastInbound, cv.inbound, cv.created, cv.updated = status, last, lastInbound, inbound, created, updated
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("update conversations: %w", err)
		}
		if rows, err = br.Query(); err != nil {
			return fmt.Errorf("list assignees: %w", err)
		}
		for rows.Next() {
			var convID string
			var ref switchboard.UserRef
			if err := rows.Scan(&convID, &ref.ID, &ref.Name, &ref.Deactivated); err != nil {
				rows.Close()
				return fmt.Errorf("list assignees: %w", err)
			}
			if cv := byID[convID]; cv != nil {
				cv.assignees = append(cv.assignees, ref)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list assignees: %w", err)
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
	for _, r := range j.inserts {
		if err := db.queueMediaDownload(ctx, tx, r.channelID, r.keyID, r.m, j.now); err != nil {
			return err
		}
	}
	return nil
}

func duplicate(id, conversationID string) *switchboard.Received {
	return &switchboard.Received{Message: &switchboard.Message{ID: id, ConversationID: conversationID}, Duplicate: true}
}

// contact returns the locked contact of a message, or creates it, and
// keeps its name and identifiers current.
func (j *batchJob) contact(ctx context.Context, tx *txn, p *preparedInbound) (*batchContact, error) {
	db, in := j.db, p.in
	key := in.ChannelID + "\x00" + string(p.contact)
	ct := j.contacts[key]
	if ct == nil {
		id, keyID, sealed, err := db.createContact(ctx, tx, in, p.contact, p.user, j.now)
		if err != nil {
			return nil, err
		}
		if id == "" {
			// Another transaction created the contact first: start over,
			// and resolve finds it.
			return nil, errDuplicate
		}
		ct = &batchContact{id: id, channelID: in.ChannelID, keyID: keyID, createdAt: j.now, name: in.ProfileName, nameKnown: true,
			waHash: p.contact, userHash: p.user}
		for i, v := range [numIDs]string{in.WaID, in.UserID, in.ParentUserID, in.Username} {
			ct.ids[i].set(sealed[i], v)
		}
		j.contacts[key] = ct
		return ct, nil
	}
	// What the message says is the plaintext of what matched.
	if p.phone != nil && bytes.Equal(ct.waHash, p.phone) {
		ct.ids[idWaID].plain, ct.ids[idWaID].known = in.WaID, true
	}
	if p.user != nil && bytes.Equal(ct.userHash, p.user) {
		ct.ids[idUserID].plain, ct.ids[idUserID].known = in.UserID, true
	}
	renamed, err := j.rename(ctx, tx, ct, in.ProfileName)
	if err != nil {
		return nil, err
	}
	if err := j.identify(ctx, tx, ct, p, renamed); err != nil {
		return nil, err
	}
	if p.change != nil {
		if err := j.identify(ctx, tx, ct, p.change, false); err != nil {
			return nil, err
		}
	}
	return ct, nil
}

// rename stores a changed, non-empty profile name and reports whether it
// did.
func (j *batchJob) rename(ctx context.Context, tx *txn, ct *batchContact, profileName string) (bool, error) {
	db := j.db
	if profileName == "" || (ct.nameKnown && ct.name == profileName) {
		return false, nil
	}
	if !ct.nameKnown {
		old, err := db.codec.Open(ctx, ct.keyID, "contacts", "name", ct.id, ct.sealedName)
		if err != nil {
			return false, err
		}
		ct.name, ct.nameKnown = string(old), true
		db.names.put(ct.id, ct.sealedName, ct.name)
		if ct.name == profileName {
			return false, nil
		}
	}
	sealed, err := db.codec.Seal(ctx, ct.keyID, "contacts", "name", ct.id, []byte(profileName))
	if err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `UPDATE contacts SET name = $2, updated_at = $3 WHERE id = $1`, ct.id, sealed, j.now); err != nil {
		return false, fmt.Errorf("update contact name: %w", err)
	}
	ct.sealedName, ct.name = nil, profileName
	return true, nil
}

// ids decrypts the contact's identifiers the transaction does not know yet.
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

// identify links what the message says about its sender to the contact:
// a BSUID it did not have (or a new one), a phone number it did not have
// (or a new one; wa_id_hash moves to it unless another contact holds that
// number), a changed username or parent BSUID. The search terms follow,
// also after a rename.
func (j *batchJob) identify(ctx context.Context, tx *txn, ct *batchContact, p *preparedInbound, renamed bool) error {
	db, in := j.db, p.in
	quick := (p.user == nil || bytes.Equal(ct.userHash, p.user)) && (p.phone == nil || bytes.Equal(ct.waHash, p.phone)) &&
		in.Username == "" && in.ParentUserID == ""
	if quick && !renamed {
		return nil
	}
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
		args = append(args, sealed)
		sets = append(sets, fmt.Sprintf("%s = $%d", idColumns[i], len(args)))
		return nil
	}
	if p.user != nil && !bytes.Equal(ct.userHash, p.user) {
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM contacts WHERE channel_id = $1 AND user_id_hash = $2)`,
			ct.channelID, p.user).Scan(&taken); err != nil {
			return fmt.Errorf("check BSUID: %w", err)
		}
		// A BSUID another contact holds stays there; contacts are not
		// merged.
		if !taken {
			if err := seal(idUserID, in.UserID); err != nil {
				return err
			}
			args = append(args, p.user)
			sets = append(sets, fmt.Sprintf("user_id_hash = $%d", len(args)))
			ct.userHash = p.user
		}
	}
	terms := renamed
	if in.WaID != "" && ct.ids[idWaID].plain != in.WaID {
		if err := seal(idWaID, in.WaID); err != nil {
			return err
		}
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM contacts WHERE channel_id = $1 AND wa_id_hash = $2)`,
			ct.channelID, p.phone).Scan(&taken); err != nil {
			return fmt.Errorf("check phone number: %w", err)
		}
		if !taken {
			args = append(args, p.phone)
			sets = append(sets, fmt.Sprintf("wa_id_hash = $%d", len(args)))
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
	if len(sets) > 0 {
		args = append(args, j.now, ct.id)
		q := `UPDATE contacts SET ` + strings.Join(sets, ", ") + fmt.Sprintf(`, updated_at = $%d WHERE id = $%d`, len(args)-1, len(args))
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("update contact identifiers: %w", err)
		}
	}
	if !terms {
		return nil
	}
	return replaceTerms(ctx, tx, ct.id, db.codec.ContactTerms(ct.name, ct.ids[idUsername].plain, ct.ids[idWaID].plain))
}

// result puts the batch's outcome together after the commit, decrypting
// only what the transaction did not know in plaintext.
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
			if m, err = db.loadMessage(ctx, db.pool, out.messageID); err != nil {
				return nil, err
			}
			msgs[m.ID] = m
		}
		c := convs[m.ConversationID]
		if c == nil {
			var err error
			if c, err = db.loadConversation(ctx, db.pool, m.ConversationID, ""); err != nil {
				return nil, err
			}
			convs[c.ID] = c
		}
		r.Message, r.Conversation = m, c
	}
	return res, nil
}

// conversationOf builds a conversation as loadConversation would read it
// (for no viewer) from what the transaction knows.
func (j *batchJob) conversationOf(ctx context.Context, cv *batchConversation) (*switchboard.Conversation, error) {
	db, ct := j.db, cv.contact
	if err := j.ids(ctx, ct); err != nil {
		return nil, err
	}
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
		ID: cv.id, ChannelID: ct.channelID, Status: cv.status, KeyID: cv.keyID,
		Contact: switchboard.Contact{ID: ct.id, ChannelID: ct.channelID, WaID: ct.ids[idWaID].plain,
			UserID: ct.ids[idUserID].plain, ParentUserID: ct.ids[idParentUserID].plain, Username: ct.ids[idUsername].plain,
			Name: ct.name, CreatedAt: ct.createdAt},
		LastInboundAt: fromNull(cv.lastInbound), CreatedAt: cv.created.UTC(), UpdatedAt: cv.updated.UTC(),
		UnreadCount: cv.inbound, Assignees: cv.assignees,
	}
	if c.Assignees == nil {
		c.Assignees = []switchboard.UserRef{}
	}
	if cv.lastMessage != nil {
		p := cv.preview
		if !bytes.Equal(cv.lastMessage, cv.sealed) {
			// An older message arrived late: the preview is a newer one's.
			p = switchboard.MessagePreview{}
			if err := db.codec.OpenJSON(ctx, cv.keyID, "conversations", "last_message", cv.id, cv.lastMessage, &p); err != nil {
				return nil, err
			}
		}
		p.At = p.At.UTC()
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
	if sealed == nil {
		return
	}
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
