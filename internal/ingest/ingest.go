// Package ingest plans how a batch of inbound WhatsApp messages changes
// the store: which contacts, conversations and messages to insert and
// update, and what each message's outcome is. It is pure: a store reads
// (and on PostgreSQL locks) what the batch names, runs [Plan] inside its
// own transaction and writes the result, so the rules of receiving a
// message are written once for every store and path, and a transaction
// never crosses an interface.
package ingest

import (
	"time"

	"github.com/switchboardhq/switchboard"
)

// Message is one inbound message of a batch with the blind indexes the
// store computed for it. Nil means the message does not carry that
// identifier.
type Message struct {
	In switchboard.InboundMessage
	// WAMID, ReplyTo and ReactedTo are the blind indexes of the message's
	// own, the quoted and the reacted-to WhatsApp message ids.
	WAMID, ReplyTo, ReactedTo []byte
	// Key is the wa_id_hash of a contact this message creates: the phone
	// number's blind index, or the BSUID's for a sender without one
	// (storecrypt.Codec.ContactKey).
	Key []byte
	// Phone and User are the blind indexes of the phone number
	// (wa_id_hash space) and the BSUID (user_id_hash) the sender names.
	Phone, User []byte
	// NewPhone and NewUser are those of a number or BSUID change
	// (In.NewWaID, In.NewUserID).
	NewPhone, NewUser []byte
}

// Contact is a contact as the plan knows it: as stored (identifiers in
// plaintext), then as the batch changes it.
type Contact struct {
	ID, ChannelID, KeyID string
	CreatedAt            time.Time
	// WaHash and UserHash are the blind indexes the row holds (UserHash
	// nil without a BSUID).
	WaHash, UserHash                           []byte
	Name, WaID, UserID, ParentUserID, Username string
	// Block is the contact's block as stored (nil: not blocked); a batch
	// never changes it.
	Block *switchboard.ContactBlock

	// New is set for a contact the batch creates (then KeyID is empty
	// until the store creates its data key). Renamed, Identified and
	// Terms say what an existing one needs written: its name, its
	// identifiers (and blind indexes), its search terms.
	New, Renamed, Identified, Terms bool
}

// Conversation is a contact's conversation: the open one, else the newest
// closed one (the store's query decides which is newest), as stored, then
// as the batch changes it.
type Conversation struct {
	ID, ContactID, KeyID string
	Status               switchboard.ConversationStatus
	CreatedAt            time.Time
	Activity             switchboard.ConversationActivity
	// LastMessage is the stored preview, sealed; Preview is the new one
	// once a message of the batch replaces it.
	LastMessage []byte
	Preview     *switchboard.MessagePreview
	// Handoff is the stored hand-off state without its sealed note
	// (Handler, At, By, BotFailures), HandoffNote the sealed note; the
	// hand-off rules decide from the first (see planHandoffs).
	Handoff     switchboard.HandoffState
	HandoffNote []byte

	// Contact is the conversation's contact; New is set for a conversation
	// the batch starts and Reopened for a closed one it opens again.
	Contact       *Contact
	New, Reopened bool
	first         int
}

// Known is a stored message, found by the blind index of its wamid.
type Known struct{ ID, ConversationID string }

// Stored is what the store read before planning: the contacts that hold
// any of the blind indexes the batch's messages name (Key, Phone, User,
// NewPhone, NewUser), their conversations by contact id, and the stored
// messages the batch names by wamid, quotes or reacts to, by blind index.
//
// A contact's conversation is the one a new message joins: its open
// conversation, else the most recently active one (the latest updated_at,
// then the highest id). Both stores' prefetch SQL picks it by that rule
// (ORDER BY status <> 'resolved' DESC, updated_at DESC, id DESC).
type Stored struct {
	Contacts      []*Contact
	Conversations map[string]*Conversation
	Messages      map[string]Known
}

// Input is a batch to plan. Now is the store's clock; NewID makes contact
// and conversation ids and NewMessageID message ids (both default to
// switchboard.NewID).
type Input struct {
	Messages     []Message
	Stored       Stored
	Now          time.Time
	NewID        func() string
	NewMessageID func() string
	// Handoff is the batch's [switchboard.InboundBatch.Handoff]: the
	// channels whose conversations the hand-off rules apply to.
	Handoff map[string]switchboard.ChannelHandoff
}

