package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ObjectWhatsAppBusinessAccount is the only "object" value that WhatsApp
// webhook notifications carry; anything else was meant for another product.
const ObjectWhatsAppBusinessAccount = "whatsapp_business_account"

// FieldMessages is the webhook field that carries inbound messages, statuses
// and errors. Other fields (template status, account updates, …) share the
// same callback URL; [ParseNotification] keeps their raw value only.
const FieldMessages = "messages"

// FieldSMBMessageEchoes is the webhook field of a coexistence number (one
// also in use with the WhatsApp Business app): the messages the business
// sent, edited or revoked from the app or a linked device, in
// Value.MessageEchoes.
const FieldSMBMessageEchoes = "smb_message_echoes"

// FieldHistory is the webhook field that synchronises a coexistence
// number's past WhatsApp Business app chats, in Value.History.
const FieldHistory = "history"

// parsedField reports whether [ParseNotification] decodes a change's value
// into [Value]: the fields that carry messages.
func parsedField(f string) bool {
	return f == FieldMessages || f == FieldSMBMessageEchoes || f == FieldHistory
}

// FieldTemplateStatus is the webhook field of a template's review and
// quality decisions (approved, rejected, paused, disabled, …); its value is
// read with [Change.TemplateStatus].
const FieldTemplateStatus = "message_template_status_update"

// TemplateStatusUpdate is the value of a message_template_status_update
// change. Event is the template's new state as Meta names it (APPROVED,
// REJECTED, PAUSED, DISABLED, FLAGGED, REINSTATED, PENDING_DELETION, …).
type TemplateStatusUpdate struct {
	Event      string          `json:"event"`
	TemplateID json.Number     `json:"message_template_id"`
	Name       string          `json:"message_template_name"`
	Language   string          `json:"message_template_language"`
	Reason     string          `json:"reason,omitempty"`
	Other      json.RawMessage `json:"other_info,omitempty"`
}

// TemplateStatus decodes the value of a [FieldTemplateStatus] change.
func (c Change) TemplateStatus() (*TemplateStatusUpdate, error) {
	if c.Field != FieldTemplateStatus {
		return nil, fmt.Errorf("whatsapp: change of field %q is not a template status update", truncate(c.Field, 64))
	}
	var u TemplateStatusUpdate
	if err := json.Unmarshal(c.RawValue, &u); err != nil {
		return nil, fmt.Errorf("decode template status update: %w", err)
	}
	if u.Name == "" || u.Language == "" || u.Event == "" {
		return nil, errors.New("whatsapp: template status update without name, language or event")
	}
	return &u, nil
}

// TemplateState maps a template status update's event to the status the
// template then has in Meta's template list: REINSTATED means approved
// again; the other events are the status.
func (u *TemplateStatusUpdate) TemplateState() string {
	if strings.EqualFold(u.Event, "REINSTATED") {
		return "APPROVED"
	}
	return strings.ToUpper(u.Event)
}

// Inbound message types as they appear in Message.Type.
const (
	MessageTypeText           = "text"
	MessageTypeImage          = "image"
	MessageTypeAudio          = "audio"
	MessageTypeVideo          = "video"
	MessageTypeDocument       = "document"
	MessageTypeSticker        = "sticker"
	MessageTypeLocation       = "location"
	MessageTypeContacts       = "contacts"
	MessageTypeInteractive    = "interactive"
	MessageTypeButton         = "button"
	MessageTypeReaction       = "reaction"
	MessageTypeOrder          = "order"
	MessageTypeSystem         = "system"
	MessageTypeUnsupported    = "unsupported"
	MessageTypeUnknown        = "unknown"
	MessageTypeRequestWelcome = "request_welcome"
	// MessageTypeEdit and MessageTypeRevoke are echoes of a message the
	// business edited or deleted in the WhatsApp Business app; Edit and
	// Revoke name the original message.
	MessageTypeEdit   = "edit"
	MessageTypeRevoke = "revoke"
)

// Interactive reply types as they appear in Interactive.Type.
const (
	InteractiveButtonReply = "button_reply"
	InteractiveListReply   = "list_reply"
	InteractiveNFMReply    = "nfm_reply"
	// InteractiveCallPermissionReply answers a call permission request.
	InteractiveCallPermissionReply = "call_permission_reply"
)

// Outbound message statuses as they appear in Status.Status. Meta documents
// sent, delivered, read, failed and played (voice message played); other
// values are passed through unchanged.
const (
	StatusSent      = "sent"
	StatusDelivered = "delivered"
	StatusRead      = "read"
	StatusFailed    = "failed"
	StatusPlayed    = "played"
)

