package emulator

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"slices"
	"strings"
	"time"
)

// PhoneMessage is one message in a virtual customer's chat, as their phone shows it.
type PhoneMessage struct {
	// ID is the wamid.
	ID string `json:"id"`
	// FromBusiness is true for messages the business sent, false for the customer's own.
	FromBusiness bool `json:"from_business"`
	// PhoneNumberID is the business number of the chat.
	PhoneNumberID string `json:"phone_number_id"`
	// WaID is the customer.
	WaID string `json:"wa_id"`
	// Type is the WhatsApp message type (text, image, template, interactive, ...).
	Type string `json:"type"`
	// Text is the visible text: body, hydrated template, interactive body, reply title.
	Text string `json:"text,omitempty"`
	// Caption is a media caption.
	Caption string `json:"caption,omitempty"`
	// Media holds the file the phone received (fetched bytes in Data).
	Media *PhoneMedia `json:"media,omitempty"`
	// Template names the template and its parameter values.
	Template *PhoneTemplate `json:"template,omitempty"`
	// Interactive describes buttons or list rows offered by the business.
	Interactive *PhoneInteractive `json:"interactive,omitempty"`
	// Reaction is set for reaction messages.
	Reaction *PhoneReaction `json:"reaction,omitempty"`
	// Location is set for location messages.
	Location *Location `json:"location,omitempty"`
	// Contacts is set for contacts messages.
	Contacts []SharedContact `json:"contacts,omitempty"`
	// ContextID is the quoted message (reply), if any.
	ContextID string `json:"context_id,omitempty"`
	// Forwarded marks forwarded customer messages.
	Forwarded bool `json:"forwarded,omitempty"`
	// ReactionEmoji is the other side's current reaction to this message.
	ReactionEmoji string `json:"reaction_emoji,omitempty"`
	// Status is the latest status: sent, delivered, read or failed (business
	// messages); delivered or read for the customer's own (read = blue ticks).
	Status string `json:"status"`
	// Statuses is the status history.
	Statuses []StatusEvent `json:"statuses,omitempty"`
	// Error is set when the message failed.
	Error *StatusError `json:"error,omitempty"`
	// Timestamp is when the message was sent.
	Timestamp time.Time `json:"timestamp"`
	// Edited and Revoked are set when the business edited or deleted the
	// message in the WhatsApp Business app.
	Edited  bool `json:"edited,omitempty"`
	Revoked bool `json:"revoked,omitempty"`
	// BusinessApp marks a business message sent from the WhatsApp Business
	// app (an echo or a history message), not through Cloud API.
	BusinessApp bool `json:"business_app,omitempty"`
}

// PhoneMedia is a media attachment.
type PhoneMedia struct {
	// MimeType is the file's MIME type.
	MimeType string `json:"mime_type"`
	// Filename is the document filename, if any.
	Filename string `json:"filename,omitempty"`
	// SHA256 is the lowercase hex digest of Data.
	SHA256 string `json:"sha256"`
	// Size is len(Data).
	Size int `json:"size"`
	// Data is the file content.
	Data []byte `json:"-"`
}

func (p *PhoneMedia) setData(data []byte, mimeType string) {
	sum := sha256.Sum256(data)
	p.Data, p.MimeType, p.Size, p.SHA256 = data, mimeType, len(data), hex.EncodeToString(sum[:])
}

// PhoneTemplate describes a received template message.
type PhoneTemplate struct {
	// Name is the template name.
	Name string `json:"name"`
	// Language is the template language code.
	Language string `json:"language"`
	// Params are the parameter values in component order ("<image>" for media headers).
	Params []string `json:"params,omitempty"`
	// Buttons are the button labels.
	Buttons []string `json:"buttons,omitempty"`
	// Text is the hydrated header, body and footer.
	Text string `json:"text"`
}

