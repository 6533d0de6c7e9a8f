package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/emulator"
)

// openAPIPath is the document the server embeds and serves.
const openAPIPath = "../../internal/api/openapi.json"

// contract validates real responses against internal/api/openapi.json:
// each JSON body against the schema the document gives for its method,
// path and status (required fields, types, enums, formats, and, since every
// object schema in the document is closed, no undocumented field), and each
// status against the operation's documented responses.
type contract struct {
	t        reporter
	raw      map[string]any
	compiler *jsonschema.Compiler
	mu       sync.Mutex
	schemas  map[string]*jsonschema.Schema
	// seen records "METHOD /template STATUS" of every validated response.
	seen map[string]bool
}

func loadContract(t *testing.T) *contract {
	t.Helper()
	b, err := os.ReadFile(openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource("openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	return &contract{t: t, raw: raw, compiler: c, schemas: map[string]*jsonschema.Schema{}, seen: map[string]bool{}}
}

// schema compiles the schema at a JSON pointer into the document.
func (k *contract) schema(pointer string) (*jsonschema.Schema, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if s, ok := k.schemas[pointer]; ok {
		return s, nil
	}
	s, err := k.compiler.Compile("openapi.json#" + pointer)
	if err != nil {
		return nil, err
	}
	k.schemas[pointer] = s
	return s, nil
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// template finds the documented path that a concrete path matches,
// preferring literal segments over parameters (/media/limits over
// /media/{id}).
func (k *contract) template(path string) string {
	k.t.Helper()
	path, _, _ = strings.Cut(path, "?")
	segs := strings.Split(path, "/")
	best, bestLiterals := "", -1
	for p := range k.raw["paths"].(map[string]any) {
		ps := strings.Split(p, "/")
		if len(ps) != len(segs) {
			continue
		}
		literals := 0
		ok := true
		for i, s := range ps {
			switch {
			case strings.HasPrefix(s, "{"):
			case s == segs[i]:
				literals++
			default:
				ok = false
			}
		}
		if ok && literals > bestLiterals {
			best, bestLiterals = p, literals
		}
	}
	if best == "" {
		k.t.Fatalf("%s is not in openapi.json", path)
	}
	return best
}

// response returns the JSON pointer of the documented response, following
// a $ref to components/responses.
func (k *contract) response(method, tmpl string, status int) (string, map[string]any) {
	op, _ := k.raw["paths"].(map[string]any)[tmpl].(map[string]any)[strings.ToLower(method)].(map[string]any)
	if op == nil {
		return "", nil
	}
	code := strconv.Itoa(status)
	r, _ := op["responses"].(map[string]any)[code].(map[string]any)
	if r == nil {
		return "", nil
	}
	ptr := "/paths/" + escapePointer(tmpl) + "/" + strings.ToLower(method) + "/responses/" + code
	if ref, ok := r["$ref"].(string); ok {
		ptr = strings.TrimPrefix(ref, "#")
		r = k.raw["components"].(map[string]any)["responses"].(map[string]any)[ref[strings.LastIndex(ref, "/")+1:]].(map[string]any)
	}
	return ptr, r
}

// check validates one response: its status must be documented for the
// operation, and a JSON body must match the documented schema.
func (k *contract) check(method, path string, status int, contentType string, body []byte) {
	k.t.Helper()
	tmpl := k.template(path)
	ptr, resp := k.response(method, tmpl, status)
	where := fmt.Sprintf("%s %s %d", method, tmpl, status)
	if resp == nil {
		k.t.Errorf("%s: status not documented; body %s", where, body)
		return
	}
	k.mu.Lock()
	k.seen[where] = true
	k.mu.Unlock()
	content, _ := resp["content"].(map[string]any)
	if len(body) == 0 {
		if len(content) > 0 && status != http.StatusSwitchingProtocols {
			k.t.Errorf("%s: empty body, documented %v", where, keys(content))
		}
		return
	}
	mt, _, _ := strings.Cut(contentType, ";")
	if mt != "application/json" {
		if content[mt] == nil {
			k.t.Errorf("%s: content type %q not documented", where, contentType)
		}
		return
	}
	if content["application/json"] == nil {
		k.t.Errorf("%s: JSON body not documented: %s", where, body)
		return
	}
	k.validate(where, ptr+"/content/application~1json/schema", body)
}

// validate checks a JSON document against the schema at pointer.
func (k *contract) validate(where, pointer string, body []byte) {
	k.t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		k.t.Errorf("%s: not JSON: %v: %s", where, err, body)
		return
	}
	s, err := k.schema(pointer)
	if err != nil {
		k.t.Errorf("%s: %v", where, err)
		return
	}
	if err := s.Validate(inst); err != nil {
		k.t.Errorf("%s: response does not match openapi.json:\n%v\nbody: %s", where, err, truncate(body))
	}
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checked is a client whose every response goes through the contract.
type checked struct {
	*client
	k *contract
}

func (k *contract) wrap(c *client) *checked { return &checked{client: c, k: k} }

// call sends a request, checks status want and the contract, and decodes
// the body into v if it is not nil.
func (c *checked) call(want int, method, path string, body, v any) []byte {
	c.t.Helper()
	var r *bytes.Reader
	ct := ""
	if body == nil {
		r = bytes.NewReader(nil)
	} else {
		j, err := json.Marshal(body)
		if err != nil {
			c.t.Fatal(err)
		}
		r, ct = bytes.NewReader(j), "application/json"
	}
	return c.send(want, method, path, r, ct, v)
}

func (c *checked) send(want int, method, path string, r *bytes.Reader, contentType string, v any) []byte {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		c.t.Fatal(err)
	}
	out := buf.Bytes()
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s = %d, want %d: %s", method, path, resp.StatusCode, want, out)
	}
	c.k.check(method, path, resp.StatusCode, resp.Header.Get("Content-Type"), out)
	if v != nil {
		if err := json.Unmarshal(out, v); err != nil {
			c.t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return out
}

// TestResponsesMatchOpenAPI drives the real server (SQLite, the built-in
// emulator, real HTTP and WebSocket) through the main endpoints and
// validates every response against internal/api/openapi.json. The document
// is the contract the web app's TypeScript types are generated from
// (web/src/api/schema.d.ts), so a field the handlers add, drop, rename or
// fill with another type fails here, and the document then fails the web
// build when its types change.
func TestResponsesMatchOpenAPI(t *testing.T) {
	k := loadContract(t)
	app := startEmulated(t, nil)
	anon := k.wrap(app.client(""))

	var setupState struct{ Needed bool }
	anon.call(200, "GET", "/api/v1/setup", nil, &setupState)
	anon.call(200, "GET", "/api/v1/session", nil, nil)
	anon.call(401, "GET", "/api/v1/me", nil, nil)
	anon.call(401, "POST", "/api/v1/session", map[string]string{"login": "nobody", "password": "wrong password!"}, nil)
	anon.call(200, "GET", "/api/v1/openapi.json", nil, nil)

	_, setupToken, _ := strings.Cut(app.SetupURL, "#token=")
	var signedIn struct{ Token string }
	anon.call(201, "POST", "/api/v1/setup", map[string]string{
		"token": setupToken, "login": "admin", "name": "Ada Admin", "password": testPassword,
	}, &signedIn)
	admin := k.wrap(app.client(signedIn.Token))
	admin.call(200, "GET", "/api/v1/session", nil, nil)
	admin.call(200, "GET", "/api/v1/me", nil, nil)
	admin.call(200, "GET", "/api/v1/permissions", nil, nil)
	admin.call(200, "GET", "/api/v1/media/limits", nil, nil)
	admin.call(200, "GET", "/api/v1/backups/status", nil, nil)

	// Users and roles.
	var role switchboard.Role
	admin.call(201, "POST", "/api/v1/roles", map[string]any{
		"name": "Night shift", "description": "Replies at night", "permissions": []string{"conversations.reply", "users.read"},
		"all_channels": true,
	}, &role)
	admin.call(200, "GET", "/api/v1/roles", nil, nil)
	admin.call(200, "GET", "/api/v1/roles/"+role.ID, nil, nil)
	admin.call(200, "PATCH", "/api/v1/roles/"+role.ID, map[string]any{"description": "Replies after 22:00"}, nil)
	admin.call(200, "GET", "/api/v1/roles/"+switchboard.RoleAdmin, nil, nil)
	admin.call(404, "GET", "/api/v1/roles/"+switchboard.NewID(), nil, nil)
	admin.call(400, "POST", "/api/v1/roles", map[string]any{"name": "Bad", "permissions": []string{"no.such"}, "all_channels": true}, nil)

	var emp switchboard.User
	admin.call(201, "POST", "/api/v1/users", map[string]string{
		"login": "elif", "name": "Elif", "role_id": switchboard.RoleEmployee, "password": testPassword,
	}, &emp)
	var nightUser switchboard.User
	admin.call(201, "POST", "/api/v1/users", map[string]string{
		"login": "nina", "name": "Nina", "role_id": role.ID, "password": testPassword,
	}, &nightUser)
	admin.call(200, "GET", "/api/v1/users", nil, nil)
	admin.call(200, "GET", "/api/v1/users?q=eli&active=true", nil, nil)
	admin.call(200, "GET", "/api/v1/users/"+emp.ID, nil, nil)
	admin.call(200, "PATCH", "/api/v1/users/"+nightUser.ID, map[string]any{"name": "Nina N."}, nil)
	admin.call(400, "GET", "/api/v1/users?limit=0", nil, nil)
	admin.call(409, "DELETE", "/api/v1/roles/"+role.ID, nil, nil)
	admin.call(200, "PATCH", "/api/v1/users/"+nightUser.ID, map[string]any{"role_id": switchboard.RoleOperator}, nil)
	admin.call(204, "DELETE", "/api/v1/roles/"+role.ID, nil, nil)

	var employeeLogin struct{ Token string }
	anon.call(201, "POST", "/api/v1/session", map[string]string{"login": "elif", "password": testPassword}, &employeeLogin)
	employee := k.wrap(app.client(employeeLogin.Token))
	employee.call(403, "GET", "/api/v1/audit", nil, nil)
	employee.call(403, "GET", "/api/v1/users", nil, nil)

	// Channels and templates (the emulated channel syncs its templates
	// from the emulator's Graph API).
	var channels struct {
		Items []struct{ ID string }
	}
	admin.call(200, "GET", "/api/v1/channels", nil, &channels)
	if len(channels.Items) != 1 {
		t.Fatalf("channels = %+v", channels)
	}
	chID := channels.Items[0].ID
	admin.call(200, "GET", "/api/v1/channels/"+chID, nil, nil)
	employee.call(200, "GET", "/api/v1/channels/"+chID, nil, nil)
	admin.call(200, "PATCH", "/api/v1/channels/"+chID, map[string]any{"retention_days": 30}, nil)
	admin.call(200, "POST", "/api/v1/channels/"+chID+"/templates/sync", nil, nil)
	admin.call(200, "GET", "/api/v1/templates?channel="+chID, nil, nil)
	var created struct{ ID string }
	admin.call(201, "POST", "/api/v1/channels", map[string]any{
		"name": "Second", "phone_number_id": "1234567890", "waba_id": "99887766", "display_phone_number": "+49 30 7654321",
		"access_token": strings.Repeat("t", 40), "app_secret": strings.Repeat("s", 32), "verify_token": strings.Repeat("v", 24),
	}, &created)
	admin.call(200, "GET", "/api/v1/channels/"+created.ID, nil, nil)

	// A live subscription sees the events that follow; each frame is
	// checked against the Event schema and its data against the schema of
	// its type.
	events := k.subscribe(t, app, admin.client)

	// Conversations and messages, from a customer on the emulator.
	const wa = "4915123456789"
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Jürgen Kunde", Text: "Hallo, ich habe eine Frage"})
	conv := conversationOf(t, admin.client, wa)
	admin.call(200, "GET", "/api/v1/conversations", nil, nil)
	admin.call(200, "GET", "/api/v1/conversations?status=open&assignment=unassigned&q=jurg", nil, nil)
	admin.call(200, "GET", "/api/v1/conversations/"+conv.ID, nil, nil)
	admin.call(200, "PUT", "/api/v1/conversations/"+conv.ID+"/assignees/"+emp.ID, nil, nil)
	// The contact panel: a field, a value, a note, then the panel.
	var tier struct{ ID string }
	admin.call(201, "POST", "/api/v1/contact-attributes", map[string]any{"name": "Tier", "type": "list", "options": []string{"Gold"}}, &tier)
	admin.call(200, "GET", "/api/v1/contact-attributes", nil, nil)
	admin.call(200, "PUT", "/api/v1/contact-attributes/"+tier.ID, map[string]any{"name": "Tier", "options": []string{"Gold", "Silver"}}, nil)
	admin.call(200, "PUT", "/api/v1/conversations/"+conv.ID+"/contact/attributes", map[string]any{"values": map[string]string{tier.ID: "Gold"}}, nil)
	admin.call(400, "PUT", "/api/v1/conversations/"+conv.ID+"/contact/attributes", map[string]any{"values": map[string]string{tier.ID: "Bronze"}}, nil)
	admin.call(201, "POST", "/api/v1/conversations/"+conv.ID+"/contact/notes", map[string]string{"text": "VIP"}, nil)
	admin.call(200, "GET", "/api/v1/conversations/"+conv.ID+"/contact", nil, nil)
	employee.call(200, "GET", "/api/v1/conversations?limit=1", nil, nil)
	var sent struct{ ID string }
	employee.call(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "Gern, worum geht es?"}, &sent)
	waitMessage(t, admin.client, conv.ID, "reply read", func(m apiMessage) bool { return m.ID == sent.ID && m.Status == "read" })
	var media struct{ ID string }
	admin.upload(t, "/api/v1/conversations/"+conv.ID+"/media", "receipt.png", "image/png", pngBytes(), &media)
	admin.call(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "image", "media_id": media.ID, "text": "Ihr Beleg"}, nil)
	admin.call(422, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]any{"type": "template", "template": map[string]string{"name": "no_such_template", "language": "de"}}, nil)
	app.customer(t, emulator.CustomerMessage{WaID: wa, Type: "location", Location: &emulator.Location{Latitude: 52.52, Longitude: 13.405, Name: "Alexanderplatz"}})
	waitMessage(t, admin.client, conv.ID, "the location", func(m apiMessage) bool { return m.Type == "location" })
	reply := app.phoneGot(t, wa, "the text reply", func(m emulator.PhoneMessage) bool { return m.Text == "Gern, worum geht es?" })
	app.customer(t, emulator.CustomerMessage{WaID: wa, Type: "reaction", Emoji: "👍", ReactTo: reply.ID})
	app.customer(t, emulator.CustomerMessage{WaID: wa, Text: "Die Rechnung", ReplyTo: reply.ID})
	waitMessage(t, admin.client, conv.ID, "the reaction", func(m apiMessage) bool { return m.Type == "reaction" })
	waitMessage(t, admin.client, conv.ID, "the image", func(m apiMessage) bool {
		return m.Type == "image" && m.Content.Media != nil && m.Status == "read"
	})
	admin.call(200, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, nil)
	admin.call(200, "GET", "/api/v1/conversations/"+conv.ID+"/messages?limit=1", nil, nil)

	// A number not on WhatsApp: the send fails later, with Meta's error.
	const gone = "4900123456789"
	app.customer(t, emulator.CustomerMessage{WaID: gone, Name: "Weg", Text: "hallo"})
	goneConv := conversationOf(t, admin.client, gone)
	var failed struct{ ID string }
	admin.call(202, "POST", "/api/v1/conversations/"+goneConv.ID+"/messages", map[string]string{"type": "text", "text": "Antwort"}, &failed)
	waitMessage(t, admin.client, goneConv.ID, "failed status", func(m apiMessage) bool { return m.ID == failed.ID && m.Status == "failed" })
	admin.call(200, "GET", "/api/v1/conversations/"+goneConv.ID+"/messages", nil, nil)

	// A role limited to one channel lists its channel ids.
	var limited switchboard.Role
	admin.call(201, "POST", "/api/v1/roles", map[string]any{
		"name": "Main number only", "permissions": []string{"conversations.reply"}, "channel_ids": []string{chID},
	}, &limited)
	admin.call(200, "GET", "/api/v1/roles/"+limited.ID, nil, nil)
	admin.call(400, "GET", "/api/v1/conversations/"+conv.ID+"/messages?limit=x", nil, nil)
	admin.call(204, "POST", "/api/v1/conversations/"+conv.ID+"/read", nil, nil)
	admin.call(200, "PATCH", "/api/v1/conversations/"+conv.ID, map[string]string{"status": "closed"}, nil)
	admin.call(200, "PATCH", "/api/v1/conversations/"+conv.ID, map[string]string{"status": "open"}, nil)
	admin.call(200, "DELETE", "/api/v1/conversations/"+conv.ID+"/assignees/"+emp.ID, nil, nil)
	employee.call(404, "GET", "/api/v1/conversations/"+conv.ID, nil, nil)

	// Dead letters: a message without a sender is kept, listed, replayed.
	now := time.Now().Unix()
	app.postSigned(t, messagesBody(`{"profile":{"name":"Ben"},"wa_id":"4915000000777"}`,
		fmt.Sprintf(`{"id":"wamid.nobody","timestamp":"%d","type":"text","text":{"body":"?"}}`, now)))
	var dead struct {
		Items []struct{ ID int64 }
	}
	eventually(t, "a dead letter", func() bool {
		admin.call(200, "GET", "/api/v1/dead-letters", nil, &dead)
		return len(dead.Items) == 1
	})
	admin.call(204, "POST", fmt.Sprintf("/api/v1/dead-letters/%d/replay", dead.Items[0].ID), nil, nil)
	admin.call(404, "POST", "/api/v1/dead-letters/987654321/replay", nil, nil)

	// Audit log and reports.
	admin.call(200, "GET", "/api/v1/audit", nil, nil)
	admin.call(200, "GET", "/api/v1/audit?action=user.create&limit=5", nil, nil)
	admin.call(200, "POST", "/api/v1/audit/verify", nil, nil)
	today := time.Now().UTC().Format("2006-01-02")
	for _, r := range []string{"conversations", "agents", "messages", "costs", "bots"} {
		admin.call(200, "GET", "/api/v1/reports/"+r+"?from="+today+"&to="+today+"&tz=Europe/Berlin", nil, nil)
		admin.call(200, "GET", "/api/v1/reports/"+r+"?from="+today+"&to="+today+"&format=csv", nil, nil)
	}
	admin.call(400, "GET", "/api/v1/reports/conversations?from=yesterday", nil, nil)

	// Erasure comes last: it deletes the conversation (an event too).
	var contact struct {
		Contact struct{ ID string }
	}
	admin.call(200, "GET", "/api/v1/conversations/"+conv.ID, nil, &contact)
	admin.call(200, "DELETE", "/api/v1/contacts/"+contact.Contact.ID, nil, nil)
	admin.call(404, "GET", "/api/v1/conversations/"+conv.ID, nil, nil)

	// Sessions last of all.
	admin.call(204, "DELETE", "/api/v1/session", nil, nil)
	admin.call(401, "GET", "/api/v1/me", nil, nil)

	for _, want := range []string{
		switchboard.EventConversationCreated, switchboard.EventMessageCreated, switchboard.EventMessageUpdated,
		switchboard.EventConversationUpdated, switchboard.EventConversationAssigned, switchboard.EventConversationUnassigned,
		switchboard.EventConversationDeleted,
	} {
		events.wait(t, want)
	}

	// Every documented JSON answer of the operations above was seen.
	var missing []string
	for _, want := range []string{
		"GET /api/v1/setup 200", "POST /api/v1/setup 201", "GET /api/v1/session 200", "POST /api/v1/session 201",
		"GET /api/v1/me 200", "GET /api/v1/permissions 200", "GET /api/v1/users 200", "POST /api/v1/users 201",
		"GET /api/v1/users/{id} 200", "PATCH /api/v1/users/{id} 200", "GET /api/v1/roles 200", "POST /api/v1/roles 201",
		"GET /api/v1/roles/{id} 200", "PATCH /api/v1/roles/{id} 200", "GET /api/v1/conversations 200",
		"GET /api/v1/conversations/{id} 200", "PATCH /api/v1/conversations/{id} 200",
		"GET /api/v1/conversations/{id}/messages 200", "POST /api/v1/conversations/{id}/messages 202",
		"PUT /api/v1/conversations/{id}/assignees/{userId} 200", "DELETE /api/v1/conversations/{id}/assignees/{userId} 200",
		"GET /api/v1/audit 200", "POST /api/v1/audit/verify 200", "GET /api/v1/backups/status 200",
		"GET /api/v1/events 101", "GET /api/v1/channels 200", "POST /api/v1/channels 201", "GET /api/v1/channels/{id} 200",
		"PATCH /api/v1/channels/{id} 200", "POST /api/v1/channels/{id}/templates/sync 200", "GET /api/v1/templates 200",
		"POST /api/v1/conversations/{id}/media 201", "GET /api/v1/media/limits 200", "DELETE /api/v1/contacts/{id} 200",
		"GET /api/v1/dead-letters 200", "GET /api/v1/reports/conversations 200", "GET /api/v1/reports/agents 200",
		"GET /api/v1/reports/messages 200", "GET /api/v1/reports/costs 200", "GET /api/v1/reports/bots 200",
	} {
		if !k.seen[want] {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 {
		t.Errorf("not exercised: %v", missing)
	}
}

// upload posts a multipart file and checks the contract.
func (c *checked) upload(t *testing.T, path, name, mimeType string, data []byte, v any) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.WriteField("type", "image"); err != nil {
		t.Fatal(err)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
	h.Set("Content-Type", mimeType)
	part, err := w.CreatePart(h)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := part.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	c.send(201, "POST", path, bytes.NewReader(buf.Bytes()), w.FormDataContentType(), v)
}

// eventStream validates every frame of a WebSocket subscription.
type eventStream struct {
	mu   sync.Mutex
	seen map[string]bool
	cond chan struct{}
}

// eventData maps an event type to the component schema of its data.
var eventData = map[string]string{
	switchboard.EventMessageCreated:         "Message",
	switchboard.EventMessageUpdated:         "Message",
	switchboard.EventConversationCreated:    "Conversation",
	switchboard.EventConversationUpdated:    "Conversation",
	switchboard.EventConversationAssigned:   "AssignmentEvent",
	switchboard.EventConversationUnassigned: "AssignmentEvent",
	switchboard.EventConversationDeleted:    "DeletedConversation",
	switchboard.EventHandoffToHuman:         "HandoffChange",
	switchboard.EventHandoffToBot:           "HandoffChange",
	switchboard.EventBotTurn:                "BotTurn",
	switchboard.EventSuggestionCreate:       "Suggestion",
	switchboard.EventSuggestionUpdate:       "Suggestion",
}

func (k *contract) subscribe(t *testing.T, app *testApp, c *client) *eventStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	url := "ws" + strings.TrimPrefix(app.URL, "http") + "/api/v1/events"
	conn, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + c.token}}})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	k.check("GET", "/api/v1/events", resp.StatusCode, "", nil)
	s := &eventStream{seen: map[string]bool{}, cond: make(chan struct{}, 1)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			_, b, err := conn.Read(ctx)
			if err != nil {
				return
			}
			k.validate("event frame", "/paths/"+escapePointer("/api/v1/events")+"/get/responses/101/content/application~1json/schema", b)
			var e struct {
				Type string          `json:"type"`
				Data json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(b, &e); err != nil {
				t.Errorf("event %s: %v", b, err)
				return
			}
			if name, ok := eventData[e.Type]; ok {
				k.validate("event "+e.Type+" data", "/components/schemas/"+name, e.Data)
			}
			s.mu.Lock()
			s.seen[e.Type] = true
			s.mu.Unlock()
			select {
			case s.cond <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() { cancel(); conn.CloseNow(); <-done })
	return s
}

// wait returns once an event of type typ was received.
func (s *eventStream) wait(t *testing.T, typ string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		s.mu.Lock()
		ok := s.seen[typ]
		s.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-s.cond:
		case <-deadline:
			t.Fatalf("no %s event", typ)
		}
	}
}

