package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testToken   = "EAAtest-token"
	testPhoneID = "106540352242922"
	testWABA    = "102290129340398"
)

// newGraph starts a fake Graph API and a Client pointed at it.
func newGraph(t *testing.T, h http.HandlerFunc) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &Client{BaseURL: srv.URL, HTTPClient: srv.Client()}, srv
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

const sendOK = `{"messaging_product":"whatsapp","contacts":[{"input":"+4915112345678","wa_id":"4915112345678"}],"messages":[{"id":"wamid.HBgNNDkxNTExMjM0NTY3OBUCABEYEjU4QjEzQzZBM0YyMUQ1RTg4OAA=","message_status":"accepted"}]}`

// sendBSUIDOK answers a send to a business-scoped user id: contacts[]
// names the user_id, not a wa_id.
const sendBSUIDOK = `{"messaging_product":"whatsapp","contacts":[{"input":"US.13491208655302741918","user_id":"US.13491208655302741918"}],"messages":[{"id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RkI2QjU4MkJBNzRBNkRDMjgA"}]}`

// TestSendToBSUIDResponse pins the response of a send to a BSUID.
func TestSendToBSUIDResponse(t *testing.T) {
	c, _ := newGraph(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, sendBSUIDOK) })
	res, err := c.SendMessage(context.Background(), testToken, testPhoneID, &OutboundMessage{Recipient: "US.13491208655302741918", Type: "text", Text: &OutboundText{Body: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Contacts) != 1 || res.Contacts[0].UserID != "US.13491208655302741918" || res.Contacts[0].WaID != "" || res.Messages[0].ID == "" {
		t.Errorf("result = %+v", res)
	}
	if err := (&OutboundMessage{Type: "text", Text: &OutboundText{Body: "x"}}).Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("a message without to or recipient: %v", err)
	}
}

