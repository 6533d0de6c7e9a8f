package whatsapp

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// goldenChange is the reviewable view of one parsed change: what the
// inbox will see, with Meta's escapes decoded.
type goldenChange struct {
	Entry         string          `json:"entry"`
	Field         string          `json:"field"`
	Value         *Value          `json:"value,omitempty"`
	RawValue      json.RawMessage `json:"raw_value,omitempty"`
	MessageTimes  []string        `json:"message_times,omitempty"`
	DecodeErrors  []string        `json:"decode_errors,omitempty"`
	RawPreserved  bool            `json:"raw_preserved"`
	ReactionGone  []bool          `json:"reaction_removed,omitempty"`
	StatusesTimes []string        `json:"status_times,omitempty"`
	// Decoded is what the field's decoder makes of a value other than
	// messages (issue 11's fields), or its error.
	Decoded any `json:"decoded,omitempty"`
}

// decodeSurface decodes a change of one of the fields beyond messages with
// its method; nil for other fields.
func decodeSurface(c Change) any {
	var v any
	var err error
	switch c.Field {
	case FieldTemplateStatus:
		v, err = c.TemplateStatus()
	case FieldTemplateQuality:
		v, err = c.TemplateQuality()
	case FieldTemplateCategory:
		var u *TemplateCategoryUpdate
		u, err = c.TemplateCategory()
		if err == nil {
			v = map[string]any{"update": u, "impending": u.Impending()}
		}
	case FieldUserPreferences:
		var u *UserPreferencesValue
		u, err = c.UserPreferences()
		if err == nil {
			times := []string{}
			for _, p := range u.UserPreferences {
				ts, terr := p.Time()
				if terr != nil {
					return "time: " + terr.Error()
				}
				times = append(times, ts.Format(time.RFC3339))
			}
			v = map[string]any{"value": u, "times": times}
		}
	case FieldAccountAlerts:
		v, err = c.AccountAlert()
	case FieldAccountUpdate:
		v, err = c.AccountUpdate()
	case FieldBusinessCapability:
		v, err = c.BusinessCapability()
	case FieldPhoneNumberQuality:
		v, err = c.PhoneNumberQuality()
	case FieldStandby, FieldMessagingHandovers:
		var u *StandbyValue
		u, err = c.Standby()
		if err == nil {
			v = map[string]any{"customers": u.Customers()}
		}
	default:
		return nil
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return v
}

func goldenView(t *testing.T, n *Notification) []byte {
	t.Helper()
	var view []goldenChange
	for _, e := range n.Entry {
		for _, c := range e.Changes {
			g := goldenChange{Entry: e.ID, Field: c.Field, Value: c.Value, RawPreserved: true}
			if c.Value == nil {
				g.RawValue = c.RawValue
				g.Decoded = decodeSurface(c)
			} else {
				for _, m := range c.Value.Messages {
					ts, err := m.Time()
					if err != nil {
						t.Fatalf("message %s time: %v", m.ID, err)
					}
					g.MessageTimes = append(g.MessageTimes, ts.Format(time.RFC3339))
					if m.DecodeError != "" {
						g.DecodeErrors = append(g.DecodeErrors, m.DecodeError)
					}
					if m.Reaction != nil {
						g.ReactionGone = append(g.ReactionGone, m.Reaction.Removed())
					}
					g.RawPreserved = g.RawPreserved && json.Valid(m.Raw)
				}
				for _, s := range c.Value.Statuses {
					ts, err := s.Time()
					if err != nil {
						t.Fatalf("status %s time: %v", s.ID, err)
					}
					g.StatusesTimes = append(g.StatusesTimes, ts.Format(time.RFC3339))
					g.RawPreserved = g.RawPreserved && json.Valid(s.Raw)
				}
			}
			view = append(view, g)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(view); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func webhookFixtures(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "webhooks", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no webhook fixtures: %v", err)
	}
	return files
}

// TestParseNotificationGolden parses every fixture and compares the result
// with its .golden file; run with -update after intended changes.
func TestParseNotificationGolden(t *testing.T) {
	for _, file := range webhookFixtures(t) {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			n, err := ParseNotification(body)
			if err != nil {
				t.Fatalf("ParseNotification: %v", err)
			}
			got := goldenView(t, n)
			golden := strings.TrimSuffix(file, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run go test -update): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("parsed view differs from %s (run go test -update and review the diff)\ngot:\n%s", golden, got)
			}
		})
	}
}

