package whatsapp

import (
	"fmt"
	"math"
	"unicode/utf8"
)

// Limits Meta documents for outbound messages.
const (
	MaxTextBodyLen             = 4096 // characters in text.body
	MaxCaptionLen              = 1024 // characters in a media caption
	MaxBizOpaqueCallbackLen    = 512  // characters in biz_opaque_callback_data
	MaxTypingIndicatorDuration = 25   // seconds Meta shows a typing indicator
)

// OutboundMessage is the body of POST /{phone-number-id}/messages. Set To,
// Type and the field named after Type; or, to mark a message read, set
// Status to "read" and MessageID (optionally TypingIndicator) and leave the
// rest empty. MessagingProduct and RecipientType are filled in by
// [Client.SendMessage] when empty.
type OutboundMessage struct {
	MessagingProduct string `json:"messaging_product"`
	RecipientType    string `json:"recipient_type,omitempty"`
	To               string `json:"to,omitempty"`
	// Recipient is the business-scoped user id (or parent BSUID) to send
	// to when the phone number is not known; Meta uses To when both are
	// set.
	Recipient             string        `json:"recipient,omitempty"`
	Type                  string        `json:"type,omitempty"`
	Context               *ReplyContext `json:"context,omitempty"`
	BizOpaqueCallbackData string        `json:"biz_opaque_callback_data,omitempty"`

	Text     *OutboundText     `json:"text,omitempty"`
	Image    *OutboundMedia    `json:"image,omitempty"`
	Audio    *OutboundMedia    `json:"audio,omitempty"`
	Video    *OutboundMedia    `json:"video,omitempty"`
	Document *OutboundMedia    `json:"document,omitempty"`
	Sticker  *OutboundMedia    `json:"sticker,omitempty"`
	Template *OutboundTemplate `json:"template,omitempty"`
	Reaction *OutboundReaction `json:"reaction,omitempty"`
	Location *OutboundLocation `json:"location,omitempty"`
	// Interactive is a reply-button, list or CTA URL message.
	Interactive *OutboundInteractive `json:"interactive,omitempty"`

	// Mark-as-read fields.
	Status          string           `json:"status,omitempty"`
	MessageID       string           `json:"message_id,omitempty"`
	TypingIndicator *TypingIndicator `json:"typing_indicator,omitempty"`
}

// ReplyContext quotes an earlier message in a reply.
type ReplyContext struct {
	MessageID string `json:"message_id"`
}

// OutboundText is a text message. PreviewURL asks WhatsApp to render a link
// preview for the first URL in Body.
type OutboundText struct {
	Body       string `json:"body"`
	PreviewURL bool   `json:"preview_url,omitempty"`
}

// OutboundMedia references media by uploaded ID (preferred) or by public
// Link. Caption applies to image, video and document; Filename to document;
// Voice marks an OGG/Opus audio as a voice message.
type OutboundMedia struct {
	ID       string `json:"id,omitempty"`
	Link     string `json:"link,omitempty"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"`
	Voice    bool   `json:"voice,omitempty"`
}

// OutboundTemplate sends an approved template identified by name and
// language code.
type OutboundTemplate struct {
	Name       string           `json:"name"`
	Language   TemplateLanguage `json:"language"`
	Components []Component      `json:"components,omitempty"`
}

// TemplateLanguage selects the template translation.
type TemplateLanguage struct {
	Code   string `json:"code"`
	Policy string `json:"policy,omitempty"`
}

// Component fills the variables of one template component (header, body or
// a button). Index is the button's position, as a string like Meta expects.
type Component struct {
	Type       string      `json:"type"`
	SubType    string      `json:"sub_type,omitempty"`
	Index      string      `json:"index,omitempty"`
	Parameters []Parameter `json:"parameters,omitempty"`
}

// Parameter is one template variable value. ParameterName is set for
// templates with named ({{first_name}}) placeholders.
type Parameter struct {
	Type          string         `json:"type"`
	ParameterName string         `json:"parameter_name,omitempty"`
	Text          string         `json:"text,omitempty"`
	Payload       string         `json:"payload,omitempty"`
	Image         *OutboundMedia `json:"image,omitempty"`
	Video         *OutboundMedia `json:"video,omitempty"`
	Document      *OutboundMedia `json:"document,omitempty"`
	Currency      *Currency      `json:"currency,omitempty"`
	DateTime      *DateTime      `json:"date_time,omitempty"`
}

