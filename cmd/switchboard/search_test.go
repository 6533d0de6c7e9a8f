package main

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

type searchPage struct {
	Items      []switchboard.SearchResult `json:"items"`
	NextCursor string                     `json:"next_cursor"`
}

// searchAs runs GET /api/v1/search/messages?q= as c and returns the hits'
// conversation ids.
func searchAs(c *client, q string) []string {
	c.t.Helper()
	var p searchPage
	c.must(200, "GET", "/api/v1/search/messages?q="+url.QueryEscape(q), nil, &p)
	out := []string{}
	for _, h := range p.Items {
		out = append(out, h.ConversationID)
	}
	return out
}

// TestMessageSearchThroughAPI: the search finds folded words in every
// script, newest first, with a snippet and the contact's name; an
// employee finds only what they may read (assigned, mentioned), a role
// limited to one channel only that channel, and a hidden conversation
// looks exactly like no hit; bad queries are 400 with a message; an
// erasure takes the hits away.
func TestMessageSearchThroughAPI(t *testing.T) {
	app := startApp(t, nil)
	admin := app.setupAdmin()
	berlin, hamburg := app.channel("Berlin"), app.channel("Hamburg")
	var hamburgDesk struct{ ID string }
	admin.must(201, "POST", "/api/v1/roles", map[string]any{
		"name": "Hamburg desk", "permissions": []string{"conversations.read_all"}, "channel_ids": []string{hamburg.ID},
	}, &hamburgDesk)
	desk, _ := app.createUser(admin, "hdesk", hamburgDesk.ID)
	emp, empUser := app.createUser(admin, "emil", "employee")
	op, _ := app.createUser(admin, "olga", "operator")

	t0 := time.Now().UTC().Add(-time.Hour)
	olga := app.customerWroteAt(berlin.ID, "4915100000401", "Ольга", "ПРИВЕТ! Где мой заказ?", t0)
	jonas := app.customerWroteAt(berlin.ID, "4915100000402", "Jonas", "Ich wohne in der Straße 7, Bestellung fehlt", t0.Add(time.Minute))
	ayse := app.customerWroteAt(hamburg.ID, "4915100000403", "Ayşe", "İstanbul'dan yazıyorum, sipariş nerede?", t0.Add(2*time.Minute))
	mira := app.customerWroteAt(berlin.ID, "4915100000404", "Mira", "привет, заказ пришёл", t0.Add(3*time.Minute))
	admin.must(200, "PUT", "/api/v1/conversations/"+olga.ID+"/assignees/"+empUser.ID, nil, nil)
	// A note mentioning the employee lets them read Mira's conversation.
	op.must(201, "POST", "/api/v1/conversations/"+mira.ID+"/notes", map[string]any{"text": "@Emil заказ проверить", "mentions": []string{empUser.ID}}, nil)

	if got := searchAs(admin, "привет"); !slices.Equal(got, []string{mira.ID, olga.ID}) {
		t.Errorf("admin привет = %v, want Mira then Olga", got)
	}
	if got := searchAs(admin, "STRASSE"); !slices.Equal(got, []string{jonas.ID}) {
		t.Errorf("admin STRASSE = %v", got)
	}
	if got := searchAs(admin, "ISTANBUL"); !slices.Equal(got, []string{ayse.ID}) {
		t.Errorf("admin ISTANBUL = %v", got)
	}
	var p searchPage
	admin.must(200, "GET", "/api/v1/search/messages?q="+url.QueryEscape("straße bestellung"), nil, &p)
	if len(p.Items) != 1 || p.Items[0].ContactName != "Jonas" || p.Items[0].Snippet != "Ich wohne in der Straße 7, Bestellung fehlt" ||
		p.Items[0].Kind != switchboard.HitMessage || p.Items[0].MessageID == "" || p.Items[0].ChannelID != berlin.ID || p.NextCursor != "" {
		t.Errorf("admin page = %+v", p)
	}

	// The note is found too, for whoever may read the conversation.
	admin.must(200, "GET", "/api/v1/search/messages?q="+url.QueryEscape("заказ"), nil, &p)
	if len(p.Items) != 3 || p.Items[0].Kind != switchboard.HitNote || p.Items[0].ConversationID != mira.ID {
		t.Errorf("admin заказ = %+v, want the note first", p.Items)
	}
	// The employee: Olga's (assigned) and Mira's (mentioned), never Jonas'.
	if got := searchAs(emp, "заказ"); !slices.Equal(got, []string{mira.ID, mira.ID, olga.ID}) {
		t.Errorf("employee заказ = %v", got)
	}
	if got := searchAs(emp, "strasse"); len(got) != 0 {
		t.Errorf("employee strasse = %v, want nothing", got)
	}
	// The Hamburg desk reads all of Hamburg and nothing else.
	if got := searchAs(desk, "istanbul"); !slices.Equal(got, []string{ayse.ID}) {
		t.Errorf("desk istanbul = %v", got)
	}
	if got := searchAs(desk, "привет"); len(got) != 0 {
		t.Errorf("desk привет = %v, want nothing", got)
	}

	for _, q := range []string{"", "%20%20", url.QueryEscape(strings.Repeat("x", 101)), "a+b+c+d+e+f+g+h+i", "...", url.QueryEscape(strings.Repeat("я", 100) + "é")} {
		code, body := emp.do("GET", "/api/v1/search/messages?q="+q, nil)
		if code != 400 || errorCode(t, body) != switchboard.EInvalid || !strings.Contains(string(body), "Search text") {
			t.Errorf("q=%s: %d %s, want 400 with a message", q, code, body)
		}
	}
	for _, l := range []string{"0", "51", "x"} {
		if code, body := emp.do("GET", "/api/v1/search/messages?q=hi&limit="+l, nil); code != 400 {
			t.Errorf("limit=%s: %d %s, want 400", l, code, body)
		}
	}
	if code, _ := emp.do("GET", "/api/v1/search/messages?q=hi&cursor=nope", nil); code != 400 {
		t.Errorf("bad cursor: %d, want 400", code)
	}

	// Pages.
	admin.must(200, "GET", "/api/v1/search/messages?q="+url.QueryEscape("заказ")+"&limit=2", nil, &p)
	if len(p.Items) != 2 || p.NextCursor == "" {
		t.Fatalf("first page = %+v", p)
	}
	var rest searchPage
	admin.must(200, "GET", "/api/v1/search/messages?q="+url.QueryEscape("заказ")+"&limit=2&cursor="+url.QueryEscape(p.NextCursor), nil, &rest)
	if len(rest.Items) != 1 || rest.Items[0].ConversationID != olga.ID || rest.NextCursor != "" {
		t.Errorf("second page = %+v", rest)
	}

	// Erasure removes the hits.
	admin.must(200, "DELETE", "/api/v1/contacts/"+olga.Contact.ID, nil, nil)
	if got := searchAs(admin, "привет"); !slices.Equal(got, []string{mira.ID}) {
		t.Errorf("after erasure привет = %v, want Mira only", got)
	}
}
