package whatsapp

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSignKnownVector(t *testing.T) {
	// RFC 4231, test case 2.
	got := Sign([]byte("Jefe"), []byte("what do ya want for nothing?"))
	want := "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestVerifySignature(t *testing.T) {
	secret := []byte("app-secret-1f2e3d")
	body, err := os.ReadFile(filepath.Join("testdata", "webhooks", "text_reply.json"))
	if err != nil {
		t.Fatal(err)
	}
	good := Sign(secret, body)

	// Re-encoding the JSON (the classic bug) changes \u00fc and \/ and so
	// must not verify.
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	reencoded, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		secret []byte
		body   []byte
		header string
		want   bool
	}{
		{"valid", secret, body, good, true},
		{"valid upper-case hex digits", secret, body, "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256=")), true},
		{"re-encoded body", secret, reencoded, good, false},
		{"body changed by one byte", secret, append(append([]byte(nil), body...), ' '), good, false},
		{"wrong secret", []byte("other"), body, good, false},
		{"empty secret", nil, body, Sign(nil, body), false},
		{"missing header", secret, body, "", false},
		{"prefix only", secret, body, "sha256=", false},
		{"upper-case prefix", secret, body, "SHA256=" + strings.TrimPrefix(good, "sha256="), false},
		{"sha1 prefix", secret, body, "sha1=" + strings.TrimPrefix(good, "sha256="), false},
		{"no prefix", secret, body, strings.TrimPrefix(good, "sha256="), false},
		{"space after prefix", secret, body, "sha256= " + strings.TrimPrefix(good, "sha256="), false},
		{"trailing space", secret, body, good + " ", false},
		{"truncated digest", secret, body, good[:len(good)-2], false},
		{"extra digest bytes", secret, body, good + "00", false},
		{"non-hex digest", secret, body, "sha256=" + strings.Repeat("zz", 32), false},
		{"all zero digest", secret, body, "sha256=" + strings.Repeat("0", 64), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := VerifySignature(tt.secret, tt.body, tt.header); got != tt.want {
				t.Errorf("VerifySignature = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzVerifySignature(f *testing.F) {
	f.Add([]byte("secret"), []byte(`{"object":"whatsapp_business_account"}`), "")
	f.Add([]byte("secret"), []byte(`{}`), "sha256=")
	f.Add([]byte("secret"), []byte(`{}`), Sign([]byte("secret"), []byte(`{}`)))
	f.Add([]byte("secret"), []byte(`{}`), Sign([]byte("other"), []byte(`{}`)))
	f.Add([]byte(""), []byte(`{}`), Sign(nil, []byte(`{}`)))
	f.Add([]byte("k"), []byte("x"), "SHA256="+strings.Repeat("a", 64))
	f.Fuzz(func(t *testing.T, secret, body []byte, header string) {
		ok := VerifySignature(secret, body, header)
		want := Sign(secret, body)
		// The only headers that verify are the correct digest, modulo the
		// case of its hex digits, under a non-empty secret.
		if ok && (len(secret) == 0 || !strings.HasPrefix(header, "sha256=") || !strings.EqualFold(header, want)) {
			t.Fatalf("garbage verified: secret=%q body=%q header=%q", secret, body, header)
		}
		if len(secret) > 0 && !VerifySignature(secret, body, want) {
			t.Fatal("own signature does not verify")
		}
	})
}

func TestVerifyChallenge(t *testing.T) {
	q := func(mode, token, challenge string) url.Values {
		v := url.Values{}
		if mode != "" {
			v.Set("hub.mode", mode)
		}
		if token != "" {
			v.Set("hub.verify_token", token)
		}
		if challenge != "" {
			v.Set("hub.challenge", challenge)
		}
		return v
	}
	tests := []struct {
		name   string
		query  url.Values
		token  string
		want   string
		wantOK bool
	}{
		{"ok", q("subscribe", "s3cret", "1158201444"), "s3cret", "1158201444", true},
		{"wrong token", q("subscribe", "nope", "1158201444"), "s3cret", "", false},
		{"token prefix", q("subscribe", "s3cre", "1158201444"), "s3cret", "", false},
		{"wrong mode", q("unsubscribe", "s3cret", "1158201444"), "s3cret", "", false},
		{"no mode", q("", "s3cret", "1158201444"), "s3cret", "", false},
		{"no challenge", q("subscribe", "s3cret", ""), "s3cret", "", false},
		{"empty configured token", q("subscribe", "", "1"), "", "", false},
		{"huge challenge", q("subscribe", "s3cret", strings.Repeat("9", 1000)), "s3cret", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := VerifyChallenge(tt.query, tt.token)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("VerifyChallenge = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
