package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func TestNewValidates(t *testing.T) {
	if _, err := New(Config{AccessToken: "x", AppSecret: "y"}); err == nil {
		t.Fatal("want error without phone numbers")
	}
	if _, err := New(Config{PhoneNumbers: []Number{{PhoneNumberID: "1", DisplayPhoneNumber: "+49 1", WABAID: "2"}}, AccessToken: "x", AppSecret: "y"}); err == nil {
		t.Fatal("want error for non-digit display number")
	}
}

func TestWebhookSignatureAndEncoding(t *testing.T) {
	en := newEnv(t, nil)
	text := "Grüße aus Köln / 👍 <b>&"
	en.customer(CustomerMessage{WaID: "+49 151 12345678", Name: "Jürgen", Text: text})
	waitFor(t, "webhook", func() bool { return len(en.rc.ok()) == 1 })
	d := en.rc.deliveries()[0]
	// The receiver already verified X-Hub-Signature-256 over the raw body.
	if got := d.header.Get("User-Agent"); got != "facebookexternalua" {
		t.Errorf("User-Agent = %q", got)
	}
	if got := d.header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q", got)
	}
	if Sign(testSecret, d.body) != d.header.Get("X-Hub-Signature-256") {
		t.Error("Sign disagrees with header")
	}
	for _, want := range []string{`Gr\u00fc\u00dfe`, `K\u00f6ln \/ \ud83d\udc4d <b>&`, `J\u00fcrgen`} {
		if !bytes.Contains(d.body, []byte(want)) {
			t.Errorf("body lacks Meta escaping %s: %s", want, d.body)
		}
	}
	var p whPayload
	if err := json.Unmarshal(d.body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Object != "whatsapp_business_account" || p.Entry[0].ID != testWABA || p.Entry[0].Changes[0].Field != "messages" {
		t.Errorf("envelope %+v", p)
	}
	v := p.Entry[0].Changes[0].Value
	if v.Metadata.PhoneNumberID != testPNID || v.Metadata.DisplayPhoneNumber != testDisp {
		t.Errorf("metadata %+v", v.Metadata)
	}
	if v.Messages[0].Text.Body != text || v.Contacts[0].WaID != "4915112345678" || v.Messages[0].From != "4915112345678" {
		t.Errorf("decoded message %+v contacts %+v", v.Messages[0], v.Contacts[0])
	}
	if !strings.HasPrefix(v.Messages[0].ID, "wamid.") {
		t.Errorf("id %q", v.Messages[0].ID)
	}
}

func TestCustomerSendGolden(t *testing.T) {
	clock := newFakeClock()
	en := newEnv(t, chain(withClock(clock), func(c *Config) { c.BaseURL = "https://emulator.test" }))
	wa, name := "4915112345678", "Anna Schmidt"
	cases := []struct {
		name string
		in   CustomerMessage
	}{
		{"text", CustomerMessage{Text: "Hallo! Ist meine Bestellung unterwegs? https://shop.example/o/1"}},
		{"text_reply", CustomerMessage{Text: "Danke 😊", ReplyTo: "wamid.BUSINESS1"}},
		{"text_forwarded", CustomerMessage{Text: "Schau mal", Forwarded: true}},
		{"image", CustomerMessage{Type: "image", Text: "Das Paket ist beschädigt"}},
		{"voice", CustomerMessage{Type: "voice"}},
		{"audio", CustomerMessage{Type: "audio", Media: []byte("ID3 fake mp3"), MimeType: "audio/mpeg"}},
		{"video", CustomerMessage{Type: "video", Text: "Video"}},
		{"document", CustomerMessage{Type: "document", Text: "Rechnung", Filename: "rechnung.pdf"}},
		{"sticker", CustomerMessage{Type: "sticker"}},
		{"location", CustomerMessage{Type: "location", Location: &Location{Latitude: 52.520008, Longitude: 13.404954, Name: "Alexanderplatz", Address: "10178 Berlin"}}},
		{"contacts", CustomerMessage{Type: "contacts", Text: "Erika Mustermann"}},
		{"interactive_button_reply", CustomerMessage{Type: "interactive", ReplyTo: "wamid.BUSINESS2", Text: "Ja, bitte", ReplyID: "yes"}},
		{"interactive_list_reply", CustomerMessage{Type: "interactive", InteractiveType: "list_reply", ReplyTo: "wamid.BUSINESS3", Text: "Express", ReplyID: "ship_express", Description: "1-2 Tage"}},
		{"button", CustomerMessage{Type: "button", ReplyTo: "wamid.BUSINESS4", Text: "Danke"}},
		{"reaction", CustomerMessage{Type: "reaction", ReactTo: "wamid.BUSINESS5", Emoji: "👍"}},
		{"unsupported", CustomerMessage{Type: "unsupported", UnsupportedType: "poll_creation"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.WaID, tc.in.Name = wa, name
			en.customer(tc.in)
			waitFor(t, "webhook", func() bool { return len(en.rc.ok()) == i+1 })
			got := append(en.rc.ok()[i], '\n')
			path := filepath.Join("testdata", "inbound_"+tc.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("payload differs from %s\n got: %s\nwant: %s", path, got, want)
			}
			if !json.Valid(got) {
				t.Error("invalid JSON")
			}
		})
	}
}