// TestSendMessageGolden sends each message through real HTTP and compares
// the request body with testdata/outbound/<name>.json.
func TestSendMessageGolden(t *testing.T) {
	tests := []struct {
		name string
		msg  *OutboundMessage
	}{
		{"text_reply", &OutboundMessage{To: "+4915112345678", Type: "text",
			Text:                  &OutboundText{Body: "Grüße zurück! Details: https://example.com/a?b=1&c=<2>", PreviewURL: true},
			Context:               &ReplyContext{MessageID: "wamid.HBgNNDkxNTExMjM0NTY3OBUCABIYFjNFQjBDNzQ2QjY5QjQwMzM5RDEwAA=="},
			BizOpaqueCallbackData: "sb:msg:0193a7c2-1f00-7000-8000-000000000001"}},
		{"image", &OutboundMessage{To: "4915112345678", Type: "image", Image: &OutboundMedia{ID: "1013859600285441", Caption: "Ihr Paket"}}},
		{"document", &OutboundMessage{To: "4915112345678", Type: "document", Document: &OutboundMedia{ID: "1003383421387256", Caption: "Rechnung", Filename: "Rechnung_März.pdf"}}},
		{"audio_voice", &OutboundMessage{To: "4915112345678", Type: "audio", Audio: &OutboundMedia{ID: "1157201218806495", Voice: true}}},
		{"video_link", &OutboundMessage{To: "4915112345678", Type: "video", Video: &OutboundMedia{Link: "https://cdn.example.com/v.mp4"}}},
		{"sticker", &OutboundMessage{To: "4915112345678", Type: "sticker", Sticker: &OutboundMedia{ID: "1228591791527563"}}},
		{"template", &OutboundMessage{To: "4915112345678", Type: "template", Template: &OutboundTemplate{
			Name: "bestellung_versandt", Language: TemplateLanguage{Code: "de"},
			Components: []Component{
				{Type: "header", Parameters: []Parameter{{Type: "image", Image: &OutboundMedia{ID: "987"}}}},
				{Type: "body", Parameters: []Parameter{{Type: "text", Text: "Jürgen"}, {Type: "text", Text: "A-1001"}}},
				{Type: "button", SubType: "url", Index: "0", Parameters: []Parameter{{Type: "text", Text: "A-1001"}}},
			}}}},
		{"reaction", &OutboundMessage{To: "4915112345678", Type: "reaction", Reaction: &OutboundReaction{MessageID: "wamid.X", Emoji: "👍"}}},
		{"reaction_remove", &OutboundMessage{To: "4915112345678", Type: "reaction", Reaction: &OutboundReaction{MessageID: "wamid.X"}}},
		{"location", &OutboundMessage{To: "4915112345678", Type: "location", Location: &OutboundLocation{Latitude: 48.137154, Longitude: 11.576124, Name: "Rathaus", Address: "Marienplatz 1"}}},
		{"mark_read_typing", &OutboundMessage{Status: StatusRead, MessageID: "wamid.IN", TypingIndicator: &TypingIndicator{Type: "text"}}},
		{"interactive_buttons", &OutboundMessage{To: "4915112345678", Type: "interactive", Interactive: &OutboundInteractive{
			Type: "button", Header: &InteractiveHeader{Type: "text", Text: "Lieferung"}, Body: &InteractiveText{Text: "Wann passt es Ihnen?"},
			Footer: &InteractiveText{Text: "Lucky Shrub"},
			Action: &InteractiveAction{Buttons: []InteractiveButton{
				{Type: "reply", Reply: ReplyTitle{ID: "morning", Title: "Vormittag"}},
				{Type: "reply", Reply: ReplyTitle{ID: "afternoon", Title: "Nachmittag"}},
			}}}}},
		{"interactive_list", &OutboundMessage{To: "4915112345678", Type: "interactive", Interactive: &OutboundInteractive{
			Type: "list", Body: &InteractiveText{Text: "Which shipping option do you prefer?"},
			Action: &InteractiveAction{Button: "Shipping Options", Sections: []InteractiveSection{
				{Title: "I want it ASAP!", Rows: []InteractiveRow{{ID: "priority_express", Title: "Priority Mail Express", Description: "Next Day to 2 Days"}}},
				{Title: "I can wait a bit", Rows: []InteractiveRow{{ID: "usps_ground", Title: "USPS Ground Advantage"}}},
			}}}}},
		{"interactive_cta_url", &OutboundMessage{To: "4915112345678", Type: "interactive", Interactive: &OutboundInteractive{
			Type: "cta_url", Body: &InteractiveText{Text: "Tap the button below to see available dates."},
			Action: &InteractiveAction{Name: "cta_url", Parameters: &CTAURLParameters{DisplayText: "See Dates", URL: "https://www.luckyshrub.com?clickID=kqDG"}}}}},
		{"text_bsuid", &OutboundMessage{Recipient: "US.13491208655302741918", Type: "text", Text: &OutboundText{Body: "Yes, we ship to Lagos."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []byte
			c, _ := newGraph(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/v27.0/"+testPhoneID+"/messages" {
					t.Errorf("request %s %s", r.Method, r.URL.Path)
				}
				if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
					t.Errorf("Authorization = %q", got)
				}
				if got := r.Header.Get("Content-Type"); got != "application/json" {
					t.Errorf("Content-Type = %q", got)
				}
				if got := r.Header.Get("User-Agent"); got != DefaultUserAgent {
					t.Errorf("User-Agent = %q", got)
				}
				got, _ = io.ReadAll(r.Body)
				if tt.msg.Status != "" {
					writeJSON(w, 200, `{"success":true}`)
					return
				}
				if tt.msg.To == "" {
					writeJSON(w, 200, sendBSUIDOK)
					return
				}
				writeJSON(w, 200, sendOK)
			})
			before := *tt.msg
			res, err := c.SendMessage(context.Background(), testToken, testPhoneID, tt.msg)
			if err != nil {
				t.Fatalf("SendMessage: %v", err)
			}
			if tt.msg.Status == "" && tt.msg.To != "" && (res.Messages[0].MessageStatus != "accepted" || res.Contacts[0].WaID != "4915112345678") {
				t.Errorf("result = %+v", res)
			}
			if fmt.Sprint(before) != fmt.Sprint(*tt.msg) {
				t.Error("SendMessage modified its argument")
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, got, "", "  "); err != nil {
				t.Fatalf("request body is not JSON: %v: %s", err, got)
			}
			pretty.WriteByte('\n')
			golden := filepath.Join("testdata", "outbound", tt.name+".json")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run go test -update): %v", err)
			}
			if !bytes.Equal(pretty.Bytes(), want) {
				t.Errorf("request body differs from %s:\n%s", golden, pretty.Bytes())
			}
		})
	}
}

