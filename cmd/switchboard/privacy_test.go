package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// download fetches path as c and returns the response and its body.
func (c *client) download(path string) (*http.Response, []byte) {
	c.t.Helper()
	req, err := http.NewRequest("GET", c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("GET %s: read body: %v", path, err)
	}
	return resp, b
}

// unzip returns the archive's files by name.
func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip archive: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		files[f.Name] = data
	}
	return files
}

// TestContactExport exports a contact through the API and checks the
// archive holds their profile, whole history, decrypted files and the
// audit of who accessed them, and nothing about anyone else; that only
// privacy.manage within the role's channels may export; and that the
// export is audited.
func TestContactExport(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	op, opUser := app.createUser(admin, "olga", switchboard.RoleOperator)
	emp, _ := app.createUser(admin, "emil", switchboard.RoleEmployee)
	main, other := app.channel("Main"), app.channel("Filiale")
	ctx := context.Background()

	start := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	conv := app.customerWroteAt(main.ID, "4915111110001", "Clara Auskunft", "Welche Daten haben Sie über mich?", start)
	app.customerWroteAt(main.ID, "4915111110001", "Clara Auskunft", "Zweite Frage", start.Add(time.Minute))
	stranger := app.customerWrites(main.ID, "4915111110002", "Fremder Dritter", "Nachricht eines anderen")

	admin.must(200, "PUT", "/api/v1/conversations/"+conv.ID+"/assignees/"+opUser.ID, nil, nil)
	op.must(200, "GET", "/api/v1/conversations/"+conv.ID+"/messages", nil, nil)
	op.must(202, "POST", "/api/v1/conversations/"+conv.ID+"/messages", map[string]string{"type": "text", "text": "Wir schicken Ihnen alles."}, nil)
	op.must(201, "POST", "/api/v1/conversations/"+conv.ID+"/notes", map[string]any{"text": "Kundin hat Ausweis geschickt"}, nil)
	admin.must(201, "POST", "/api/v1/conversations/"+stranger.ID+"/notes", map[string]any{"text": "Notiz zu jemand anderem"}, nil)
	var tier struct{ ID string }
	admin.must(201, "POST", "/api/v1/contact-attributes", map[string]any{"name": "Stufe", "type": "list", "options": []string{"Gold"}}, &tier)
	op.must(201, "POST", "/api/v1/conversations/"+conv.ID+"/contact/notes", map[string]any{"text": "Ruft lieber abends an"}, nil)
	op.must(200, "PUT", "/api/v1/conversations/"+conv.ID+"/contact/attributes", map[string]any{"values": map[string]string{tier.ID: "Gold"}}, nil)
	admin.must(201, "POST", "/api/v1/conversations/"+stranger.ID+"/contact/notes", map[string]any{"text": "Kontaktnotiz zu jemand anderem"}, nil)
	// A stored file, with a name that tries to escape the archive's folder.
	file := &switchboard.MediaFile{ID: switchboard.NewID(), ConversationID: conv.ID, KeyID: conv.KeyID, MIMEType: "application/pdf",
		Filename: "../../Ausweis Clara.pdf", Size: 14, SHA256: "x"}
	must(t, app.System.WriteMedia(ctx, file, strings.NewReader("%PDF-1.7 Clara")))
	must(t, app.Store.CreateMedia(ctx, file))
	lost := &switchboard.MediaFile{ID: switchboard.NewID(), ConversationID: conv.ID, KeyID: conv.KeyID, MIMEType: "image/jpeg", Size: 3, SHA256: "y"}
	must(t, app.System.WriteMedia(ctx, lost, strings.NewReader("jpg")))
	must(t, app.Store.CreateMedia(ctx, lost))
	must(t, app.Service.Blobs.Delete(ctx, lost.ID)) // lost from media storage

	exportPath := "/api/v1/contacts/" + conv.Contact.ID + "/export"
	resp, body := admin.download(exportPath)
	if resp.StatusCode != 200 {
		t.Fatalf("export: %d %s", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/zip" {
		t.Errorf("Content-Type = %q", ct)
	}
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err != nil ||
		params["filename"] != "switchboard-contact-"+conv.Contact.ID+".zip" {
		t.Errorf("Content-Disposition = %q", resp.Header.Get("Content-Disposition"))
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q", resp.Header.Get("Cache-Control"))
	}
	files := unzip(t, body)
	wantPDF := "media/" + file.ID + "-Ausweis Clara.pdf"
	var names []string
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	want := []string{"README.txt", "access_log.json", "contact.json", "conversations.json", "media.json", wantPDF, "messages.json", "notes.json", "suggestions.json", "contact_notes.json", "attributes.json"}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Fatalf("archive holds %q, want %q", names, want)
	}
	if string(files[wantPDF]) != "%PDF-1.7 Clara" {
		t.Errorf("media file = %q", files[wantPDF])
	}

	var profile struct {
		Contact    switchboard.Contact `json:"contact"`
		Channel    struct{ ID, Name string }
		ExportedBy string `json:"exported_by"`
	}
	must(t, json.Unmarshal(files["contact.json"], &profile))
	if profile.Contact.ID != conv.Contact.ID || profile.Contact.Name != "Clara Auskunft" || profile.Contact.WaID != "4915111110001" ||
		profile.Channel.ID != main.ID || profile.Channel.Name != "Main" || profile.ExportedBy != "admin" {
		t.Errorf("contact.json = %s", files["contact.json"])
	}
	var msgs []switchboard.Message
	must(t, json.Unmarshal(files["messages.json"], &msgs))
	var texts []string
	for _, m := range msgs {
		texts = append(texts, m.Content.Text)
	}
	if !slices.Equal(texts, []string{"Welche Daten haben Sie über mich?", "Zweite Frage", "Wir schicken Ihnen alles."}) {
		t.Errorf("messages, oldest first = %q", texts)
	}
	var convs []switchboard.Conversation
	must(t, json.Unmarshal(files["conversations.json"], &convs))
	if len(convs) != 1 || convs[0].ID != conv.ID || len(convs[0].Assignees) != 1 || convs[0].Assignees[0].ID != opUser.ID {
		t.Errorf("conversations.json = %s", files["conversations.json"])
	}
	// The team's note about her and the assignment's activity line, and
	// nothing of another customer's conversation.
	var thread []switchboard.ThreadEntry
	must(t, json.Unmarshal(files["notes.json"], &thread))
	var notes, assigned int
	for _, e := range thread {
		if e.ConversationID != conv.ID {
			t.Errorf("notes.json holds an entry of another conversation: %+v", e)
		}
		if e.Kind == switchboard.NoteEntry && e.Text == "Kundin hat Ausweis geschickt" && e.AuthorID == opUser.ID {
			notes++
		}
		if e.Kind == switchboard.ActivityEntry && e.Activity != nil && e.Activity.Action == switchboard.ActivityAssigned {
			assigned++
		}
	}
	if notes != 1 || assigned != 1 || bytes.Contains(files["notes.json"], []byte("jemand anderem")) {
		t.Errorf("notes.json = %s", files["notes.json"])
	}
	// The notes about her as a contact and her attribute values.
	var cnotes []switchboard.ContactNote
	must(t, json.Unmarshal(files["contact_notes.json"], &cnotes))
	if len(cnotes) != 1 || cnotes[0].Text != "Ruft lieber abends an" || cnotes[0].AuthorID != opUser.ID {
		t.Errorf("contact_notes.json = %s", files["contact_notes.json"])
	}
	var attrs []struct{ Name, Type, Value string }
	must(t, json.Unmarshal(files["attributes.json"], &attrs))
	if len(attrs) != 1 || attrs[0].Name != "Stufe" || attrs[0].Type != "list" || attrs[0].Value != "Gold" {
		t.Errorf("attributes.json = %s", files["attributes.json"])
	}
	var media []struct {
		ID, Path, Missing string
	}
	must(t, json.Unmarshal(files["media.json"], &media))
	if len(media) != 2 || media[0].ID != file.ID || media[0].Path != wantPDF || media[1].ID != lost.ID || media[1].Path != "" || media[1].Missing == "" {
		t.Errorf("media.json = %s", files["media.json"])
	}
	var access []switchboard.AuditEntry
	must(t, json.Unmarshal(files["access_log.json"], &access))
	// Who accessed the data, not the employees' network details (Art.
	// 15(4) GDPR; issue 14, Low 21).
	for _, leak := range []string{`"ip"`, `"user_agent"`, "127.0.0.1", "Go-http-client"} {
		if bytes.Contains(files["access_log.json"], []byte(leak)) {
			t.Errorf("access_log.json holds the employees' %s", leak)
		}
	}
	seen := map[string]bool{}
	for i, e := range access {
		seen[e.ActorLogin+" "+e.Action] = true
		if i > 0 && e.Seq <= access[i-1].Seq {
			t.Errorf("access log not oldest first at %d", i)
		}
	}
	for _, w := range []string{"admin conversation.assign", "olga conversation.read", "olga message.send"} {
		if !seen[w] {
			t.Errorf("access log lacks %q: %v", w, seen)
		}
	}
	for name, b := range files {
		for _, leak := range []string{"Fremder", "4915111110002", stranger.ID, "Nachricht eines anderen"} {
			if bytes.Contains(b, []byte(leak)) {
				t.Errorf("%s holds another contact's data (%q)", name, leak)
			}
		}
	}

	// Only privacy.manage exports, and only within the role's channels.
	if code, b := op.do("GET", exportPath, nil); code != 403 || errorCode(t, b) != switchboard.EForbidden {
		t.Errorf("operator exports: %d %s", code, b)
	}
	if code, _ := emp.do("GET", exportPath, nil); code != 403 {
		t.Errorf("employee exports: %d", code)
	}
	var scoped switchboard.Role
	admin.must(201, "POST", "/api/v1/roles", map[string]any{
		"name": "Datenschutz Filiale", "permissions": []string{"privacy.manage", "conversations.read_all"}, "channel_ids": []string{other.ID},
	}, &scoped)
	dpo, _ := app.createUser(admin, "dora", scoped.ID)
	if code, b := dpo.do("GET", exportPath, nil); code != 404 || errorCode(t, b) != switchboard.ENotFound {
		t.Errorf("export outside the role's channels: %d %s", code, b)
	}
	if code, b := dpo.do("DELETE", "/api/v1/contacts/"+conv.Contact.ID, nil); code != 404 {
		t.Errorf("erase outside the role's channels: %d %s", code, b)
	}
	if code, _ := admin.do("GET", "/api/v1/contacts/"+switchboard.NewID()+"/export", nil); code != 404 {
		t.Errorf("unknown contact: %d", code)
	}
	if code, _ := admin.do("GET", "/api/v1/contacts/..%2f/export", nil); code != 404 {
		t.Errorf("malformed id: %d", code)
	}

	// Audited with counts, never the contact's data; the operator's attempt
	// is recorded as denied.
	entries, _, err := app.Store.AuditEntries(ctx, switchboard.AuditFilter{Action: "contact.export", Limit: 10})
	must(t, err)
	var ok, denied int
	for _, e := range entries {
		switch e.Outcome {
		case switchboard.OutcomeSuccess:
			ok++
			if e.ObjectID != conv.Contact.ID || e.ActorLogin != "admin" || e.Detail["messages"] != "3" || e.Detail["media"] != "2" {
				t.Errorf("export audit entry: %+v", e)
			}
		case switchboard.OutcomeDenied:
			denied++
		}
		for _, v := range e.Detail {
			if strings.Contains(v, "Clara") || strings.Contains(v, "4915111110001") {
				t.Errorf("audit detail holds customer data: %q", v)
			}
		}
	}
	if ok != 1 || denied != 2 {
		t.Errorf("contact.export audit: %d successes, %d denials; want 1 and 2", ok, denied)
	}
	// A second export lists the first in its access log.
	_, body = admin.download(exportPath)
	if !bytes.Contains(unzip(t, body)["access_log.json"], []byte(`"contact.export"`)) {
		t.Error("the second export's access log does not show the first export")
	}

	// The command line writes the same archive to a file of mode 0600 and
	// never overwrites one.
	env := map[string]string{"SWITCHBOARD_DATA_DIR": app.Config.DataDir, "SWITCHBOARD_LOG_LEVEL": "error"}
	zipPath := filepath.Join(t.TempDir(), "clara.zip")
	out, err := runBackupCLI(t, env, "contact", "export", "--id", conv.Contact.ID, "--out", zipPath)
	if err != nil || !strings.Contains(out, "3 messages, 2 media files") {
		t.Fatalf("contact export: %v\n%s", err, out)
	}
	st, err := os.Stat(zipPath)
	must(t, err)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("export file mode %v, want 0600", st.Mode().Perm())
	}
	b, err := os.ReadFile(zipPath)
	must(t, err)
	cli := unzip(t, b)
	if string(cli[wantPDF]) != "%PDF-1.7 Clara" || !bytes.Contains(cli["messages.json"], []byte("Zweite Frage")) {
		t.Errorf("CLI archive differs: %d files", len(cli))
	}
	if out, err := runBackupCLI(t, env, "contact", "export", "--id", conv.Contact.ID, "--out", zipPath); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("second export to the same file: %v\n%s", err, out)
	}
	if out, err := runBackupCLI(t, env, "contact", "export", "--id", switchboard.NewID(), "--out", zipPath+"2"); err == nil {
		t.Errorf("export of an unknown contact succeeded: %s", out)
	} else if _, serr := os.Stat(zipPath + "2"); !os.IsNotExist(serr) {
		t.Errorf("a failed export left a file: %v", serr)
	}
	entries, _, err = app.Store.AuditEntries(ctx, switchboard.AuditFilter{Action: "contact.export", ActorID: "", Limit: 10})
	must(t, err)
	if len(entries) == 0 || entries[0].ActorLogin != "" || entries[0].Outcome != switchboard.OutcomeSuccess {
		t.Errorf("CLI export audit: %+v", entries[0])
	}
}