func TestSendInsideWindowStatusesInOrder(t *testing.T) {
	en := newEnv(t, nil)
	en.customer(CustomerMessage{WaID: "4915112345678", Name: "Anna", Text: "Hallo"})
	r := en.send(`{"messaging_product":"whatsapp","recipient_type":"individual","to":"+49 151 12345678","type":"text",
		"text":{"body":"Hallo Anna, wie können wir helfen?"},"biz_opaque_callback_data":"ticket-7"}`)
	id := wamidOf(t, r)
	m := r.json(t)
	c := m["contacts"].([]any)[0].(map[string]any)
	if c["input"] != "+49 151 12345678" || c["wa_id"] != "4915112345678" || m["messaging_product"] != "whatsapp" {
		t.Errorf("response %s", r.body)
	}
	if bytes.Contains(r.body, []byte("message_status")) {
		t.Errorf("non-template response must not carry message_status: %s", r.body)
	}
	waitFor(t, "three statuses", func() bool { return len(statusesFor(en.rc.statuses(t), id)) == 3 })
	sts := statusesFor(en.rc.statuses(t), id)
	for i, want := range []string{"sent", "delivered", "read"} {
		s := sts[i]
		if s.Status != want || s.RecipientID != "4915112345678" || s.BizOpaqueCallbackData != "ticket-7" {
			t.Errorf("status %d = %+v, want %s", i, s, want)
		}
	}
	if p := sts[0].Pricing; p == nil || p.PricingModel != "PMP" || p.Category != "service" || p.Billable {
		t.Errorf("pricing on sent = %+v", sts[0].Pricing)
	}
	if sts[2].Pricing != nil {
		t.Error("read carries no pricing")
	}
	phone := en.e.Phone("4915112345678")
	if len(phone) != 2 || phone[1].Text != "Hallo Anna, wie können wir helfen?" || phone[1].Status != "read" || !phone[1].FromBusiness {
		t.Errorf("phone = %+v", phone)
	}
}

func TestReadAllAndMarkAsRead(t *testing.T) {
	en := newEnv(t, func(c *Config) { c.StatusDelays.Read = -1 })
	in := en.customer(CustomerMessage{WaID: "4915112345678", Text: "Hallo"})
	id := wamidOf(t, en.send(`{"messaging_product":"whatsapp","to":"4915112345678","type":"text","text":{"body":"Hi"}}`))
	waitFor(t, "delivered", func() bool { return len(statusesFor(en.rc.statuses(t), id)) == 2 })
	time.Sleep(30 * time.Millisecond) // auto-read is disabled: nothing more may come
	if n := len(statusesFor(en.rc.statuses(t), id)); n != 2 {
		t.Fatalf("got %d statuses before ReadAll", n)
	}
	en.e.ReadAll("4915112345678")
	waitFor(t, "read", func() bool { return len(statusesFor(en.rc.statuses(t), id)) == 3 })

	r := en.send(`{"messaging_product":"whatsapp","status":"read","message_id":"` + in + `","typing_indicator":{"type":"text"}}`)
	if r.status != 200 || string(r.body) != `{"success":true}` {
		t.Errorf("mark as read: %d %s", r.status, r.body)
	}
	if p := en.e.Phone("4915112345678"); p[0].Status != "read" {
		t.Errorf("customer message status %q, want read (blue ticks)", p[0].Status)
	}
	if r := en.send(`{"messaging_product":"whatsapp","status":"read","message_id":"wamid.nope"}`); r.status != 400 {
		t.Errorf("unknown message_id: %d", r.status)
	}
}

func TestOutsideWindowFails131047(t *testing.T) {
	clock := newFakeClock()
	en := newEnv(t, withClock(clock))
	en.customer(CustomerMessage{WaID: "4915112345678", Text: "alt", Timestamp: clock.Now().Add(-25 * time.Hour)})
	en.customer(CustomerMessage{WaID: "4915100000001", Text: "frisch"})
	clock.Advance(24*time.Hour + time.Second) // second customer's window closes too

	old := wamidOf(t, en.send(`{"messaging_product":"whatsapp","to":"4915112345678","type":"text","text":{"body":"Hallo?"}}`))
	never := wamidOf(t, en.send(`{"messaging_product":"whatsapp","to":"4915199999999","type":"text","text":{"body":"Hallo?"}}`))
	expired := wamidOf(t, en.send(`{"messaging_product":"whatsapp","to":"4915100000001","type":"text","text":{"body":"Hallo?"}}`))
	tmpl := en.send(`{"messaging_product":"whatsapp","to":"4915112345678","type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}`)
	tid := wamidOf(t, tmpl)
	if !bytes.Contains(tmpl.body, []byte(`"message_status":"accepted"`)) {
		t.Errorf("template response lacks message_status: %s", tmpl.body)
	}
	clock.Advance(time.Second)
	waitFor(t, "failed statuses", func() bool {
		all := en.rc.statuses(t)
		return len(statusesFor(all, old)) == 1 && len(statusesFor(all, never)) == 1 && len(statusesFor(all, expired)) == 1 && len(statusesFor(all, tid)) >= 1
	})
	all := en.rc.statuses(t)
	for _, id := range []string{old, never, expired} {
		s := statusesFor(all, id)[0]
		if s.Status != "failed" || len(s.Errors) != 1 {
			t.Fatalf("status %+v", s)
		}
		e := s.Errors[0]
		if e.Code != 131047 || e.Title != "Re-engagement message" || e.Message != "Re-engagement message" ||
			e.ErrorData.Details != "Message failed to send because more than 24 hours have passed since the customer last replied to this number." {
			t.Errorf("error %+v", e)
		}
	}
	if s := statusesFor(all, tid)[0]; s.Status != "sent" || s.Pricing == nil || !s.Pricing.Billable || s.Pricing.Category != "utility" {
		t.Errorf("template outside window: %+v %+v", s, s.Pricing)
	}
	if got := en.e.Stats().Errors[131047]; got != 3 {
		t.Errorf("errors[131047] = %d", got)
	}
}

func TestUnknownRecipient131026(t *testing.T) {
	en := newEnv(t, func(c *Config) { c.NotOnWhatsApp = []string{"4900*", "4917000000000"} })
	for _, to := range []string{"4900123456789", "4917000000000"} {
		id := wamidOf(t, en.send(`{"messaging_product":"whatsapp","to":"`+to+`","type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}`))
		waitFor(t, "failed", func() bool { return len(statusesFor(en.rc.statuses(t), id)) == 1 })
		s := statusesFor(en.rc.statuses(t), id)[0]
		if s.Status != "failed" || s.Errors[0].Code != 131026 || s.Errors[0].Title != "Message undeliverable" {
			t.Errorf("%s: %+v", to, s)
		}
		if len(en.e.Phone(to)) != 0 {
			t.Error("undeliverable message reached a phone")
		}
	}
}