func TestSendMessageValidationSendsNothing(t *testing.T) {
	var hits atomic.Int32
	c, _ := newGraph(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	bad := []*OutboundMessage{
		nil,
		{},
		{To: "49", Type: "text"},
		{To: "49", Type: "text", Text: &OutboundText{Body: strings.Repeat("x", MaxTextBodyLen+1)}},
		{To: "49", Type: "image", Image: &OutboundMedia{}},
		{To: "49", Type: "image", Image: &OutboundMedia{ID: "1", Link: "https://x"}},
		{To: "49", Type: "image", Image: &OutboundMedia{ID: "1", Caption: strings.Repeat("ü", MaxCaptionLen+1)}},
		{To: "49", Type: "audio", Audio: &OutboundMedia{ID: "1", Caption: "no"}},
		{To: "49", Type: "sticker", Sticker: &OutboundMedia{ID: "1", Voice: true}},
		{To: "49", Type: "text", Text: &OutboundText{Body: "a"}, Image: &OutboundMedia{ID: "1"}},
		{To: "49", Type: "template", Template: &OutboundTemplate{Name: "x"}},
		{To: "49", Type: "reaction", Reaction: &OutboundReaction{}},
		{To: "49", Type: "location", Location: &OutboundLocation{Latitude: 91}},
		{To: "49", Type: "text", Text: &OutboundText{Body: "a"}, BizOpaqueCallbackData: strings.Repeat("x", MaxBizOpaqueCallbackLen+1)},
		{Status: "delivered", MessageID: "w"},
		{Status: StatusRead},
		{Status: StatusRead, MessageID: "w", To: "49"},
		{To: "49", Type: "poll", Text: &OutboundText{Body: "a"}},
		{To: "49", Type: "text", Image: &OutboundMedia{ID: "1"}},
		{To: "49", Type: "text", Text: &OutboundText{Body: "a"}, Context: &ReplyContext{}},
		{To: "49", Type: "interactive"},
		{To: "49", Type: "interactive", Interactive: &OutboundInteractive{Type: "button", Body: &InteractiveText{Text: "a"}, Action: &InteractiveAction{}}},
		{To: "49", Type: "interactive", Interactive: &OutboundInteractive{Type: "button", Action: &InteractiveAction{Buttons: []InteractiveButton{{Type: "reply", Reply: ReplyTitle{ID: "a", Title: "A"}}}}}},
		{To: "49", Type: "interactive", Interactive: &OutboundInteractive{Type: "list", Body: &InteractiveText{Text: "a"}, Action: &InteractiveAction{Button: "x"}}},
		{To: "49", Type: "interactive", Interactive: &OutboundInteractive{Type: "cta_url", Body: &InteractiveText{Text: "a"}, Action: &InteractiveAction{Parameters: &CTAURLParameters{DisplayText: "x", URL: "https://x"}}}},
		{To: "49", Type: "interactive", Interactive: &OutboundInteractive{Type: "flow", Body: &InteractiveText{Text: "a"}, Action: &InteractiveAction{}}},
	}
	for i, m := range bad {
		_, err := c.SendMessage(context.Background(), testToken, testPhoneID, m)
		if !errors.Is(err, ErrInvalid) || Classify(err) != Permanent {
			t.Errorf("case %d: err = %v (%v), want ErrInvalid/permanent", i, err, Classify(err))
		}
	}
	if _, err := c.SendMessage(context.Background(), "", testPhoneID, &OutboundMessage{To: "49", Type: "text", Text: &OutboundText{Body: "a"}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty token: %v", err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}

func TestSendMessagePathEscaping(t *testing.T) {
	var path string
	c, _ := newGraph(t, func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.EscapedPath()
		writeJSON(w, 200, sendOK)
	})
	_, err := c.SendMessage(context.Background(), testToken, "../me/x?y", &OutboundMessage{To: "49", Type: "text", Text: &OutboundText{Body: "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "/v27.0/..%2Fme%2Fx%3Fy/messages"; path != want {
		t.Errorf("path = %q, want %q", path, want)
	}
}

func TestSendMessageErrors(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		body        string
		wantCode    int
		wantOutcome Outcome
		wantPair    bool
		wantDetails string
	}{
		{"re-engagement 131047", 400, `{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,"error_data":{"messaging_product":"whatsapp","details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."},"fbtrace_id":"AbCdEf"}}`,
			131047, Permanent, false, "Message failed to send because more than 24 hours have passed since the customer last replied to this number."},
		{"throughput 130429", 429, `{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"error_data":{"messaging_product":"whatsapp","details":"Cloud API message throughput has been reached."},"fbtrace_id":"A1"}}`,
			130429, Retry, false, "Cloud API message throughput has been reached."},
		{"pair rate 131056", 400, `{"error":{"message":"(#131056) (Business Account, Consumer Account) pair rate limit hit","type":"OAuthException","code":131056,"error_data":{"messaging_product":"whatsapp","details":"Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time."},"fbtrace_id":"A2"}}`,
			131056, Retry, true, "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time."},
		{"invalid parameter 100", 400, `{"error":{"message":"(#100) Invalid parameter","type":"OAuthException","code":100,"error_subcode":2494010,"fbtrace_id":"A3"}}`,
			100, Permanent, false, ""},
		{"auth 0", 401, `{"error":{"message":"(#0) Authentication Error","type":"OAuthException","code":0,"fbtrace_id":"A4"}}`,
			0, Permanent, false, ""},
		{"token expired 190", 401, `{"error":{"message":"Error validating access token: Session has expired","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"A5"}}`,
			190, Permanent, false, ""},
		{"template missing 132001", 404, `{"error":{"message":"(#132001) Template name does not exist in the translation","type":"OAuthException","code":132001,"error_data":{"messaging_product":"whatsapp","details":"template name (x) does not exist in de"},"fbtrace_id":"A6"}}`,
			132001, Permanent, false, "template name (x) does not exist in de"},
		{"service unavailable 131016 on 503", 503, `{"error":{"message":"(#131016) Service unavailable","type":"OAuthException","code":131016,"fbtrace_id":"A7"}}`,
			131016, Retry, false, ""},
		{"unknown code on 500", 500, `{"error":{"message":"new","type":"OAuthException","code":999999}}`,
			999999, Retry, false, ""},
		{"unknown code on 400", 400, `{"error":{"message":"new","type":"OAuthException","code":999998}}`,
			999998, Permanent, false, ""},
		{"management error_data string", 400, `{"error":{"message":"Invalid parameter","type":"OAuthException","code":100,"error_data":"Template name already exists","fbtrace_id":"A8"}}`,
			100, Permanent, false, "Template name already exists"},
		{"5xx without body", 502, ``, 0, Retry, false, ""},
		{"5xx html body", 503, `<html>Service Unavailable</html>`, 0, Retry, false, ""},
		{"429 without body", 429, ``, 0, Retry, false, ""},
		{"4xx without body", 403, ``, 0, Permanent, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newGraph(t, func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				writeJSON(w, tt.status, tt.body)
			})
			_, err := c.SendMessage(context.Background(), testToken, testPhoneID, &OutboundMessage{To: "49", Type: "text", Text: &OutboundText{Body: "hi"}})
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if ae.HTTPStatus != tt.status || ae.Code != tt.wantCode || ae.Details != tt.wantDetails {
				t.Errorf("APIError = %+v", ae)
			}
			if got := Classify(err); got != tt.wantOutcome {
				t.Errorf("Classify = %v, want %v", got, tt.wantOutcome)
			}
			if got := PairRateLimited(err); got != tt.wantPair {
				t.Errorf("PairRateLimited = %v", got)
			}
			if ae.Temporary() != (tt.wantOutcome == Retry) {
				t.Errorf("Temporary = %v", ae.Temporary())
			}
			if tt.body != "" && strings.HasPrefix(tt.body, "{") && ae.FBTraceID == "" && strings.Contains(tt.body, "fbtrace_id") {
				t.Errorf("fbtrace_id lost")
			}
			if !strings.Contains(err.Error(), "send message") {
				t.Errorf("error lacks context: %v", err)
			}
		})
	}
}

func TestSendMessageAmbiguousSuccess(t *testing.T) {
	for name, body := range map[string]string{
		"garbage body":  `<html>ok</html>`,
		"no message id": `{"messaging_product":"whatsapp","contacts":[],"messages":[]}`,
		"oversized":     `{"x":"` + strings.Repeat("a", maxJSONResponse) + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			c, _ := newGraph(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, body) })
			_, err := c.SendMessage(context.Background(), testToken, testPhoneID, &OutboundMessage{To: "49", Type: "text", Text: &OutboundText{Body: "hi"}})
			if err == nil || Classify(err) != Unknown {
				t.Errorf("err = %v, outcome %v; want Unknown", err, Classify(err))
			}
		})
	}
}

