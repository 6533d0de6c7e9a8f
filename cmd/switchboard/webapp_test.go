package main

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/switchboardhq/switchboard/internal/whatsapp"
)

// TestMediaLimitsEndpoint: GET /api/v1/media/limits serves the table uploads
// are checked against, to every signed-in user and to nobody else.
func TestMediaLimitsEndpoint(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	employee, _ := app.createUser(admin, "emil", "employee")

	type limit struct {
		Kind      string   `json:"kind"`
		MIMETypes []string `json:"mime_types"`
		MaxBytes  int64    `json:"max_bytes"`
	}
	var got struct{ Items []limit }
	employee.must(200, "GET", "/api/v1/media/limits", nil, &got)
	var want []limit
	for _, l := range whatsapp.MediaLimits() {
		want = append(want, limit{l.Kind, l.MIMETypes, l.MaxBytes})
	}
	if !reflect.DeepEqual(got.Items, want) {
		g, _ := json.Marshal(got.Items)
		t.Fatalf("limits = %s", g)
	}
	if status, _ := app.client("").do("GET", "/api/v1/media/limits", nil); status != 401 {
		t.Fatalf("anonymous = %d, want 401", status)
	}
}

// TestSessionState: GET /api/v1/session says whether the request is signed
// in with 200 either way, so the web app's first request does not make the
// browser log an error on the sign-in page.
func TestSessionState(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()

	var got struct {
		SignedIn bool `json:"signed_in"`
		User     *struct {
			Login string `json:"login"`
		} `json:"user"`
	}
	admin.must(200, "GET", "/api/v1/session", nil, &got)
	if !got.SignedIn || got.User == nil || got.User.Login == "" {
		t.Fatalf("signed in: %+v", got)
	}
	for name, c := range map[string]*client{"anonymous": app.client(""), "bad token": app.client("not-a-session")} {
		got.SignedIn, got.User = true, nil
		c.must(200, "GET", "/api/v1/session", nil, &got)
		if got.SignedIn || got.User != nil {
			t.Errorf("%s: %+v", name, got)
		}
	}
}
