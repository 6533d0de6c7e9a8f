package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

type capturedHook struct {
	header http.Header
	body   []byte
}

// TestOutgoingWebhookEndToEnd: an administrator subscribes a receiver
// (allowed through SWITCHBOARD_WEBHOOK_ALLOW_HOSTS) over the API; a
// customer message arrives; the receiver gets a signed message.created
// whose body is the REST API's message, and the delivery log shows it;
// redeliver sends it again with the same delivery id.
func TestOutgoingWebhookEndToEnd(t *testing.T) {
	hooks := make(chan capturedHook, 16)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hooks <- capturedHook{r.Header.Clone(), b}
	}))
	defer rcv.Close()
	app := startApp(t, map[string]string{"SWITCHBOARD_WEBHOOK_ALLOW_HOSTS": "127.0.0.1"})
	admin := app.setupAdmin()
	ch := app.channel("Main")

	// Without the allow-list entry the same URL would be refused.
	if code, body := admin.do("POST", "/api/v1/webhooks", map[string]any{"url": "http://10.1.2.3/hook", "events": []string{"message.created"}}); code != 400 {
		t.Fatalf("private target: %d %s", code, body)
	}
	var sub struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	admin.must(201, "POST", "/api/v1/webhooks", map[string]any{"url": rcv.URL + "/hook", "events": []string{"message.created"}}, &sub)
	if sub.Secret == "" {
		t.Fatal("no secret in the create response")
	}
	var got struct {
		Items []map[string]any `json:"items"`
	}
	admin.must(200, "GET", "/api/v1/webhooks", nil, &got)
	if len(got.Items) != 1 || got.Items[0]["secret"] != nil {
		t.Fatalf("list = %v; want one, without its secret", got.Items)
	}

	conv := app.customerWrites(ch.ID, "4915112345678", "Anna", "Hallo Webhook")
	h := waitHook(t, hooks)
	if h.header.Get(switchboard.HeaderWebhookEvent) != "message.created" || h.header.Get(switchboard.HeaderWebhookDelivery) == "" {
		t.Fatalf("headers = %v", h.header)
	}
	if !switchboard.VerifyWebhook(sub.Secret, h.header.Get(switchboard.HeaderWebhookSignature), h.body, time.Now(), 5*time.Minute) {
		t.Fatal("signature does not verify")
	}
	var ev struct {
		Type           string              `json:"type"`
		ConversationID string              `json:"conversation_id"`
		Data           switchboard.Message `json:"data"`
	}
	if err := json.Unmarshal(h.body, &ev); err != nil || ev.Type != "message.created" || ev.ConversationID != conv.ID ||
		ev.Data.Content.Text != "Hallo Webhook" {
		t.Fatalf("body = %s (%v)", h.body, err)
	}

	var log struct {
		Items []switchboard.WebhookDelivery `json:"items"`
	}
	waitFor(t, func() bool {
		admin.must(200, "GET", "/api/v1/webhooks/"+sub.ID+"/deliveries", nil, &log)
		return len(log.Items) == 1 && log.Items[0].State == switchboard.DeliveryDelivered
	})
	if d := log.Items[0]; d.ID != h.header.Get(switchboard.HeaderWebhookDelivery) || d.LastStatus != 200 || d.Attempts != 1 {
		t.Fatalf("log = %+v", d)
	}
	admin.must(202, "POST", "/api/v1/webhooks/"+sub.ID+"/deliveries/"+log.Items[0].ID+"/redeliver", nil, nil)
	again := waitHook(t, hooks)
	if again.header.Get(switchboard.HeaderWebhookDelivery) != log.Items[0].ID || string(again.body) != string(h.body) {
		t.Fatalf("redelivery = %v %s", again.header, again.body)
	}

	// An operator without channels.manage is refused; a stranger's id is 404.
	op, _ := app.createUser(admin, "olga", "operator")
	if code, _ := op.do("GET", "/api/v1/webhooks", nil); code != 403 {
		t.Errorf("operator list = %d", code)
	}
	if code, _ := op.do("GET", "/api/v1/webhooks/"+sub.ID+"/deliveries", nil); code != 404 {
		t.Errorf("operator deliveries = %d", code)
	}
	testSnippets(t, sub.Secret, h)
}