func mustParseFixture(t *testing.T, name string) *Notification {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "webhooks", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := ParseNotification(body)
	if err != nil {
		t.Fatalf("ParseNotification(%s): %v", name, err)
	}
	return n
}

func firstMessage(t *testing.T, n *Notification) Message {
	t.Helper()
	v := n.Entry[0].Changes[0].Value
	if v == nil || len(v.Messages) == 0 {
		t.Fatal("no message")
	}
	return v.Messages[0]
}

// TestParseMessageSemantics pins the facts the inbox depends on, beyond
// what the golden files show.
func TestParseMessageSemantics(t *testing.T) {
	t.Run("escapes decoded and raw kept", func(t *testing.T) {
		n := mustParseFixture(t, "text_reply")
		m := firstMessage(t, n)
		if got, want := m.Text.Body, "Grüße aus München – siehe https://example.com/a/b"; got != want {
			t.Errorf("body = %q, want %q", got, want)
		}
		if !bytes.Contains(m.Raw, []byte(`Gr\u00fc\u00dfe`)) || !bytes.Contains(m.Raw, []byte(`https:\/\/example.com`)) {
			t.Errorf("raw lost Meta's escaping: %s", m.Raw)
		}
		if m.Context == nil || m.Context.ID == "" || m.Context.From != "15550783881" {
			t.Errorf("context = %+v", m.Context)
		}
		v := n.Entry[0].Changes[0].Value
		if c := v.ContactFor(m.From); c == nil || c.Profile.Name != "Jürgen Müller" {
			t.Errorf("ContactFor = %+v", c)
		}
		if got := n.Entry[0].ID; got != "102290129340398" {
			t.Errorf("entry id = %q", got)
		}
		if got := v.Metadata.PhoneNumberID; got != "106540352242922" {
			t.Errorf("phone number id = %q", got)
		}
	})
	t.Run("time is UTC", func(t *testing.T) {
		m := firstMessage(t, mustParseFixture(t, "text_reply"))
		got, err := m.Time()
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2025, 2, 12, 0, 43, 44, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("Time() = %v, want %v UTC", got, want)
		}
		if _, err := (Message{Timestamp: "soon"}).Time(); err == nil {
			t.Error("Time() accepted a non-numeric timestamp")
		}
	})
	t.Run("voice note", func(t *testing.T) {
		m := firstMessage(t, mustParseFixture(t, "audio_voice"))
		if m.Audio == nil || !m.Audio.Voice || m.Media() != m.Audio || m.Audio.MimeType != "audio/ogg; codecs=opus" {
			t.Errorf("audio = %+v", m.Audio)
		}
	})
	t.Run("document filename", func(t *testing.T) {
		m := firstMessage(t, mustParseFixture(t, "document"))
		if m.Document == nil || m.Document.Filename != "Rechnung_März_2025.pdf" {
			t.Errorf("document = %+v", m.Document)
		}
		if !strings.HasPrefix(m.Document.URL, "https://lookaside.fbsbx.com/") {
			t.Errorf("url = %q", m.Document.URL)
		}
	})
	t.Run("location numbers", func(t *testing.T) {
		m := firstMessage(t, mustParseFixture(t, "location"))
		if m.Location == nil || m.Location.Latitude != 48.137154 || m.Location.Longitude != 11.576124 {
			t.Errorf("location = %+v", m.Location)
		}
	})
	t.Run("reaction removed has no emoji", func(t *testing.T) {
		m := firstMessage(t, mustParseFixture(t, "reaction_removed"))
		if m.Reaction == nil || !m.Reaction.Removed() || m.Reaction.MessageID == "" {
			t.Errorf("reaction = %+v", m.Reaction)
		}
		m = firstMessage(t, mustParseFixture(t, "reaction"))
		if m.Reaction.Removed() || m.Reaction.Emoji != "👍" {
			t.Errorf("reaction = %+v", m.Reaction)
		}
	})
	t.Run("unknown type keeps raw", func(t *testing.T) {
		m := firstMessage(t, mustParseFixture(t, "future_type"))
		if m.Type != "poll_vote" || !bytes.Contains(m.Raw, []byte(`"nested":{"deep":[1,2,3]}`)) {
			t.Errorf("type %q raw %s", m.Type, m.Raw)
		}
	})
	t.Run("unsupported carries error", func(t *testing.T) {
		m := firstMessage(t, mustParseFixture(t, "unsupported"))
		if len(m.Errors) != 1 || m.Errors[0].Code != CodeUnsupportedType || m.Unsupported.Type != "poll_creation" {
			t.Errorf("errors %+v unsupported %+v", m.Errors, m.Unsupported)
		}
	})
	t.Run("failed status 131047", func(t *testing.T) {
		n := mustParseFixture(t, "status_failed_131047")
		s := n.Entry[0].Changes[0].Value.Statuses[0]
		if s.Status != StatusFailed || len(s.Errors) != 1 || s.Errors[0].Code != CodeReengagement ||
			s.Errors[0].ErrorData == nil || !strings.Contains(s.Errors[0].ErrorData.Details, "24 hours") {
			t.Errorf("status = %+v", s)
		}
	})
	t.Run("batch", func(t *testing.T) {
		n := mustParseFixture(t, "batch")
		if len(n.Entry) != 2 || len(n.Entry[0].Changes) != 3 {
			t.Fatalf("entries %d, changes %d", len(n.Entry), len(n.Entry[0].Changes))
		}
		v := n.Entry[0].Changes[0].Value
		if len(v.Messages) != 2 {
			t.Fatalf("messages = %d", len(v.Messages))
		}
		// Contacts are listed in a different order than messages.
		if c := v.ContactFor(v.Messages[1].From); c == nil || c.Profile.Name != "Anna Öztürk" {
			t.Errorf("contact for second message = %+v", c)
		}
		unknown := n.Entry[0].Changes[2]
		if unknown.Field != "phone_number_quality_update" || unknown.Value != nil || !json.Valid(unknown.RawValue) {
			t.Errorf("unknown field change = %+v", unknown)
		}
	})
}