// PhoneInteractive describes a received interactive message.
type PhoneInteractive struct {
	// Type is button, list, cta_url, ...
	Type string `json:"type"`
	// Header is the header text.
	Header string `json:"header,omitempty"`
	// Body is the body text.
	Body string `json:"body,omitempty"`
	// Footer is the footer text.
	Footer string `json:"footer,omitempty"`
	// Button is the list's button label or the CTA's display text.
	Button string `json:"button,omitempty"`
	// URL is the CTA target.
	URL string `json:"url,omitempty"`
	// Options are reply buttons or list rows the customer can pick.
	Options []PhoneOption `json:"options,omitempty"`
}

// PhoneOption is one reply button or list row.
type PhoneOption struct {
	// ID is the reply id echoed back when chosen.
	ID string `json:"id"`
	// Title is the label.
	Title string `json:"title"`
	// Description is the list row description.
	Description string `json:"description,omitempty"`
}

// PhoneReaction is a reaction message.
type PhoneReaction struct {
	// MessageID is the message reacted to.
	MessageID string `json:"message_id"`
	// Emoji is the reaction; empty removes it.
	Emoji string `json:"emoji"`
}

// StatusEvent is one status transition.
type StatusEvent struct {
	// Status is sent, delivered, read or failed.
	Status string `json:"status"`
	// At is when it happened (emulator clock).
	At time.Time `json:"at"`
}

// StatusError is the error of a failed message.
type StatusError struct {
	// Code is Meta's error code (131047, 131026, ...).
	Code int `json:"code"`
	// Title is Meta's error title.
	Title string `json:"title"`
}

// Location is a shared location.
type Location struct {
	// Latitude in degrees.
	Latitude float64 `json:"latitude"`
	// Longitude in degrees.
	Longitude float64 `json:"longitude"`
	// Name of the place.
	Name string `json:"name,omitempty"`
	// Address of the place.
	Address string `json:"address,omitempty"`
}

// SharedContact is a contact card in Meta's contacts shape.
type SharedContact struct {
	// Name is the contact's name.
	Name ContactName `json:"name"`
	// Phones are the contact's numbers.
	Phones []ContactPhone `json:"phones,omitempty"`
	// Emails are the contact's e-mail addresses.
	Emails []ContactEmail `json:"emails,omitempty"`
	// Org is the contact's organisation.
	Org *ContactOrg `json:"org,omitempty"`
}

// ContactName is a contact card name.
type ContactName struct {
	// FormattedName is required by Meta.
	FormattedName string `json:"formatted_name"`
	// FirstName is optional.
	FirstName string `json:"first_name,omitempty"`
	// LastName is optional.
	LastName string `json:"last_name,omitempty"`
}

// ContactPhone is a contact card phone number.
type ContactPhone struct {
	// Phone is the number as displayed.
	Phone string `json:"phone"`
	// WaID is set when the number is on WhatsApp.
	WaID string `json:"wa_id,omitempty"`
	// Type is CELL, HOME, WORK, ...
	Type string `json:"type,omitempty"`
}

// ContactEmail is a contact card e-mail address.
type ContactEmail struct {
	// Email is the address.
	Email string `json:"email"`
	// Type is HOME or WORK.
	Type string `json:"type,omitempty"`
}

// ContactOrg is a contact card organisation.
type ContactOrg struct {
	// Company name.
	Company string `json:"company,omitempty"`
	// Department name.
	Department string `json:"department,omitempty"`
	// Title is the job title.
	Title string `json:"title,omitempty"`
}

