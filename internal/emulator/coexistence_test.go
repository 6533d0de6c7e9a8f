package emulator

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// coexChanges returns the changes of field in the signed webhooks the
// receiver accepted, as Switchboard's parser reads them.
func coexChanges(t *testing.T, rc *receiver, field string) []whatsapp.Change {
	t.Helper()
	var out []whatsapp.Change
	for _, b := range rc.ok() {
		n, err := whatsapp.ParseNotification(b)
		if err != nil {
			t.Fatalf("parse %s: %v", b, err)
		}
		for _, e := range n.Entry {
			if e.ID != testWABA {
				t.Errorf("entry id %q", e.ID)
			}
			for _, c := range e.Changes {
				if c.Field == field {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// TestBusinessAppEchoes: the simulated WhatsApp Business app sends, edits
// and deletes a message; each is a signed smb_message_echoes webhook
// shaped like Meta's (from the business number, to the customer, with
// to_user_id; edit and revoke naming the original), and the phone shows it.
func TestBusinessAppEchoes(t *testing.T) {
	en := newEnv(t, nil)
	en.customer(CustomerMessage{WaID: "4915112345678", Name: "Lena", Text: "Is it in stock?"})
	r := en.do("POST", "/emulator/api/customers/echo", "", strings.NewReader(`{"wa_id":"4915112345678","text":"Yes, two left."}`), "application/json")
	if r.status != 200 {
		t.Fatalf("echo = %d %s", r.status, r.body)
	}
	var got struct{ ID string }
	if err := json.Unmarshal(r.body, &got); err != nil || !strings.HasPrefix(got.ID, "wamid.") {
		t.Fatalf("echo answer %s", r.body)
	}
	waitFor(t, "echo webhook", func() bool { return len(coexChanges(t, en.rc, "smb_message_echoes")) == 1 })
	v := coexChanges(t, en.rc, "smb_message_echoes")[0].Value
	if v.Metadata.PhoneNumberID != testPNID || len(v.MessageEchoes) != 1 || len(v.Messages) != 0 {
		t.Fatalf("echo value = %+v", v)
	}
	m := v.MessageEchoes[0]
	if m.From != testDisp || m.To != "4915112345678" || m.ToUserID != en.e.UserIDOf("4915112345678") || m.ID != got.ID ||
		m.Type != "text" || m.Text == nil || m.Text.Body != "Yes, two left." {
		t.Errorf("echo = %+v", m)
	}

	if _, err := en.e.BusinessAppEcho(t.Context(), BusinessEcho{WaID: "4915112345678", Edit: got.ID, Text: "Yes, one left."}); err != nil {
		t.Fatal(err)
	}
	if _, err := en.e.BusinessAppEcho(t.Context(), BusinessEcho{WaID: "4915112345678", Revoke: got.ID}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "edit and revoke", func() bool { return len(coexChanges(t, en.rc, "smb_message_echoes")) == 3 })
	var edit, revoke *whatsapp.Message
	for _, c := range coexChanges(t, en.rc, "smb_message_echoes") {
		switch e := &c.Value.MessageEchoes[0]; e.Type {
		case "edit":
			edit = e
		case "revoke":
			revoke = e
		}
	}
	if edit == nil || edit.Edit == nil || edit.Edit.OriginalMessageID != got.ID || edit.Edit.Message == nil || edit.Edit.Message.Text.Body != "Yes, one left." {
		t.Errorf("edit = %+v", edit)
	}
	if revoke == nil || revoke.Revoke == nil || revoke.Revoke.OriginalMessageID != got.ID || revoke.ID == got.ID {
		t.Errorf("revoke = %+v", revoke)
	}
	phone := en.e.Phone("4915112345678")
	if len(phone) != 2 || !phone[1].BusinessApp || !phone[1].FromBusiness || !phone[1].Revoked || phone[1].Text != "" || !phone[1].Edited {
		t.Errorf("phone = %+v", phone)
	}

	// Bad requests are refused, nothing sent.
	for _, body := range []string{
		`{"wa_id":"4915112345678"}`,
		`{"wa_id":"12","text":"x"}`,
		`{"wa_id":"4915112345678","revoke":"wamid.nope"}`,
		`{"wa_id":"4915112345678","edit":"` + got.ID + `","text":"again"}`,
		`{"wa_id":"4915112345678","text":"x","phone_number_id":"999"}`,
	} {
		if r := en.do("POST", "/emulator/api/customers/echo", "", strings.NewReader(body), "application/json"); r.status != 400 {
			t.Errorf("%s = %d %s", body, r.status, r.body)
		}
	}
}

// TestHistoryImport: a history import is one signed history webhook with
// the chat's thread, its messages in order with history_context, business
// messages from the business number to the customer; a declined one
// carries error 2593109.
func TestHistoryImport(t *testing.T) {
	en := newEnv(t, nil)
	ids, err := en.e.ImportHistory(t.Context(), HistoryImport{WaID: "4915112345678", Name: "Lena"})
	if err != nil || len(ids) != 3 {
		t.Fatalf("import = %v, %v", ids, err)
	}
	waitFor(t, "history webhook", func() bool { return len(coexChanges(t, en.rc, "history")) == 1 })
	h := coexChanges(t, en.rc, "history")[0].Value.History
	if len(h) != 1 || h[0].Metadata.Progress != 100 || h[0].Metadata.ChunkOrder != 1 || len(h[0].Threads) != 1 {
		t.Fatalf("history = %+v", h)
	}
	th := h[0].Threads[0]
	if th.ID != "4915112345678" || len(th.Messages) != 3 {
		t.Fatalf("thread = %+v", th)
	}
	var last time.Time
	for i, m := range th.Messages {
		ts, err := m.Time()
		if err != nil || ts.Before(last) || m.ID != ids[i] || m.HistoryContext == nil || m.HistoryContext.Status == "" {
			t.Errorf("message %d = %+v", i, m)
		}
		last = ts
	}
	if b := th.Messages[1]; b.From != testDisp || b.To != "4915112345678" {
		t.Errorf("business message = %+v", b)
	}
	if c := th.Messages[0]; c.From != "4915112345678" || c.To != "" {
		t.Errorf("customer message = %+v", c)
	}
	if phone := en.e.Phone("4915112345678"); len(phone) != 3 || !phone[1].BusinessApp || phone[0].FromBusiness {
		t.Errorf("phone = %+v", phone)
	}

	r := en.do("POST", "/emulator/api/customers/history", "", strings.NewReader(`{"wa_id":"4915199999999","decline":true}`), "application/json")
	if r.status != 200 {
		t.Fatalf("decline = %d %s", r.status, r.body)
	}
	waitFor(t, "declined history", func() bool { return len(coexChanges(t, en.rc, "history")) == 2 })
	d := coexChanges(t, en.rc, "history")[1].Value.History
	if len(d) != 1 || len(d[0].Errors) != 1 || d[0].Errors[0].Code != 2593109 || len(d[0].Threads) != 0 {
		t.Errorf("declined = %+v", d)
	}
	future := `{"wa_id":"4915112345678","messages":[{"text":"x","timestamp":"` + time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `"}]}`
	if r := en.do("POST", "/emulator/api/customers/history", "", strings.NewReader(future), "application/json"); r.status != 400 {
		t.Errorf("future history = %d %s", r.status, r.body)
	}
}
