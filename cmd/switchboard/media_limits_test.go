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