// Currency is a localized amount; Amount1000 is the amount times 1000.
type Currency struct {
	FallbackValue string `json:"fallback_value"`
	Code          string `json:"code"`
	Amount1000    int64  `json:"amount_1000"`
}

// DateTime is a date shown as FallbackValue.
type DateTime struct {
	FallbackValue string `json:"fallback_value"`
}

// OutboundReaction reacts to MessageID. An empty Emoji removes the
// business's reaction, so the field is always sent.
type OutboundReaction struct {
	MessageID string `json:"message_id"`
	Emoji     string `json:"emoji"`
}

// OutboundLocation shares a location pin.
type OutboundLocation struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	Address   string  `json:"address,omitempty"`
}

// OutboundInteractive is an interactive message: Type is "button" (reply
// buttons), "list" or "cta_url". Only text headers are modelled.
type OutboundInteractive struct {
	Type   string             `json:"type"`
	Header *InteractiveHeader `json:"header,omitempty"`
	Body   *InteractiveText   `json:"body,omitempty"`
	Footer *InteractiveText   `json:"footer,omitempty"`
	Action *InteractiveAction `json:"action"`
}

// InteractiveHeader is a text header.
type InteractiveHeader struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// InteractiveText is a body or footer.
type InteractiveText struct {
	Text string `json:"text"`
}

// InteractiveAction holds the buttons (button), the list button and its
// sections (list), or the link (cta_url, Name "cta_url").
type InteractiveAction struct {
	Name       string               `json:"name,omitempty"`
	Button     string               `json:"button,omitempty"`
	Buttons    []InteractiveButton  `json:"buttons,omitempty"`
	Sections   []InteractiveSection `json:"sections,omitempty"`
	Parameters *CTAURLParameters    `json:"parameters,omitempty"`
}

// InteractiveButton is a reply button; Type is "reply".
type InteractiveButton struct {
	Type  string     `json:"type"`
	Reply ReplyTitle `json:"reply"`
}

// ReplyTitle is a reply button's id and title.
type ReplyTitle struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// InteractiveSection is a titled group of list rows.
type InteractiveSection struct {
	Title string           `json:"title,omitempty"`
	Rows  []InteractiveRow `json:"rows"`
}

// InteractiveRow is one choice of a list.
type InteractiveRow struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

// CTAURLParameters is the label and target of a CTA URL button.
type CTAURLParameters struct {
	DisplayText string `json:"display_text"`
	URL         string `json:"url"`
}

// TypingIndicator shows "typing…" along with a mark-as-read; Meta dismisses
// it on the next reply or after 25 seconds. Type is "text".
type TypingIndicator struct {
	Type string `json:"type"`
}