// CustomerMessage is what a virtual customer writes to the business.
type CustomerMessage struct {
	// WaID is the customer's WhatsApp id (digits; "+" and spaces are stripped).
	WaID string `json:"wa_id"`
	// UsernameOnly makes the customer one who shares only a username: from
	// this message on, webhooks name them by BSUID and username, without a
	// phone number. Username sets the username (default: made from Name).
	UsernameOnly bool   `json:"username_only,omitempty"`
	Username     string `json:"username,omitempty"`
	// Name is the profile name (kept from earlier messages when empty).
	Name string `json:"name,omitempty"`
	// PhoneNumberID picks the business number (default: the customer's last, else the first).
	PhoneNumberID string `json:"phone_number_id,omitempty"`
	// Type is text (default), image, audio, voice, video, document, sticker, location,
	// contacts, interactive, button, reaction or unsupported.
	Type string `json:"type,omitempty"`
	// Text is the body, caption, chosen title (interactive/button) or contact name.
	Text string `json:"text,omitempty"`
	// ReplyTo quotes a message (context.id). For interactive/button it defaults to the
	// latest business message; for reactions it is the target unless ReactTo is set.
	ReplyTo string `json:"reply_to,omitempty"`
	// ReactTo is the message a reaction targets.
	ReactTo string `json:"react_to,omitempty"`
	// Emoji is the reaction; empty removes a reaction.
	Emoji string `json:"emoji,omitempty"`
	// Forwarded sets context.forwarded.
	Forwarded bool `json:"forwarded,omitempty"`
	// FrequentlyForwarded sets context.frequently_forwarded.
	FrequentlyForwarded bool `json:"frequently_forwarded,omitempty"`
	// Media is the file content (base64 in JSON); placeholder bytes are used when empty.
	Media []byte `json:"media,omitempty"`
	// MimeType of Media (defaults per type).
	MimeType string `json:"mime_type,omitempty"`
	// Filename for documents.
	Filename string `json:"filename,omitempty"`
	// Voice marks an audio message as a recorded voice note.
	Voice bool `json:"voice,omitempty"`
	// Location for location messages.
	Location *Location `json:"location,omitempty"`
	// Contacts for contacts messages (default: one card built from Text).
	Contacts []SharedContact `json:"contacts,omitempty"`
	// InteractiveType is button_reply (default), list_reply, nfm_reply (a
	// completed Flow: FlowResponse are the answers) or
	// call_permission_reply (CallPermission is accept or reject).
	InteractiveType string `json:"interactive_type,omitempty"`
	// FlowResponse are the answers of a completed Flow (nfm_reply).
	FlowResponse map[string]any `json:"flow_response,omitempty"`
	// CallPermission answers a call permission request: accept or reject.
	CallPermission string `json:"call_permission,omitempty"`
	// Order is the cart of an order message (type order).
	Order *CustomerOrder `json:"order,omitempty"`
	// ReplyID is the chosen button/row id, or a template button's payload.
	ReplyID string `json:"reply_id,omitempty"`
	// Description is the chosen list row's description.
	Description string `json:"description,omitempty"`
	// UnsupportedType is the unsupported.type value (default "poll_creation").
	UnsupportedType string `json:"unsupported_type,omitempty"`
	// Timestamp overrides the send time, e.g. to simulate a message older than 24 h.
	Timestamp time.Time `json:"timestamp,omitzero"`
}

// CustomerOrder is a cart a customer sends from the catalog.
type CustomerOrder struct {
	CatalogID string      `json:"catalog_id"`
	Items     []OrderItem `json:"product_items"`
}

// OrderItem is one line of a [CustomerOrder].
type OrderItem struct {
	ProductRetailerID string  `json:"product_retailer_id"`
	Quantity          int     `json:"quantity"`
	ItemPrice         float64 `json:"item_price"`
	Currency          string  `json:"currency"`
}

type whOrder struct {
	CatalogID    string      `json:"catalog_id"`
	Text         string      `json:"text,omitempty"`
	ProductItems []OrderItem `json:"product_items"`
}

type whNFMReply struct {
	Name         string `json:"name"`
	Body         string `json:"body"`
	ResponseJSON string `json:"response_json"`
}

type whCallPermissionReply struct {
	Response            string `json:"response"`
	IsPermanent         bool   `json:"is_permanent"`
	ExpirationTimestamp int64  `json:"expiration_timestamp,omitempty"`
	ResponseSource      string `json:"response_source"`
}

