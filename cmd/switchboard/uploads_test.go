package main

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
)

// TestUnsentUploadsExpire: an upload that was never sent is deleted, row
// and file, once it is older than inbox.UploadTTL; a sent one stays
// (security review finding 13).
func TestUnsentUploadsExpire(t *testing.T) {
	clock := &shiftedClock{}
	app := startApp(t, nil, withClock(clock))
	admin := app.setupAdmin()
	ch := app.channel("Main")
	conv := app.customerWrites(ch.ID, "4915112340077", "Uwe Upload", "Bitte das Formular")
	ctx := context.Background()
	a, err := app.Service.Authenticate(ctx, admin.token, inbox.Client{IP: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	upload := func() *switchboard.MediaFile {
		f, err := app.Service.StoreUpload(ctx, a, conv.ID, "document", "formular.pdf", "application/pdf", 8, strings.NewReader("%PDF-1.4"))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	unsent, sent := upload(), upload()
	if _, err := app.Service.Send(ctx, a, conv.ID, inbox.Outgoing{Type: switchboard.TypeDocument, MediaID: sent.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Service.Send(ctx, a, conv.ID, inbox.Outgoing{Type: switchboard.TypeDocument, MediaID: sent.ID}); switchboard.ErrorCode(err) != switchboard.EInvalid {
		t.Fatalf("sending the same upload twice = %v, want invalid", err)
	}

	clock.set(inbox.UploadTTL - time.Minute)
	if n, err := app.System.ExpireUploads(ctx); err != nil || n != 0 {
		t.Fatalf("ExpireUploads before the TTL = %d, %v; want 0", n, err)
	}
	clock.set(inbox.UploadTTL + time.Minute)
	if n, err := app.System.ExpireUploads(ctx); err != nil || n != 1 {
		t.Fatalf("ExpireUploads after the TTL = %d, %v; want 1", n, err)
	}
	if _, err := app.Store.Media(ctx, unsent.ID); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Fatalf("unsent upload row: %v, want not found", err)
	}
	if _, err := app.Service.Blobs.Get(ctx, unsent.ID); !errors.Is(err, fs.ErrNotExist) && switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Fatalf("unsent upload file: %v, want gone", err)
	}
	if _, err := app.Store.Media(ctx, sent.ID); err != nil {
		t.Fatalf("sent upload: %v", err)
	}
	rc, err := app.Service.Blobs.Get(ctx, sent.ID)
	if err != nil {
		t.Fatalf("sent upload file: %v", err)
	}
	rc.Close()
	entries, _, err := app.Store.AuditEntries(ctx, auditFilter("media.expire"))
	if err != nil || len(entries) != 1 || entries[0].Detail["uploads"] != "1" {
		t.Fatalf("media.expire audit = %+v, %v", entries, err)
	}
}
