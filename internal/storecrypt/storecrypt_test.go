package storecrypt_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/seal"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
)

func newCodec(t *testing.T) (*storecrypt.Codec, string) {
	t.Helper()
	raw := make([]byte, 32)
	rand.Read(raw)
	mk, err := seal.NewMasterKey("mk_test", raw)
	if err != nil {
		t.Fatal(err)
	}
	wrappedKeys := map[string][]byte{}
	keys, err := seal.NewKeyring(mk, func(ctx context.Context, id string) (string, []byte, error) {
		w, ok := wrappedKeys[id]
		if !ok {
			return "", nil, errors.New("no such key")
		}
		return "mk_test", w, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	idx, err := seal.NewBlindIndex(storecrypt.NewBlindIndexKey())
	if err != nil {
		t.Fatal(err)
	}
	k, wrapped, err := keys.Create()
	if err != nil {
		t.Fatal(err)
	}
	wrappedKeys[k.ID()] = wrapped
	return &storecrypt.Codec{Keys: keys, Index: idx}, k.ID()
}

func TestCodec_RoundTrip(t *testing.T) {
	ctx := context.Background()
	c, keyID := newCodec(t)
	sealed, err := c.Seal(ctx, keyID, "contacts", "name", "row1", []byte("Jürgen"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("Jürgen")) {
		t.Fatal("ciphertext contains the plaintext")
	}
	got, err := c.Open(ctx, keyID, "contacts", "name", "row1", sealed)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "Jürgen" {
		t.Fatalf("Open = %q, want %q", got, "Jürgen")
	}

	type doc struct{ A, B string }
	sealed, err = c.SealJSON(ctx, keyID, "channels", "secrets", "ch1", doc{"x", "y"})
	if err != nil {
		t.Fatal(err)
	}
	var d doc
	if err := c.OpenJSON(ctx, keyID, "channels", "secrets", "ch1", sealed, &d); err != nil {
		t.Fatal(err)
	}
	if d != (doc{"x", "y"}) {
		t.Fatalf("OpenJSON = %+v", d)
	}
}

func TestCodec_AADBinding(t *testing.T) {
	ctx := context.Background()
	c, keyID := newCodec(t)
	sealed, err := c.Seal(ctx, keyID, "contacts", "name", "row1", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, table, column, row string }{
		{"other row", "contacts", "name", "row2"},
		{"other column", "contacts", "wa_id", "row1"},
		{"other table", "messages", "name", "row1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.Open(ctx, keyID, tt.table, tt.column, tt.row, sealed); !errors.Is(err, seal.ErrDecrypt) {
				t.Fatalf("Open moved ciphertext: err = %v, want ErrDecrypt", err)
			}
		})
	}
	if _, err := c.Open(ctx, "dk_unknown", "contacts", "name", "row1", sealed); err == nil {
		t.Fatal("Open with an unknown key succeeded")
	}
}

func TestContent_RoundTrip(t *testing.T) {
	in := switchboard.MessageContent{Text: "caption", Media: &switchboard.Media{WAMediaID: "wa-media-1", MIMEType: "image/jpeg"}}
	b, err := storecrypt.EncodeContent(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := storecrypt.DecodeContent(b)
	if err != nil {
		t.Fatal(err)
	}
	if out.Text != "caption" || out.Media == nil || out.Media.WAMediaID != "wa-media-1" || out.Media.MIMEType != "image/jpeg" {
		t.Fatalf("DecodeContent = %+v %+v", out, out.Media)
	}
}

func TestCursor(t *testing.T) {
	at := time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.FixedZone("x", 3600))
	for _, tt := range []struct {
		name   string
		t      time.Time
		id     string
		wantAt time.Time
	}{
		{"time and id", at, "abc", at.UTC().Truncate(time.Microsecond)},
		{"zero time", time.Time{}, "login.with.dots", time.Time{}},
		{"empty id", at, "", at.UTC().Truncate(time.Microsecond)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := storecrypt.EncodeCursor(tt.t, tt.id)
			gotT, gotID, err := storecrypt.DecodeCursor(s)
			if err != nil {
				t.Fatal(err)
			}
			if !gotT.Equal(tt.wantAt) || gotT.Location() != time.UTC || gotID != tt.id {
				t.Fatalf("DecodeCursor = %v %q, want %v %q", gotT, gotID, tt.wantAt, tt.id)
			}
		})
	}
	for _, garbage := range []string{"", "!!!", "Zm9v", "YzEueHl6LmFiYw", "YzI uMS5h"} {
		if _, _, err := storecrypt.DecodeCursor(garbage); switchboard.ErrorCode(err) != switchboard.EInvalid {
			t.Errorf("DecodeCursor(%q) err = %v, want EInvalid", garbage, err)
		}
	}
}

func TestSearchTerms_Invalid(t *testing.T) {
	c, _ := newCodec(t)
	if _, err := c.SearchTerms("  ,, "); switchboard.ErrorCode(err) != switchboard.EInvalid {
		t.Fatalf("SearchTerms err = %v, want EInvalid", err)
	}
	if terms, err := c.SearchTerms("Jür"); err != nil || len(terms) != 1 {
		t.Fatalf("SearchTerms = %d terms, %v", len(terms), err)
	}
}