// Inbound webhook message shapes.
type whMessage struct {
	Context     *whContext      `json:"context,omitempty"`
	From        string          `json:"from,omitempty"`
	FromUserID  string          `json:"from_user_id,omitempty"`
	To          string          `json:"to,omitempty"`         // echoes, history
	ToUserID    string          `json:"to_user_id,omitempty"` // echoes
	ID          string          `json:"id,omitempty"`
	Timestamp   string          `json:"timestamp"`
	Text        *whText         `json:"text,omitempty"`
	Image       *whMedia        `json:"image,omitempty"`
	Audio       *whMedia        `json:"audio,omitempty"`
	Video       *whMedia        `json:"video,omitempty"`
	Document    *whMedia        `json:"document,omitempty"`
	Sticker     *whMedia        `json:"sticker,omitempty"`
	Location    *Location       `json:"location,omitempty"`
	Contacts    []SharedContact `json:"contacts,omitempty"`
	Interactive *whInteractive  `json:"interactive,omitempty"`
	Button      *whButton       `json:"button,omitempty"`
	Reaction    *PhoneReaction  `json:"reaction,omitempty"`
	Unsupported *whUnsupported  `json:"unsupported,omitempty"`
	Order       *whOrder        `json:"order,omitempty"`
	System      *whSystem       `json:"system,omitempty"`
	Errors      []webhookError  `json:"errors,omitempty"`
	Type        string          `json:"type"`
	Edit        *whEdit         `json:"edit,omitempty"`
	Revoke      *whRevoke       `json:"revoke,omitempty"`
	// HistoryContext is set on history messages.
	HistoryContext *whHistoryContext `json:"history_context,omitempty"`
}

type whSystem struct {
	Body   string `json:"body"`
	WaID   string `json:"wa_id,omitempty"`
	UserID string `json:"user_id,omitempty"`
	Type   string `json:"type"`
}

type whContext struct {
	Forwarded           bool   `json:"forwarded,omitempty"`
	FrequentlyForwarded bool   `json:"frequently_forwarded,omitempty"`
	From                string `json:"from,omitempty"`
	ID                  string `json:"id,omitempty"`
}

type whText struct {
	Body string `json:"body"`
}

type whMedia struct {
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	ID       string `json:"id"`
	URL      string `json:"url,omitempty"`
	Voice    *bool  `json:"voice,omitempty"`
	Animated *bool  `json:"animated,omitempty"`
}

type whInteractive struct {
	Type                string                 `json:"type"`
	ButtonReply         *PhoneOption           `json:"button_reply,omitempty"`
	ListReply           *PhoneOption           `json:"list_reply,omitempty"`
	NFMReply            *whNFMReply            `json:"nfm_reply,omitempty"`
	CallPermissionReply *whCallPermissionReply `json:"call_permission_reply,omitempty"`
}

type whButton struct {
	Payload string `json:"payload"`
	Text    string `json:"text"`
}

type whUnsupported struct {
	Type string `json:"type"`
}

// customerLocked returns (creating) the customer record. Every customer
// gets a business-scoped user id, derived from the wa_id so that it is
// stable across emulator restarts.
func (e *Emulator) customerLocked(waID, name, pnid string) *customer {
	c := e.customers[waID]
	if c == nil {
		c = &customer{waID: waID, name: name, pnid: pnid, userID: bsuidFor(waID)}
		if c.name == "" {
			c.name = "+" + waID
		}
		e.customers[waID] = c
		e.byUserID[c.userID] = waID
		e.dirty = true
	}
	if name != "" && name != c.name {
		c.name, e.dirty = name, true
	}
	if pnid != "" && pnid != c.pnid {
		c.pnid, e.dirty = pnid, true
	}
	return c
}