// TestClassifyTransport exercises the transport failures that decide
// between "safe to resend" and "outcome unknown".
func TestClassifyTransport(t *testing.T) {
	msg := &OutboundMessage{To: "49", Type: "text", Text: &OutboundText{Body: "hi"}}

	t.Run("server gone before connect", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		c := &Client{BaseURL: srv.URL, HTTPClient: srv.Client()}
		srv.Close()
		_, err := c.SendMessage(context.Background(), testToken, testPhoneID, msg)
		var re *RequestError
		if !errors.As(err, &re) || re.Written {
			t.Fatalf("err = %v, want unwritten RequestError", err)
		}
		if got := Classify(err); got != Retry {
			t.Errorf("Classify = %v, want retry", got)
		}
	})

	t.Run("context canceled before sending", func(t *testing.T) {
		var hits atomic.Int32
		c, _ := newGraph(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.SendMessage(ctx, testToken, testPhoneID, msg)
		if got := Classify(err); got != Retry || hits.Load() != 0 {
			t.Errorf("Classify = %v (err %v), hits %d; want retry, 0", got, err, hits.Load())
		}
	})

	t.Run("server reads request then hangs past deadline", func(t *testing.T) {
		received := make(chan struct{}, 1)
		c, _ := newGraph(t, func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			received <- struct{}{}
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		})
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_, err := c.SendMessage(ctx, testToken, testPhoneID, msg)
		<-received
		var re *RequestError
		if !errors.As(err, &re) || !re.Written || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want written RequestError with deadline", err)
		}
		if got := Classify(err); got != Unknown {
			t.Errorf("Classify = %v, want unknown", got)
		}
	})

	t.Run("connection closed after request", func(t *testing.T) {
		c, _ := newGraph(t, func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.Close()
		})
		_, err := c.SendMessage(context.Background(), testToken, testPhoneID, msg)
		if got := Classify(err); got != Unknown {
			t.Errorf("Classify = %v (err %v), want unknown", got, err)
		}
	})
}