func TestAuthVersionAndUnknownObject(t *testing.T) {
	en := newEnv(t, nil)
	body := `{"messaging_product":"whatsapp","to":"4915112345678","type":"text","text":{"body":"x"}}`
	for _, tok := range []string{"", "wrong"} {
		r := en.do(http.MethodPost, "/v27.0/"+testPNID+"/messages", tok, strings.NewReader(body), "application/json")
		if r.status != http.StatusUnauthorized {
			t.Fatalf("token %q: HTTP %d", tok, r.status)
		}
		var m struct {
			Error map[string]any `json:"error"`
		}
		_ = json.Unmarshal(r.body, &m)
		if m.Error["message"] != "Invalid OAuth access token - Cannot parse access token" || m.Error["type"] != "OAuthException" ||
			m.Error["code"] != float64(190) || m.Error["fbtrace_id"] == "" || len(m.Error) != 4 {
			t.Errorf("body %s", r.body)
		}
		if !strings.Contains(r.header.Get("WWW-Authenticate"), "invalid_token") {
			t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
		}
	}
	r := en.do(http.MethodPost, "/24.0/"+testPNID+"/messages", testToken, strings.NewReader(body), "application/json")
	if code, _ := r.errCode(t); r.status != 400 || code != 2500 || !bytes.Contains(r.body, []byte(`Unknown path components: \/24.0\/`)) {
		t.Errorf("bad version: %d %s", r.status, r.body)
	}
	r = en.do(http.MethodPost, "/v27.0/999/messages", testToken, strings.NewReader(body), "application/json")
	m := r.json(t)["error"].(map[string]any)
	if r.status != 400 || m["code"] != float64(100) || m["error_subcode"] != float64(33) || m["type"] != "GraphMethodException" ||
		!strings.HasPrefix(m["message"].(string), "Unsupported post request. Object with ID '999' does not exist") {
		t.Errorf("unknown phone number id: %d %s", r.status, r.body)
	}
	// Graph also accepts the token as a query parameter.
	r = en.do(http.MethodGet, "/v27.0/"+testWABA+"/message_templates?access_token="+testToken, "", nil, "")
	if r.status != 200 {
		t.Errorf("access_token query: %d", r.status)
	}
	// Older versions Meta still serves stay selectable (SWITCHBOARD_GRAPH_VERSION).
	for _, v := range []string{"v24.0", "v25.0", "v26.0"} {
		if r := en.do(http.MethodGet, "/"+v+"/"+testWABA+"/message_templates", testToken, nil, ""); r.status != 200 {
			t.Errorf("%s: %d %s", v, r.status, r.body)
		}
	}
}

func TestThroughput130429(t *testing.T) {
	clock := newFakeClock()
	en := newEnv(t, chain(withClock(clock), func(c *Config) { c.Throughput = 3; c.PairRate.Burst = -1 }))
	en.customer(CustomerMessage{WaID: "4915112345678", Text: "hi"}) // inbound counts towards the budget
	body := `{"messaging_product":"whatsapp","to":"4915112345678","type":"text","text":{"body":"x"}}`
	for i := range 2 {
		if r := en.send(body); r.status != 200 {
			t.Fatalf("send %d: %d %s", i, r.status, r.body)
		}
	}
	r := en.send(body)
	code, details := r.errCode(t)
	if r.status != 400 || code != 130429 || !strings.Contains(details, "too many messages sent from this phone number") ||
		!bytes.Contains(r.body, []byte(`"message":"(#130429) Rate limit hit"`)) {
		t.Fatalf("want 130429, got %d %s", r.status, r.body)
	}
	clock.Advance(time.Second)
	if r := en.send(body); r.status != 200 {
		t.Errorf("next second: %d %s", r.status, r.body)
	}
	if en.e.Stats().Errors[130429] != 1 {
		t.Error("130429 not counted")
	}
}

func TestPairRate131056(t *testing.T) {
	clock := newFakeClock()
	en := newEnv(t, chain(withClock(clock), func(c *Config) { c.PairRate = PairRate{Burst: 2, Every: 6 * time.Second} }))
	en.customer(CustomerMessage{WaID: "4915112345678", Text: "hi"})
	en.customer(CustomerMessage{WaID: "4915100000002", Text: "hi"})
	body := `{"messaging_product":"whatsapp","to":"4915112345678","type":"text","text":{"body":"x"}}`
	en.send(body)
	en.send(body)
	r := en.send(body)
	if code, _ := r.errCode(t); r.status != 400 || code != 131056 {
		t.Fatalf("want 131056, got %d %s", r.status, r.body)
	}
	if r := en.send(strings.Replace(body, "4915112345678", "4915100000002", 1)); r.status != 200 {
		t.Errorf("other pair limited: %s", r.body)
	}
	clock.Advance(6 * time.Second)
	if r := en.send(body); r.status != 200 {
		t.Errorf("after refill: %s", r.body)
	}
}

