package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/emulator"
	"github.com/switchboardhq/switchboard/internal/whatsapp"
	"github.com/switchboardhq/switchboard/internal/worker"
)

// startEmulated runs the app with the built-in emulator over real HTTP,
// with short status delays.
func startEmulated(t *testing.T, tweak func(*emulator.Config)) *testApp {
	t.Helper()
	return startApp(t, map[string]string{"SWITCHBOARD_EMULATOR": "on"}, func(a *App) {
		a.EmulatorOptions = func(c *emulator.Config) {
			c.StatusDelays = emulator.StatusDelays{Sent: 20 * time.Millisecond, Delivered: 60 * time.Millisecond, Read: 150 * time.Millisecond}
			c.BatchWindow = 10 * time.Millisecond
			c.Retry = emulator.RetryPolicy{Initial: 50 * time.Millisecond, Factor: 2, Max: time.Second, MaxAge: time.Hour, Timeout: 5 * time.Second}
			if tweak != nil {
				tweak(c)
			}
		}
	})
}

// eventually polls f until it returns true or fails after 30 s (generous:
// CI runs on a busy 2-core machine; a passing test returns at once).
func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if f() {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

type apiConversation struct {
	ID             string
	ChannelID      string `json:"channel_id"`
	Contact        struct{ ID, Name, Phone string }
	UnreadCount    int        `json:"unread_count"`
	WindowClosesAt *time.Time `json:"window_closes_at"`
}

type apiMessage struct {
	ID        string
	Type      string
	Direction string
	Status    string
	ReplyToID string `json:"reply_to_id"`
	Content   struct {
		Text  string
		Media *struct {
			ID, State, Filename string
			MIMEType            string `json:"mime_type"`
			Size                int64
			Voice               bool
		}
		Location *struct {
			Latitude, Longitude float64
			Name                string
		}
		Contacts    json.RawMessage
		Interactive *struct{ Kind, ID, Title string }
		Reaction    *struct {
			MessageID string `json:"message_id"`
			Emoji     string
		}
		Forwarded bool
		Raw       json.RawMessage
	}
	Error *struct {
		Code  int
		Title string
	}
}

// conversationOf waits until the customer's conversation is listed.
func conversationOf(t *testing.T, c *client, waID string) apiConversation {
	t.Helper()
	var conv apiConversation
	eventually(t, "conversation of "+waID, func() bool {
		var page struct{ Items []apiConversation }
		c.must(200, "GET", "/api/v1/conversations?q="+waID, nil, &page)
		if len(page.Items) == 1 {
			conv = page.Items[0]
			return true
		}
		return false
	})
	return conv
}

func messagesOf(t *testing.T, c *client, convID string) []apiMessage {
	t.Helper()
	var page struct{ Items []apiMessage }
	c.must(200, "GET", "/api/v1/conversations/"+convID+"/messages?limit=200", nil, &page)
	return page.Items
}

// waitMessage waits for a message matching f in the conversation.
func waitMessage(t *testing.T, c *client, convID, what string, f func(apiMessage) bool) apiMessage {
	t.Helper()
	var found apiMessage
	eventually(t, what, func() bool {
		for _, m := range messagesOf(t, c, convID) {
			if f(m) {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

func (a *testApp) customer(t *testing.T, m emulator.CustomerMessage) string {
	t.Helper()
	id, err := a.Emulator.CustomerSend(context.Background(), m)
	if err != nil {
		t.Fatalf("customer send: %v", err)
	}
	return id
}

// phoneGot waits until the customer's phone shows a business message
// matching f.
func (a *testApp) phoneGot(t *testing.T, waID, what string, f func(emulator.PhoneMessage) bool) emulator.PhoneMessage {
	t.Helper()
	var got emulator.PhoneMessage
	eventually(t, "phone receives "+what, func() bool {
		for _, m := range a.Emulator.Phone(waID) {
			if m.FromBusiness && f(m) {
				got = m
				return true
			}
		}
		return false
	})
	return got
}

func pngBytes() []byte {
	// A 1×1 PNG.
	return []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 13, 'I', 'D', 'A', 'T', 0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82}
}

func TestWhatsAppConversationRoundTrip(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	operator, _ := app.createUser(admin, "oskar", "operator")
	employee, emp := app.createUser(admin, "elif", "employee")
	const wa = "4915112345678"

	first := app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Jürgen Kunde", Text: "Hallo, ich habe eine Frage"})
	conv := conversationOf(t, operator, wa)
	if conv.Contact.Name != "Jürgen Kunde" || conv.Contact.Phone != wa || conv.WindowClosesAt == nil {
		t.Fatalf("conversation = %+v", conv)
	}
	// Search works on the encrypted name too.
	var page struct{ Items []apiConversation }
	operator.must(200, "GET", "/api/v1/conversations?q=jurg", nil, &page)
	if len(page.Items) != 1 {
		t.Fatalf("search by name found %d", len(page.Items))
	}

	operator.must(200, "PUT", "/api/v1/conversations/"+conv.ID+"/assignees/"+emp.ID, nil, nil)
	var sent apiMessage
	employee.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "Gern, worum geht es?"}, &sent)
	if sent.Status != "pending" {
		t.Fatalf("new message status %q", sent.Status)
	}
	app.phoneGot(t, wa, "the text reply", func(m emulator.PhoneMessage) bool { return m.Text == "Gern, worum geht es?" })
	// Ticks: sent → delivered → read arrive as statuses from the emulator.
	waitMessage(t, employee, conv.ID, "reply read", func(m apiMessage) bool { return m.ID == sent.ID && m.Status == "read" })

	// The customer quotes the reply and reacts to it.
	phone := app.Emulator.Phone(wa)
	var replyWAID string
	for _, m := range phone {
		if m.FromBusiness {
			replyWAID = m.ID
		}
	}
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Jürgen Kunde", Text: "Um meine Bestellung", ReplyTo: replyWAID})
	waitMessage(t, employee, conv.ID, "quoted reply", func(m apiMessage) bool { return m.Content.Text == "Um meine Bestellung" && m.ReplyToID == sent.ID })
	app.customer(t, emulator.CustomerMessage{WaID: wa, Type: "reaction", ReactTo: replyWAID, Emoji: "👍"})
	waitMessage(t, employee, conv.ID, "reaction", func(m apiMessage) bool {
		return m.Type == "reaction" && m.Content.Reaction != nil && m.Content.Reaction.MessageID == sent.ID && m.Content.Reaction.Emoji == "👍"
	})

	// Media in: downloaded, checked, stored encrypted, served to who may see it.
	img := pngBytes()
	app.customer(t, emulator.CustomerMessage{WaID: wa, Type: "image", Media: img, MimeType: "image/png", Text: "Foto"})
	in := waitMessage(t, employee, conv.ID, "image downloaded", func(m apiMessage) bool {
		return m.Type == "image" && m.Content.Media != nil && m.Content.Media.State == "ready"
	})
	req, _ := http.NewRequest("GET", app.URL+"/api/v1/media/"+in.Content.Media.ID, nil)
	req.Header.Set("Authorization", "Bearer "+employee.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(body, img) || resp.Header.Get("Content-Type") != "image/png" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("media download = %d %q %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}
	// Another employee, not assigned, gets 404 for the same file.
	other, _ := app.createUser(admin, "otto2", "employee")
	if got, _ := other.do("GET", "/api/v1/media/"+in.Content.Media.ID, nil); got != 404 {
		t.Fatalf("unassigned employee media = %d", got)
	}

	// Media out: a document uploaded with the message, received on the phone.
	doc := []byte("%PDF-1.4\nRechnung 4711\n%%EOF\n")
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("type", "document")
	_ = mw.WriteField("caption", "Ihre Rechnung")
	h := make(map[string][]string)
	h["Content-Disposition"] = []string{`form-data; name="file"; filename="Rechnung.pdf"`}
	h["Content-Type"] = []string{"application/pdf"}
	pw, _ := mw.CreatePart(h)
	_, _ = pw.Write(doc)
	mw.Close()
	req, _ = http.NewRequest("POST", app.URL+"/api/v1/conversations/"+conv.ID+"/messages", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+employee.token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 202 {
		t.Fatalf("send document = %d %s", resp.StatusCode, out)
	}
	got := app.phoneGot(t, wa, "the document", func(m emulator.PhoneMessage) bool { return m.Type == "document" })
	if got.Media == nil || !bytes.Equal(got.Media.Data, doc) || got.Media.Filename != "Rechnung.pdf" || got.Caption != "Ihre Rechnung" {
		t.Fatalf("phone document = %+v", got.Media)
	}
	_ = first
}

func TestWindowClosedNeedsTemplate(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	const wa = "4917011112222"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Alte Kundin", Text: "Hallo", Timestamp: time.Now().Add(-30 * time.Hour)})
	conv := conversationOf(t, admin, wa)
	if conv.WindowClosesAt == nil || conv.WindowClosesAt.After(time.Now()) {
		t.Fatalf("window should be closed: %+v", conv.WindowClosesAt)
	}
	got, body := admin.do("POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "Hallo zurück"})
	if got != 422 || errorCode(t, body) != "window_closed" {
		t.Fatalf("free text outside window = %d %s", got, body)
	}
	var chans struct{ Items []struct{ ID string } }
	admin.must(200, "GET", "/api/v1/channels", nil, &chans)
	var templates struct {
		Items []struct{ Name, Language string }
	}
	admin.must(200, "POST", "/api/v1/channels/"+chans.Items[0].ID+"/templates/sync", nil, &templates)
	found := false
	for _, tpl := range templates.Items {
		found = found || (tpl.Name == "order_update" && tpl.Language == "de")
	}
	if !found {
		t.Fatalf("templates after sync: %+v", templates.Items)
	}
	// Wrong parameters are refused before anything is sent.
	tpl := map[string]any{"type": "template", "template": map[string]any{"name": "order_update", "language": "de", "parameters": map[string]string{"body.1": "Jana"}}}
	if got, body := admin.do("POST", "/api/v1/conversations/"+conv.ID+"/messages", tpl); got != 422 {
		t.Fatalf("template with a missing parameter = %d %s", got, body)
	}
	tpl["template"].(map[string]any)["parameters"] = map[string]string{"body.1": "Jana", "body.2": "4711"}
	admin.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", tpl, nil)
	m := app.phoneGot(t, wa, "the template", func(m emulator.PhoneMessage) bool { return m.Type == "template" })
	if m.Template == nil || m.Template.Name != "order_update" || !strings.Contains(m.Text, "4711") {
		t.Fatalf("phone template = %+v", m)
	}
}

func TestWebhookSignatureAndHandshake(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	ch, err := app.Store.ChannelByPhoneNumberID(context.Background(), emulatorPhoneNumberID)
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {"1158201444"}, "hub.verify_token": {ch.VerifyToken}}
	resp, err := http.Get(app.URL + "/webhooks/whatsapp?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "1158201444" {
		t.Fatalf("handshake = %d %q", resp.StatusCode, b)
	}
	q.Set("hub.verify_token", "wrong")
	resp, _ = http.Get(app.URL + "/webhooks/whatsapp?" + q.Encode())
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("handshake with wrong token = %d", resp.StatusCode)
	}

	body := []byte(fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"%s"},"contacts":[{"profile":{"name":"Eve"},"wa_id":"4915000000666"}],"messages":[{"from":"4915000000666","id":"wamid.forged","timestamp":"%d","type":"text","text":{"body":"forged"}}]}}]}]}`, emulatorPhoneNumberID, time.Now().Unix()))
	for name, sig := range map[string]string{
		"missing":    "",
		"wrong key":  whatsapp.Sign([]byte("not the app secret"), body),
		"malformed":  "sha256=zz",
		"sha1 style": "sha1=" + strings.Repeat("0", 40),
	} {
		req, _ := http.NewRequest("POST", app.URL+"/webhooks/whatsapp", bytes.NewReader(body))
		if sig != "" {
			req.Header.Set("X-Hub-Signature-256", sig)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("%s signature = %d, want 401", name, resp.StatusCode)
		}
	}
	wantMetric(t, app.URL, `switchboard_webhooks_rejected_total{reason="signature"} 4`)
	// The correctly signed body is accepted, proving the refusals were
	// about the signature alone.
	req, _ := http.NewRequest("POST", app.URL+"/webhooks/whatsapp", bytes.NewReader(body))
	req.Header.Set("X-Hub-Signature-256", whatsapp.Sign([]byte(ch.AppSecret), body))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("signed webhook = %d", resp.StatusCode)
	}
	conv := conversationOf(t, admin, "4915000000666")
	msgs := messagesOf(t, admin, conv.ID)
	if len(msgs) != 1 || msgs[0].Content.Text != "forged" {
		t.Fatalf("messages = %+v", msgs)
	}
}

func TestEveryInboundType(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	const wa = "4916099990000"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Typen Test", Text: "start"})
	conv := conversationOf(t, admin, wa)
	// Button and list replies answer a business message.
	admin.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "Passt Dienstag?"}, nil)
	asked := app.phoneGot(t, wa, "the question", func(m emulator.PhoneMessage) bool { return m.Text == "Passt Dienstag?" })
	cases := []struct {
		msg   emulator.CustomerMessage
		check func(apiMessage) bool
	}{
		{emulator.CustomerMessage{Type: "text", Text: "Grüße aus Köln"}, func(m apiMessage) bool { return m.Type == "text" && m.Content.Text == "Grüße aus Köln" }},
		{emulator.CustomerMessage{Type: "image", Media: pngBytes(), MimeType: "image/png", Text: "Bild"}, func(m apiMessage) bool {
			return m.Type == "image" && m.Content.Text == "Bild" && m.Content.Media != nil
		}},
		{emulator.CustomerMessage{Type: "audio", Media: []byte("OggS-voice"), MimeType: "audio/ogg", Voice: true}, func(m apiMessage) bool {
			return m.Type == "audio" && m.Content.Media != nil && m.Content.Media.Voice
		}},
		{emulator.CustomerMessage{Type: "video", Media: []byte("video-bytes"), MimeType: "video/mp4"}, func(m apiMessage) bool { return m.Type == "video" && m.Content.Media != nil }},
		{emulator.CustomerMessage{Type: "document", Media: []byte("%PDF-1.4"), MimeType: "application/pdf", Filename: "Vertrag.pdf"}, func(m apiMessage) bool {
			return m.Type == "document" && m.Content.Media != nil && m.Content.Media.Filename == "Vertrag.pdf"
		}},
		{emulator.CustomerMessage{Type: "sticker", Media: []byte("RIFF-webp"), MimeType: "image/webp"}, func(m apiMessage) bool { return m.Type == "sticker" }},
		{emulator.CustomerMessage{Type: "location", Location: &emulator.Location{Latitude: 52.52, Longitude: 13.405, Name: "Berlin"}}, func(m apiMessage) bool {
			return m.Type == "location" && m.Content.Location != nil && m.Content.Location.Latitude == 52.52 && m.Content.Location.Name == "Berlin"
		}},
		{emulator.CustomerMessage{Type: "contacts", Contacts: []emulator.SharedContact{{Name: emulator.ContactName{FormattedName: "Max Mustermann", FirstName: "Max"}, Phones: []emulator.ContactPhone{{Phone: "+49 151 1234567", Type: "CELL"}}}}}, func(m apiMessage) bool {
			return m.Type == "contacts" && strings.Contains(string(m.Content.Contacts), "Max Mustermann")
		}},
		{emulator.CustomerMessage{Type: "interactive", InteractiveType: "button_reply", ReplyID: "yes", Text: "Ja"}, func(m apiMessage) bool {
			return m.Type == "interactive" && m.Content.Interactive != nil && m.Content.Interactive.Kind == "button_reply" && m.Content.Interactive.ID == "yes"
		}},
		{emulator.CustomerMessage{Type: "interactive", InteractiveType: "list_reply", ReplyID: "slot-2", Text: "Dienstag"}, func(m apiMessage) bool {
			return m.Type == "interactive" && m.Content.Interactive != nil && m.Content.Interactive.Kind == "list_reply" && m.Content.Interactive.Title == "Dienstag"
		}},
		{emulator.CustomerMessage{Type: "button", ReplyID: "STOP", Text: "Abbestellen"}, func(m apiMessage) bool {
			return m.Type == "button" && m.Content.Text == "Abbestellen"
		}},
		{emulator.CustomerMessage{Type: "text", Text: "weitergeleitet", Forwarded: true}, func(m apiMessage) bool { return m.Content.Text == "weitergeleitet" && m.Content.Forwarded }},
		{emulator.CustomerMessage{Type: "unsupported", UnsupportedType: "poll_creation"}, func(m apiMessage) bool {
			return m.Type == "unsupported" && len(m.Content.Raw) > 0 && m.Error != nil && m.Error.Code == 131051
		}},
	}
	for _, tc := range cases {
		t.Run(tc.msg.Type+"/"+tc.msg.InteractiveType, func(t *testing.T) {
			tc.msg.WaID = wa
			if tc.msg.Type == "interactive" || tc.msg.Type == "button" {
				tc.msg.ReplyTo = asked.ID
			}
			app.customer(t, tc.msg)
			admin.t = t
			waitMessage(t, admin, conv.ID, tc.msg.Type, tc.check)
		})
	}
}

func TestDuplicatesAndReorderingStoredOnce(t *testing.T) {
	app := startEmulated(t, func(c *emulator.Config) {
		c.DuplicateRate = 1
		c.ReorderRate = 0.5
		c.ReorderDelay = 30 * time.Millisecond
	})
	admin := app.setupAdmin()
	const wa = "4915155550001"
	for i := range 15 {
		app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Doppelt", Text: fmt.Sprintf("nachricht %d", i)})
	}
	conv := conversationOf(t, admin, wa)
	eventually(t, "15 messages", func() bool { return len(messagesOf(t, admin, conv.ID)) >= 15 })
	time.Sleep(300 * time.Millisecond) // late duplicates would land by now
	msgs := messagesOf(t, admin, conv.ID)
	if len(msgs) != 15 {
		t.Fatalf("stored %d messages, want 15", len(msgs))
	}
	if st := app.Emulator.Stats(); st.Webhooks.Duplicates == 0 {
		t.Fatalf("emulator sent no duplicates: %+v", st.Webhooks)
	}
	// Replies get statuses delivered twice and out of order; ticks only go forward.
	var sent apiMessage
	admin.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "Danke!"}, &sent)
	waitMessage(t, admin, conv.ID, "read", func(m apiMessage) bool { return m.ID == sent.ID && m.Status == "read" })
	time.Sleep(300 * time.Millisecond)
	waitMessage(t, admin, conv.ID, "still read", func(m apiMessage) bool { return m.ID == sent.ID && m.Status == "read" })
}

func TestAsynchronousFailureReachesUser(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	// 4900… numbers are "not on WhatsApp" in the emulator: Meta accepts the
	// send, then reports failed 131026 by webhook.
	const wa = "4900123456789"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Weg", Text: "hallo"})
	conv := conversationOf(t, admin, wa)
	var sent apiMessage
	admin.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "Antwort"}, &sent)
	m := waitMessage(t, admin, conv.ID, "failed status", func(m apiMessage) bool { return m.ID == sent.ID && m.Status == "failed" })
	if m.Error == nil || m.Error.Code != 131026 {
		t.Fatalf("error = %+v", m.Error)
	}
}

func TestRetriesAndIdempotency(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	const wa = "4915166660000"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Geduld", Text: "hallo"})
	conv := conversationOf(t, admin, wa)
	app.Sender.Backoff = whatsapp.Backoff{Base: 20 * time.Millisecond, Max: 200 * time.Millisecond}
	// Every send fails its first three attempts: retried every time, and
	// never near the sender's ten-attempt limit (a random error rate could
	// by chance fail one message ten times in a row).
	app.Emulator.SetFaults(emulator.Faults{FailFirst: 3})
	admin.header.Set("Idempotency-Key", "retry-1")
	var a1, a2 apiMessage
	admin.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "einmal"}, &a1)
	admin.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "einmal"}, &a2)
	admin.header.Del("Idempotency-Key")
	if a1.ID != a2.ID {
		t.Fatalf("idempotent retry created a second message: %s vs %s", a1.ID, a2.ID)
	}
	for i := range 5 {
		admin.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": fmt.Sprintf("nr %d", i)}, nil)
	}
	defer func() {
		if t.Failed() {
			for _, m := range messagesOf(t, admin, conv.ID) {
				t.Logf("message %s %q: %s %+v", m.ID, m.Content.Text, m.Status, m.Error)
			}
		}
	}()
	eventually(t, "all sent despite faults", func() bool {
		n := 0
		for _, m := range app.Emulator.Phone(wa) {
			if m.FromBusiness {
				n++
			}
		}
		return n == 6
	})
	app.Emulator.SetFaults(emulator.Faults{})
	// Per-conversation order is kept through the retries.
	var texts []string
	for _, m := range app.Emulator.Phone(wa) {
		if m.FromBusiness {
			texts = append(texts, m.Text)
		}
	}
	want := []string{"einmal", "nr 0", "nr 1", "nr 2", "nr 3", "nr 4"}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Fatalf("phone order = %v, want %v", texts, want)
	}
	if st := app.Emulator.Stats(); st.Errors[131000] != 6*3 {
		t.Fatalf("injected errors = %d, want 3 for each of the 6 messages: %+v", st.Errors[131000], st.Errors)
	}
	wantMetric(t, app.URL, `switchboard_send_outcomes_total{outcome="sent"} 6`)
	wantMetric(t, app.URL, `switchboard_send_outcomes_total{outcome="retry"} 18`)
	_ = switchboard.MessageRead
}

// TestUnknownOutcomeIsFlaggedNotResent: a send that times out after the
// request left may have reached Meta; it is flagged "unknown" and not sent
// again.
func TestUnknownOutcomeIsFlaggedNotResent(t *testing.T) {
	app := startApp(t, map[string]string{"SWITCHBOARD_EMULATOR": "on"}, func(a *App) {
		a.SenderOptions = func(s *worker.Sender) {
			clients := s.Client
			s.Client = func(ch *switchboard.Channel) *whatsapp.Client {
				c := clients(ch)
				c.HTTPClient = &http.Client{Timeout: 300 * time.Millisecond}
				return c
			}
		}
	})
	admin := app.setupAdmin()
	const wa = "4915177770000"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Langsam", Text: "hallo"})
	conv := conversationOf(t, admin, wa)
	// The slow request lands but produces no status, so the outcome
	// stays unknown until the retry below.
	app.Emulator.SetFaults(emulator.Faults{Latency: time.Second, DropRate: 1})
	var sent apiMessage
	admin.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "vielleicht"}, &sent)
	waitMessage(t, admin, conv.ID, "unknown outcome", func(m apiMessage) bool { return m.ID == sent.ID && m.Status == "unknown" })
	time.Sleep(1500 * time.Millisecond) // the slow request lands at the emulator
	app.Emulator.SetFaults(emulator.Faults{})
	n := 0
	for _, m := range app.Emulator.Outbound(wa) {
		if m.Text == "vielleicht" {
			n++
		}
	}
	if n > 1 {
		t.Fatalf("the message reached the phone %d times", n)
	}
	wantMetric(t, app.URL, `switchboard_send_outcomes_total{outcome="unknown"} 1`)

	// A person who checked the phone may send it again, deliberately.
	var again apiMessage
	admin.must(202, "POST", "/api/v1/messages/"+sent.ID+"/retry", nil, &again)
	if again.ID != sent.ID || again.Status != "pending" {
		t.Fatalf("retry = %+v, want the same message pending", again)
	}
	waitMessage(t, admin, conv.ID, "sent after the retry", func(m apiMessage) bool {
		return m.ID == sent.ID && (m.Status == "sent" || m.Status == "delivered" || m.Status == "read")
	})
	if got, b := admin.do("POST", "/api/v1/messages/"+sent.ID+"/retry", nil); got != 409 {
		t.Fatalf("retry of a sent message = %d %s, want 409", got, b)
	}
	if got, _ := admin.do("POST", "/api/v1/messages/"+switchboard.NewID()+"/retry", nil); got != 404 {
		t.Fatalf("retry of an unknown id = %d, want 404", got)
	}
}

// wantMetric fails unless the server's /metrics has a line starting with
// sample.
func wantMetric(t *testing.T, base, sample string) {
	t.Helper()
	resp, err := httpGet(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, sample) {
			return
		}
	}
	t.Errorf("/metrics has no line starting with %q", sample)
}

// TestReadReceipts: with mark_read on, opening a conversation marks the
// customer's newest message read at WhatsApp (blue ticks on the phone).
func TestReadReceipts(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	const wa = "4915188880000"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Blau", Text: "Siehst du das?"})
	conv := conversationOf(t, admin, wa)
	admin.must(200, "PATCH", "/api/v1/channels/"+conv.ChannelID, map[string]bool{"mark_read": true}, nil)
	messagesOf(t, admin, conv.ID) // opening the conversation
	eventually(t, "customer's message read", func() bool {
		for _, m := range app.Emulator.Phone(wa) {
			if !m.FromBusiness && m.Text == "Siehst du das?" {
				return m.Status == "read"
			}
		}
		return false
	})
}

// TestEmulatorAutoStaysOffWithRealChannels: once a real number is connected
// in the web app, "auto" no longer starts the emulator.
func TestEmulatorAutoStaysOffWithRealChannels(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"SWITCHBOARD_EMULATOR": "auto", "SWITCHBOARD_DATA_DIR": dir}
	first := startApp(t, env)
	if first.Emulator == nil {
		t.Fatal("auto: no emulator on an installation without channels")
	}
	admin := first.setupAdmin()
	admin.must(201, "POST", "/api/v1/channels", map[string]string{
		"name": "Echte Nummer", "phone_number_id": "123456789012345", "waba_id": "987654321",
		"access_token": "EAAGreal-token", "app_secret": "real-app-secret",
	}, nil)
	first.stop()
	if err := <-first.done; err != nil {
		t.Fatal(err)
	}
	if err := first.App.Close(); err != nil {
		t.Fatal(err)
	}
	first.done <- nil // the cleanup waits for this again
	second := startApp(t, env)
	if second.Emulator != nil {
		t.Fatal("auto: emulator started although a real channel exists")
	}
}

// TestExpiredInboundMedia: Meta keeps a customer's media for 7 days. A
// download that reaches the emulator after that (held back here by
// latency while the emulator's clock jumps 8 days) gets Meta's "unknown
// object" error, and the message shows the attachment as expired instead
// of retrying for ever.
func TestExpiredInboundMedia(t *testing.T) {
	var offset atomic.Int64
	app := startEmulated(t, func(c *emulator.Config) {
		c.Now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	})
	admin := app.setupAdmin()
	const wa = "4916088880000"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Späte Sendung", Text: "hallo"})
	conv := conversationOf(t, admin, wa)
	app.Emulator.SetFaults(emulator.Faults{Latency: 1500 * time.Millisecond})
	app.customer(t, emulator.CustomerMessage{WaID: wa, Type: "image", Media: pngBytes(), MimeType: "image/png", Text: "Foto"})
	// The download starts as soon as the message is stored and waits in
	// the emulator's latency; a week and a day pass meanwhile.
	waitMessage(t, admin, conv.ID, "image stored", func(m apiMessage) bool { return m.Type == "image" })
	offset.Store(int64(8 * 24 * time.Hour))
	m := waitMessage(t, admin, conv.ID, "media expired", func(m apiMessage) bool {
		return m.Type == "image" && m.Content.Media != nil && m.Content.Media.State == "expired"
	})
	app.Emulator.SetFaults(emulator.Faults{})
	if m.Content.Media.ID != "" || m.Content.Text != "Foto" {
		t.Errorf("expired media message: %+v", m.Content)
	}
	if n := app.Emulator.Stats().Requests["GET /{id}"]; n != 1 {
		t.Errorf("media id looked up %d times, want once (no retries after expiry)", n)
	}
}

// TestWebhookSignedByAnotherNumberIsRefused: a body signed with number B's
// app secret that carries a change for number A is refused and counted, and
// nothing of it reaches A's customer (issue 14, High 3). Numbers that share
// one Meta app (the same app secret) may share a webhook.
func TestWebhookSignedByAnotherNumberIsRefused(t *testing.T) {
	app := startEmulated(t, nil)
	admin := app.setupAdmin()
	chA, err := app.Store.ChannelByPhoneNumberID(context.Background(), emulatorPhoneNumberID)
	if err != nil {
		t.Fatal(err)
	}
	chB := app.channel("B")     // app secret "secret"
	chSame := app.channel("B2") // the same Meta app as B
	const victim = "4915000000777"
	convA := app.customerWrites(chA.ID, victim, "Viktor Victim", "hello A")

	change := func(phoneID, wamid, text string) string {
		return fmt.Sprintf(`{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"%s"},"contacts":[{"profile":{"name":"Viktor Victim"},"wa_id":"%s"}],"messages":[{"from":"%s","id":"%s","timestamp":"%d","type":"text","text":{"body":"%s"}}]}}`,
			phoneID, victim, victim, wamid, time.Now().Unix(), text)
	}
	post := func(secret string, changes ...string) int {
		body := []byte(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[` + strings.Join(changes, ",") + `]}]}`)
		req, _ := http.NewRequest("POST", app.URL+"/webhooks/whatsapp", bytes.NewReader(body))
		req.Header.Set("X-Hub-Signature-256", whatsapp.Sign([]byte(secret), body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(chB.AppSecret, change(chA.PhoneNumberID, "wamid.forged.1", "forged")); got != 403 {
		t.Errorf("change for A signed by B = %d, want 403", got)
	}
	if got := post(chB.AppSecret, change(chB.PhoneNumberID, "wamid.b.1", "for B"), change(chA.PhoneNumberID, "wamid.forged.2", "forged")); got != 403 {
		t.Errorf("changes for B and A signed by B = %d, want 403", got)
	}
	wantMetric(t, app.URL, `switchboard_webhooks_rejected_total{reason="foreign_channel"} 2`)

	// Proper webhooks still pass: B's own, one for B and its sibling on the
	// same app, and A's signed by A.
	if got := post(chB.AppSecret, change(chB.PhoneNumberID, "wamid.b.2", "for B"), change(chSame.PhoneNumberID, "wamid.b2.1", "for B2")); got != 200 {
		t.Errorf("changes for two numbers of one app = %d, want 200", got)
	}
	if got := post(chA.AppSecret, change(chA.PhoneNumberID, "wamid.a.2", "real")); got != 200 {
		t.Errorf("A's own webhook = %d, want 200", got)
	}
	waitMessage(t, admin, convA.ID, "A's real message", func(m apiMessage) bool { return m.Content.Text == "real" })
	for _, m := range messagesOf(t, admin, convA.ID) {
		if m.Content.Text == "forged" {
			t.Fatalf("forged message in A's conversation: %+v", m)
		}
	}
}

// TestGraph500ShowsRetrying: a bare HTTP 500 from Graph leaves the message
// pending for a retry, but no longer silently: it carries the reason (Meta's
// words, or the generic sentence), the web app shows "Retrying: …", and
// the retry is counted (issue 14, Low 24).
func TestGraph500ShowsRetrying(t *testing.T) {
	app := startApp(t, map[string]string{"SWITCHBOARD_EMULATOR": "on"}, func(a *App) {
		a.SenderOptions = func(s *worker.Sender) {
			s.Backoff.Base, s.Backoff.Max = time.Hour, time.Hour // stays waiting for the retry
		}
	})
	admin := app.setupAdmin()
	const wa = "4915177770050"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Fünfhundert", Text: "hallo"})
	conv := conversationOf(t, admin, wa)
	app.Emulator.SetFaults(emulator.Faults{FailFirst: 1})
	var sent apiMessage
	admin.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "gleich"}, &sent)
	m := waitMessage(t, admin, conv.ID, "retrying with a reason", func(m apiMessage) bool {
		return m.ID == sent.ID && m.Error != nil && m.Error.Title != ""
	})
	if m.Status != "pending" {
		t.Fatalf("status %q, want pending while waiting for the retry", m.Status)
	}
	wantMetric(t, app.URL, `switchboard_send_outcomes_total{outcome="retry"} 1`)
}