// CustomerSend makes a virtual customer write to the business and queues the
// webhook Meta would send for it. It returns the new wamid.
func (e *Emulator) CustomerSend(ctx context.Context, in CustomerMessage) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	waID := digitsOnly(in.WaID)
	if len(waID) < 7 || len(waID) > 15 {
		return "", fmt.Errorf("emulator: invalid wa_id %q", in.WaID)
	}
	typ := in.Type
	if typ == "" {
		typ = "text"
	}
	voice := in.Voice
	if typ == "voice" {
		typ, voice = "audio", true
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	pnid := in.PhoneNumberID
	if pnid == "" {
		if c := e.customers[waID]; c != nil && c.pnid != "" {
			pnid = c.pnid
		} else {
			pnid = e.cfg.PhoneNumbers[0].PhoneNumberID
		}
	}
	num, ok := e.numbers[pnid]
	if !ok {
		return "", fmt.Errorf("emulator: unknown phone number id %q", pnid)
	}
	if e.blockedLocked(pnid, waID) {
		return "", ErrBlocked
	}
	now := e.now()
	ts := in.Timestamp
	if ts.IsZero() {
		ts = now
	}
	c := e.customerLocked(waID, in.Name, pnid)
	if in.Username != "" {
		c.username = in.Username
	}
	if in.UsernameOnly {
		c.usernameOnly = true
		if c.username == "" {
			c.username = usernameFor(c.name)
		}
	}
	id := e.wamidLocked(waID)
	wm := &whMessage{From: waID, FromUserID: c.userID, ID: id, Timestamp: unixString(ts), Type: typ}
	if c.usernameOnly {
		wm.From = ""
	}
	pm := &inMsg{PhoneMessage: PhoneMessage{ID: id, PhoneNumberID: pnid, WaID: waID, Type: typ, Status: "delivered", Timestamp: ts,
		Statuses: []StatusEvent{{Status: "delivered", At: now}}}, pnid: pnid}

	quote := func(target string) {
		if target != "" {
			wm.Context = &whContext{From: num.DisplayPhoneNumber, ID: target}
			pm.ContextID = target
		}
	}
	quote(in.ReplyTo)
	if in.Forwarded || in.FrequentlyForwarded {
		// Forwarded messages carry no quoted id.
		wm.Context = &whContext{Forwarded: in.Forwarded && !in.FrequentlyForwarded, FrequentlyForwarded: in.FrequentlyForwarded}
		pm.ContextID, pm.Forwarded = "", true
	}

	switch typ {
	case "text":
		if strings.TrimSpace(in.Text) == "" {
			return "", errors.New("emulator: text message needs Text")
		}
		wm.Text = &whText{Body: in.Text}
		pm.Text = in.Text
	case "image", "audio", "video", "document", "sticker":
		data, mt, fn := in.Media, in.MimeType, in.Filename
		if len(data) == 0 || mt == "" {
			pd, pm, pf := placeholderMedia(typ, voice)
			if len(data) == 0 {
				data = pd
			}
			if mt == "" {
				mt = pm
			}
			if fn == "" {
				fn = pf
			}
		}
		mo := e.storeMediaLocked(pnid, mt, fn, data, now.Add(7*24*time.Hour))
		w := &whMedia{MimeType: mt, SHA256: base64.StdEncoding.EncodeToString(mo.sha256[:]), ID: mo.id}
		if e.baseURL != "" {
			w.URL = e.lookasideURLLocked(e.baseURL, mo)
		}
		pm.Media = &PhoneMedia{Filename: fn}
		pm.Media.setData(data, mt)
		switch typ {
		case "image", "video":
			w.Caption, pm.Caption = in.Text, in.Text
			wm.Image, wm.Video = pick(typ == "image", w), pick(typ == "video", w)
		case "document":
			w.Caption, w.Filename, pm.Caption = in.Text, fn, in.Text
			wm.Document = w
		case "audio":
			w.Voice = &voice
			wm.Audio = w
		case "sticker":
			animated := false
			w.Animated = &animated
			wm.Sticker = w
		}
	case "location":
		if in.Location == nil {
			return "", errors.New("emulator: location message needs Location")
		}
		l := *in.Location
		wm.Location, pm.Location = &l, &l
	case "contacts":
		cs := in.Contacts
		if len(cs) == 0 {
			name := in.Text
			if name == "" {
				name = "Erika Mustermann"
			}
			first, last, _ := strings.Cut(name, " ")
			cs = []SharedContact{{Name: ContactName{FormattedName: name, FirstName: first, LastName: last},
				Phones: []ContactPhone{{Phone: "+49 151 23456789", WaID: "4915123456789", Type: "CELL"}}}}
		}
		wm.Contacts, pm.Contacts = cs, cs
	case "request_welcome":
		// The customer opened the chat for the first time: no content.
	case "order":
		if in.Order == nil || len(in.Order.Items) == 0 {
			return "", errors.New("emulator: order message needs Order with items")
		}
		wm.Order = &whOrder{CatalogID: in.Order.CatalogID, Text: in.Text, ProductItems: in.Order.Items}
		pm.Text = in.Text
	case "interactive", "button":
		if it := in.InteractiveType; typ == "interactive" && (it == "nfm_reply" || it == "call_permission_reply") {
			target := in.ReplyTo
			if target == "" {
				target = c.lastB
			}
			quote(target)
			if it == "nfm_reply" {
				answers := map[string]any{"flow_token": "flow-" + id[len(id)-8:]}
				for k, v := range in.FlowResponse {
					answers[k] = v
				}
				raw, err := json.Marshal(answers)
				if err != nil {
					return "", fmt.Errorf("emulator: flow response: %w", err)
				}
				wm.Interactive = &whInteractive{Type: it, NFMReply: &whNFMReply{Name: "flow", Body: "Sent", ResponseJSON: string(raw)}}
				pm.Text = "Sent"
				break
			}
			if in.CallPermission != "accept" && in.CallPermission != "reject" {
				return "", errors.New("emulator: call_permission_reply needs CallPermission accept or reject")
			}
			wm.Interactive = &whInteractive{Type: it, CallPermissionReply: &whCallPermissionReply{Response: in.CallPermission,
				ExpirationTimestamp: now.Add(7 * 24 * time.Hour).Unix(), ResponseSource: "user_action"}}
			pm.Text = in.CallPermission
			break
		}
		target := in.ReplyTo
		if target == "" {
			target = c.lastB
		}
		if target == "" {
			return "", errors.New("emulator: interactive/button reply needs a business message to answer")
		}
		quote(target)
		title, rid := in.Text, in.ReplyID
		if title == "" {
			return "", errors.New("emulator: interactive/button reply needs Text (the chosen title)")
		}
		if rid == "" {
			rid = title
		}
		pm.Text = title
		if typ == "button" {
			wm.Button = &whButton{Payload: rid, Text: title}
			break
		}
		it := in.InteractiveType
		if it == "" {
			it = "button_reply"
		}
		opt := &PhoneOption{ID: rid, Title: title}
		switch it {
		case "button_reply":
			wm.Interactive = &whInteractive{Type: it, ButtonReply: opt}
		case "list_reply":
			opt.Description = in.Description
			wm.Interactive = &whInteractive{Type: it, ListReply: opt}
		default:
			return "", fmt.Errorf("emulator: unknown interactive type %q", it)
		}
	case "reaction":
		target := in.ReactTo
		if target == "" {
			target = in.ReplyTo
		}
		if target == "" {
			return "", errors.New("emulator: reaction needs ReactTo")
		}
		wm.Context, pm.ContextID = nil, ""
		wm.Reaction = &PhoneReaction{MessageID: target, Emoji: in.Emoji}
		pm.Reaction = wm.Reaction
		if om := e.outbound[target]; om != nil {
			om.ReactionEmoji = in.Emoji
		}
	case "unsupported":
		ut := in.UnsupportedType
		if ut == "" {
			ut = "poll_creation"
		}
		wm.Unsupported = &whUnsupported{Type: ut}
		wm.Errors = []webhookError{errUnsupportedInbound()}
	default:
		return "", fmt.Errorf("emulator: unknown customer message type %q", in.Type)
	}

	k := pairKey{pnid, waID}
	if ts.After(e.lastInbound[k]) {
		// The service window runs from the customer's latest message timestamp.
		e.lastInbound[k] = ts
		e.dirty = true
	}
	e.takeThroughputLocked(pnid, now, false)
	e.inbound[id] = pm
	c.chat = append(c.chat, id)
	e.stats.received++
	e.enqueueLocked(&whItem{pnid: pnid, contact: c.webhookContact(), message: wm})
	return id, nil
}