func TestTemplateErrorsAndHydration(t *testing.T) {
	en := newEnv(t, nil)
	wa := "4915112345678"
	send := func(tmpl string) graphResp {
		return en.send(`{"messaging_product":"whatsapp","to":"` + wa + `","type":"template","template":` + tmpl + `}`)
	}
	cases := []struct {
		tmpl    string
		code    int
		details string
	}{
		{`{"name":"nope","language":{"code":"en_US"}}`, 132001, "template name (nope) does not exist in en_US"},
		{`{"name":"hello_world","language":{"code":"de"}}`, 132001, "template name (hello_world) does not exist in de"},
		{`{"name":"summer_sale","language":{"code":"de"},"components":[{"type":"body","parameters":[{"type":"text","text":"30"}]}]}`, 132001, "template name (summer_sale) does not exist in de"},
		{`{"name":"winback_offer","language":{"code":"en_US"}}`, 132015, ""},
		{`{"name":"order_update","language":{"code":"de"},"components":[{"type":"body","parameters":[{"type":"text","text":"Anna"}]}]}`, 132000,
			"body: number of localizable_params (1) does not match the expected number of params (2)"},
		{`{"name":"hello_world","language":{"code":"en_US"},"components":[{"type":"body","parameters":[{"type":"text","text":"x"}]}]}`, 132000,
			"body: number of localizable_params (1) does not match the expected number of params (0)"},
		{`{"name":"order_update","language":{"code":"en"},"components":[{"type":"body","parameters":[{"type":"text","text":"A"},{"type":"text","text":"B"}]}]}`, 132000,
			"button: number of localizable_params (0) does not match the expected number of params (1)"},
		{`{"name":"welcome_image","language":{"code":"de"}}`, 132000, "header: number of localizable_params (0) does not match the expected number of params (1)"},
	}
	for _, tc := range cases {
		r := send(tc.tmpl)
		code, details := r.errCode(t)
		if r.status != 400 || code != tc.code || (tc.details != "" && details != tc.details) {
			t.Errorf("%s: got %d %d %q", tc.tmpl, r.status, code, details)
		}
	}
	if r := send(`{"name":"nope","language":{"code":"en_US"}}`); !bytes.Contains(r.body, []byte(`"message":"(#132001) Template name does not exist in the translation"`)) {
		t.Errorf("132001 message: %s", r.body)
	}

	de := wamidOf(t, send(`{"name":"order_update","language":{"code":"de"},"components":[{"type":"body","parameters":[{"type":"text","text":"Anna"},{"type":"text","text":"#4711"}]}]}`))
	named := wamidOf(t, send(`{"name":"appointment_reminder","language":{"code":"en"},"components":[{"type":"body","parameters":[
		{"type":"text","parameter_name":"date","text":"Monday 9:00"},{"type":"text","parameter_name":"first_name","text":"Tom"}]}]}`))
	track := wamidOf(t, send(`{"name":"order_update","language":{"code":"en"},"components":[{"type":"body","parameters":[{"type":"text","text":"A"},{"type":"text","text":"B"}]},
		{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"4711"}]}]}`))
	waitFor(t, "templates on phone", func() bool { return len(en.e.Phone(wa)) == 3 })
	got := map[string]PhoneMessage{}
	for _, m := range en.e.Phone(wa) {
		got[m.ID] = m
	}
	if m := got[de]; m.Template == nil || m.Template.Name != "order_update" || m.Template.Language != "de" ||
		!strings.HasPrefix(m.Text, "Hallo Anna, Ihre Bestellung #4711 ist unterwegs.") || len(m.Template.Buttons) != 2 {
		t.Errorf("de template %+v %+v", m, m.Template)
	}
	if m := got[named]; !strings.Contains(m.Text, "Hi Tom, this is a reminder of your appointment on Monday 9:00.") {
		t.Errorf("named template text %q", m.Text)
	}
	if got[track].Template == nil {
		t.Error("url button template missing")
	}
}

func TestSendValidation(t *testing.T) {
	en := newEnv(t, nil)
	en.customer(CustomerMessage{WaID: "4915112345678", Text: "hi"})
	long := strings.Repeat("ä", 4097)
	cases := []struct {
		body string
		code int
	}{
		{`{"to":"4915112345678","type":"text","text":{"body":"x"}}`, 100},
		{`{"messaging_product":"sms","to":"4915112345678","type":"text","text":{"body":"x"}}`, 100},
		{`{"messaging_product":"whatsapp","type":"text","text":{"body":"x"}}`, 100},
		{`{"messaging_product":"whatsapp","to":"4915112345678","type":"text","text":{}}`, 100},
		{`{"messaging_product":"whatsapp","to":"4915112345678","type":"text","text":{"body":"` + long + `"}}`, 100},
		{`{"messaging_product":"whatsapp","to":"4915112345678","type":"image","image":{"id":"123"}}`, 100},
		{`{"messaging_product":"whatsapp","to":"4915112345678","type":"image","image":{}}`, 100},
		{`{"messaging_product":"whatsapp","to":"4915112345678","type":"image","image":{"link":"https://x/y.jpg","caption":"` + strings.Repeat("c", 1025) + `"}}`, 100},
		{`{"messaging_product":"whatsapp","to":"4915112345678","type":"gif"}`, 100},
		{`{"messaging_product":"whatsapp","to":"4915112345678","type":"reaction","reaction":{"emoji":"👍"}}`, 100},
		{`{"messaging_product":"whatsapp","to":"4915112345678","type":"location","location":{"latitude":1}}`, 100},
		{`{"messaging_product":"whatsapp","to":"4915112345678","type":"interactive","interactive":{"type":"button","body":{"text":"Pick"},"action":{"buttons":[
			{"type":"reply","reply":{"id":"a","title":"A"}},{"type":"reply","reply":{"id":"b","title":"B"}},{"type":"reply","reply":{"id":"c","title":"C"}},{"type":"reply","reply":{"id":"d","title":"D"}}]}}}`, 131009},
		{`{"messaging_product":"whatsapp","to":"4915112345678","type":"interactive","interactive":{"type":"button","body":{"text":"Pick"},"action":{"buttons":[
			{"type":"reply","reply":{"id":"a","title":"This title is far too long"}}]}}}`, 131009},
		{`{"messaging_product":"whatsapp","to":"4915112345678","type":"interactive","interactive":{"type":"button","body":{"text":"Pick"},"action":{"buttons":[
			{"type":"reply","reply":{"id":"a","title":"Same"}},{"type":"reply","reply":{"id":"b","title":"Same"}}]}}}`, 131009},
		{`{"messaging_product":"whatsapp","to":"4915112345678","type":"interactive","interactive":{"type":"cta_url","body":{"text":"Go"},"action":{"name":"cta_url","parameters":{"display_text":"Open","url":"http://example.com"}}}}`, 131009},
		{`{"messaging_product":"whatsapp","to":"4915112345678","type":"interactive","interactive":{"type":"cta_url","body":{"text":"Go"},"action":{"name":"cta_url","parameters":{"display_text":"This label is too long","url":"https://example.com"}}}}`, 131009},
		{`{"messaging_product":"whatsapp","to":"4915112345678","type":"interactive","interactive":{"type":"list","body":{"text":"Go"},"action":{"button":"Open","sections":[{"title":"A","rows":[{"id":"x","title":"X"},{"id":"x","title":"Y"}]}]}}}`, 131009},
		{`{"messaging_product":"whatsapp","to":"4915112345678","type":"interactive","interactive":{"type":"list","body":{"text":"Go"},"action":{"button":"Open","sections":[{"title":"A","rows":[{"id":"x","title":"X"}]},{"rows":[{"id":"y","title":"Y"}]}]}}}`, 131009},
	}
	for _, tc := range cases {
		r := en.send(tc.body)
		if code, _ := r.errCode(t); r.status != 400 || code != tc.code {
			t.Errorf("%.80s: %d %s", tc.body, r.status, r.body)
		}
	}
	ok := []string{
		`{"messaging_product":"whatsapp","to":"4915112345678","type":"text","text":{"body":"` + strings.Repeat("ä", 4096) + `"}}`,
		`{"messaging_product":"whatsapp","to":"4915112345678","type":"reaction","reaction":{"message_id":"wamid.x","emoji":"👍"}}`,
		`{"messaging_product":"whatsapp","to":"4915112345678","type":"location","location":{"latitude":"52.5","longitude":13.4,"name":"Berlin"}}`,
		`{"messaging_product":"whatsapp","to":"4915112345678","context":{"message_id":"wamid.x"},"type":"interactive","interactive":{"type":"list","body":{"text":"Versand?"},"action":{"button":"Optionen","sections":[{"title":"Versand","rows":[{"id":"std","title":"Standard","description":"3-5 Tage"},{"id":"exp","title":"Express"}]}]}}}`,
		`{"messaging_product":"whatsapp","to":"4915112345678","type":"contacts","contacts":[{"name":{"formatted_name":"Max"},"phones":[{"phone":"+49 30 123"}]}]}`,
	}
	for _, b := range ok {
		if r := en.send(b); r.status != 200 {
			t.Errorf("%.80s: %d %s", b, r.status, r.body)
		}
	}
}

