package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/backup/s3test"
	"github.com/switchboardhq/switchboard/internal/emulator"
)

func mediaS3Env(srv *s3test.Server, store string) map[string]string {
	return map[string]string{
		"SWITCHBOARD_MEDIA_STORE": store, "SWITCHBOARD_MEDIA_S3_ENDPOINT": srv.Endpoint,
		"SWITCHBOARD_MEDIA_S3_REGION": srv.Region, "SWITCHBOARD_MEDIA_S3_ACCESS_KEY_ID": srv.AccessKeyID,
		"SWITCHBOARD_MEDIA_S3_SECRET_ACCESS_KEY": srv.SecretAccessKey, "SWITCHBOARD_MEDIA_S3_PATH_STYLE": "true",
	}
}

// TestMediaOnS3: with --media-store s3://…, an inbound image is fetched
// from Meta into the bucket as a sealed stream (no plaintext, nothing in
// the data dir), served decrypted to the agent who may see it, and its
// object is deleted when the contact is erased.
func TestMediaOnS3(t *testing.T) {
	srv := s3test.Start(t, "media")
	env := mediaS3Env(srv, "s3://media/switchboard")
	env["SWITCHBOARD_EMULATOR"] = "on"
	app := startApp(t, env)
	admin := app.setupAdmin()
	const wa = "4915112340099"

	img := pngBytes()
	app.customer(t, emulator.CustomerMessage{WaID: wa, Name: "Berta Bild", Type: "image", Media: img, MimeType: "image/png", Text: "Foto"})
	conv := conversationOf(t, admin, wa)
	in := waitMessage(t, admin, conv.ID, "image downloaded", func(m apiMessage) bool {
		return m.Type == "image" && m.Content.Media != nil && m.Content.Media.State == "ready"
	})
	id := in.Content.Media.ID

	client, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	obj, err := client.GetObject(ctx, "media", "switchboard/"+id, minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(obj)
	obj.Close()
	if err != nil {
		t.Fatalf("the image is not in the bucket: %v", err)
	}
	if !bytes.HasPrefix(raw, []byte("SBM1")) || bytes.Contains(raw, img[:8]) || bytes.Contains(raw, []byte("IHDR")) {
		t.Fatalf("the object is not a sealed stream: % x", raw[:min(len(raw), 16)])
	}
	if _, err := os.Stat(filepath.Join(app.Config.DataDir, "media")); !os.IsNotExist(err) {
		t.Errorf("a media directory appeared in the data dir: %v", err)
	}

	req, _ := http.NewRequest("GET", app.URL+"/api/v1/media/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+admin.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(body, img) || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("media download = %d %q %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
	}

	var res struct {
		MediaFiles int `json:"media_files"`
	}
	admin.must(200, "DELETE", "/api/v1/contacts/"+conv.Contact.ID, nil, &res)
	if res.MediaFiles != 1 {
		t.Fatalf("erase: %+v", res)
	}
	if _, err := client.StatObject(ctx, "media", "switchboard/"+id, minio.StatObjectOptions{}); minio.ToErrorResponse(err).Code != minio.NoSuchKey {
		t.Fatalf("the erased contact's image is still in the bucket: %v", err)
	}
	if code, _ := admin.do("GET", "/api/v1/media/"+id, nil); code != 404 {
		t.Fatalf("erased media = %d", code)
	}
}

// TestMediaStoreBadSettings: a media store that cannot work stops the
// server at start with a message naming the setting, and S3 settings
// without a store are refused rather than silently ignored.
func TestMediaStoreBadSettings(t *testing.T) {
	srv := s3test.Start(t, "media")
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"missing bucket": {mediaS3Env(srv, "s3://nope"), `the bucket "nope" does not exist`},
		"wrong secret": {func() map[string]string {
			e := mediaS3Env(srv, "s3://media")
			e["SWITCHBOARD_MEDIA_S3_SECRET_ACCESS_KEY"] = "wrong-secret-0123456789"
			return e
		}(), "SWITCHBOARD_MEDIA_S3_"},
		"not s3":             {map[string]string{"SWITCHBOARD_MEDIA_STORE": "/srv/media"}, "must be empty"},
		"settings, no store": {map[string]string{"SWITCHBOARD_MEDIA_S3_ENDPOINT": srv.Endpoint}, "SWITCHBOARD_MEDIA_STORE is not"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			getenv := func(k string) string {
				if v, ok := tc.env[k]; ok {
					return v
				}
				switch k {
				case "SWITCHBOARD_DATA_DIR":
					return dir
				case "SWITCHBOARD_ADDR":
					return "127.0.0.1:0"
				case "SWITCHBOARD_EMULATOR":
					return "off"
				}
				return ""
			}
			c, _, err := parseConfig("serve", groupAll, nil, getenv, nil, io.Discard)
			if err == nil {
				app := &App{Config: c, Logger: newLogger(c, io.Discard), Stdout: io.Discard}
				err = app.Open(context.Background())
				app.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestBackupMovesMediaToS3: a backup of an instance with media on disk,
// restored with --media-store s3://…, puts the (still sealed) files into
// the bucket, and a server on the restored data serves them from there;
// a backup of that server takes its media from the bucket.
func TestBackupMovesMediaToS3(t *testing.T) {
	srv := s3test.Start(t, "media")
	app := startApp(t, nil)
	admin := app.setupAdmin()
	ch := app.channel("Main")
	conv := app.customerWrites(ch.ID, "4915112340077", "Moritz Umzug", "Anbei die Rechnung")
	f := &switchboard.MediaFile{ID: switchboard.NewID(), ConversationID: conv.ID, KeyID: conv.KeyID, MIMEType: "text/plain",
		Filename: "rechnung.txt", Size: 11, SHA256: "x", CreatedAt: time.Now().UTC()}
	ctx := context.Background()
	must(t, app.System.WriteMedia(ctx, f, strings.NewReader("hello media")))
	must(t, app.Store.CreateMedia(ctx, f))

	backups := t.TempDir()
	src := map[string]string{"SWITCHBOARD_DATA_DIR": app.Config.DataDir, "SWITCHBOARD_LOG_LEVEL": "error"}
	if out, err := runBackupCLI(t, src, "backup", "create", "--to", backups); err != nil || !strings.Contains(out, "1 media files") {
		t.Fatalf("backup create: %v\n%s", err, out)
	}
	names, _ := filepath.Glob(filepath.Join(backups, "*.backup"))
	if len(names) != 1 {
		t.Fatalf("backups: %v", names)
	}
	dir := t.TempDir()
	for _, k := range []string{app.Config.BackupKeyFile, app.Config.MasterKeyFile, app.Config.AuditKeyFile} {
		copyFile(t, k, filepath.Join(dir, filepath.Base(k)))
	}
	dst := mediaS3Env(srv, "s3://media/moved")
	dst["SWITCHBOARD_DATA_DIR"], dst["SWITCHBOARD_LOG_LEVEL"] = dir, "error"
	if out, err := runBackupCLI(t, dst, "backup", "restore", names[0]); err != nil || !strings.Contains(out, "1 media files") {
		t.Fatalf("backup restore: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "media")); !os.IsNotExist(err) {
		t.Errorf("the restore wrote media into the data dir: %v", err)
	}
	client, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.StatObject(ctx, "media", "moved/"+f.ID, minio.StatObjectOptions{}); err != nil {
		t.Fatalf("the file is not in the bucket: %v", err)
	}

	restored := startApp(t, map[string]string{"SWITCHBOARD_DATA_DIR": dir, "SWITCHBOARD_MEDIA_STORE": dst["SWITCHBOARD_MEDIA_STORE"],
		"SWITCHBOARD_MEDIA_S3_ENDPOINT": srv.Endpoint, "SWITCHBOARD_MEDIA_S3_REGION": srv.Region,
		"SWITCHBOARD_MEDIA_S3_ACCESS_KEY_ID": srv.AccessKeyID, "SWITCHBOARD_MEDIA_S3_SECRET_ACCESS_KEY": srv.SecretAccessKey,
		"SWITCHBOARD_MEDIA_S3_PATH_STYLE": "true"})
	if code, body := restored.client(admin.token).do("GET", "/api/v1/media/"+f.ID, nil); code != 200 || string(body) != "hello media" {
		t.Fatalf("media from the bucket: %d %q", code, body)
	}
	again := t.TempDir()
	if out, err := runBackupCLI(t, dst, "backup", "create", "--to", again); err != nil || !strings.Contains(out, "1 media files") || strings.Contains(out, "missing") {
		t.Fatalf("backup create from S3: %v\n%s", err, out)
	}
}