// webhookContact is the customer as contacts[] names them: always by
// BSUID, by phone number unless they share only a username.
func (c *customer) webhookContact() *whContact {
	contact := &whContact{WaID: c.waID, UserID: c.userID}
	if c.usernameOnly {
		contact.WaID = ""
	}
	contact.Profile.Name, contact.Profile.Username = c.name, c.username
	return contact
}

// bsuidFor derives a business-scoped user id in Meta's format (country
// code, a dot, digits) from a wa_id.
func bsuidFor(waID string) string {
	sum := sha256.Sum256([]byte("bsuid:" + waID))
	return fmt.Sprintf("DE.%d", binary.BigEndian.Uint64(sum[:8]))
}

// usernameFor makes a username like "@mira.okafor" from a name.
func usernameFor(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-':
			b.WriteByte('.')
		case r == 'ä':
			b.WriteString("ae")
		case r == 'ö':
			b.WriteString("oe")
		case r == 'ü':
			b.WriteString("ue")
		case r == 'ß':
			b.WriteString("ss")
		}
	}
	return "@" + strings.Trim(b.String(), ".")
}

// UserIDOf returns the business-scoped user id of customer waID, or "" if
// the emulator does not know them.
func (e *Emulator) UserIDOf(waID string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if c := e.customers[digitsOnly(waID)]; c != nil {
		return c.userID
	}
	return ""
}