func TestMarkRead(t *testing.T) {
	var body map[string]any
	success := true
	c, _ := newGraph(t, func(w http.ResponseWriter, r *http.Request) {
		json.NewDecoder(r.Body).Decode(&body)
		writeJSON(w, 200, fmt.Sprintf(`{"success":%v}`, success))
	})
	if err := c.MarkRead(context.Background(), testToken, testPhoneID, "wamid.IN"); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.IN"}
	if fmt.Sprint(body) != fmt.Sprint(want) {
		t.Errorf("body = %v, want %v", body, want)
	}
	success = false
	if err := c.MarkRead(context.Background(), testToken, testPhoneID, "wamid.IN"); err == nil || Classify(err) != Unknown {
		t.Errorf("success=false: err = %v", err)
	}
	if err := c.MarkRead(context.Background(), testToken, testPhoneID, ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty wamid: %v", err)
	}
}

func TestUploadMedia(t *testing.T) {
	content := bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 50000)
	c, _ := newGraph(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v27.0/"+testPhoneID+"/media" {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			t.Error("no bearer")
		}
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/form-data" {
			t.Fatalf("content type %q: %v", r.Header.Get("Content-Type"), err)
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		fields := map[string]string{}
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(p)
			if p.FormName() == "file" {
				if p.FileName() != `pa"ket.png` {
					t.Errorf("filename = %q", p.FileName())
				}
				if ct := p.Header.Get("Content-Type"); ct != "image/png" {
					t.Errorf("file content type = %q", ct)
				}
				if !bytes.Equal(data, content) {
					t.Errorf("file content differs (%d bytes)", len(data))
				}
				continue
			}
			fields[p.FormName()] = string(data)
		}
		if fields["messaging_product"] != "whatsapp" || fields["type"] != "image/png" {
			t.Errorf("fields = %v", fields)
		}
		writeJSON(w, 200, `{"id":"1013859600285441"}`)
	})
	id, err := c.UploadMedia(context.Background(), testToken, testPhoneID, "pa\"ket\r\n.png", "image/png", bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	if id != "1013859600285441" {
		t.Errorf("id = %q", id)
	}
}

