package postgres_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
)

// TestPlaintextScan writes customer data and channel secrets through the
// store, forces it to disk and asserts that none of it appears byte for byte
// in the files of the schema's tables and indexes, nor in the WAL written
// meanwhile, while reads through the store return the plaintext.
func TestPlaintextScan(t *testing.T) {
	ctx := context.Background()
	db, schema := mustOpenSchema(t, testMasterKey(t), nil)
	conn := connect(t)

	var startLSN string
	if err := conn.QueryRow(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&startLSN); err != nil {
		t.Fatal(err)
	}

	tag := randomHex(6)
	probes := map[string]string{
		"name":         "Quintessa" + tag,
		"renamed":      "Barnabus" + tag,
		"wa_id":        "49" + randomDigits(11),
		"text":         "inbound secret text " + tag,
		"reply":        "outbound secret reply " + tag,
		"wamid":        "wamid.HBgNprobe" + tag,
		"access_token": "EAAGprobeaccesstoken" + tag,
		"app_secret":   "appsecretprobe" + tag,
		"verify_token": "verifytokenprobe" + tag,
		"webhook":      "webhookbodyprobe" + tag,
		"media_name":   "Mediafileprobe" + tag + ".pdf",
		"inbound_file": "Inboundfileprobe" + tag + ".jpg",
		"wa_media_id":  "wamediaidprobe" + tag,
		"caption":      "inbound caption probe " + tag,
		"parked_error": "parked error details probe " + tag,
		"sent_wamid":   "wamid.HBgNsentprobe" + tag,
		"bsuid":        "US." + randomDigits(19),
		"parent_bsuid": "US.ENT." + randomDigits(19),
		"username":     "@probeuser" + tag,
		"hidden_name":  "Hiddenphone" + tag,
		"summary":      "handoff summary probe " + tag,
		"suggestion":   "suggestion text probe " + tag,
		"rationale":    "suggestion rationale probe " + tag,
	}

	ch := &switchboard.Channel{Name: "Probe channel", PhoneNumberID: "pn" + tag,
		AccessToken: probes["access_token"], AppSecret: probes["app_secret"], VerifyToken: probes["verify_token"]}
	if err := db.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	r, err := db.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: ch.ID, WaID: probes["wa_id"], ProfileName: probes["name"],
		Message: &switchboard.Message{Type: switchboard.TypeText, WAMessageID: probes["wamid"], Content: switchboard.MessageContent{Text: probes["text"]}}})
	if err != nil {
		t.Fatal(err)
	}
	// A second message renames the contact, rewriting name and terms.
	if _, err := db.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: ch.ID, WaID: probes["wa_id"], ProfileName: probes["renamed"],
		Message: &switchboard.Message{Type: switchboard.TypeText, WAMessageID: probes["wamid"] + "x", Content: switchboard.MessageContent{Text: "second"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateOutboundMessage(ctx, &switchboard.Message{ConversationID: r.Conversation.ID, Type: switchboard.TypeText,
		Content: switchboard.MessageContent{Text: probes["reply"]}}); err != nil {
		t.Fatal(err)
	}
	// A hand-off's summary and a bot's suggested reply are customer data.
	if c, err := db.SetHandoff(ctx, r.Conversation.ID, nil, switchboard.HandoffState{Handler: switchboard.HandlerHuman, Reason: "probe",
		Summary: probes["summary"], At: time.Now()}); err != nil || c.Handoff == nil || c.Handoff.Summary != probes["summary"] {
		t.Fatalf("SetHandoff = %+v, %v", c, err)
	}
	sg := &switchboard.Suggestion{ConversationID: r.Conversation.ID, AuthorID: "bot", Text: probes["suggestion"], Rationale: probes["rationale"]}
	if err := db.CreateSuggestion(ctx, sg); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Suggestion(ctx, sg.ID); err != nil || got.Text != probes["suggestion"] || got.Rationale != probes["rationale"] {
		t.Fatalf("Suggestion = %+v, %v", got, err)
	}
	// A customer who shares only a username: BSUID, parent BSUID and
	// username are sealed too.
	hidden, err := db.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: ch.ID, UserID: probes["bsuid"], ParentUserID: probes["parent_bsuid"],
		Username: probes["username"], ProfileName: probes["hidden_name"],
		Message: &switchboard.Message{Type: switchboard.TypeText, WAMessageID: probes["wamid"] + "u", Content: switchboard.MessageContent{Text: "hi"}}})
	if err != nil {
		t.Fatal(err)
	}
	if ct := hidden.Conversation.Contact; ct.UserID != probes["bsuid"] || ct.ParentUserID != probes["parent_bsuid"] || ct.Username != probes["username"] || ct.WaID != "" {
		t.Fatalf("username-only contact does not round-trip: %+v", ct)
	}

	// The WhatsApp channel's tables: a queued webhook, an inbound
	// attachment waiting for download, a stored file, a parked status.
	if err := db.EnqueueWebhook(ctx, ch.ID, []byte(`{"text":"`+probes["webhook"]+`"}`), r.Message.Timestamp); err != nil {
		t.Fatal(err)
	}
	img, err := db.ReceiveMessage(ctx, switchboard.InboundMessage{ChannelID: ch.ID, WaID: probes["wa_id"],
		Message: &switchboard.Message{Type: switchboard.TypeImage, WAMessageID: probes["wamid"] + "img", Timestamp: r.Message.Timestamp.Add(-time.Minute), Content: switchboard.MessageContent{
			Text: probes["caption"], Media: &switchboard.Media{WAMediaID: probes["wa_media_id"], MIMEType: "image/jpeg", Filename: probes["inbound_file"]}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateMedia(ctx, &switchboard.MediaFile{ConversationID: r.Conversation.ID, MIMEType: "application/pdf", Filename: probes["media_name"]}); err != nil {
		t.Fatal(err)
	}
	if res, err := db.ApplyStatus(ctx, switchboard.StatusUpdate{ChannelID: ch.ID, WAMessageID: probes["sent_wamid"], Status: switchboard.MessageFailed,
		Error: &switchboard.MessageError{Code: 131026, Title: "Message undeliverable", Details: probes["parked_error"]}}); err != nil || !res.Parked {
		t.Fatalf("park status: %+v, %v", res, err)
	}

	// Reads through the store see the plaintext.
	evs, err := db.ClaimWebhooks(ctx, 10, 0, time.Minute, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || !bytes.Contains(evs[0].Body, []byte(probes["webhook"])) {
		t.Fatalf("webhook body does not round-trip: %+v", evs)
	}
	jobs, err := db.ClaimMediaDownloads(ctx, 10, 0, time.Minute, time.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].WAMediaID != probes["wa_media_id"] || jobs[0].Filename != probes["inbound_file"] || jobs[0].MessageID != img.Message.ID {
		t.Fatalf("media download does not round-trip: %+v", jobs)
	}
	got, err := db.Channel(ctx, ch.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessToken != probes["access_token"] || got.AppSecret != probes["app_secret"] || got.VerifyToken != probes["verify_token"] {
		t.Fatalf("channel secrets do not round-trip: %+v", got)
	}
	conv, err := db.Conversation(ctx, r.Conversation.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if conv.Contact.Name != probes["renamed"] || conv.Contact.WaID != probes["wa_id"] || conv.LastMessage == nil || conv.LastMessage.Text != probes["reply"] {
		t.Fatalf("conversation does not round-trip: %+v", conv)
	}
	msg, err := db.Message(ctx, r.Message.ID)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Content.Text != probes["text"] || msg.WAMessageID != probes["wamid"] {
		t.Fatalf("message does not round-trip: %+v", msg)
	}
	for _, q := range []string{probes["renamed"][:5], probes["wa_id"][4:10], probes["username"]} {
		convs, _, err := db.Conversations(ctx, switchboard.ConversationFilter{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(convs) != 1 {
			t.Fatalf("search %q found %d conversations, want 1", q, len(convs))
		}
	}

	if _, err := conn.Exec(ctx, `CHECKPOINT`); err != nil {
		t.Fatalf("checkpoint: %v", err)
	}
	var dataDir, endLSN string
	if err := conn.QueryRow(ctx, `SHOW data_directory`).Scan(&dataDir); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&endLSN); err != nil {
		t.Fatal(err)
	}

	// Every table, index, sequence and TOAST relation of the schema.
	rows, err := conn.Query(ctx, `
		WITH rels AS (
			SELECT c.oid, c.relname, c.reltoastrelid FROM pg_class c
			JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1
		), toast AS (
			SELECT t.oid, t.relname FROM pg_class t JOIN rels r ON r.reltoastrelid = t.oid
		), toastidx AS (
			SELECT i.indexrelid AS oid, 'toast index' AS relname FROM pg_index i JOIN toast t ON t.oid = i.indrelid
		)
		SELECT relname, pg_relation_filepath(oid) FROM rels
		UNION ALL SELECT relname, pg_relation_filepath(oid) FROM toast
		UNION ALL SELECT relname, pg_relation_filepath(oid) FROM toastidx`, schema)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for rows.Next() {
		var name string
		var path *string
		if err := rows.Scan(&name, &path); err != nil {
			t.Fatal(err)
		}
		if path == nil {
			continue // views and the like have no storage
		}
		// The main fork and its 1 GiB segments (path.1, ...), and the
		// free-space and visibility maps.
		matches, err := filepath.Glob(filepath.Join(dataDir, *path) + "*")
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, matches...)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(files) < 20 {
		t.Fatalf("found only %d relation files for schema %s; is the data directory %s readable?", len(files), schema, dataDir)
	}
	walFiles := walSegments(t, conn, dataDir, startLSN, endLSN)
	if len(walFiles) == 0 {
		t.Logf("no WAL segments found for %s..%s; scanning relation files only", startLSN, endLSN)
	}
	files = append(files, walFiles...)

	// Sanity check of the scanner: the channel name is stored in clear and
	// must be found, or the scan proves nothing.
	foundClear := false
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			if os.IsNotExist(err) {
				continue // a WAL segment recycled meanwhile
			}
			t.Fatalf("read %s: %v (tests must run as root or the postgres user)", f, err)
		}
		if bytes.Contains(b, []byte("pn"+tag)) {
			foundClear = true
		}
		for what, p := range probes {
			if bytes.Contains(b, []byte(p)) {
				t.Errorf("%s %q appears in plaintext in %s", what, p, f)
			}
		}
	}
	if !foundClear {
		t.Fatal("the clear phone number id was not found in any file: the scan does not see the data")
	}
	t.Logf("scanned %d files, %d of them WAL segments", len(files), len(walFiles))
}

// walSegments returns the WAL segment files written between the LSNs start
// and end. Segment names sort in write order within a timeline.
func walSegments(t *testing.T, conn *pgx.Conn, dataDir, start, end string) []string {
	t.Helper()
	var first, last string
	err := conn.QueryRow(context.Background(), `SELECT pg_walfile_name($1::pg_lsn), pg_walfile_name($2::pg_lsn)`, start, end).Scan(&first, &last)
	if err != nil {
		t.Logf("WAL file names: %v", err)
		return nil
	}
	entries, err := os.ReadDir(filepath.Join(dataDir, "pg_wal"))
	if err != nil {
		t.Logf("read pg_wal: %v", err)
		return nil
	}
	var files []string
	for _, e := range entries {
		if n := e.Name(); len(n) == 24 && e.Type().IsRegular() && n >= first && n <= last {
			files = append(files, filepath.Join(dataDir, "pg_wal", n))
		}
	}
	return files
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func randomDigits(n int) string {
	var sb strings.Builder
	for range n {
		d, _ := rand.Int(rand.Reader, big.NewInt(10))
		fmt.Fprint(&sb, d)
	}
	return sb.String()
}