// Insert is a message to insert under its contact's data key; Media is set
// when its media must be downloaded.
type Insert struct {
	Message      *switchboard.Message
	Contact      *Contact
	Conversation *Conversation
	ChannelID    string
	WAMIDHash    []byte
	Media        bool
}

// Plan is what a batch changes and what each message's outcome is.
type Plan struct {
	// Contacts are the contacts the batch creates or changes, in the
	// order it first did (New, Renamed, Identified, Terms say how).
	Contacts []*Contact
	// Conversations are the conversations the batch adds messages to, in
	// the order it first did; New and Reopened ones need their row
	// written before the messages, all of them their activity after.
	Conversations []*Conversation
	Inserts       []Insert
	// Received is the outcome per message, by batch index. A duplicate
	// carries only the stored message's id and conversation id; the others
	// carry the message as inserted, and the store sets Conversation from
	// Conversations once written.
	Received []*switchboard.Received
	// Handoffs are what the hand-off rules decided, one per conversation
	// they changed or gave the bot a turn in, in the order of
	// Conversations.
	Handoffs []*Handoff
}

// index finds contacts by their current blind indexes.
type index struct {
	byUser, byWa map[string]*Contact
}

func key(channelID string, hash []byte) string { return channelID + "\x00" + string(hash) }

func (x *index) add(ct *Contact) {
	x.byWa[key(ct.ChannelID, ct.WaHash)] = ct
	if ct.UserHash != nil {
		x.byUser[key(ct.ChannelID, ct.UserHash)] = ct
	}
}

