package switchboard

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// Interactive message kinds the business can send.
const (
	InteractiveButton = "button"  // up to three reply buttons
	InteractiveList   = "list"    // a button that opens a list of rows in sections
	InteractiveCTAURL = "cta_url" // one button that opens a URL
)

// Meta's limits for interactive messages, in characters (Unicode code
// points). Sources are in docs/whatsapp.md.
const (
	MaxInteractiveHeader   = 60
	MaxInteractiveFooter   = 60
	MaxInteractiveBody     = 1024 // reply buttons and CTA URL
	MaxInteractiveListBody = 4096 // list messages
	MaxReplyButtons        = 3
	MaxReplyButtonTitle    = 20
	MaxReplyButtonID       = 256
	MaxListButton          = 20
	MaxListSections        = 10
	MaxListRows            = 10 // across all sections
	MaxListSectionTitle    = 24
	MaxListRowTitle        = 24
	MaxListRowDescription  = 72
	MaxListRowID           = 200
	MaxCTADisplayText      = 20
	MaxCTAURL              = 2000
)

// InteractiveSend is an interactive message the business sends: reply
// buttons, a list or a call-to-action URL button. The customer's answer
// to buttons and lists arrives as an [Interactive] reply quoting it.
type InteractiveSend struct {
	Kind   string `json:"kind"`             // button, list or cta_url
	Header string `json:"header,omitempty"` // text header
	Body   string `json:"body"`
	Footer string `json:"footer,omitempty"`
	// Buttons are the reply buttons (kind button).
	Buttons []ReplyButton `json:"buttons,omitempty"`
	// ListButton is the label of the button that opens the list, and
	// Sections its rows (kind list).
	ListButton string        `json:"list_button,omitempty"`
	Sections   []ListSection `json:"sections,omitempty"`
	// DisplayText and URL are the call-to-action button (kind cta_url).
	DisplayText string `json:"display_text,omitempty"`
	URL         string `json:"url,omitempty"`
}

// ReplyButton is one reply button; ID comes back in the customer's reply.
type ReplyButton struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// ListSection groups the rows of a list message.
type ListSection struct {
	Title string    `json:"title,omitempty"`
	Rows  []ListRow `json:"rows"`
}

// ListRow is one choice of a list message.
type ListRow struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

// Normalize trims the surrounding spaces of every text, as WhatsApp shows
// them trimmed and refuses ids with leading or trailing spaces.
func (m *InteractiveSend) Normalize() {
	m.Kind = strings.TrimSpace(m.Kind)
	m.Header, m.Body, m.Footer = strings.TrimSpace(m.Header), strings.TrimSpace(m.Body), strings.TrimSpace(m.Footer)
	m.ListButton, m.DisplayText, m.URL = strings.TrimSpace(m.ListButton), strings.TrimSpace(m.DisplayText), strings.TrimSpace(m.URL)
	for i := range m.Buttons {
		b := &m.Buttons[i]
		b.ID, b.Title = strings.TrimSpace(b.ID), strings.TrimSpace(b.Title)
	}
	for i := range m.Sections {
		s := &m.Sections[i]
		s.Title = strings.TrimSpace(s.Title)
		for j := range s.Rows {
			r := &s.Rows[j]
			r.ID, r.Title, r.Description = strings.TrimSpace(r.ID), strings.TrimSpace(r.Title), strings.TrimSpace(r.Description)
		}
	}
}