// CustomerChangeNumber makes customer waID move to newWaID, as WhatsApp
// does when a user changes their number: Meta sends a user_changed_number
// system message from the old identifiers naming the new phone number and
// the new BSUID (a new number gets a new one). It returns the wamid.
func (e *Emulator) CustomerChangeNumber(ctx context.Context, waID, newWaID string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	waID, newWaID = digitsOnly(waID), digitsOnly(newWaID)
	if len(newWaID) < 7 || len(newWaID) > 15 {
		return "", fmt.Errorf("emulator: invalid wa_id %q", newWaID)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.customers[waID]
	if c == nil {
		return "", fmt.Errorf("emulator: unknown customer %q", waID)
	}
	if e.customers[newWaID] != nil {
		return "", fmt.Errorf("emulator: %q is another customer", newWaID)
	}
	id := e.wamidLocked(waID)
	old := *c
	c.waID, c.userID = newWaID, bsuidFor(newWaID)
	delete(e.customers, waID)
	e.dirty = true
	e.customers[newWaID] = c
	e.byUserID[c.userID] = newWaID
	for _, pnid := range []string{c.pnid} {
		if t, ok := e.lastInbound[pairKey{pnid, waID}]; ok {
			e.lastInbound[pairKey{pnid, newWaID}] = t
		}
	}
	wm := &whMessage{From: old.waID, FromUserID: old.userID, ID: id, Timestamp: unixString(e.now()), Type: "system",
		System: &whSystem{Body: fmt.Sprintf("User %s changed from %s to %s", c.name, old.waID, newWaID), WaID: newWaID, UserID: c.userID, Type: "user_changed_number"}}
	if c.usernameOnly {
		wm.From = ""
		wm.System.WaID = ""
		wm.System.Body = fmt.Sprintf("User %s changed their number", c.name)
	}
	// System messages carry no contacts array.
	e.enqueueLocked(&whItem{pnid: c.pnid, message: wm})
	return id, nil
}

func pick(ok bool, m *whMedia) *whMedia {
	if ok {
		return m
	}
	return nil
}

// placeholderMedia supplies plausible bytes when a test or the demo sends
// media without content.
func placeholderMedia(typ string, voice bool) (data []byte, mimeType, filename string) {
	switch typ {
	case "image":
		img := image.NewRGBA(image.Rect(0, 0, 16, 16))
		for x := range 16 {
			for y := range 16 {
				img.Set(x, y, color.RGBA{R: uint8(x * 16), G: uint8(y * 16), B: 160, A: 255})
			}
		}
		var buf bytes.Buffer
		_ = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80})
		return buf.Bytes(), "image/jpeg", ""
	case "audio":
		if voice {
			return []byte("OggS\x00\x02placeholder-opus-voice-note"), "audio/ogg; codecs=opus", ""
		}
		return []byte("ID3\x04\x00placeholder-mp3"), "audio/mpeg", ""
	case "video":
		return []byte("\x00\x00\x00\x18ftypmp42placeholder-video"), "video/mp4", ""
	case "sticker":
		return []byte("RIFF\x1a\x00\x00\x00WEBPVP8 placeholder"), "image/webp", ""
	default:
		return []byte("%PDF-1.4\n% Switchboard emulator placeholder\n%%EOF\n"), "application/pdf", "document.pdf"
	}
}