// Build plans the batch. Messages are taken in batch order, each as if it
// were received alone after the ones before it.
func Build(in Input) *Plan {
	newID, newMessageID := in.NewID, in.NewMessageID
	if newID == nil {
		newID = switchboard.NewID
	}
	if newMessageID == nil {
		newMessageID = newID
	}
	x := &index{byUser: map[string]*Contact{}, byWa: map[string]*Contact{}}
	for _, ct := range in.Stored.Contacts {
		x.add(ct)
	}
	convs := map[string]*Conversation{}
	for id, cv := range in.Stored.Conversations {
		convs[id] = cv
	}
	known := map[string]Known{}
	for h, k := range in.Stored.Messages {
		known[h] = k
	}
	p := &Plan{Received: make([]*switchboard.Received, len(in.Messages))}
	changed := map[*Contact]bool{}
	touched := map[*Conversation]bool{}

	for i := range in.Messages {
		msg := &in.Messages[i]
		// A redelivery (stored, or earlier in the batch) changes nothing.
		if msg.WAMID != nil {
			if k, ok := known[string(msg.WAMID)]; ok {
				p.Received[i] = &switchboard.Received{Message: &switchboard.Message{ID: k.ID, ConversationID: k.ConversationID}, Duplicate: true}
				continue
			}
		}
		ch := msg.In.ChannelID
		ct := x.find(ch, msg.User, msg.Key)
		if ct == nil {
			ct = &Contact{ID: newID(), ChannelID: ch, CreatedAt: in.Now, WaHash: msg.Key, UserHash: msg.User, New: true,
				Name: msg.In.ProfileName, WaID: msg.In.WaID, UserID: msg.In.UserID, ParentUserID: msg.In.ParentUserID,
				Username: msg.In.Username}
			x.add(ct)
		} else {
			x.rename(ct, msg.In.ProfileName)
			x.identify(ct, msg.In, msg.Phone, msg.User)
		}
		if msg.In.NewWaID != "" || msg.In.NewUserID != "" {
			x.identify(ct, switchboard.InboundMessage{WaID: msg.In.NewWaID, UserID: msg.In.NewUserID}, msg.NewPhone, msg.NewUser)
		}
		if (ct.New || ct.Renamed || ct.Identified || ct.Terms) && !changed[ct] {
			changed[ct] = true
			p.Contacts = append(p.Contacts, ct)
		}

		m := *msg.In.Message
		if m.ID == "" {
			m.ID = newMessageID()
		}
		m.SenderID = ""
		if m.Author == switchboard.AuthorBusinessApp {
			// The business wrote it in the WhatsApp Business app: an
			// outbound message Meta has already sent.
			// A history sync may say it was delivered or read.
			m.Direction = switchboard.DirectionOut
			if m.Status != switchboard.MessageDelivered && m.Status != switchboard.MessageRead {
				m.Status = switchboard.MessageSent
			}
		} else {
			m.Direction, m.Status, m.Author = switchboard.DirectionIn, switchboard.MessageReceived, ""
		}
		if m.Type == "" {
			m.Type = switchboard.TypeText
		}
		m.FillAuthor()
		m.Timestamp = m.Timestamp.UTC().Truncate(time.Microsecond)
		if m.Timestamp.IsZero() {
			m.Timestamp = in.Now
		}
		m.CreatedAt, m.UpdatedAt = in.Now, in.Now

		cv := convs[ct.ID]
		switch {
		case cv == nil:
			// A new conversation starts at its first message; one that
			// only past (imported) messages start is closed, so a history
			// sync does not fill the inbox with old chats.
			status := switchboard.StatusOpen
			if m.Imported {
				status = switchboard.StatusResolved
			}
			cv = &Conversation{ID: newID(), ContactID: ct.ID, KeyID: ct.KeyID, Status: status, CreatedAt: in.Now,
				Activity: switchboard.ConversationActivity{UpdatedAt: m.Timestamp}, Contact: ct, New: true, first: i}
			convs[ct.ID] = cv
		case cv.Status != switchboard.StatusOpen && !m.Imported && m.Direction == switchboard.DirectionIn:
			// A customer writing to a pending or snoozed conversation
			// opens it again; writing after a resolve reopens the
			// thread, so the history stays in one conversation. A past
			// (imported) message or one the business sent from the
			// WhatsApp Business app does neither.
			if !cv.Status.Active() {
				cv.Reopened, cv.first = true, i
			}
			cv.Status = cv.Status.AfterCustomerMessage()
		}
		cv.Contact = ct
		m.ConversationID = cv.ID

		if msg.ReplyTo != nil {
			if k, ok := known[string(msg.ReplyTo)]; ok {
				m.ReplyToID = k.ID
			}
		}
		if msg.ReactedTo != nil {
			if k, ok := known[string(msg.ReactedTo)]; ok {
				r := switchboard.Reaction{}
				if m.Content.Reaction != nil {
					r = *m.Content.Reaction
				}
				r.MessageID = k.ID
				m.Content.Reaction = &r
			}
		}
		if pv := cv.Activity.Absorb(&m); pv != nil {
			cv.Preview = pv
		}
		if !touched[cv] {
			touched[cv] = true
			p.Conversations = append(p.Conversations, cv)
		}
		media := m.Content.Media != nil && m.Content.Media.WAMediaID != ""
		p.Inserts = append(p.Inserts, Insert{Message: &m, Contact: ct, Conversation: cv, ChannelID: ch, WAMIDHash: msg.WAMID, Media: media})
		if msg.WAMID != nil {
			known[string(msg.WAMID)] = Known{ID: m.ID, ConversationID: cv.ID}
		}
		p.Received[i] = &switchboard.Received{Message: &m, NewConversation: (cv.New || cv.Reopened) && cv.first == i}
	}
	planHandoffs(p, in)
	return p
}

// find returns the contact of a sender: by BSUID first, then by the
// wa_id_hash a contact of theirs would have (the phone number's, or the
// BSUID's for a sender without one); nil for a new customer.
func (x *index) find(channelID string, user, waKey []byte) *Contact {
	if user != nil {
		if ct := x.byUser[key(channelID, user)]; ct != nil {
			return ct
		}
	}
	return x.byWa[key(channelID, waKey)]
}

// rename takes a non-empty profile name that differs from the contact's.
func (x *index) rename(ct *Contact, profileName string) {
	if profileName != "" && profileName != ct.Name {
		ct.Name, ct.Renamed, ct.Terms = profileName, true, true
	}
}