func TestMediaUploadDownloadExpiry(t *testing.T) {
	clock := newFakeClock()
	en := newEnv(t, withClock(clock))
	png := []byte("\x89PNG\r\n\x1a\nfake-png-bytes")
	upload := func(ctype string, data []byte) graphResp {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("messaging_product", "whatsapp")
		_ = mw.WriteField("type", ctype)
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="file"; filename="pic.png"`)
		h.Set("Content-Type", ctype)
		w, _ := mw.CreatePart(h)
		_, _ = w.Write(data)
		_ = mw.Close()
		return en.do(http.MethodPost, "/v27.0/"+testPNID+"/media", testToken, &buf, mw.FormDataContentType())
	}
	r := upload("image/png", png)
	if r.status != 200 {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	id := r.json(t)["id"].(string)

	get := func() (string, map[string]any) {
		r := en.do(http.MethodGet, "/v27.0/"+id, testToken, nil, "")
		if r.status != 200 {
			t.Fatalf("GET media: %d %s", r.status, r.body)
		}
		m := r.json(t)
		return m["url"].(string), m
	}
	u, m := get()
	if m["mime_type"] != "image/png" || m["file_size"] != float64(len(png)) || m["id"] != id || m["messaging_product"] != "whatsapp" ||
		m["sha256"] != "95dad1ab4a2ad3fbc6b8b9b8541acd08ac3b7a0e5e9cc8bce3bb2ce8fc0fab89" && len(m["sha256"].(string)) != 64 {
		t.Errorf("media info %v", m)
	}
	if !strings.HasPrefix(u, en.srv.URL+"/emulator/lookaside/") {
		t.Errorf("url %q not on this emulator", u)
	}
	download := func(u, tok string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return resp.StatusCode, b.Bytes()
	}
	if st, b := download(u, testToken); st != 200 || !bytes.Equal(b, png) {
		t.Errorf("download: %d %q", st, b)
	}
	if st, _ := download(u, ""); st != 401 {
		t.Errorf("without bearer: %d", st)
	}
	if st, _ := download(u, "wrong"); st != 401 {
		t.Errorf("wrong bearer: %d", st)
	}
	clock.Advance(5*time.Minute + time.Second)
	if st, _ := download(u, testToken); st != 404 {
		t.Errorf("expired url: %d", st)
	}
	u2, _ := get()
	if st, _ := download(u2, testToken); st != 200 {
		t.Errorf("fresh url: %d", st)
	}

	// Sending the uploaded id delivers the bytes to the phone.
	en.customer(CustomerMessage{WaID: "4915112345678", Text: "hi"})
	mid := wamidOf(t, en.send(`{"messaging_product":"whatsapp","to":"4915112345678","type":"image","image":{"id":"`+id+`","caption":"Ihr Beleg"}}`))
	clock.Advance(time.Second)
	waitFor(t, "image on phone", func() bool { return len(en.e.Phone("4915112345678")) == 2 })
	if pm := en.e.Phone("4915112345678")[1]; pm.ID != mid || pm.Media == nil || !bytes.Equal(pm.Media.Data, png) || pm.Caption != "Ihr Beleg" {
		t.Errorf("phone got %+v", pm)
	}

	if r := en.do(http.MethodDelete, "/v27.0/"+id, testToken, nil, ""); r.status != 200 || string(r.body) != `{"success":true}` {
		t.Errorf("delete: %d %s", r.status, r.body)
	}
	r = en.do(http.MethodGet, "/v27.0/"+id, testToken, nil, "")
	if code, _ := r.errCode(t); r.status != 400 || code != 100 || !bytes.Contains(r.body, []byte("Unsupported get request")) {
		t.Errorf("deleted media: %d %s", r.status, r.body)
	}

	r = upload("application/zip", []byte("PK"))
	if code, _ := r.errCode(t); r.status != 400 || code != 100 || !bytes.Contains(r.body, []byte("Param file must be a file with one of the following types")) ||
		!bytes.Contains(r.body, []byte("Received file of type 'application\\/zip'")) {
		t.Errorf("bad type: %d %s", r.status, r.body)
	}
	r = upload("image/jpeg", make([]byte, 5<<20+1))
	if code, _ := r.errCode(t); r.status != 400 || code != 131053 {
		t.Errorf("too large: %d %s", r.status, r.body)
	}
}

func TestInboundMediaExpiresAfterSevenDays(t *testing.T) {
	clock := newFakeClock()
	en := newEnv(t, withClock(clock))
	// Media URLs in webhooks need the emulator's address, learnt from the first request.
	en.do(http.MethodGet, "/v27.0/"+testWABA+"/message_templates", testToken, nil, "")
	en.customer(CustomerMessage{WaID: "4915112345678", Type: "image", Media: []byte("jpeg-bytes"), MimeType: "image/jpeg"})
	waitFor(t, "webhook", func() bool { return len(en.rc.ok()) == 1 })
	var p whPayload
	_ = json.Unmarshal(en.rc.ok()[0], &p)
	img := p.Entry[0].Changes[0].Value.Messages[0].Image
	if img == nil || img.ID == "" || img.SHA256 == "" || img.MimeType != "image/jpeg" || !strings.Contains(img.URL, "/emulator/lookaside/") {
		t.Fatalf("image %+v", img)
	}
	if r := en.do(http.MethodGet, "/v27.0/"+img.ID, testToken, nil, ""); r.status != 200 {
		t.Fatalf("inbound media: %d %s", r.status, r.body)
	}
	clock.Advance(7*24*time.Hour + time.Second)
	if r := en.do(http.MethodGet, "/v27.0/"+img.ID, testToken, nil, ""); r.status != 400 {
		t.Errorf("after 7 days: %d %s", r.status, r.body)
	}
}

func TestLinkMedia(t *testing.T) {
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ok.jpg" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		_, _ = w.Write([]byte("remote-jpeg"))
	}))
	defer files.Close()
	en := newEnv(t, nil)
	en.customer(CustomerMessage{WaID: "4915112345678", Text: "hi"})
	ok := wamidOf(t, en.send(`{"messaging_product":"whatsapp","to":"4915112345678","type":"image","image":{"link":"`+files.URL+`/ok.jpg"}}`))
	bad := wamidOf(t, en.send(`{"messaging_product":"whatsapp","to":"4915112345678","type":"image","image":{"link":"`+files.URL+`/missing.jpg"}}`))
	waitFor(t, "statuses", func() bool {
		all := en.rc.statuses(t)
		return len(statusesFor(all, ok)) == 3 && len(statusesFor(all, bad)) == 1
	})
	s := statusesFor(en.rc.statuses(t), bad)[0]
	if s.Status != "failed" || s.Errors[0].Code != 131053 || !strings.Contains(s.Errors[0].ErrorData.Details, "http code 404") {
		t.Errorf("bad link status %+v", s)
	}
	phone := en.e.Phone("4915112345678")
	if len(phone) != 2 || string(phone[1].Media.Data) != "remote-jpeg" {
		t.Errorf("phone %+v", phone)
	}
}

func TestWebhookRedelivery(t *testing.T) {
	en := newEnv(t, nil)
	en.rc.script = []int{500, 500}
	en.customer(CustomerMessage{WaID: "4915112345678", Text: "bitte zurückrufen"})
	waitFor(t, "successful delivery", func() bool { return len(en.rc.ok()) == 1 })
	time.Sleep(30 * time.Millisecond) // no further attempts may follow a 200
	all := en.rc.deliveries()
	if len(all) != 3 {
		t.Fatalf("attempts = %d, want 3", len(all))
	}
	for _, d := range all[1:] {
		if !bytes.Equal(d.body, all[0].body) {
			t.Error("redelivery changed the body")
		}
	}
	st := en.e.Stats().Webhooks
	if st.Delivered != 1 || st.Failed != 2 || st.Retried != 2 || st.Pending != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestWebhookTimeoutIsRetried(t *testing.T) {
	block := make(chan struct{})
	var calls atomic.Int32
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			select {
			case <-block:
			case <-r.Context().Done():
			}
		}
	}))
	defer slow.Close()
	defer close(block)
	en := newEnv(t, func(c *Config) { c.WebhookURL = slow.URL; c.Retry.Timeout = 100 * time.Millisecond })
	en.customer(CustomerMessage{WaID: "4915112345678", Text: "hi"})
	waitFor(t, "delivery after timeout", func() bool { return en.e.Stats().Webhooks.Delivered == 1 })
	// The first attempt never answers, so it times out. On a loaded machine
	// a later attempt may time out too; whatever the count, every failed
	// attempt is retried and exactly one delivers.
	if st := en.e.Stats().Webhooks; st.Failed < 1 || st.Retried != st.Failed || st.Delivered != 1 || st.Pending != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestDuplicates(t *testing.T) {
	en := newEnv(t, func(c *Config) { c.DuplicateRate = 1 })
	en.customer(CustomerMessage{WaID: "4915112345678", Text: "hi"})
	waitFor(t, "two copies", func() bool { return len(en.rc.ok()) == 2 })
	ok := en.rc.ok()
	if !bytes.Equal(ok[0], ok[1]) {
		t.Error("duplicate differs")
	}
	if en.e.Stats().Webhooks.Duplicates != 1 {
		t.Errorf("stats %+v", en.e.Stats().Webhooks)
	}
}

func TestBatching(t *testing.T) {
	en := newEnv(t, func(c *Config) { c.MaxBatch = 3; c.BatchWindow = time.Hour })
	for i := range 3 {
		en.customer(CustomerMessage{WaID: fmt.Sprintf("491510000000%d", i), Name: fmt.Sprint("C", i), Text: "hi"})
	}
	waitFor(t, "batch", func() bool { return len(en.rc.ok()) == 1 })
	var p whPayload
	_ = json.Unmarshal(en.rc.ok()[0], &p)
	v := p.Entry[0].Changes[0].Value
	if len(v.Messages) != 3 || len(v.Contacts) != 3 {
		t.Errorf("batch has %d messages, %d contacts", len(v.Messages), len(v.Contacts))
	}
}

func TestFaults(t *testing.T) {
	en := newEnv(t, nil)
	en.customer(CustomerMessage{WaID: "4915112345678", Text: "hi"})
	en.e.SetFaults(Faults{ErrorRate: 1})
	r := en.send(`{"messaging_product":"whatsapp","to":"4915112345678","type":"text","text":{"body":"x"}}`)
	if code, _ := r.errCode(t); r.status != 500 || code != 131000 {
		t.Errorf("error fault: %d %s", r.status, r.body)
	}
	en.e.SetFaults(Faults{DropRate: 1})
	id := wamidOf(t, en.send(`{"messaging_product":"whatsapp","to":"4915112345678","type":"text","text":{"body":"x"}}`))
	time.Sleep(40 * time.Millisecond)
	if n := len(statusesFor(en.rc.statuses(t), id)); n != 0 {
		t.Errorf("dropped message produced %d statuses", n)
	}
}

// TestFailFirst: each distinct send fails exactly its first FailFirst
// attempts, whatever else is sent in between.
func TestFailFirst(t *testing.T) {
	en := newEnv(t, nil)
	en.customer(CustomerMessage{WaID: "4915112345678", Text: "hi"})
	en.e.SetFaults(Faults{FailFirst: 2})
	a := `{"messaging_product":"whatsapp","to":"4915112345678","type":"text","text":{"body":"a"}}`
	b := `{"messaging_product":"whatsapp","to":"4915112345678","type":"text","text":{"body":"b"}}`
	for i, tc := range []struct {
		body   string
		status int
	}{{a, 500}, {b, 500}, {a, 500}, {a, 200}, {b, 500}, {b, 200}, {a, 200}} {
		r := en.send(tc.body)
		if r.status != tc.status {
			t.Fatalf("attempt %d: %d %s, want %d", i, r.status, r.body, tc.status)
		}
		if code, _ := r.errCode(t); tc.status == 500 && code != 131000 {
			t.Fatalf("attempt %d: code %d, want 131000", i, code)
		}
	}
	en.e.SetFaults(Faults{FailFirst: 1}) // counts start again
	if r := en.send(a); r.status != 500 {
		t.Fatalf("after SetFaults: %d, want the first attempt to fail again", r.status)
	}
}

func TestTemplatesPaging(t *testing.T) {
	en := newEnv(t, nil)
	if err := en.e.AddTemplate(Template{Name: "extra", Language: "de", Components: []TemplateComponent{{Type: "BODY", Text: "Hi {{1}}"}}}); err != nil {
		t.Fatal(err)
	}
	want := len(DefaultTemplates()) + 1
	next := "/v27.0/" + testWABA + "/message_templates?limit=3"
	var names []string
	for next != "" {
		r := en.do(http.MethodGet, next, testToken, nil, "")
		if r.status != 200 {
			t.Fatalf("%s: %d %s", next, r.status, r.body)
		}
		var page struct {
			Data   []Template `json:"data"`
			Paging struct {
				Cursors struct{ Before, After string }
				Next    string `json:"next"`
			} `json:"paging"`
		}
		if err := json.Unmarshal(r.body, &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Data) > 3 || page.Paging.Cursors.After == "" {
			t.Fatalf("page %s", r.body)
		}
		for _, d := range page.Data {
			names = append(names, d.Name+"/"+d.Language)
		}
		next = strings.TrimPrefix(page.Paging.Next, en.srv.URL)
		if page.Paging.Next != "" && next == page.Paging.Next {
			t.Fatalf("next is not absolute on this host: %s", page.Paging.Next)
		}
	}
	if len(names) != want {
		t.Errorf("paged %d templates, want %d: %v", len(names), want, names)
	}
	r := en.do(http.MethodGet, "/v27.0/"+testWABA+"/message_templates?fields=name,status&status=APPROVED", testToken, nil, "")
	var page struct {
		Data []map[string]any `json:"data"`
	}
	_ = json.Unmarshal(r.body, &page)
	for _, d := range page.Data {
		if len(d) != 3 || d["status"] != "APPROVED" || d["id"] == nil {
			t.Errorf("projected %v", d)
		}
	}
	if r := en.do(http.MethodGet, "/v27.0/"+testPNID+"/message_templates", testToken, nil, ""); r.status != 400 {
		t.Errorf("templates on a phone number id: %d", r.status)
	}
}

func TestControlAPIAndWebPage(t *testing.T) {
	en := newEnv(t, nil)
	r := en.do(http.MethodGet, "/", "", nil, "")
	if r.status != 200 || !bytes.Contains(r.body, []byte(`<script src="/emulator/static/app.js" defer></script>`)) ||
		!strings.Contains(r.header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Errorf("index: %d %s", r.status, r.header)
	}
	for _, p := range []string{"/emulator/", "/emulator/static/app.js", "/emulator/static/style.css"} {
		if r := en.do(http.MethodGet, p, "", nil, ""); r.status != 200 || len(r.body) == 0 {
			t.Errorf("%s: %d", p, r.status)
		}
	}
	r = en.do(http.MethodPost, "/emulator/api/customers/send", "", strings.NewReader(`{"wa_id":"4915112345678","name":"Anna","type":"image","media":"aGVsbG8=","mime_type":"image/png","text":"Foto"}`), "application/json")
	if r.status != 200 {
		t.Fatalf("control send: %d %s", r.status, r.body)
	}
	id := r.json(t)["id"].(string)
	r = en.do(http.MethodGet, "/emulator/api/phone/4915112345678", "", nil, "")
	var msgs []PhoneMessage
	if err := json.Unmarshal(r.body, &msgs); err != nil || len(msgs) != 1 || msgs[0].ID != id || msgs[0].Media.Size != 5 {
		t.Fatalf("phone: %s", r.body)
	}
	if r := en.do(http.MethodGet, "/emulator/api/phone/4915112345678/media/"+id, "", nil, ""); string(r.body) != "hello" {
		t.Errorf("media: %q", r.body)
	}
	if r := en.do(http.MethodPut, "/emulator/api/faults", "", strings.NewReader(`{"error_rate":0.5,"latency_ms":3}`), "application/json"); r.status != 200 {
		t.Errorf("faults: %s", r.body)
	}
	if f := en.e.CurrentFaults(); f.ErrorRate != 0.5 || f.Latency != 3*time.Millisecond {
		t.Errorf("faults %+v", f)
	}
	if r := en.do(http.MethodPost, "/emulator/api/customers/send", "", strings.NewReader(`{"wa_id":"x"}`), "application/json"); r.status != 400 {
		t.Errorf("bad send: %d", r.status)
	}
	r = en.do(http.MethodGet, "/emulator/api/stats", "", nil, "")
	var st Stats
	if err := json.Unmarshal(r.body, &st); err != nil || st.MessagesReceived != 1 {
		t.Errorf("stats %s", r.body)
	}
}

func TestVirtualCustomers(t *testing.T) {
	en := newEnv(t, nil)
	if err := en.e.StartCustomers(500, 3); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "virtual messages", func() bool { return en.e.Stats().MessagesReceived >= 5 })
	if got, want := en.e.Stats().VirtualCustomers, (VirtualCustomerStats{Running: true, Rate: 500, N: 3}); got != want {
		t.Errorf("running: %+v, want %+v", got, want)
	}
	en.e.StopCustomers()
	if got := en.e.Stats().VirtualCustomers; got.Running || got.Rate != 500 {
		t.Errorf("stopped: %+v", got)
	}
	cs := en.e.Customers()
	if len(cs) == 0 || len(cs) > 3 {
		t.Fatalf("customers %+v", cs)
	}
	for _, c := range cs {
		if !strings.HasPrefix(c.WaID, "4915") || len(c.WaID) != 13 || c.Name == "" {
			t.Errorf("customer %+v", c)
		}
	}
	if err := en.e.StartCustomers(0, 1); err == nil {
		t.Error("rate 0 accepted")
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	e, err := New(Config{PhoneNumbers: []Number{{PhoneNumberID: testPNID, DisplayPhoneNumber: testDisp, WABAID: testWABA}}, AccessToken: testToken, AppSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	_, _ = e.CustomerSend(ctx, CustomerMessage{WaID: "4915112345678", Text: "hi"})
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	_ = e.Close()
}

func TestMetaJSON(t *testing.T) {
	got := string(metaJSON(map[string]string{"a": "ä/€😀\\/<"}))
	want := `{"a":"\u00e4\/\u20ac\ud83d\ude00\\\/<"}`
	if got != want {
		t.Errorf("metaJSON = %s, want %s", got, want)
	}
	var back map[string]string
	if err := json.Unmarshal([]byte(got), &back); err != nil || back["a"] != "ä/€😀\\/<" {
		t.Errorf("round trip %q %v", back["a"], err)
	}
}

// TestControlAPIRefusesCrossSite: a page on another site cannot drive the
// emulator's control API with a "simple" text/plain POST or a cross-origin
// request (issue 14, Low 23); the emulator's own page and tools can.
func TestControlAPIRefusesCrossSite(t *testing.T) {
	en := newEnv(t, nil)
	body := `{"wa_id":"4915112345678","name":"Eve","text":"forged"}`
	send := func(contentType string, header map[string]string) int {
		req, _ := http.NewRequest(http.MethodPost, en.srv.URL+"/emulator/api/customers/send", strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for name, tc := range map[string]struct {
		ct     string
		header map[string]string
	}{
		"text/plain from another site": {"text/plain", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}},
		"text/plain without Origin":    {"text/plain", nil},
		"form post":                    {"application/x-www-form-urlencoded", nil},
		"json from another site":       {"application/json", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}},
	} {
		if got := send(tc.ct, tc.header); got != http.StatusForbidden && got != http.StatusUnsupportedMediaType {
			t.Errorf("%s = %d, want 403 or 415", name, got)
		}
	}
	if n := en.e.Stats().MessagesReceived; n != 0 {
		t.Fatalf("%d forged customer messages were sent", n)
	}
	if got := send("application/json", map[string]string{"Sec-Fetch-Site": "same-origin"}); got != 200 {
		t.Fatalf("the emulator's own page = %d, want 200", got)
	}
	if got := send("application/json", nil); got != 200 {
		t.Fatalf("a tool without browser headers = %d, want 200", got)
	}
	// A bodiless write (the page's "stop" button) passes unless another
	// origin sent it.
	for _, tc := range []struct {
		site string
		want int
	}{{"same-origin", 200}, {"cross-site", 403}} {
		req, _ := http.NewRequest(http.MethodPost, en.srv.URL+"/emulator/api/customers/stop", nil)
		req.Header.Set("Sec-Fetch-Site", tc.site)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("bodiless stop from %s = %d, want %d", tc.site, resp.StatusCode, tc.want)
		}
	}
}