func TestParseNotificationRejects(t *testing.T) {
	valid, err := os.ReadFile(filepath.Join("testdata", "webhooks", "text_reply.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		body string
		want error
	}{
		{"empty", ``, ErrMalformedNotification},
		{"not json", `hello`, ErrMalformedNotification},
		{"html", `<html></html>`, ErrMalformedNotification},
		{"array", `[]`, ErrMalformedNotification},
		{"null", `null`, ErrMalformedNotification},
		{"truncated", string(valid[:len(valid)/2]), ErrMalformedNotification},
		{"trailing data", string(valid) + `{}`, ErrMalformedNotification},
		{"wrong object", `{"object":"page","entry":[]}`, ErrWrongObject},
		{"object missing", `{"entry":[]}`, ErrMalformedNotification},
		{"object not string", `{"object":1,"entry":[]}`, ErrMalformedNotification},
		{"entry not array", `{"object":"whatsapp_business_account","entry":{}}`, ErrMalformedNotification},
		{"value not object", `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":[1]}]}]}`, ErrMalformedNotification},
		{"message header wrong type", `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"id":1}]}}]}]}`, ErrMalformedNotification},
		{"too many entries", `{"object":"whatsapp_business_account","entry":[` + strings.Repeat(`{},`, MaxNotificationItems) + `{}]}`, ErrTooManyItems},
		{"too many messages", `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[` +
			strings.Repeat(`{"type":"text"},`, MaxNotificationItems) + `{}]}}]}]}`, ErrTooManyItems},
		{"too large", `{"object":"whatsapp_business_account","x":"` + strings.Repeat("a", MaxNotificationSize) + `"}`, ErrNotificationTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseNotification([]byte(tt.body))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if n != nil {
				t.Errorf("got notification with error")
			}
		})
	}
}