// TestRetentionJob sets a channel's retention period through the API and
// lets the scheduled job delete what is older, keeping what is newer and
// the other channel untouched, with an audit entry and metrics.
func TestRetentionJob(t *testing.T) {
	app := startApp(t, map[string]string{"SWITCHBOARD_RETENTION_INTERVAL": "1s"})
	admin := app.setupAdmin()
	ch, keep := app.channel("Kurz"), app.channel("Lang")
	path := "/api/v1/channels/" + ch.ID

	for _, bad := range []string{`{"retention_days": -1}`, `{"retention_days": 3651}`, `{"retention_days": "30"}`, `{"retention_days": 1.5}`} {
		if code, b := admin.do("PATCH", path, bad); code != 400 || errorCode(t, b) != switchboard.EInvalid {
			t.Errorf("PATCH %s: %d %s", bad, code, b)
		}
	}
	var got switchboard.Channel
	admin.must(200, "GET", path, nil, &got)
	if got.RetentionDays != 0 {
		t.Fatalf("retention after refused changes = %d, want the default 0", got.RetentionDays)
	}

	now := time.Now().UTC()
	old := app.customerWroteAt(ch.ID, "4915111120001", "Otto Alt", "vor 31 Tagen", now.Add(-31*24*time.Hour))
	app.customerWroteAt(ch.ID, "4915111120001", "Otto Alt", "vor 29 Tagen", now.Add(-29*24*time.Hour))
	elsewhere := app.customerWroteAt(keep.ID, "4915111120001", "Otto Alt", "anderer Kanal, auch alt", now.Add(-400*24*time.Hour))
	ctx := context.Background()
	oldMsgs, _, err := app.Store.Messages(ctx, old.ID, switchboard.MessagePage{Limit: 10})
	must(t, err)
	if len(oldMsgs) != 2 {
		t.Fatalf("%d messages before retention", len(oldMsgs))
	}
	// The older message carries a stored file.
	file := &switchboard.MediaFile{ID: switchboard.NewID(), ConversationID: old.ID, MessageID: oldMsgs[1].ID, KeyID: old.KeyID,
		MIMEType: "image/jpeg", Size: 3, SHA256: "z"}
	must(t, app.System.WriteMedia(ctx, file, strings.NewReader("jpg")))
	must(t, app.Store.CreateMedia(ctx, file))

	admin.must(200, "PATCH", path, map[string]int{"retention_days": 30}, &got)
	if got.RetentionDays != 30 {
		t.Fatalf("retention_days = %d after PATCH", got.RetentionDays)
	}
	admin.must(200, "GET", path, nil, &got)
	if got.RetentionDays != 30 {
		t.Fatalf("retention_days = %d after reload", got.RetentionDays)
	}

	// The job's effects come in order: deleted rows, deleted files, the
	// channel.retention audit entry, then the counters on /metrics. Wait for
	// the audit entry, the job's last effect, before looking at the others,
	// and for the last counter before reading /metrics.
	var entries []*switchboard.AuditEntry
	eventually(t, "the retention job's audit entry", func() bool {
		var err error
		entries, _, err = app.Store.AuditEntries(ctx, switchboard.AuditFilter{Action: "channel.retention", Limit: 10})
		must(t, err)
		return len(entries) > 0
	})
	msgs, _, err := app.Store.Messages(ctx, old.ID, switchboard.MessagePage{Limit: 10})
	must(t, err)
	if len(msgs) != 1 || msgs[0].Content.Text != "vor 29 Tagen" {
		t.Fatalf("after retention %d messages left (%+v), want the one 29 days old", len(msgs), msgs)
	}
	if _, err := app.Store.Media(ctx, file.ID); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("media row of the expired message: %v", err)
	}
	if _, err := app.Service.Blobs.Get(ctx, file.ID); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Errorf("media file of the expired message: %v", err)
	}
	if msgs, _, err := app.Store.Messages(ctx, elsewhere.ID, switchboard.MessagePage{Limit: 10}); err != nil || len(msgs) != 1 {
		t.Fatalf("channel without retention lost messages: %v %d", err, len(msgs))
	}
	if len(entries) != 1 || entries[0].ObjectID != ch.ID || entries[0].Detail["messages"] != "1" ||
		entries[0].Detail["media"] != "1" || entries[0].Detail["retention_days"] != "30" {
		t.Fatalf("retention audit: %+v", entries)
	}
	entries, _, err = app.Store.AuditEntries(ctx, switchboard.AuditFilter{Action: "channel.update", ObjectID: ch.ID, Limit: 10})
	must(t, err)
	if len(entries) != 1 || entries[0].Detail["retention_days"] != "30" {
		t.Fatalf("channel.update audit: %+v", entries)
	}
	var b []byte
	eventually(t, "the retention counters on /metrics", func() bool {
		resp, err := httpGet(app.URL + "/metrics")
		must(t, err)
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		return bytes.Contains(b, []byte(`switchboard_retention_deleted_total{kind="media"} 1`))
	})
	for _, w := range []string{`switchboard_retention_deleted_total{kind="messages"} 1`, `switchboard_retention_deleted_total{kind="media"} 1`,
		"switchboard_retention_last_success_timestamp_seconds 1"} {
		if !bytes.Contains(b, []byte(w)) {
			t.Errorf("/metrics lacks %q", w)
		}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