// Validate checks the message against Meta's limits, so that a message
// WhatsApp would refuse is refused before it is stored and sent. Errors
// are EUnprocessable and name the field and the limit.
func (m *InteractiveSend) Validate() error {
	if m == nil {
		return Errorf(EInvalid, "An interactive message needs the interactive object.")
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"header", m.Header, MaxInteractiveHeader}, {"footer", m.Footer, MaxInteractiveFooter}} {
		if err := maxChars(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	if m.Body == "" {
		return Errorf(EUnprocessable, "The body text is required.")
	}
	for _, s := range []string{m.Header, m.Body, m.Footer} {
		if !utf8.ValidString(s) {
			return Errorf(EInvalid, "The text is not valid UTF-8.")
		}
	}
	bodyMax := MaxInteractiveBody
	if m.Kind == InteractiveList {
		bodyMax = MaxInteractiveListBody
	}
	if err := maxChars("body", m.Body, bodyMax); err != nil {
		return err
	}
	switch m.Kind {
	case InteractiveButton:
		if m.ListButton != "" || len(m.Sections) > 0 || m.DisplayText != "" || m.URL != "" {
			return Errorf(EUnprocessable, "Reply buttons take only buttons, no list or link.")
		}
		if n := len(m.Buttons); n < 1 || n > MaxReplyButtons {
			return Errorf(EUnprocessable, "Reply buttons need 1 to %d buttons, not %d.", MaxReplyButtons, n)
		}
		ids, titles := map[string]bool{}, map[string]bool{}
		for i, b := range m.Buttons {
			if b.ID == "" || b.Title == "" {
				return Errorf(EUnprocessable, "Button %d needs an id and a title.", i+1)
			}
			if err := maxChars("button title", b.Title, MaxReplyButtonTitle); err != nil {
				return err
			}
			if err := maxChars("button id", b.ID, MaxReplyButtonID); err != nil {
				return err
			}
			if ids[b.ID] {
				return Errorf(EUnprocessable, "Button ids must be unique: %q is used twice.", b.ID)
			}
			if titles[b.Title] {
				return Errorf(EUnprocessable, "Button titles must be unique: %q is used twice.", b.Title)
			}
			ids[b.ID], titles[b.Title] = true, true
		}
	case InteractiveList:
		if len(m.Buttons) > 0 || m.DisplayText != "" || m.URL != "" {
			return Errorf(EUnprocessable, "A list takes only sections and rows, no buttons or link.")
		}
		if m.ListButton == "" {
			return Errorf(EUnprocessable, "A list needs the text of the button that opens it.")
		}
		if err := maxChars("list button", m.ListButton, MaxListButton); err != nil {
			return err
		}
		if n := len(m.Sections); n < 1 || n > MaxListSections {
			return Errorf(EUnprocessable, "A list needs 1 to %d sections, not %d.", MaxListSections, n)
		}
		rows, ids := 0, map[string]bool{}
		for i, s := range m.Sections {
			if s.Title == "" && len(m.Sections) > 1 {
				return Errorf(EUnprocessable, "Section %d needs a title: a list with several sections titles each.", i+1)
			}
			if err := maxChars("section title", s.Title, MaxListSectionTitle); err != nil {
				return err
			}
			if len(s.Rows) == 0 {
				return Errorf(EUnprocessable, "Section %d has no rows.", i+1)
			}
			rows += len(s.Rows)
			if rows > MaxListRows {
				return Errorf(EUnprocessable, "A list has at most %d rows in all sections together.", MaxListRows)
			}
			for _, r := range s.Rows {
				if r.ID == "" || r.Title == "" {
					return Errorf(EUnprocessable, "Every row needs an id and a title.")
				}
				if err := maxChars("row title", r.Title, MaxListRowTitle); err != nil {
					return err
				}
				if err := maxChars("row description", r.Description, MaxListRowDescription); err != nil {
					return err
				}
				if err := maxChars("row id", r.ID, MaxListRowID); err != nil {
					return err
				}
				if ids[r.ID] {
					return Errorf(EUnprocessable, "Row ids must be unique: %q is used twice.", r.ID)
				}
				ids[r.ID] = true
			}
		}
	case InteractiveCTAURL:
		if len(m.Buttons) > 0 || m.ListButton != "" || len(m.Sections) > 0 {
			return Errorf(EUnprocessable, "A link button takes only display_text and url.")
		}
		if m.DisplayText == "" || m.URL == "" {
			return Errorf(EUnprocessable, "A link button needs display_text and url.")
		}
		if err := maxChars("display_text", m.DisplayText, MaxCTADisplayText); err != nil {
			return err
		}
		if err := maxChars("url", m.URL, MaxCTAURL); err != nil {
			return err
		}
		if !HTTPSURL(m.URL) {
			return Errorf(EUnprocessable, "The link must be an https:// URL with a host.")
		}
	default:
		return Errorf(EUnprocessable, "interactive.kind must be button, list or cta_url.")
	}
	return nil
}

// HTTPSURL reports whether s is an absolute https URL with a host and no
// user information.
func HTTPSURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil && !strings.ContainsAny(s, " \t\r\n")
}

// Summary is the text shown for the message in lists and previews: the
// body.
func (m *InteractiveSend) Summary() string { return m.Body }

func maxChars(field, v string, limit int) error {
	if len(v) > limit && utf8.RuneCountInString(v) > limit {
		return Errorf(EUnprocessable, "The %s has %d characters; WhatsApp allows at most %d.", field, utf8.RuneCountInString(v), limit)
	}
	return nil
}