func TestParseNotificationTolerates(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, n *Notification)
	}{
		{"unknown top-level and nested fields", `{"object":"whatsapp_business_account","new":{"a":[1]},"entry":[{"id":"1","time":5,"changes":[{"field":"messages","extra":true,"value":{"messaging_product":"whatsapp","future":"x","messages":[{"from":"1","id":"w","timestamp":"1","type":"text","text":{"body":"hi","future":1}}]}}]}]}`,
			func(t *testing.T, n *Notification) {
				m := n.Entry[0].Changes[0].Value.Messages[0]
				if m.Text.Body != "hi" || m.DecodeError != "" {
					t.Errorf("message = %+v", m)
				}
			}},
		{"empty entry list", `{"object":"whatsapp_business_account","entry":[]}`, func(t *testing.T, n *Notification) {
			if len(n.Entry) != 0 {
				t.Error("entries")
			}
		}},
		{"null value", `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":null}]}]}`, func(t *testing.T, n *Notification) {
			if n.Entry[0].Changes[0].Value != nil {
				t.Error("value parsed from null")
			}
		}},
		{"typed part malformed: message kept with header and raw", `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"49","id":"wamid.X","timestamp":"1700000000","type":"location","location":{"latitude":"48.1","longitude":11}},{"from":"49","id":"wamid.Y","timestamp":"1700000001","type":"text","text":{"body":"ok"}}]}}]}]}`,
			func(t *testing.T, n *Notification) {
				msgs := n.Entry[0].Changes[0].Value.Messages
				if len(msgs) != 2 {
					t.Fatalf("messages = %d", len(msgs))
				}
				bad := msgs[0]
				if bad.ID != "wamid.X" || bad.Type != "location" || bad.DecodeError == "" || bad.Location != nil || !bytes.Contains(bad.Raw, []byte(`"48.1"`)) {
					t.Errorf("malformed message = %+v", bad)
				}
				if msgs[1].Text == nil || msgs[1].Text.Body != "ok" {
					t.Errorf("second message = %+v", msgs[1])
				}
			}},
		{"status with malformed pricing kept with header and raw", `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"statuses":[{"id":"w","status":"sent","timestamp":"1","recipient_id":"2","pricing":{"billable":"yes"}}]}}]}]}`,
			func(t *testing.T, n *Notification) {
				s := n.Entry[0].Changes[0].Value.Statuses[0]
				if s.ID != "w" || s.Status != StatusSent || s.DecodeError == "" || s.Pricing != nil || !bytes.Contains(s.Raw, []byte(`"yes"`)) {
					t.Errorf("status = %+v", s)
				}
			}},
		{"field after value", `{"object":"whatsapp_business_account","entry":[{"changes":[{"value":{"statuses":[{"id":"w","status":"read","timestamp":"1","recipient_id":"2"}]},"field":"messages"}]}]}`,
			func(t *testing.T, n *Notification) {
				if s := n.Entry[0].Changes[0].Value.Statuses; len(s) != 1 || s[0].Status != StatusRead {
					t.Errorf("statuses = %+v", s)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseNotification([]byte(tt.body))
			if err != nil {
				t.Fatalf("ParseNotification: %v", err)
			}
			tt.check(t, n)
		})
	}
}