// identify links what a message says about its sender to the contact: a
// BSUID it did not have, or a new one (unless another contact holds it:
// contacts are never merged); a phone number it did not have, or a new one
// (wa_id_hash moves to it unless another contact holds that number); a
// changed username or parent BSUID. phone and user are the blind indexes
// of in.WaID and in.UserID.
func (x *index) identify(ct *Contact, in switchboard.InboundMessage, phone, user []byte) {
	ch := ct.ChannelID
	if user != nil && string(user) != string(ct.UserHash) && x.byUser[key(ch, user)] == nil {
		if ct.UserHash != nil {
			delete(x.byUser, key(ch, ct.UserHash))
		}
		ct.UserID, ct.UserHash, ct.Identified = in.UserID, user, true
		x.byUser[key(ch, user)] = ct
	}
	if in.WaID != "" && in.WaID != ct.WaID {
		ct.WaID, ct.Identified, ct.Terms = in.WaID, true, true
		if holder := x.byWa[key(ch, phone)]; holder == nil || holder == ct {
			delete(x.byWa, key(ch, ct.WaHash))
			ct.WaHash = phone
			x.byWa[key(ch, phone)] = ct
		}
	}
	if in.Username != "" && in.Username != ct.Username {
		ct.Username, ct.Identified, ct.Terms = in.Username, true, true
	}
	if in.ParentUserID != "" && in.ParentUserID != ct.ParentUserID {
		ct.ParentUserID, ct.Identified = in.ParentUserID, true
	}
}

// Conversation returns the conversation as the store would read it for no
// viewer, from what the plan knows: without assignees (the store adds them)
// and with LastMessage set only when the batch replaced the preview (else
// the store opens the sealed one).
func (cv *Conversation) Conversation() *switchboard.Conversation {
	ct := cv.Contact
	c := &switchboard.Conversation{
		ID: cv.ID, ChannelID: ct.ChannelID, Status: cv.Status, KeyID: cv.KeyID,
		Contact: switchboard.Contact{ID: ct.ID, ChannelID: ct.ChannelID, WaID: ct.WaID, UserID: ct.UserID,
			ParentUserID: ct.ParentUserID, Username: ct.Username, Name: ct.Name, CreatedAt: ct.CreatedAt},
		LastInboundAt: cv.Activity.LastInboundAt, CreatedAt: cv.CreatedAt, UpdatedAt: cv.Activity.UpdatedAt,
		UnreadCount: cv.Activity.InboundCount, Assignees: []switchboard.UserRef{},
	}
	c.SetHandoffState(cv.Handoff)
	c.Contact.SetBlock(ct.Block)
	if cv.Preview != nil {
		pv := *cv.Preview
		c.LastMessage = &pv
	}
	return c
}

// Indexer computes the blind indexes of identifiers; storecrypt.Codec is
// one.
type Indexer interface {
	ContactKey(channelID, waID, userID string) []byte
	ContactWaIDHash(channelID, waID string) []byte
	ContactUserIDHash(channelID, userID string) []byte
	WAMIDHash(channelID, wamid string) []byte
}

// Prepare returns in with its blind indexes, computed before the store's
// transaction.
func Prepare(ix Indexer, in switchboard.InboundMessage) Message {
	ch := in.ChannelID
	m := Message{In: in, Key: ix.ContactKey(ch, in.WaID, in.UserID)}
	if in.WaID != "" {
		m.Phone = ix.ContactWaIDHash(ch, in.WaID)
	}
	if in.UserID != "" {
		m.User = ix.ContactUserIDHash(ch, in.UserID)
	}
	if in.NewWaID != "" {
		m.NewPhone = ix.ContactWaIDHash(ch, in.NewWaID)
	}
	if in.NewUserID != "" {
		m.NewUser = ix.ContactUserIDHash(ch, in.NewUserID)
	}
	if in.Message != nil && in.Message.WAMessageID != "" {
		m.WAMID = ix.WAMIDHash(ch, in.Message.WAMessageID)
	}
	if in.ReplyToWAID != "" {
		m.ReplyTo = ix.WAMIDHash(ch, in.ReplyToWAID)
	}
	if in.ReactionToWAID != "" {
		m.ReactedTo = ix.WAMIDHash(ch, in.ReactionToWAID)
	}
	return m
}