// Phone returns the customer's chat: messages the business delivered to the
// phone (including fetched media) and the customer's own, in order.
func (e *Emulator) Phone(waID string) []PhoneMessage {
	waID = digitsOnly(waID)
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.customers[waID]
	if c == nil {
		return nil
	}
	out := make([]PhoneMessage, 0, len(c.chat))
	for _, id := range c.chat {
		var pm PhoneMessage
		if m := e.outbound[id]; m != nil {
			if m.Status != "delivered" && m.Status != "read" {
				continue // not on the phone (yet)
			}
			pm = m.PhoneMessage
		} else if m := e.inbound[id]; m != nil {
			pm = m.PhoneMessage
		} else {
			continue
		}
		pm.Statuses = slices.Clone(pm.Statuses)
		out = append(out, pm)
	}
	return out
}

// Outbound returns every message the business sent to waID whatever its status,
// including failed ones (which Phone does not show).
func (e *Emulator) Outbound(waID string) []PhoneMessage {
	waID = digitsOnly(waID)
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []PhoneMessage
	if c := e.customers[waID]; c != nil {
		for _, id := range c.chat {
			if m := e.outbound[id]; m != nil {
				pm := m.PhoneMessage
				pm.Statuses = slices.Clone(pm.Statuses)
				out = append(out, pm)
			}
		}
	}
	return out
}

// ReadAll is the customer opening the chat: every business message already on
// the phone becomes read, and read statuses are sent.
func (e *Emulator) ReadAll(waID string) {
	waID = digitsOnly(waID)
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.customers[waID]
	if c == nil {
		return
	}
	now := e.now()
	for _, id := range c.chat {
		if m := e.outbound[id]; m != nil && !m.dropped && (m.Status == "sent" || m.Status == "delivered") {
			e.advanceLocked(m, "read", now)
		}
	}
}

// Customer summarises a virtual customer.
type Customer struct {
	// WaID is the customer's WhatsApp id.
	WaID string `json:"wa_id"`
	// Name is the profile name.
	Name string `json:"name"`
	// PhoneNumberID is the business number the customer last used.
	PhoneNumberID string `json:"phone_number_id"`
	// WindowOpen reports whether the 24-hour service window is open.
	WindowOpen bool `json:"window_open"`
	// Messages counts the chat's messages.
	Messages int `json:"messages"`
	// UserID is the customer's business-scoped user id; Username and
	// UsernameOnly say whether they share only a username.
	UserID       string `json:"user_id"`
	Username     string `json:"username,omitempty"`
	UsernameOnly bool   `json:"username_only,omitempty"`
	// Blocked: the business blocked the customer (Block Users API).
	Blocked bool `json:"blocked,omitempty"`
	// Typing: the business's typing indicator shows on the phone now.
	Typing bool `json:"typing,omitempty"`
}

// Customers lists known customers, sorted by wa_id.
func (e *Emulator) Customers() []Customer {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := e.now()
	out := make([]Customer, 0, len(e.customers))
	for _, c := range e.customers {
		out = append(out, Customer{WaID: c.waID, Name: c.name, PhoneNumberID: c.pnid,
			WindowOpen: e.windowOpenLocked(c.pnid, c.waID, now), Messages: len(c.chat),
			UserID: c.userID, Username: c.username, UsernameOnly: c.usernameOnly,
			Blocked: e.blockedLocked(c.pnid, c.waID), Typing: e.typingLocked(c, now)})
	}
	slices.SortFunc(out, func(a, b Customer) int { return strings.Compare(a.WaID, b.WaID) })
	return out
}

// phoneMediaData returns the bytes of a message's media in waID's chat.
func (e *Emulator) phoneMediaData(waID, id string) *PhoneMedia {
	for _, m := range e.Phone(waID) {
		if m.ID == id && m.Media != nil {
			return m.Media
		}
	}
	return nil
}
