package main

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/switchboardhq/switchboard/internal/passkeytest"
)

// TestPasskeysOverHTTP drives passkeys through the real server with a
// software authenticator, every answer checked against the OpenAPI
// document: registration, the passkey second step of sign-in, a wrong
// signature and a counter that went backwards refused, deleting with the
// password, and the per-user throttle.
func TestPasskeysOverHTTP(t *testing.T) {
	const origin = "http://localhost:8080"
	k := loadContract(t)
	app := startApp(t, map[string]string{"SWITCHBOARD_PUBLIC_URL": origin})
	admin := app.setupAdmin()
	plain, _ := app.createUser(admin, "pavel", "operator")
	pavel := k.wrap(plain)
	anon := k.wrap(app.client(""))
	auth := passkeytest.New(origin, "localhost")

	var list struct {
		Available bool   `json:"available"`
		RPID      string `json:"rp_id"`
		Passkeys  []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"passkeys"`
	}
	pavel.call(200, "GET", "/api/v1/me/passkeys", nil, &list)
	if !list.Available || list.RPID != "localhost" || len(list.Passkeys) != 0 {
		t.Fatalf("list = %+v", list)
	}
	var opts struct {
		PublicKey json.RawMessage `json:"public_key"`
	}
	pavel.call(200, "POST", "/api/v1/me/passkeys/options", nil, &opts)
	cred, resp, err := auth.Create(opts.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pavel.call(400, "POST", "/api/v1/me/passkeys", map[string]any{"name": "", "credential": json.RawMessage(resp)}, nil)
	var pk struct{ ID, Name string }
	pavel.call(201, "POST", "/api/v1/me/passkeys", map[string]any{"name": "Laptop", "credential": json.RawMessage(resp)}, &pk)
	if pk.Name != "Laptop" {
		t.Fatalf("registered = %+v", pk)
	}
	// The registration is used up: the same answer again is refused.
	pavel.call(409, "POST", "/api/v1/me/passkeys", map[string]any{"name": "Again", "credential": json.RawMessage(resp)}, nil)

	creds := map[string]string{"login": "pavel", "password": testPassword}
	var ch struct {
		Challenge string   `json:"challenge"`
		Methods   []string `json:"methods"`
	}
	signIn := func(how passkeytest.Assertion, want int) []byte {
		t.Helper()
		anon.call(200, "POST", "/api/v1/session", creds, &ch)
		if !slices.Equal(ch.Methods, []string{"passkey"}) {
			t.Fatalf("methods = %v", ch.Methods)
		}
		anon.call(200, "POST", "/api/v1/session/passkey/options", map[string]string{"challenge": ch.Challenge}, &opts)
		resp, err := auth.Get(opts.PublicKey, how)
		if err != nil {
			t.Fatal(err)
		}
		return anon.call(want, "POST", "/api/v1/session/passkey", map[string]any{"challenge": ch.Challenge, "credential": json.RawMessage(resp)}, nil)
	}
	var sess struct{ Token string }
	if err := json.Unmarshal(signIn(passkeytest.Assertion{}, 201), &sess); err != nil || sess.Token == "" {
		t.Fatalf("passkey sign-in: %v %+v", err, sess)
	}
	app.client(sess.Token).must(200, "GET", "/api/v1/me", nil, nil)
	signIn(passkeytest.Assertion{BadSignature: true}, 401)
	cred.Counter = 0 // a clone of the authenticator
	signIn(passkeytest.Assertion{}, 401)
	cred.Counter = 100
	signIn(passkeytest.Assertion{}, 201)
	anon.call(401, "POST", "/api/v1/session/passkey/options", map[string]string{"challenge": "nope"}, nil)

	// Deleting needs the password; another user's passkey is not found.
	other, _ := app.createUser(admin, "olive", "operator")
	k.wrap(other).call(404, "DELETE", "/api/v1/me/passkeys/"+pk.ID, map[string]string{"password": testPassword}, nil)
	pavel.call(400, "DELETE", "/api/v1/me/passkeys/"+pk.ID, map[string]string{"password": "wrong password!"}, nil)
	pavel.call(204, "DELETE", "/api/v1/me/passkeys/"+pk.ID, map[string]string{"password": testPassword}, nil)
	pavel.call(200, "GET", "/api/v1/me/passkeys", nil, &list)
	if len(list.Passkeys) != 0 {
		t.Fatalf("after delete: %+v", list)
	}
	var signedIn struct{ Token string }
	anon.call(201, "POST", "/api/v1/session", creds, &signedIn)

	// Failed passkey answers are throttled per user.
	pavel.call(200, "POST", "/api/v1/me/passkeys/options", nil, &opts)
	_, resp, _ = auth.Create(opts.PublicKey)
	pavel.call(201, "POST", "/api/v1/me/passkeys", map[string]any{"name": "Key", "credential": json.RawMessage(resp)}, &pk)
	limited := false
	for i := 0; i < 12 && !limited; i++ {
		anon.call(200, "POST", "/api/v1/session", creds, &ch)
		anon.call(200, "POST", "/api/v1/session/passkey/options", map[string]string{"challenge": ch.Challenge}, &opts)
		resp, _ := auth.Get(opts.PublicKey, passkeytest.Assertion{BadSignature: true})
		got, _ := anon.do("POST", "/api/v1/session/passkey", map[string]any{"challenge": ch.Challenge, "credential": json.RawMessage(resp)})
		limited = got == 429
	}
	if !limited {
		t.Fatal("bad passkey answers were never throttled")
	}
}

// TestPasskeysOffOverHTTP: with a plain-http public URL the passkey
// endpoints answer 409 and the list says passkeys are unavailable.
func TestPasskeysOffOverHTTP(t *testing.T) {
	k := loadContract(t)
	app := startApp(t, nil) // http://127.0.0.1:port
	admin := k.wrap(app.setupAdmin())
	var list struct {
		Available bool `json:"available"`
	}
	admin.call(200, "GET", "/api/v1/me/passkeys", nil, &list)
	if list.Available {
		t.Fatal("passkeys available over plain http on an IP address")
	}
	b := admin.call(409, "POST", "/api/v1/me/passkeys/options", nil, nil)
	if code := errorCode(t, b); code != "conflict" {
		t.Errorf("error code = %q", code)
	}
}