func TestUploadMediaServerError(t *testing.T) {
	c, _ := newGraph(t, func(w http.ResponseWriter, r *http.Request) {
		// Answer before reading the body, as a proxy rejecting an upload
		// would; the client must not leak its writer goroutine or hang.
		writeJSON(w, 400, `{"error":{"message":"(#131053) Media upload error","type":"OAuthException","code":131053}}`)
	})
	_, err := c.UploadMedia(context.Background(), testToken, testPhoneID, "a.png", "image/png", io.LimitReader(zeroReader{}, 8<<20))
	var ae *APIError
	if !errors.As(err, &ae) || ae.Code != 131053 || Classify(err) != Permanent {
		t.Errorf("err = %v", err)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestGetMedia(t *testing.T) {
	for name, size := range map[string]string{"number": `303833`, "string": `"303833"`} {
		t.Run(name, func(t *testing.T) {
			c, _ := newGraph(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodGet || r.URL.Path != "/v27.0/1013859600285441" {
					t.Errorf("request %s %s", r.Method, r.URL.Path)
				}
				writeJSON(w, 200, `{"messaging_product":"whatsapp","url":"https:\/\/lookaside.fbsbx.com\/whatsapp_business\/attachments\/?mid=1013859600285441&ext=1739321024&hash=ATu","mime_type":"image\/jpeg","sha256":"abc","file_size":`+size+`,"id":"1013859600285441"}`)
			})
			info, err := c.GetMedia(context.Background(), testToken, "1013859600285441")
			if err != nil {
				t.Fatal(err)
			}
			want := MediaInfo{MessagingProduct: "whatsapp", URL: "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1013859600285441&ext=1739321024&hash=ATu", MimeType: "image/jpeg", SHA256: "abc", FileSize: 303833, ID: "1013859600285441"}
			if *info != want {
				t.Errorf("info = %+v", info)
			}
		})
	}
}

func TestListTemplatesPaging(t *testing.T) {
	var mu sync.Mutex
	var afters []string
	c, srv := newGraph(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v27.0/"+testWABA+"/message_templates" {
			t.Errorf("path = %q", r.URL.Path)
		}
		q := r.URL.Query()
		if q.Get("limit") == "" || !strings.Contains(q.Get("fields"), "components") {
			t.Errorf("query = %v", q)
		}
		mu.Lock()
		afters = append(afters, q.Get("after"))
		mu.Unlock()
		switch q.Get("after") {
		case "":
			// next points at Meta's real host; the client must stay on
			// BaseURL and use the cursor.
			writeJSON(w, 200, `{"data":[{"id":"1","name":"hallo","language":"de","status":"APPROVED","category":"UTILITY","components":[{"type":"BODY","text":"Hallo {{1}}"}]}],"paging":{"cursors":{"before":"b0","after":"c1"},"next":"https:\/\/graph.facebook.com\/v27.0\/`+testWABA+`\/message_templates?access_token=LEAK&after=c1"}}`)
		case "c1":
			// No cursors object: the cursor must come from next.
			writeJSON(w, 200, `{"data":[{"id":"2","name":"versand","language":"de","status":"PENDING","category":"UTILITY"}],"paging":{"next":"https:\/\/graph.facebook.com\/v27.0\/`+testWABA+`\/message_templates?after=c2"}}`)
		case "c2":
			writeJSON(w, 200, `{"data":[{"id":"3","name":"promo","language":"en_US","status":"APPROVED","category":"MARKETING","parameter_format":"NAMED"}],"paging":{"cursors":{"before":"b2","after":"c3"}}}`)
		default:
			t.Errorf("unexpected cursor %q", q.Get("after"))
		}
	})
	_ = srv
	got, err := c.ListTemplates(context.Background(), testToken, testWABA)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tpl := range got {
		names = append(names, tpl.Name)
	}
	if strings.Join(names, ",") != "hallo,versand,promo" {
		t.Errorf("templates = %v", names)
	}
	if strings.Join(afters, ",") != ",c1,c2" {
		t.Errorf("cursors requested = %q", afters)
	}
	if got[0].Components[0].Text != "Hallo {{1}}" || got[2].ParameterFormat != ParamFormatNamed {
		t.Errorf("template fields lost: %+v", got)
	}
}