// TestContractRefusesDrift shows that the contract check fails on the
// drifts it exists for: an undocumented field, a missing required field, a
// value outside an enum, a wrong type, an undocumented status.
func TestContractRefusesDrift(t *testing.T) {
	k := loadContract(t)
	good := `{"id":"u1","login":"ada","name":"Ada","role_id":"admin","active":true,"created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:05Z"}`
	for _, c := range []struct {
		name, status, body string
		ok                 bool
	}{
		{"as documented", "200", good, true},
		{"undocumented field", "200", strings.Replace(good, `"active":true`, `"active":true,"password_hash":"x"`, 1), false},
		{"missing required field", "200", strings.Replace(good, `"login":"ada",`, "", 1), false},
		{"wrong type", "200", strings.Replace(good, `"active":true`, `"active":"yes"`, 1), false},
		{"not a date-time", "200", strings.Replace(good, `"created_at":"2026-01-02T03:04:05Z"`, `"created_at":"yesterday"`, 1), false},
		{"error shape", "404", `{"error":{"code":"not_found","message":"Not found."}}`, true},
		{"unknown error code", "404", `{"error":{"code":"gone","message":"Gone."}}`, false},
		{"undocumented status", "418", `{}`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, _ := strconv.Atoi(c.status)
			failed := recordFailure(func(r reporter) {
				rec := &contract{t: r, raw: k.raw, compiler: k.compiler, schemas: k.schemas, seen: map[string]bool{}}
				rec.check("GET", "/api/v1/users/u1", status, "application/json", []byte(c.body))
			})
			if failed == c.ok {
				t.Errorf("check failed = %v, want %v", failed, !c.ok)
			}
		})
	}
	wrongEnum := `{"id":"c1","channel_id":"ch","contact":{"id":"k","channel_id":"ch","phone":"49","name":"N","created_at":"2026-01-02T03:04:05Z"},"status":"archived","snoozed_until":null,"assignees":[],"last_message":null,"last_inbound_at":null,"window_closes_at":null,"unread_count":0,"created_at":"2026-01-02T03:04:05Z","updated_at":"2026-01-02T03:04:05Z","handler":"human","handoff":null}`
	if !recordFailure(func(r reporter) {
		rec := &contract{t: r, raw: k.raw, compiler: k.compiler, schemas: k.schemas, seen: map[string]bool{}}
		rec.check("GET", "/api/v1/conversations/c1", 200, "application/json", []byte(wrongEnum))
	}) {
		t.Error("a status outside the enum passed")
	}
	if recordFailure(func(r reporter) {
		rec := &contract{t: r, raw: k.raw, compiler: k.compiler, schemas: k.schemas, seen: map[string]bool{}}
		rec.check("GET", "/api/v1/conversations/c1", 200, "application/json", []byte(strings.Replace(wrongEnum, "archived", "open", 1)))
	}) {
		t.Error("a valid conversation failed")
	}
}