// StatusOutcome is what a store did with one status update: the message it
// found (if any), whether that message changed, or whether the status was
// parked until its message arrives.
type StatusOutcome struct {
	MessageID       string
	Changed, Parked bool
}

// Reader is what [Plan.Result] needs from the store after the commit: the
// sealed preview of a conversation whose preview the batch did not replace,
// and messages and conversations a status update changed. Assignees holds
// the conversations' assignees by conversation id, as prefetched; Time, if
// set, brings a time to the precision the store keeps (else it is only
// made UTC).
type Reader struct {
	Assignees map[string][]switchboard.UserRef
	// Mentioned holds the users with an active mention, by conversation
	// id, as prefetched with the assignees.
	Mentioned    map[string][]string
	Time         func(time.Time) time.Time
	OpenPreview  func(cv *Conversation) (*switchboard.MessagePreview, error)
	Message      func(id string) (*switchboard.Message, error)
	Conversation func(id string) (*switchboard.Conversation, error)
	// OpenHandoff sets c's hand-off from cv's stored one, opening its
	// sealed note (cv.HandoffNote, not nil); nil leaves the note out.
	OpenHandoff func(cv *Conversation, c *switchboard.Conversation) error
}

// Result puts the batch's outcome together after the commit: the returned
// conversations built from the plan (with their assignees and the preview,
// opened only where an older message arrived late), and for every status
// update that changed a message the message and its conversation, each read
// once.
func (p *Plan) Result(outcomes []StatusOutcome, rd Reader) (*switchboard.BatchResult, error) {
	convs := make(map[string]*switchboard.Conversation, len(p.Conversations))
	set := map[*Conversation]*Handoff{}
	for _, h := range p.Handoffs {
		if h.Set {
			set[h.Conversation] = h
		}
	}
	for _, cv := range p.Conversations {
		c := cv.Conversation()
		if h := set[cv]; h != nil {
			c.SetHandoffState(h.To)
		} else if cv.HandoffNote != nil && rd.OpenHandoff != nil {
			if err := rd.OpenHandoff(cv, c); err != nil {
				return nil, err
			}
		}
		if a := rd.Assignees[cv.ID]; a != nil {
			c.Assignees = a
		}
		c.Mentioned = rd.Mentioned[cv.ID]
		if c.LastMessage == nil && cv.LastMessage != nil {
			// An older message arrived late: the preview is a newer one's.
			pv, err := rd.OpenPreview(cv)
			if err != nil {
				return nil, err
			}
			c.LastMessage = pv
		}
		if c.LastMessage != nil {
			if rd.Time != nil {
				c.LastMessage.At = rd.Time(c.LastMessage.At)
			} else {
				c.LastMessage.At = c.LastMessage.At.UTC()
			}
		}
		convs[c.ID] = c
	}
	for _, r := range p.Received {
		if !r.Duplicate {
			r.Conversation = convs[r.Message.ConversationID]
		}
	}
	res := &switchboard.BatchResult{Received: p.Received, Statuses: make([]*switchboard.StatusResult, len(outcomes))}
	for _, h := range p.Handoffs {
		res.Handoffs = append(res.Handoffs, h.Result())
	}
	msgs := map[string]*switchboard.Message{}
	for i, out := range outcomes {
		r := &switchboard.StatusResult{Changed: out.Changed, Parked: out.Parked}
		res.Statuses[i] = r
		if !out.Changed {
			continue
		}
		m := msgs[out.MessageID]
		if m == nil {
			var err error
			if m, err = rd.Message(out.MessageID); err != nil {
				return nil, err
			}
			msgs[m.ID] = m
		}
		c := convs[m.ConversationID]
		if c == nil {
			var err error
			if c, err = rd.Conversation(m.ConversationID); err != nil {
				return nil, err
			}
			convs[c.ID] = c
		}
		r.Message, r.Conversation = m, c
	}
	return res, nil
}
