package emulator

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// This file simulates the WhatsApp Business app of a coexistence number:
// the business replying, editing and deleting from the phone app (Meta
// sends smb_message_echoes webhooks), and the one-off synchronisation of
// the app's past chats (history webhooks).

// BusinessEcho is something the business does in the WhatsApp Business
// app: send Text to the customer WaID, or edit (Edit, with the new Text)
// or revoke (Revoke) one of the app's earlier messages, named by wamid.
type BusinessEcho struct {
	WaID string `json:"wa_id"`
	// PhoneNumberID picks the business number (default: the customer's
	// last, else the first).
	PhoneNumberID string `json:"phone_number_id,omitempty"`
	Text          string `json:"text,omitempty"`
	Edit          string `json:"edit,omitempty"`
	Revoke        string `json:"revoke,omitempty"`
	// Timestamp overrides the time (default now).
	Timestamp time.Time `json:"timestamp,omitzero"`
}

// HistoryMessage is one past message of a history import.
type HistoryMessage struct {
	// FromBusiness is true for a message the business sent.
	FromBusiness bool      `json:"from_business"`
	Text         string    `json:"text"`
	Timestamp    time.Time `json:"timestamp"`
}

// HistoryImport is a synchronisation of the app's past chat with WaID: the
// messages (default: a short exchange of a few days ago) in one history
// webhook, phase 0, chunk 1, progress 100. Decline sends instead the error
// Meta sends when the business declined to share its history.
type HistoryImport struct {
	WaID          string           `json:"wa_id"`
	Name          string           `json:"name,omitempty"`
	PhoneNumberID string           `json:"phone_number_id,omitempty"`
	Messages      []HistoryMessage `json:"messages,omitempty"`
	Decline       bool             `json:"decline,omitempty"`
}

// MaxHistoryImport bounds the messages of one history import.
const MaxHistoryImport = 500

// Coexistence webhook shapes.
type whEdit struct {
	OriginalMessageID string     `json:"original_message_id"`
	Message           *whMessage `json:"message"`
}

type whRevoke struct {
	OriginalMessageID string `json:"original_message_id"`
}

type whHistoryContext struct {
	Status string `json:"status"`
}

type whCoexValue struct {
	MessagingProduct string        `json:"messaging_product"`
	Metadata         whMetadata    `json:"metadata"`
	MessageEchoes    []*whMessage  `json:"message_echoes,omitempty"`
	History          []whHistChunk `json:"history,omitempty"`
}

type whHistChunk struct {
	Metadata *whHistMeta    `json:"metadata,omitempty"`
	Threads  []whHistThread `json:"threads,omitempty"`
	Errors   []webhookError `json:"errors,omitempty"`
}

type whHistMeta struct {
	Phase      int `json:"phase"`
	ChunkOrder int `json:"chunk_order"`
	Progress   int `json:"progress"`
}

type whHistThread struct {
	ID       string       `json:"id"`
	Messages []*whMessage `json:"messages"`
}

type whCoexChange struct {
	Value whCoexValue `json:"value"`
	Field string      `json:"field"`
}

type whCoexEntry struct {
	ID      string         `json:"id"`
	Changes []whCoexChange `json:"changes"`
}

type whCoexPayload struct {
	Object string        `json:"object"`
	Entry  []whCoexEntry `json:"entry"`
}

// pickNumberLocked returns the business number for a customer: pnid, else
// the customer's last, else the first.
func (e *Emulator) pickNumberLocked(waID, pnid string) (Number, error) {
	if pnid == "" {
		if c := e.customers[waID]; c != nil && c.pnid != "" {
			pnid = c.pnid
		} else {
			pnid = e.cfg.PhoneNumbers[0].PhoneNumberID
		}
	}
	num, ok := e.numbers[pnid]
	if !ok {
		return Number{}, fmt.Errorf("emulator: unknown phone number id %q", pnid)
	}
	return num, nil
}

// BusinessAppEcho does what in describes in the WhatsApp Business app and
// sends the smb_message_echoes webhook Meta would send for it, signed like
// every webhook. It returns the echo's wamid.
func (e *Emulator) BusinessAppEcho(ctx context.Context, in BusinessEcho) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	waID := digitsOnly(in.WaID)
	if len(waID) < 7 || len(waID) > 15 {
		return "", fmt.Errorf("emulator: invalid wa_id %q", in.WaID)
	}
	if in.Edit != "" && in.Revoke != "" {
		return "", errors.New("emulator: an echo edits or revokes, not both")
	}
	if (in.Revoke == "") && strings.TrimSpace(in.Text) == "" {
		return "", errors.New("emulator: an echo needs Text")
	}
	if len(in.Text) > 4096 {
		return "", errors.New("emulator: Text is longer than 4096 bytes")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	num, err := e.pickNumberLocked(waID, in.PhoneNumberID)
	if err != nil {
		return "", err
	}
	ts := in.Timestamp
	if ts.IsZero() {
		ts = e.now()
	}
	c := e.customerLocked(waID, "", num.PhoneNumberID)
	id := e.wamidLocked(waID)
	wm := &whMessage{From: num.DisplayPhoneNumber, To: waID, ToUserID: c.userID, ID: id, Timestamp: unixString(ts)}
	if c.usernameOnly {
		wm.To = ""
	}
	switch target := in.Edit + in.Revoke; {
	case target != "":
		om := e.inbound[target]
		if om == nil || !om.BusinessApp || om.WaID != waID {
			return "", fmt.Errorf("emulator: %q is not a WhatsApp Business app message to %s", target, waID)
		}
		if om.Revoked {
			return "", errors.New("emulator: that message was deleted")
		}
		if in.Revoke != "" {
			wm.Type, wm.Revoke = "revoke", &whRevoke{OriginalMessageID: target}
			om.Text, om.Revoked = "", true
		} else {
			wm.Type = "edit"
			wm.Edit = &whEdit{OriginalMessageID: target, Message: &whMessage{Type: "text", Text: &whText{Body: in.Text}}}
			om.Text, om.Edited = in.Text, true
		}
		e.dirty = true
	default:
		wm.Type, wm.Text = "text", &whText{Body: in.Text}
		e.inbound[id] = &inMsg{PhoneMessage: PhoneMessage{ID: id, FromBusiness: true, BusinessApp: true, PhoneNumberID: num.PhoneNumberID, WaID: waID,
			Type: "text", Text: in.Text, Status: "delivered", Timestamp: ts, Statuses: []StatusEvent{{Status: "delivered", At: ts}}},
			pnid: num.PhoneNumberID}
		c.chat = append(c.chat, id)
		c.lastB = id
		e.dirty = true
	}
	e.enqueueLocked(&whItem{pnid: num.PhoneNumberID, field: "smb_message_echoes",
		coex: &whCoexValue{MessageEchoes: []*whMessage{wm}}})
	return id, nil
}