// Notification is one webhook POST body.
type Notification struct {
	Object string  `json:"object"`
	Entry  []Entry `json:"entry"`
}

// Entry groups the changes of one WhatsApp Business Account. ID is the WABA
// id, not a phone number: route by Value.Metadata.PhoneNumberID instead.
type Entry struct {
	ID      string   `json:"id"`
	Changes []Change `json:"changes"`
}

// Change is one changed field. RawValue always holds the value as received;
// Value is parsed only when Field is [FieldMessages], [FieldSMBMessageEchoes]
// or [FieldHistory], so callers can ignore or store other fields without
// this package knowing them.
type Change struct {
	Field    string          `json:"field"`
	RawValue json.RawMessage `json:"value,omitempty"`
	Value    *Value          `json:"-"`
}

// Value is the payload of a "messages", "smb_message_echoes" or "history"
// change.
type Value struct {
	MessagingProduct string        `json:"messaging_product"`
	Metadata         Metadata      `json:"metadata"`
	Contacts         []Contact     `json:"contacts,omitempty"`
	Messages         []Message     `json:"messages,omitempty"`
	Statuses         []Status      `json:"statuses,omitempty"`
	Errors           []ErrorObject `json:"errors,omitempty"`
	// MessageEchoes (smb_message_echoes) are messages the business sent
	// from the WhatsApp Business app: From is the business's number, To
	// (or ToUserID) the customer.
	MessageEchoes []Message `json:"message_echoes,omitempty"`
	// History (history) are chunks of past app chats.
	History []HistoryChunk `json:"history,omitempty"`
}

// HistoryChunk is one element of a history change: a chunk of past chats,
// or (when the business declined to share its history) only Errors.
type HistoryChunk struct {
	Metadata HistoryMetadata `json:"metadata"`
	Threads  []HistoryThread `json:"threads,omitempty"`
	Errors   []ErrorObject   `json:"errors,omitempty"`
}

// HistoryMetadata is a history chunk's place in the synchronisation: the
// phase (0: day 0 to 1 before onboarding, 1: day 1 to 90, 2: day 90 to
// 180), the chunk's order within it (chunks may arrive out of order) and
// the overall progress in percent (100: complete). Meta's examples show
// them as numbers, some providers' as strings; both are read.
type HistoryMetadata struct {
	Phase      FlexInt `json:"phase"`
	ChunkOrder FlexInt `json:"chunk_order"`
	Progress   FlexInt `json:"progress"`
}

// HistoryThread is one chat of a history chunk: ID is the customer's phone
// number; a message From the business (with To set) was sent by the
// business, the others by the customer.
type HistoryThread struct {
	ID       string    `json:"id"`
	Messages []Message `json:"messages,omitempty"`
}

// FlexInt is an integer sent as a JSON number or a numeric string.
type FlexInt int

// UnmarshalJSON reads a number, a numeric string or null.
func (f *FlexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("not an integer: %q", truncate(s, 32))
	}
	*f = FlexInt(n)
	return nil
}

// Edit is an echo of a message the business edited in the app: the
// original message's id and its new content (a message object of its
// own, e.g. type text with text.body, or image with image.caption).
type Edit struct {
	OriginalMessageID string   `json:"original_message_id"`
	Message           *Message `json:"message,omitempty"`
}

// Revoke is an echo of a message the business deleted for everyone.
type Revoke struct {
	OriginalMessageID string `json:"original_message_id"`
}

// HistoryContext is what a history message adds: its delivery status
// when it was synchronised (e.g. "READ", "DELIVERED", "PLAYED").
type HistoryContext struct {
	Status string `json:"status,omitempty"`
}

// ContactFor returns the contact whose WaID matches, or nil. Contacts are
// matched by id rather than by index because Meta does not promise that
// contacts[] and messages[] line up.
func (v *Value) ContactFor(waID string) *Contact {
	if v == nil || waID == "" {
		return nil
	}
	for i := range v.Contacts {
		if v.Contacts[i].WaID == waID {
			return &v.Contacts[i]
		}
	}
	return nil
}