func waitHook(t *testing.T, hooks chan capturedHook) capturedHook {
	t.Helper()
	select {
	case h := <-hooks:
		return h
	case <-time.After(20 * time.Second):
		t.Fatal("no webhook delivery within 20 s")
	}
	return capturedHook{}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 20 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var snippetOnce sync.Once
var snippets map[string]string

// docSnippets returns the verification snippets of docs/automation.md by
// fence language.
func docSnippets(t *testing.T) map[string]string {
	snippetOnce.Do(func() {
		b, err := os.ReadFile("../../docs/automation.md")
		if err != nil {
			t.Fatal(err)
		}
		snippets = map[string]string{}
		for _, m := range regexp.MustCompile("(?s)```(go|python|js)\n(.*?)```").FindAllStringSubmatch(string(b), -1) {
			snippets[m[1]] = m[2]
		}
	})
	return snippets
}

// testSnippets runs the documented Go, Python and Node snippets against a
// real signed delivery, and against a tampered body. Python and Node run
// when installed (the Go one always does).
func testSnippets(t *testing.T, secret string, h capturedHook) {
	sn := docSnippets(t)
	for lang, code := range sn {
		if n := strings.Count(strings.TrimSpace(code), "\n") + 1; n > 10 {
			t.Errorf("%s snippet has %d lines, want at most 10", lang, n)
		}
	}
	dir := t.TempDir()
	sig := h.header.Get(switchboard.HeaderWebhookSignature)
	good, bad := filepath.Join(dir, "good.json"), filepath.Join(dir, "bad.json")
	os.WriteFile(good, h.body, 0o600)
	os.WriteFile(bad, append([]byte(" "), h.body...), 0o600)
	type runner struct {
		lang, file, source string
		cmd                func(file, body string) *exec.Cmd
	}
	runners := []runner{
		{"go", "main.go", "package main\n\nimport (\n\t\"crypto/hmac\"\n\t\"crypto/sha256\"\n\t\"encoding/hex\"\n\t\"fmt\"\n\t\"os\"\n\t\"strconv\"\n\t\"strings\"\n\t\"time\"\n)\n\n" +
			sn["go"] + "\nfunc main() {\n\tb, _ := os.ReadFile(os.Args[3])\n\tfmt.Println(verify(os.Args[1], os.Args[2], b))\n}\n",
			func(file, body string) *exec.Cmd { return exec.Command("go", "run", file, secret, sig, body) }},
		{"python", "verify.py", sn["python"] + "\nimport sys\nprint(str(verify(sys.argv[1], sys.argv[2], open(sys.argv[3], 'rb').read())).lower())\n",
			func(file, body string) *exec.Cmd { return exec.Command("python3", file, secret, sig, body) }},
		{"js", "verify.js", sn["js"] + "\nconsole.log(String(verify(process.argv[2], process.argv[3], require('node:fs').readFileSync(process.argv[4]))));\n",
			func(file, body string) *exec.Cmd { return exec.Command("node", file, secret, sig, body) }},
	}
	for _, r := range runners {
		if sn[r.lang] == "" {
			t.Errorf("docs/automation.md has no %s snippet", r.lang)
			continue
		}
		bin := map[string]string{"go": "go", "python": "python3", "js": "node"}[r.lang]
		if _, err := exec.LookPath(bin); err != nil {
			t.Logf("%s not installed: %s snippet not run", bin, r.lang)
			continue
		}
		file := filepath.Join(dir, r.file)
		if err := os.WriteFile(file, []byte(r.source), 0o600); err != nil {
			t.Fatal(err)
		}
		for body, want := range map[string]string{good: "true", bad: "false"} {
			out, err := r.cmd(file, body).CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != want {
				t.Errorf("%s snippet on %s = %q (%v), want %s", r.lang, filepath.Base(body), out, err, want)
			}
		}
	}
}
