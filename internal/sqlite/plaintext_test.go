package sqlite_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// TestNoPlaintextOnDisk writes customer data through the Store and checks
// that none of it appears in the database, WAL or shared-memory files, in
// any common encoding, while the Store still reads it back decrypted.
func TestNoPlaintextOnDisk(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "switchboard.db")
	db, err := sqlite.Open(ctx, path, sqlite.Options{Master: storetest.MasterKey(t), Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	const (
		name     = "Jürgen Plaintextprobe"
		phone    = "4915199887766"
		text     = "secret-probe-text-8472"
		reply    = "outbound-probe-text-5190"
		wamid    = "wamid.HBgNNDkxNTE5OTg4Nzc2NhUCABIYFjNFQjBDRkE2"
		token    = "EAAGprobeaccesstoken3311"
		secret   = "appsecret-probe-7720"
		verify   = "verify-probe-6631"
		filename = "probe-invoice-4410.pdf"
		mediaID  = "waMediaProbe-1839"
		upload   = "probe-upload-contract-2291.pdf"
		hook     = "webhook-probe-body-6053"
		details  = "status-details-probe-3117"
		bsuid    = "US.13491208655302741918"
		parent   = "US.ENT.11815799212886844830"
		username = "@mira.probeusername"
		totp     = "totp-secret-probe-8819"
		summary  = "handoff-summary-probe-4471"
		suggest  = "suggestion-probe-text-3390"
		why      = "suggestion-rationale-probe-2284"
		note     = "private-note-probe-6628"
		label    = "activity-value-probe-1207"
		cnote    = "contact-note-probe-5521"
		attr     = "attribute-value-probe-7734"
	)
	probes := []string{name, "Plaintextprobe", "Jürgen", phone, "99887766", "015199887766", text, reply, wamid,
		"NDkxNTE5OTg4Nzc2", token, secret, verify, filename, mediaID, upload, hook, details,
		bsuid, "13491208655302741918", parent, "11815799212886844830", username, "probeusername", totp, summary, suggest, why, note, label, cnote, attr}

	// The channel name is not secret: it is the positive control showing
	// that the scan sees what the store writes.
	const control = "Support-control-label"
	ch := &switchboard.Channel{Name: control, PhoneNumberID: "555000111", AccessToken: token, AppSecret: secret, VerifyToken: verify}
	if err := db.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	// A two-factor secret is sealed like the channel secrets.
	tfUser := &switchboard.User{Login: "tf-probe", Name: "TF", RoleID: switchboard.RoleAdmin, Active: true, PasswordHash: "h"}
	if err := db.CreateUser(ctx, tfUser); err != nil {
		t.Fatal(err)
	}
	if err := db.PutTwoFactor(ctx, &switchboard.TwoFactor{UserID: tfUser.ID, Secret: []byte(totp), CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	r, err := db.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: ch.ID, WaID: phone, ProfileName: name,
		Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: text}, WAMessageID: wamid, Timestamp: time.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	// A customer who shares only a username, later with their phone number.
	// (The phone number is another contact's already: not linked, not merged.)
	mira, err := db.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: ch.ID, UserID: bsuid, ParentUserID: parent, Username: username,
		ProfileName: name, Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: text}, WAMessageID: wamid + "u", Timestamp: time.Now()}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: ch.ID, UserID: bsuid, WaID: phone, Username: username,
		ProfileName: name, Message: &switchboard.Message{Type: switchboard.TypeText, Content: switchboard.MessageContent{Text: text}, WAMessageID: wamid + "v", Timestamp: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	doc := switchboard.InboundMessage{ChannelID: ch.ID, WaID: phone, ProfileName: name,
		Message: &switchboard.Message{Type: switchboard.TypeDocument, WAMessageID: wamid + "2", Timestamp: time.Now(),
			Content: switchboard.MessageContent{Media: &switchboard.Media{WAMediaID: mediaID, Filename: filename, MIMEType: "application/pdf"}}}}
	if _, err := db.ReceiveMessage(ctx, doc); err != nil {
		t.Fatal(err)
	}
	// The webhook queue, an uploaded file's name and a parked status with
	// Meta's error details hold customer data too.
	body := `{"entry":[{"changes":[{"value":{"contacts":[{"profile":{"name":"` + name + `"},"wa_id":"` + phone +
		`"}],"messages":[{"id":"` + wamid + `","text":{"body":"` + hook + `"}}]}}]}]}`
	if err := db.EnqueueWebhook(ctx, ch.ID, []byte(body), time.Now()); err != nil {
		t.Fatal(err)
	}
	media := &switchboard.MediaFile{ConversationID: r.Conversation.ID, MIMEType: "application/pdf", Filename: upload, Size: 10}
	if err := db.CreateMedia(ctx, media); err != nil {
		t.Fatal(err)
	}
	if st, err := db.ApplyStatus(ctx, switchboard.StatusUpdate{ChannelID: ch.ID, WAMessageID: wamid + "-unsent", Status: "failed",
		Error: &switchboard.MessageError{Code: 131026, Title: "Message undeliverable", Details: details}}); err != nil || !st.Parked {
		t.Fatalf("ApplyStatus = %+v, %v", st, err)
	}
	if _, err := db.CreateOutboundMessage(ctx, &switchboard.Message{ConversationID: r.Conversation.ID, Content: switchboard.MessageContent{Text: reply}}); err != nil {
		t.Fatal(err)
	}
	// A hand-off's summary and a bot's suggested reply are customer data.
	if _, err := db.SetHandoff(ctx, r.Conversation.ID, nil, switchboard.HandoffState{Handler: switchboard.HandlerHuman, Reason: "probe",
		Summary: summary, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	sg := &switchboard.Suggestion{ConversationID: r.Conversation.ID, AuthorID: tfUser.ID, Text: suggest, Rationale: why}
	if err := db.CreateSuggestion(ctx, sg); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Suggestion(ctx, sg.ID); err != nil || got.Text != suggest || got.Rationale != why {
		t.Fatalf("Suggestion = %+v, %v", got, err)
	}
	// Notes and activity lines are sealed too.
	if _, err := db.AddThreadEntry(ctx, &switchboard.ThreadEntry{ConversationID: r.Conversation.ID, Kind: switchboard.NoteEntry,
		AuthorID: tfUser.ID, Text: note, Mentions: []string{tfUser.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddThreadEntry(ctx, &switchboard.ThreadEntry{ConversationID: r.Conversation.ID, Kind: switchboard.ActivityEntry,
		Activity: &switchboard.Activity{Action: switchboard.ActivityLabelAdded, Value: label}}); err != nil {
		t.Fatal(err)
	}
	if got, err := db.ThreadEntries(ctx, r.Conversation.ID, time.Time{}, ""); err != nil || len(got) != 2 || got[0].Text != note {
		t.Fatalf("ThreadEntries = %+v, %v", got, err)
	}
	// Contact notes and custom attribute values are sealed under the contact's key.
	if err := db.AddContactNote(ctx, &switchboard.ContactNote{ContactID: r.Conversation.Contact.ID, AuthorID: tfUser.ID, Text: cnote}); err != nil {
		t.Fatal(err)
	}
	def := &switchboard.AttributeDef{Name: "Remark", Type: switchboard.AttributeText}
	if err := db.CreateAttributeDef(ctx, def); err != nil {
		t.Fatal(err)
	}
	if err := db.SetContactAttributes(ctx, r.Conversation.Contact.ID, []switchboard.AttributeValue{{AttributeID: def.ID, Value: attr}}); err != nil {
		t.Fatal(err)
	}
	if got, err := db.ContactAttributes(ctx, r.Conversation.Contact.ID); err != nil || len(got) != 1 || got[0].Value != attr {
		t.Fatalf("ContactAttributes = %+v, %v", got, err)
	}

	// The Store reads everything back decrypted, and search still works.
	c, err := db.Conversation(ctx, r.Conversation.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Handoff == nil || c.Handoff.Summary != summary {
		t.Fatalf("handoff = %+v", c.Handoff)
	}
	if c.Contact.Name != name || c.Contact.WaID != phone || c.LastMessage == nil || c.LastMessage.Text != reply {
		t.Fatalf("conversation = %+v, preview %+v", c.Contact, c.LastMessage)
	}
	m, err := db.Message(ctx, r.Message.ID)
	if err != nil || m.Content.Text != text || m.WAMessageID != wamid {
		t.Fatalf("message = %+v, %v", m, err)
	}
	got, err := db.Channel(ctx, ch.ID)
	if err != nil || got.AccessToken != token || got.AppSecret != secret || got.VerifyToken != verify {
		t.Fatalf("channel = %+v, %v", got, err)
	}
	evs, err := db.ClaimWebhooks(ctx, 10, 0, time.Minute, time.Now())
	if err != nil || len(evs) != 1 || string(evs[0].Body) != body {
		t.Fatalf("ClaimWebhooks = %v, %v", evs, err)
	}
	ds, err := db.ClaimMediaDownloads(ctx, 10, 0, time.Minute, time.Now().Add(time.Second))
	if err != nil || len(ds) != 1 || ds[0].WAMediaID != mediaID || ds[0].Filename != filename {
		t.Fatalf("ClaimMediaDownloads = %+v, %v", ds, err)
	}
	if f, err := db.Media(ctx, media.ID); err != nil || f.Filename != upload {
		t.Fatalf("Media = %+v, %v", f, err)
	}
	mc, err := db.Conversation(ctx, mira.Conversation.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if mc.Contact.UserID != bsuid || mc.Contact.Username != username || mc.Contact.ParentUserID != parent || mc.Contact.WaID != phone {
		t.Fatalf("contact identifiers = %+v", mc.Contact)
	}
	if found, _, err := db.Conversations(ctx, switchboard.ConversationFilter{Query: username}); err != nil || len(found) != 1 {
		t.Fatalf("search by username = %d results, %v", len(found), err)
	}
	for _, q := range []string{"plaintextprobe", "0151 998877", "99887766"} {
		found, _, err := db.Conversations(ctx, switchboard.ConversationFilter{Query: q})
		if err != nil || len(found) != 2 {
			t.Fatalf("search %q = %d results, %v", q, len(found), err)
		}
	}

	// Coexistence: an echo from the WhatsApp Business app, edited; another
	// revoked (its text gone, not merely sealed); an imported message.
	const (
		echoText   = "echo-probe-text-6612"
		editedText = "edited-probe-text-7781"
		gone       = "revoked-probe-text-3390"
		history    = "history-probe-text-4419"
	)
	probes = append(probes, echoText, editedText, gone, history)
	coex := func(text, wamid string, author switchboard.MessageAuthor, imported bool) switchboard.InboundMessage {
		return switchboard.InboundMessage{ChannelID: ch.ID, WaID: phone, Message: &switchboard.Message{Type: switchboard.TypeText,
			Content: switchboard.MessageContent{Text: text}, WAMessageID: wamid, Timestamp: time.Now(), Author: author, Imported: imported}}
	}
	cb, err := db.ReceiveBatch(ctx, switchboard.InboundBatch{
		Messages: []switchboard.InboundMessage{coex(echoText, wamid+"e", switchboard.AuthorBusinessApp, false),
			coex(gone, wamid+"g", switchboard.AuthorBusinessApp, false), coex(history, wamid+"h", "", true)},
		Edits: []switchboard.MessageEdit{{ChannelID: ch.ID, WAMessageID: wamid + "e", Text: editedText, At: time.Now()},
			{ChannelID: ch.ID, WAMessageID: wamid + "g", Revoke: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !cb.Edits[0].Changed || !cb.Edits[1].Changed {
		t.Fatalf("edits = %+v", cb.Edits)
	}
	if m, err := db.Message(ctx, cb.Received[0].Message.ID); err != nil || m.Content.Text != editedText || m.Author != switchboard.AuthorBusinessApp {
		t.Fatalf("edited echo read back = %+v, %v", m, err)
	}
	if m, err := db.Message(ctx, cb.Received[2].Message.ID); err != nil || m.Content.Text != history || !m.Imported {
		t.Fatalf("imported message read back = %+v, %v", m, err)
	}

	scan := func(stage string) {
		t.Helper()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		scanned, controlSeen := 0, false
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			scanned++
			controlSeen = controlSeen || bytes.Contains(b, []byte(control))
			for _, p := range probes {
				for form, needle := range encodings(p) {
					if bytes.Contains(b, needle) {
						t.Errorf("%s: %s contains %q (%s)", stage, e.Name(), p, form)
					}
				}
			}
		}
		if scanned == 0 || !controlSeen {
			t.Fatalf("%s: the scan of %d files did not find the plain control value", stage, scanned)
		}
		t.Logf("%s: scanned %d files", stage, scanned)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("expected a WAL file before the checkpoint: %v", err)
	}
	scan("before checkpoint")
	if err := db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	scan("after checkpoint")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	scan("after close")
}

// encodings returns s as UTF-8, lower- and upper-case, and UTF-16 in both
// byte orders.
func encodings(s string) map[string][]byte {
	out := map[string][]byte{}
	for form, v := range map[string]string{"utf-8": s, "lower": strings.ToLower(s), "upper": strings.ToUpper(s)} {
		out[form] = []byte(v)
		u := utf16.Encode([]rune(v))
		le, be := make([]byte, 2*len(u)), make([]byte, 2*len(u))
		for i, r := range u {
			binary.LittleEndian.PutUint16(le[2*i:], r)
			binary.BigEndian.PutUint16(be[2*i:], r)
		}
		out[form+" utf-16le"], out[form+" utf-16be"] = le, be
	}
	return out
}