// SenderOf returns the contact that sent m, matched by business-scoped user
// id first (since 2026 the only identifier of a customer who shares just a
// username) and by phone number otherwise; nil if contacts[] has neither.
func (v *Value) SenderOf(m *Message) *Contact {
	if v == nil || m == nil {
		return nil
	}
	if m.FromUserID != "" {
		for i := range v.Contacts {
			if v.Contacts[i].UserID == m.FromUserID {
				return &v.Contacts[i]
			}
		}
	}
	return v.ContactFor(m.From)
}

// Metadata identifies the business phone number that received the change.
type Metadata struct {
	DisplayPhoneNumber string `json:"display_phone_number"`
	PhoneNumberID      string `json:"phone_number_id"`
}

// Contact is the sender's WhatsApp profile as listed in Value.Contacts.
// WaID (the phone number) is omitted for a user who adopted a username and
// shares no phone number; UserID, the business-scoped user id (BSUID, e.g.
// "US.13491208655302741918"), is then the only identifier. ParentUserID is
// the parent BSUID shared across a managed business's portfolios.
type Contact struct {
	Profile         Profile `json:"profile"`
	WaID            string  `json:"wa_id,omitempty"`
	UserID          string  `json:"user_id,omitempty"`
	ParentUserID    string  `json:"parent_user_id,omitempty"`
	IdentityKeyHash string  `json:"identity_key_hash,omitempty"`
}

// Profile holds the sender's self-chosen display name and, for a user who
// adopted one, their WhatsApp username.
type Profile struct {
	Name     string `json:"name"`
	Username string `json:"username,omitempty"`
}

// Message is one inbound message. Exactly one of the type-specific fields is
// normally set, named after Type. Raw keeps the message's JSON as received so
// that fields this package does not model (and whole unknown types) survive.
type Message struct {
	// From is the sender's phone number; empty for a username-only user,
	// who is then known by FromUserID (the BSUID) alone.
	From       string `json:"from,omitempty"`
	FromUserID string `json:"from_user_id,omitempty"`
	// To, ToUserID and ToParentUserID name the customer of a message the
	// business sent (an echo, or a business message in a history thread).
	To             string `json:"to,omitempty"`
	ToUserID       string `json:"to_user_id,omitempty"`
	ToParentUserID string `json:"to_parent_user_id,omitempty"`
	ID             string `json:"id"`
	Timestamp      string `json:"timestamp"`
	Type           string `json:"type"`

	Context  *MessageContext `json:"context,omitempty"`
	Referral *Referral       `json:"referral,omitempty"`
	Errors   []ErrorObject   `json:"errors,omitempty"`

	Text        *Text         `json:"text,omitempty"`
	Image       *Media        `json:"image,omitempty"`
	Audio       *Media        `json:"audio,omitempty"`
	Video       *Media        `json:"video,omitempty"`
	Document    *Media        `json:"document,omitempty"`
	Sticker     *Media        `json:"sticker,omitempty"`
	Location    *Location     `json:"location,omitempty"`
	Contacts    []ContactCard `json:"contacts,omitempty"`
	Interactive *Interactive  `json:"interactive,omitempty"`
	Button      *Button       `json:"button,omitempty"`
	Reaction    *Reaction     `json:"reaction,omitempty"`
	Order       *Order        `json:"order,omitempty"`
	System      *System       `json:"system,omitempty"`
	Unsupported *Unsupported  `json:"unsupported,omitempty"`
	Edit        *Edit         `json:"edit,omitempty"`
	Revoke      *Revoke       `json:"revoke,omitempty"`

	HistoryContext *HistoryContext `json:"history_context,omitempty"`

	// Raw is the message object exactly as it appeared in the body.
	Raw json.RawMessage `json:"-"`
	// DecodeError is set when the message's common fields could be read but
	// its type-specific part did not match the expected shape; the typed
	// fields are then empty and Raw is the only faithful copy. Keeping the
	// message (instead of failing the whole batch) lets the inbox show and
	// store it while the other messages of the POST are processed.
	DecodeError string `json:"-"`
}

// messageHeader is the part of a message every type shares; it is what
// survives when the rest of a message does not decode.
type messageHeader struct {
	From       string `json:"from"`
	FromUserID string `json:"from_user_id"`
	To         string `json:"to"`
	ToUserID   string `json:"to_user_id"`
	ID         string `json:"id"`
	Timestamp  string `json:"timestamp"`
	Type       string `json:"type"`
}