// reporter is the part of testing.TB the contract reports through.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// recorder is a reporter that only notes that a check failed.
type recorder struct{ failed bool }

type stopCheck struct{}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true; panic(stopCheck{}) }

// recordFailure runs f and reports whether it reported a failure.
func recordFailure(f func(reporter)) (failed bool) {
	r := &recorder{}
	defer func() {
		if v := recover(); v != nil {
			if _, ok := v.(stopCheck); !ok {
				panic(v)
			}
		}
		failed = r.failed
	}()
	f(r)
	return r.failed
}

// TestOpenAPICataloguesMatchGo holds the document's enums to the Go
// catalogues they describe: permissions, event types, message types,
// statuses and directions, conversation statuses, audit outcomes and error
// codes. The Go side is read from the domain package's source, so a
// constant added there without the document fails here.
func TestOpenAPICataloguesMatchGo(t *testing.T) {
	k := loadContract(t)
	consts := domainStringConstants(t)
	byPrefix := func(prefix string, skip ...string) []string {
		var out []string
		for name, v := range consts {
			if strings.HasPrefix(name, prefix) && !slices.Contains(skip, name) {
				out = append(out, v)
			}
		}
		return out
	}
	var perms []string
	for _, p := range switchboard.Permissions() {
		perms = append(perms, string(p))
	}
	for _, c := range []struct {
		pointer string
		want    []string
	}{
		{"/components/schemas/Permission/enum", perms},
		{"/components/schemas/Permission/enum", byPrefix("Perm")},
		{"/components/schemas/Event/properties/type/enum", byPrefix("Event")},
		{"/components/schemas/Message/properties/type/enum", byPrefix("Type")},
		{"/components/schemas/Message/properties/status/enum", byPrefix("Message")},
		{"/components/schemas/Message/properties/direction/enum", byPrefix("Direction")},
		{"/components/schemas/MessagePreview/properties/direction/enum", byPrefix("Direction")},
		{"/components/schemas/Conversation/properties/status/enum", byPrefix("Status", "StatusClosedAlias")},
		{"/components/schemas/AuditEntry/properties/outcome/enum", byPrefix("Outcome")},
		{"/components/schemas/Error/properties/error/properties/code/enum", byPrefix("E", eventNames(consts)...)},
	} {
		got := k.enum(t, c.pointer)
		sort.Strings(got)
		want := slices.Clone(c.want)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s = %v, Go has %v", c.pointer, got, want)
		}
	}
}

// eventNames lists the Event* constants, which share error codes' "E".
func eventNames(consts map[string]string) []string {
	var out []string
	for name := range consts {
		if strings.HasPrefix(name, "Event") {
			out = append(out, name)
		}
	}
	return out
}

// enum reads a string list at a JSON pointer in the document.
func (k *contract) enum(t *testing.T, pointer string) []string {
	t.Helper()
	var node any = k.raw
	for _, p := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		m, ok := node.(map[string]any)
		if !ok {
			t.Fatalf("%s: no object at %s", pointer, p)
		}
		node = m[p]
	}
	list, ok := node.([]any)
	if !ok {
		t.Fatalf("%s: not a list", pointer)
	}
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = v.(string)
	}
	return out
}

// domainStringConstants returns the string constants of the domain package
// (the repository root) by name, read from its source.
func domainStringConstants(t *testing.T) map[string]string {
	t.Helper()
	files, err := filepath.Glob("../../*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i >= len(vs.Values) || !name.IsExported() {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out[name.Name] = v
				}
			}
		}
	}
	return out
}