// Validate checks the message against the rules Meta enforces
// synchronously, so that mistakes fail before a network round trip. Errors
// wrap [ErrInvalid].
func (m *OutboundMessage) Validate() error {
	if m == nil {
		return invalid("message is nil")
	}
	if n := utf8.RuneCountInString(m.BizOpaqueCallbackData); n > MaxBizOpaqueCallbackLen {
		return invalid("biz_opaque_callback_data has %d characters, limit %d", n, MaxBizOpaqueCallbackLen)
	}
	if m.Status != "" {
		if m.Status != StatusRead {
			return invalid("status must be %q, got %q", StatusRead, m.Status)
		}
		if m.MessageID == "" {
			return invalid("mark as read needs message_id")
		}
		if m.To != "" || m.Recipient != "" || m.Type != "" {
			return invalid("mark as read takes no recipient or type")
		}
		if m.TypingIndicator != nil && m.TypingIndicator.Type != "text" {
			return invalid("typing_indicator type must be \"text\"")
		}
		return nil
	}
	if m.To == "" && m.Recipient == "" {
		return invalid("recipient (to or recipient) is empty")
	}
	if m.MessageID != "" || m.TypingIndicator != nil {
		return invalid("message_id and typing_indicator belong to mark-as-read")
	}
	if m.Context != nil && m.Context.MessageID == "" {
		return invalid("context.message_id is empty")
	}
	set := 0
	for _, p := range []bool{m.Text != nil, m.Image != nil, m.Audio != nil, m.Video != nil,
		m.Document != nil, m.Sticker != nil, m.Template != nil, m.Reaction != nil, m.Location != nil, m.Interactive != nil} {
		if p {
			set++
		}
	}
	if set != 1 {
		return invalid("exactly one content object must be set, got %d", set)
	}
	switch m.Type {
	case "text":
		if m.Text == nil {
			return mismatch(m.Type)
		}
		if m.Text.Body == "" {
			return invalid("text body is empty")
		}
		if n := utf8.RuneCountInString(m.Text.Body); n > MaxTextBodyLen {
			return invalid("text body has %d characters, limit %d", n, MaxTextBodyLen)
		}
	case "image", "video", "document":
		media := m.media()
		if media == nil {
			return mismatch(m.Type)
		}
		if err := validateMedia(m.Type, media); err != nil {
			return err
		}
		if n := utf8.RuneCountInString(media.Caption); n > MaxCaptionLen {
			return invalid("caption has %d characters, limit %d", n, MaxCaptionLen)
		}
		if media.Filename != "" && m.Type != "document" {
			return invalid("filename is only allowed on documents")
		}
	case "audio", "sticker":
		media := m.media()
		if media == nil {
			return mismatch(m.Type)
		}
		if err := validateMedia(m.Type, media); err != nil {
			return err
		}
		if media.Caption != "" || media.Filename != "" {
			return invalid("%s takes no caption or filename", m.Type)
		}
		if media.Voice && m.Type != "audio" {
			return invalid("voice is only allowed on audio")
		}
	case "template":
		if m.Template == nil {
			return mismatch(m.Type)
		}
		if m.Template.Name == "" || m.Template.Language.Code == "" {
			return invalid("template needs a name and a language code")
		}
	case "reaction":
		if m.Reaction == nil {
			return mismatch(m.Type)
		}
		if m.Reaction.MessageID == "" {
			return invalid("reaction needs message_id")
		}
	case "location":
		if m.Location == nil {
			return mismatch(m.Type)
		}
		l := m.Location
		if math.IsNaN(l.Latitude) || math.IsNaN(l.Longitude) || l.Latitude < -90 || l.Latitude > 90 || l.Longitude < -180 || l.Longitude > 180 {
			return invalid("location out of range")
		}
	case "interactive":
		if m.Interactive == nil {
			return mismatch(m.Type)
		}
		if err := m.Interactive.validate(); err != nil {
			return err
		}
	default:
		return invalid("unsupported message type %q", m.Type)
	}
	return nil
}

// validate checks the shape Meta requires of each kind; the limits on
// lengths and counts are the domain's (switchboard.InteractiveSend), so
// they are not repeated here.
func (i *OutboundInteractive) validate() error {
	if i.Body == nil || i.Body.Text == "" {
		return invalid("interactive body text is empty")
	}
	if i.Action == nil {
		return invalid("interactive action is missing")
	}
	if i.Header != nil && i.Header.Type != "text" {
		return invalid("interactive header type must be \"text\"")
	}
	a := i.Action
	switch i.Type {
	case "button":
		if len(a.Buttons) == 0 || a.Button != "" || len(a.Sections) > 0 || a.Parameters != nil {
			return invalid("reply buttons need action.buttons and nothing else")
		}
		for _, b := range a.Buttons {
			if b.Type != "reply" || b.Reply.ID == "" || b.Reply.Title == "" {
				return invalid("each button needs type reply, an id and a title")
			}
		}
	case "list":
		if a.Button == "" || len(a.Sections) == 0 || len(a.Buttons) > 0 || a.Parameters != nil {
			return invalid("a list needs action.button and action.sections and nothing else")
		}
	case "cta_url":
		if a.Name != "cta_url" || a.Parameters == nil || a.Parameters.DisplayText == "" || a.Parameters.URL == "" || len(a.Buttons) > 0 || len(a.Sections) > 0 {
			return invalid("a CTA URL needs action.name cta_url and parameters.display_text and url")
		}
	default:
		return invalid("unsupported interactive type %q", i.Type)
	}
	return nil
}

// media returns the media object named by Type, or nil.
func (m *OutboundMessage) media() *OutboundMedia {
	switch m.Type {
	case "image":
		return m.Image
	case "audio":
		return m.Audio
	case "video":
		return m.Video
	case "document":
		return m.Document
	case "sticker":
		return m.Sticker
	}
	return nil
}

func validateMedia(kind string, media *OutboundMedia) error {
	if (media.ID == "") == (media.Link == "") {
		return invalid("%s needs exactly one of id and link", kind)
	}
	if media.Voice && kind != "audio" {
		return invalid("voice is only allowed on audio")
	}
	return nil
}

func mismatch(typ string) error {
	return invalid("type is %q but the %s object is not set", typ, typ)
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}