func TestListTemplatesRunaway(t *testing.T) {
	t.Run("endless cursors", func(t *testing.T) {
		var n atomic.Int32
		c, _ := newGraph(t, func(w http.ResponseWriter, r *http.Request) {
			i := n.Add(1)
			writeJSON(w, 200, fmt.Sprintf(`{"data":[],"paging":{"cursors":{"after":"c%d"},"next":"x"}}`, i))
		})
		if _, err := c.ListTemplates(context.Background(), testToken, testWABA); err == nil {
			t.Fatal("no error")
		}
		if got := n.Load(); got != MaxTemplatePages {
			t.Errorf("pages fetched = %d, want %d", got, MaxTemplatePages)
		}
	})
	t.Run("repeated cursor", func(t *testing.T) {
		var n atomic.Int32
		c, _ := newGraph(t, func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			writeJSON(w, 200, `{"data":[],"paging":{"cursors":{"after":"same"},"next":"x"}}`)
		})
		if _, err := c.ListTemplates(context.Background(), testToken, testWABA); err == nil || n.Load() != 2 {
			t.Errorf("err = %v after %d pages", err, n.Load())
		}
	})
	t.Run("error on a later page", func(t *testing.T) {
		var n atomic.Int32
		c, _ := newGraph(t, func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				writeJSON(w, 200, `{"data":[{"id":"1"}],"paging":{"cursors":{"after":"c1"},"next":"x"}}`)
				return
			}
			writeJSON(w, 400, `{"error":{"message":"(#80008) too many calls","type":"OAuthException","code":80008}}`)
		})
		_, err := c.ListTemplates(context.Background(), testToken, testWABA)
		if Classify(err) != Retry {
			t.Errorf("err = %v (%v)", err, Classify(err))
		}
	})
}

func TestClientDefaults(t *testing.T) {
	var c Client
	req, err := c.newRequest(context.Background(), http.MethodGet, "t", nil, nil, "", "123")
	if err != nil {
		t.Fatal(err)
	}
	if got := req.URL.String(); got != "https://graph.facebook.com/v27.0/123" {
		t.Errorf("url = %s", got)
	}
	// An older version, chosen in the configuration, is used as it is.
	c = Client{Version: "v24.0"}
	req, err = c.newRequest(context.Background(), http.MethodGet, "t", nil, nil, "", "123")
	if err != nil || req.URL.String() != "https://graph.facebook.com/v24.0/123" {
		t.Errorf("v24.0: url = %v, %v", req.URL, err)
	}
	c = Client{BaseURL: "graph.facebook.com"}
	if _, err := c.GetMedia(context.Background(), "t", "1"); !errors.Is(err, ErrInvalid) {
		t.Errorf("relative base url: %v", err)
	}
}

func TestBlockUsers(t *testing.T) {
	var method, path, body string
	answer := `{"messaging_product":"whatsapp","block_users":{"added_users":[{"input":"+4915112345678","wa_id":"4915112345678"}]}}`
	c, _ := newGraph(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		method, path, body = r.Method, r.URL.Path, string(b)
		writeJSON(w, 200, answer)
	})
	res, err := c.BlockUsers(context.Background(), testToken, testPhoneID, "+4915112345678")
	if err != nil || len(res.BlockUsers.Added) != 1 || res.BlockUsers.Added[0].WaID != "4915112345678" {
		t.Fatalf("BlockUsers = %+v, %v", res, err)
	}
	if method != "POST" || path != "/v27.0/"+testPhoneID+"/block_users" || body != `{"messaging_product":"whatsapp","block_users":[{"user":"+4915112345678"}]}` {
		t.Fatalf("request %s %s %s", method, path, body)
	}
	answer = `{"messaging_product":"whatsapp","block_users":{"removed_users":[{"input":"4915112345678","wa_id":"4915112345678"}]}}`
	if res, err := c.UnblockUsers(context.Background(), testToken, testPhoneID, "4915112345678"); err != nil || len(res.BlockUsers.Removed) != 1 || method != "DELETE" {
		t.Fatalf("UnblockUsers = %+v, %v (%s)", res, err, method)
	}
	answer = `{"messaging_product":"whatsapp","block_users":{"added_users":[],"failed_users":[{"input":"+4915112345678","wa_id":"4915112345678","errors":[{"message":"Re-engagement required","code":131047,"error_data":{"details":"User has not messaged in the last 24 hours"}}]}]}}`
	_, err = c.BlockUsers(context.Background(), testToken, testPhoneID, "+4915112345678")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 131047 || Classify(err) != Permanent {
		t.Fatalf("failed user: %v", err)
	}
	if _, err := c.BlockUsers(context.Background(), testToken, testPhoneID); !errors.Is(err, ErrInvalid) {
		t.Fatalf("no users: %v", err)
	}
}