func TestParseNotificationItemLimitBoundary(t *testing.T) {
	// One entry and one change leave room for exactly this many statuses.
	n := MaxNotificationItems - 2
	var b strings.Builder
	b.WriteString(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"statuses":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"w%d","status":"sent","timestamp":"1","recipient_id":"1"}`, i)
	}
	b.WriteString(`]}}]}]}`)
	got, err := ParseNotification([]byte(b.String()))
	if err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	if len(got.Entry[0].Changes[0].Value.Statuses) != n {
		t.Errorf("statuses = %d", len(got.Entry[0].Changes[0].Value.Statuses))
	}
}

func FuzzParseNotification(f *testing.F) {
	for _, file := range webhookFixtures(f) {
		body, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `{"object":"whatsapp_business_account"}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"type":"text","text":null,"timestamp":"-9223372036854775808"}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[null,{"changes":null}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":"x"}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"smb_message_echoes","value":{"message_echoes":[{"type":"edit","edit":{"message":{"type":"edit","edit":null}}}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"history","value":{"history":[{"metadata":{"phase":"2","progress":"x"},"threads":[{"messages":[null,{}]}]}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"history","value":{"history":[null,{"threads":null,"errors":[{"code":2593109}]}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"user_preferences","value":{"user_preferences":[{"timestamp":"x"}]}}]}]}`,
		`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"account_alerts","value":[]}]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := ParseNotification(body)
		if err != nil {
			if n != nil {
				t.Fatal("notification returned with error")
			}
			return
		}
		if n.Object != ObjectWhatsAppBusinessAccount {
			t.Fatalf("accepted object %q", n.Object)
		}
		items := 0
		for _, e := range n.Entry {
			items++
			for _, c := range e.Changes {
				items++
				if c.Value == nil {
					// The decoders of the other fields must not panic on
					// whatever a signed body holds.
					_ = decodeSurface(c)
					continue
				}
				items += len(c.Value.Contacts) + len(c.Value.Messages) + len(c.Value.Statuses) + len(c.Value.Errors) + len(c.Value.MessageEchoes)
				history := 0
				for _, h := range c.Value.History {
					items += 1 + len(h.Threads) + len(h.Errors)
					for _, th := range h.Threads {
						history += len(th.Messages)
					}
				}
				if history > MaxHistoryMessages {
					t.Fatalf("accepted %d history messages", history)
				}
				for _, m := range c.Value.Messages {
					_, _ = m.Time()
					_ = m.Media()
					if !json.Valid(m.Raw) {
						t.Fatalf("message raw is not JSON: %q", m.Raw)
					}
				}
				for _, s := range c.Value.Statuses {
					_, _ = s.Time()
					if !json.Valid(s.Raw) {
						t.Fatalf("status raw is not JSON: %q", s.Raw)
					}
				}
			}
		}
		if items > MaxNotificationItems {
			t.Fatalf("accepted %d items", items)
		}
	})
}

// TestParseUsernameOnlySender pins how a customer who shares only a
// username is identified: by from_user_id, matched to contacts[].user_id.
func TestParseUsernameOnlySender(t *testing.T) {
	n := mustParseFixture(t, "text_username_only")
	v := n.Entry[0].Changes[0].Value
	m := firstMessage(t, n)
	if m.From != "" || m.FromUserID != "US.13491208655302741918" {
		t.Fatalf("from = %q, from_user_id = %q", m.From, m.FromUserID)
	}
	c := v.SenderOf(&m)
	if c == nil {
		t.Fatal("no sender contact")
	}
	if c.Profile.Username != "@mira.okafor" || c.ParentUserID != "US.ENT.11815799212886844830" || c.WaID != "" {
		t.Errorf("contact = %+v", c)
	}
	if v.ContactFor("") != nil {
		t.Error("ContactFor(\"\") matched a contact without a phone number")
	}

	st := mustParseFixture(t, "status_recipient_user_id").Entry[0].Changes[0].Value.Statuses[0]
	if st.RecipientID != "" || st.RecipientUserID != "US.13491208655302741918" {
		t.Errorf("status recipient = %q / %q", st.RecipientID, st.RecipientUserID)
	}
	sys := firstMessage(t, mustParseFixture(t, "system_user_id_changed"))
	if sys.System == nil || sys.System.Type != SystemUserChangedUserID || sys.System.UserID != "US.80011120938467201234" || sys.FromUserID == "" {
		t.Errorf("system = %+v", sys.System)
	}
}

// TestParseTemplateStatusUpdate reads a message_template_status_update.
func TestParseTemplateStatusUpdate(t *testing.T) {
	c := mustParseFixture(t, "template_status_update").Entry[0].Changes[0]
	u, err := c.TemplateStatus()
	if err != nil {
		t.Fatal(err)
	}
	if u.Event != "APPROVED" || u.Name != "bestellung_versandt" || u.Language != "de" || u.TemplateID.String() != "594425479261596" || u.TemplateState() != "APPROVED" {
		t.Errorf("update = %+v", u)
	}
	if (&TemplateStatusUpdate{Event: "reinstated"}).TemplateState() != "APPROVED" || (&TemplateStatusUpdate{Event: "paused"}).TemplateState() != "PAUSED" {
		t.Error("TemplateState")
	}
	if _, err := (Change{Field: FieldTemplateStatus, RawValue: []byte(`{"event":"PAUSED"}`)}).TemplateStatus(); err == nil {
		t.Error("an update without a name was accepted")
	}
	if _, err := (Change{Field: FieldMessages}).TemplateStatus(); err == nil {
		t.Error("a messages change read as a template update")
	}
}

// TestParseCoexistence reads the coexistence fields: a message echo, its
// edit and revoke, a history chunk and a declined history.
func TestParseCoexistence(t *testing.T) {
	const original = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJFQ0hPMDAwMDAwMDAwMDAwMQA="
	c := mustParseFixture(t, "smb_echo_text").Entry[0].Changes[0]
	if c.Field != FieldSMBMessageEchoes || c.Value == nil || len(c.Value.MessageEchoes) != 1 || len(c.Value.Messages) != 0 {
		t.Fatalf("change = %+v", c)
	}
	e := c.Value.MessageEchoes[0]
	if e.From != "15550783881" || e.To != "16505551234" || e.ToUserID != "US.13491208655302741918" || e.ID != original ||
		e.Type != MessageTypeText || e.Text == nil || !strings.HasPrefix(e.Text.Body, "Here's the info") {
		t.Errorf("echo = %+v", e)
	}
	if ts, err := e.Time(); err != nil || ts.Unix() != 1739321024 {
		t.Errorf("echo time = %v, %v", ts, err)
	}

	ed := mustParseFixture(t, "smb_echo_edit").Entry[0].Changes[0].Value.MessageEchoes[0]
	if ed.Type != MessageTypeEdit || ed.Edit == nil || ed.Edit.OriginalMessageID != original || ed.Edit.Message == nil ||
		ed.Edit.Message.Text == nil || ed.Edit.Message.Text.Body != "Here's the info you asked for." {
		t.Errorf("edit = %+v", ed.Edit)
	}
	rv := mustParseFixture(t, "smb_echo_revoke").Entry[0].Changes[0].Value.MessageEchoes[0]
	if rv.Type != MessageTypeRevoke || rv.Revoke == nil || rv.Revoke.OriginalMessageID != original {
		t.Errorf("revoke = %+v", rv.Revoke)
	}

	h := mustParseFixture(t, "history").Entry[0].Changes[0]
	if h.Field != FieldHistory || h.Value == nil || len(h.Value.History) != 1 {
		t.Fatalf("history change = %+v", h)
	}
	ch := h.Value.History[0]
	if ch.Metadata.Phase != 0 || ch.Metadata.ChunkOrder != 1 || ch.Metadata.Progress != 55 || len(ch.Threads) != 1 {
		t.Fatalf("chunk = %+v", ch)
	}
	th := ch.Threads[0]
	if th.ID != "16505551234" || len(th.Messages) != 3 {
		t.Fatalf("thread = %+v", th)
	}
	if m := th.Messages[0]; m.From != "16505551234" || m.To != "" || m.HistoryContext == nil || m.HistoryContext.Status != "READ" {
		t.Errorf("customer message = %+v", m)
	}
	if m := th.Messages[1]; m.From != "15550783881" || m.To != "16505551234" || m.Text == nil {
		t.Errorf("business message = %+v", m)
	}
	if m := th.Messages[2]; m.Type != "media_placeholder" || !json.Valid(m.Raw) {
		t.Errorf("placeholder = %+v", m)
	}

	d := mustParseFixture(t, "history_declined").Entry[0].Changes[0].Value.History[0]
	if len(d.Threads) != 0 || len(d.Errors) != 1 || d.Errors[0].Code != 2593109 {
		t.Errorf("declined = %+v", d)
	}

	// Providers send the metadata as strings too.
	body := `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"history","value":{"history":[{"metadata":{"phase":"2","chunk_order":"3","progress":"100"}}]}}]}]}`
	n, err := ParseNotification([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if md := n.Entry[0].Changes[0].Value.History[0].Metadata; md.Phase != 2 || md.ChunkOrder != 3 || md.Progress != 100 {
		t.Errorf("string metadata = %+v", md)
	}
	if _, err := ParseNotification([]byte(strings.Replace(body, `"100"`, `"all"`, 1))); !errors.Is(err, ErrMalformedNotification) {
		t.Errorf("non-numeric progress: %v", err)
	}
}

// TestParseHistoryBudget: history messages have their own budget, far
// above the notification's item limit, and past it the body is refused.
func TestParseHistoryBudget(t *testing.T) {
	build := func(n int) []byte {
		var b strings.Builder
		b.WriteString(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"history","value":{"history":[{"threads":[{"id":"1","messages":[`)
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"from":"1","id":"m%d","timestamp":"1","type":"text","text":{"body":"x"}}`, i)
		}
		b.WriteString(`]}]}]}}]}]}`)
		return []byte(b.String())
	}
	n, err := ParseNotification(build(MaxNotificationItems + 10))
	if err != nil {
		t.Fatalf("history above the item limit: %v", err)
	}
	if got := len(n.Entry[0].Changes[0].Value.History[0].Threads[0].Messages); got != MaxNotificationItems+10 {
		t.Errorf("messages = %d", got)
	}
	if _, err := ParseNotification(build(MaxHistoryMessages + 1)); !errors.Is(err, ErrTooManyItems) {
		t.Errorf("history above its budget: %v", err)
	}
}