// UnmarshalJSON decodes a message and keeps a copy of its raw JSON.
func (m *Message) UnmarshalJSON(data []byte) error {
	type plain Message // drops the method set to avoid recursion
	var p plain
	raw := append(json.RawMessage(nil), data...)
	if err := json.Unmarshal(data, &p); err != nil {
		var h messageHeader
		if herr := json.Unmarshal(data, &h); herr != nil {
			return fmt.Errorf("decode message: %w", err)
		}
		*m = Message{From: h.From, FromUserID: h.FromUserID, To: h.To, ToUserID: h.ToUserID, ID: h.ID, Timestamp: h.Timestamp, Type: h.Type, Raw: raw, DecodeError: err.Error()}
		return nil
	}
	*m = Message(p)
	m.Raw = raw
	m.DecodeError = ""
	return nil
}

// Time returns the message's timestamp (unix seconds sent as a string) in UTC.
func (m Message) Time() (time.Time, error) {
	return parseUnix(m.Timestamp)
}

// Media returns the media object of an image, audio, video, document or
// sticker message, or nil for other types.
func (m Message) Media() *Media {
	switch m.Type {
	case MessageTypeImage:
		return m.Image
	case MessageTypeAudio:
		return m.Audio
	case MessageTypeVideo:
		return m.Video
	case MessageTypeDocument:
		return m.Document
	case MessageTypeSticker:
		return m.Sticker
	}
	return nil
}

// MessageContext describes what a message refers to: a quoted message (From
// and ID), a forward, or a product enquiry.
type MessageContext struct {
	From                string           `json:"from,omitempty"`
	ID                  string           `json:"id,omitempty"`
	Forwarded           bool             `json:"forwarded,omitempty"`
	FrequentlyForwarded bool             `json:"frequently_forwarded,omitempty"`
	ReferredProduct     *ReferredProduct `json:"referred_product,omitempty"`
}

// ReferredProduct is the catalog product a user asked about.
type ReferredProduct struct {
	CatalogID         string `json:"catalog_id"`
	ProductRetailerID string `json:"product_retailer_id"`
}

// Referral is attached when the user arrived through a Click-to-WhatsApp ad
// or post.
type Referral struct {
	SourceURL      string          `json:"source_url,omitempty"`
	SourceID       string          `json:"source_id,omitempty"`
	SourceType     string          `json:"source_type,omitempty"`
	Body           string          `json:"body,omitempty"`
	Headline       string          `json:"headline,omitempty"`
	MediaType      string          `json:"media_type,omitempty"`
	ImageURL       string          `json:"image_url,omitempty"`
	VideoURL       string          `json:"video_url,omitempty"`
	ThumbnailURL   string          `json:"thumbnail_url,omitempty"`
	CTWAClid       string          `json:"ctwa_clid,omitempty"`
	WelcomeMessage *WelcomeMessage `json:"welcome_message,omitempty"`
}

// WelcomeMessage is the ad's prefilled welcome text.
type WelcomeMessage struct {
	Text string `json:"text"`
}

// Text is a text message body.
type Text struct {
	Body string `json:"body"`
}