// ImportHistory sends the history webhook of a synchronisation of the
// app's past chat with in.WaID and returns the messages' wamids.
func (e *Emulator) ImportHistory(ctx context.Context, in HistoryImport) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	waID := digitsOnly(in.WaID)
	if len(waID) < 7 || len(waID) > 15 {
		return nil, fmt.Errorf("emulator: invalid wa_id %q", in.WaID)
	}
	if len(in.Messages) > MaxHistoryImport {
		return nil, fmt.Errorf("emulator: at most %d history messages", MaxHistoryImport)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	num, err := e.pickNumberLocked(waID, in.PhoneNumberID)
	if err != nil {
		return nil, err
	}
	if in.Decline {
		e.enqueueLocked(&whItem{pnid: num.PhoneNumberID, field: "history", coex: &whCoexValue{History: []whHistChunk{{
			Errors: []webhookError{{Code: 2593109, Title: "History sync is turned off by the business",
				Message: "History sync is turned off by the business", ErrorData: &errorData{Details: "The business declined to share its chat history."}}},
		}}}})
		return nil, nil
	}
	now := e.now()
	msgs := in.Messages
	if len(msgs) == 0 {
		day := now.Add(-72 * time.Hour).Truncate(time.Second)
		msgs = []HistoryMessage{
			{Text: "Hello, are you open on Saturday?", Timestamp: day},
			{FromBusiness: true, Text: "Yes, from 9 to 14.", Timestamp: day.Add(4 * time.Minute)},
			{Text: "Great, see you then!", Timestamp: day.Add(6 * time.Minute)},
		}
	}
	c := e.customerLocked(waID, in.Name, num.PhoneNumberID)
	th := whHistThread{ID: waID}
	ids := make([]string, 0, len(msgs))
	for _, hm := range msgs {
		if strings.TrimSpace(hm.Text) == "" || len(hm.Text) > 4096 {
			return nil, errors.New("emulator: every history message needs a Text of at most 4096 bytes")
		}
		ts := hm.Timestamp
		if ts.IsZero() || ts.After(now) {
			return nil, errors.New("emulator: every history message needs a past Timestamp")
		}
		id := e.wamidLocked(waID)
		wm := &whMessage{From: waID, ID: id, Timestamp: unixString(ts), Type: "text", Text: &whText{Body: hm.Text},
			HistoryContext: &whHistoryContext{Status: "READ"}}
		if hm.FromBusiness {
			wm.From, wm.To = num.DisplayPhoneNumber, waID
		}
		th.Messages = append(th.Messages, wm)
		e.inbound[id] = &inMsg{PhoneMessage: PhoneMessage{ID: id, FromBusiness: hm.FromBusiness, BusinessApp: hm.FromBusiness, PhoneNumberID: num.PhoneNumberID,
			WaID: waID, Type: "text", Text: hm.Text, Status: "read", Timestamp: ts}, pnid: num.PhoneNumberID}
		ids = append(ids, id)
	}
	// Past messages go before what the phone already shows.
	c.chat = append(append([]string(nil), ids...), c.chat...)
	e.dirty = true
	e.enqueueLocked(&whItem{pnid: num.PhoneNumberID, field: "history", coex: &whCoexValue{History: []whHistChunk{{
		Metadata: &whHistMeta{Phase: 0, ChunkOrder: 1, Progress: 100}, Threads: []whHistThread{th},
	}}}})
	return ids, nil
}

// addCoexDeliveryLocked turns a coexistence item into its own POST: Meta
// sends echoes and history under their own fields, not batched with
// messages.
func (e *Emulator) addCoexDeliveryLocked(now time.Time, it *whItem) {
	num := e.numbers[it.pnid]
	v := *it.coex
	v.MessagingProduct = "whatsapp"
	v.Metadata = whMetadata{DisplayPhoneNumber: num.DisplayPhoneNumber, PhoneNumberID: num.PhoneNumberID}
	body := metaJSON(whCoexPayload{
		Object: "whatsapp_business_account",
		Entry:  []whCoexEntry{{ID: num.WABAID, Changes: []whCoexChange{{Value: v, Field: it.field}}}},
	})
	e.seq++
	e.deliveries = append(e.deliveries, &delivery{id: e.seq, body: body, items: 1, first: now, nextAt: now})
}