// Media describes an inbound image, audio, video, document or sticker. ID is
// the media id to pass to [Client.GetMedia]; URL is only present in newer
// payloads. SHA256 is kept as received because its encoding varies.
type Media struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type,omitempty"`
	SHA256   string `json:"sha256,omitempty"`
	URL      string `json:"url,omitempty"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
	// Voice is true for recorded voice notes (audio only).
	Voice bool `json:"voice,omitempty"`
	// Animated is true for animated stickers.
	Animated bool `json:"animated,omitempty"`
}

// Location is a shared location; latitude and longitude are JSON numbers.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	Address   string  `json:"address,omitempty"`
	URL       string  `json:"url,omitempty"`
}

// ContactCard is a shared contact (vCard-like); not to be confused with
// [Contact], the sender's profile.
type ContactCard struct {
	Name      ContactName      `json:"name"`
	Phones    []ContactPhone   `json:"phones,omitempty"`
	Emails    []ContactEmail   `json:"emails,omitempty"`
	Addresses []ContactAddress `json:"addresses,omitempty"`
	Org       *ContactOrg      `json:"org,omitempty"`
	URLs      []ContactURL     `json:"urls,omitempty"`
	Birthday  string           `json:"birthday,omitempty"`
}

// ContactName is the name part of a [ContactCard].
type ContactName struct {
	FormattedName string `json:"formatted_name,omitempty"`
	FirstName     string `json:"first_name,omitempty"`
	LastName      string `json:"last_name,omitempty"`
	MiddleName    string `json:"middle_name,omitempty"`
	Suffix        string `json:"suffix,omitempty"`
	Prefix        string `json:"prefix,omitempty"`
}

// ContactPhone is a phone number of a [ContactCard]; WaID is set when the
// number is on WhatsApp.
type ContactPhone struct {
	Phone string `json:"phone,omitempty"`
	WaID  string `json:"wa_id,omitempty"`
	Type  string `json:"type,omitempty"`
}

// ContactEmail is an e-mail address of a [ContactCard].
type ContactEmail struct {
	Email string `json:"email,omitempty"`
	Type  string `json:"type,omitempty"`
}

// ContactAddress is a postal address of a [ContactCard].
type ContactAddress struct {
	Street      string `json:"street,omitempty"`
	City        string `json:"city,omitempty"`
	State       string `json:"state,omitempty"`
	Zip         string `json:"zip,omitempty"`
	Country     string `json:"country,omitempty"`
	CountryCode string `json:"country_code,omitempty"`
	Type        string `json:"type,omitempty"`
}

// ContactOrg is the organisation of a [ContactCard].
type ContactOrg struct {
	Company    string `json:"company,omitempty"`
	Department string `json:"department,omitempty"`
	Title      string `json:"title,omitempty"`
}

// ContactURL is a web address of a [ContactCard].
type ContactURL struct {
	URL  string `json:"url,omitempty"`
	Type string `json:"type,omitempty"`
}

// Interactive is the user's answer to an interactive message: a reply
// button, a list row, or a submitted Flow (nfm_reply).
type Interactive struct {
	Type        string       `json:"type"`
	ButtonReply *ButtonReply `json:"button_reply,omitempty"`
	ListReply   *ListReply   `json:"list_reply,omitempty"`
	NFMReply    *NFMReply    `json:"nfm_reply,omitempty"`
	// CallPermissionReply answers a call permission request (Calling
	// API): Response is accept or reject.
	CallPermissionReply *CallPermissionReply `json:"call_permission_reply,omitempty"`
}

// CallPermissionReply is the customer's answer to a call permission
// request. ExpirationTimestamp is set for a temporary permission;
// ResponseSource is user_action or automatic.
type CallPermissionReply struct {
	Response            string      `json:"response"`
	IsPermanent         bool        `json:"is_permanent,omitempty"`
	ExpirationTimestamp json.Number `json:"expiration_timestamp,omitempty"`
	ResponseSource      string      `json:"response_source,omitempty"`
}

// ButtonReply is the reply button the user tapped.
type ButtonReply struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// ListReply is the list row the user picked.
type ListReply struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

// NFMReply is a completed WhatsApp Flow; ResponseJSON is itself a JSON
// document encoded as a string.
type NFMReply struct {
	Name         string `json:"name,omitempty"`
	Body         string `json:"body,omitempty"`
	ResponseJSON string `json:"response_json,omitempty"`
}

// Button is a tap on a template's quick-reply button; Message.Context points
// at the template message.
type Button struct {
	Payload string `json:"payload,omitempty"`
	Text    string `json:"text,omitempty"`
}

// Reaction is an emoji reaction to MessageID. Meta omits Emoji when the user
// removes a reaction; see [Reaction.Removed].
type Reaction struct {
	MessageID string `json:"message_id"`
	Emoji     string `json:"emoji,omitempty"`
}

// Removed reports whether the reaction withdraws an earlier one.
func (r Reaction) Removed() bool { return r.Emoji == "" }

// Order is a cart sent from a catalog.
type Order struct {
	CatalogID    string        `json:"catalog_id"`
	Text         string        `json:"text,omitempty"`
	ProductItems []ProductItem `json:"product_items,omitempty"`
}

// ProductItem is one line of an [Order].
type ProductItem struct {
	ProductRetailerID string  `json:"product_retailer_id"`
	Quantity          int     `json:"quantity"`
	ItemPrice         float64 `json:"item_price"`
	Currency          string  `json:"currency"`
}

// System types as they appear in System.Type.
const (
	SystemUserChangedNumber = "user_changed_number"
	SystemUserChangedUserID = "user_changed_user_id"
)

// System is a system notice such as a user changing their number; WaID or
// NewWaID then names the new phone number, UserID the new business-scoped
// user id, to link to the old ones (Message.From and Message.FromUserID).
type System struct {
	Body     string `json:"body,omitempty"`
	Type     string `json:"type,omitempty"`
	WaID     string `json:"wa_id,omitempty"`
	NewWaID  string `json:"new_wa_id,omitempty"`
	UserID   string `json:"user_id,omitempty"`
	Identity string `json:"identity,omitempty"`
	Customer string `json:"customer,omitempty"`
}

// Unsupported names the kind of content Cloud API could not deliver (poll,
// group invite, …); the message's Errors explain why.
type Unsupported struct {
	Type string `json:"type,omitempty"`
}

// ErrorObject is an error as reported inside webhooks: at value level, in a
// message, or in a failed status.
type ErrorObject struct {
	Code      int        `json:"code"`
	Title     string     `json:"title,omitempty"`
	Message   string     `json:"message,omitempty"`
	ErrorData *ErrorData `json:"error_data,omitempty"`
	Href      string     `json:"href,omitempty"`
	// Details appears at top level in older ("unknown" type) payloads.
	Details string `json:"details,omitempty"`
}

// ErrorData carries the human-readable details of an [ErrorObject].
type ErrorData struct {
	Details string `json:"details,omitempty"`
}

// Status reports the progress of a message the business sent. Statuses may
// arrive duplicated, out of order, or skip "delivered"; Raw keeps the JSON as
// received.
type Status struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	Timestamp string `json:"timestamp"`
	// RecipientID is the recipient's phone number; Meta omits it for a
	// message sent to a business-scoped user id whose phone number it does
	// not share, and RecipientUserID (the BSUID) is then the only one.
	RecipientID           string        `json:"recipient_id,omitempty"`
	RecipientUserID       string        `json:"recipient_user_id,omitempty"`
	RecipientParentUserID string        `json:"recipient_parent_user_id,omitempty"`
	RecipientType         string        `json:"recipient_type,omitempty"`
	BizOpaqueCallbackData string        `json:"biz_opaque_callback_data,omitempty"`
	Conversation          *Conversation `json:"conversation,omitempty"`
	Pricing               *Pricing      `json:"pricing,omitempty"`
	Errors                []ErrorObject `json:"errors,omitempty"`

	// Raw is the status object exactly as it appeared in the body.
	Raw json.RawMessage `json:"-"`
	// DecodeError is set when only the common fields could be decoded; see
	// Message.DecodeError.
	DecodeError string `json:"-"`
}

// statusHeader is the part of a status that survives a partial decode.
type statusHeader struct {
	ID              string `json:"id"`
	Status          string `json:"status"`
	Timestamp       string `json:"timestamp"`
	RecipientID     string `json:"recipient_id"`
	RecipientUserID string `json:"recipient_user_id"`
}

// UnmarshalJSON decodes a status and keeps a copy of its raw JSON.
func (s *Status) UnmarshalJSON(data []byte) error {
	type plain Status
	var p plain
	raw := append(json.RawMessage(nil), data...)
	if err := json.Unmarshal(data, &p); err != nil {
		var h statusHeader
		if herr := json.Unmarshal(data, &h); herr != nil {
			return fmt.Errorf("decode status: %w", err)
		}
		*s = Status{ID: h.ID, Status: h.Status, Timestamp: h.Timestamp, RecipientID: h.RecipientID, RecipientUserID: h.RecipientUserID, Raw: raw, DecodeError: err.Error()}
		return nil
	}
	*s = Status(p)
	s.Raw = raw
	s.DecodeError = ""
	return nil
}

// Time returns the status timestamp in UTC.
func (s Status) Time() (time.Time, error) {
	return parseUnix(s.Timestamp)
}

// Conversation is the (legacy, conversation-based pricing) conversation a
// status belongs to. Webhooks v24.0+ mostly omit it.
type Conversation struct {
	ID                  string              `json:"id,omitempty"`
	ExpirationTimestamp string              `json:"expiration_timestamp,omitempty"`
	Origin              *ConversationOrigin `json:"origin,omitempty"`
}

// ConversationOrigin is the category that opened a [Conversation].
type ConversationOrigin struct {
	Type string `json:"type,omitempty"`
}

// Pricing describes how a message is billed.
type Pricing struct {
	Billable     bool   `json:"billable"`
	PricingModel string `json:"pricing_model,omitempty"`
	Category     string `json:"category,omitempty"`
	Type         string `json:"type,omitempty"`
}

// parseUnix parses Meta's string timestamps (unix seconds).
func parseUnix(s string) (time.Time, error) {
	sec, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse timestamp %q: %w", truncate(s, 32), err)
	}
	return time.Unix(sec, 0).UTC(), nil
}

// truncate shortens s for use in error messages, so that hostile input
// cannot blow up logs downstream.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
