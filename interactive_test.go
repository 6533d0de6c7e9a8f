package switchboard

import (
	"strings"
	"testing"
)

func TestInteractiveSendValidate(t *testing.T) {
	buttons := func(n int) []ReplyButton {
		var bs []ReplyButton
		for i := range n {
			bs = append(bs, ReplyButton{ID: "id" + string(rune('a'+i)), Title: "Title " + string(rune('a'+i))})
		}
		return bs
	}
	rows := func(n int) []ListRow {
		var rs []ListRow
		for i := range n {
			rs = append(rs, ListRow{ID: "r" + string(rune('a'+i)), Title: "Row " + string(rune('a'+i))})
		}
		return rs
	}
	btn := func(f func(m *InteractiveSend)) *InteractiveSend {
		m := &InteractiveSend{Kind: InteractiveButton, Body: "Pick one", Buttons: buttons(2)}
		f(m)
		return m
	}
	list := func(f func(m *InteractiveSend)) *InteractiveSend {
		m := &InteractiveSend{Kind: InteractiveList, Body: "Pick one", ListButton: "Options",
			Sections: []ListSection{{Title: "A", Rows: rows(3)}}}
		f(m)
		return m
	}
	cta := func(f func(m *InteractiveSend)) *InteractiveSend {
		m := &InteractiveSend{Kind: InteractiveCTAURL, Body: "See dates", DisplayText: "Open", URL: "https://example.com/dates"}
		f(m)
		return m
	}
	long := func(n int) string { return strings.Repeat("é", n) } // two bytes each: limits count characters
	for _, tc := range []struct {
		name string
		m    *InteractiveSend
		want string // "" = valid, else a substring of the error
	}{
		{"buttons ok", btn(func(*InteractiveSend) {}), ""},
		{"three buttons", btn(func(m *InteractiveSend) { m.Buttons = buttons(3) }), ""},
		{"four buttons", btn(func(m *InteractiveSend) { m.Buttons = buttons(4) }), "1 to 3 buttons"},
		{"no buttons", btn(func(m *InteractiveSend) { m.Buttons = nil }), "1 to 3 buttons"},
		{"title 20", btn(func(m *InteractiveSend) { m.Buttons[0].Title = long(20) }), ""},
		{"title 21", btn(func(m *InteractiveSend) { m.Buttons[0].Title = long(21) }), "button title has 21"},
		{"id 256", btn(func(m *InteractiveSend) { m.Buttons[0].ID = long(256) }), ""},
		{"id 257", btn(func(m *InteractiveSend) { m.Buttons[0].ID = long(257) }), "button id has 257"},
		{"duplicate id", btn(func(m *InteractiveSend) { m.Buttons[1].ID = m.Buttons[0].ID }), "ids must be unique"},
		{"duplicate title", btn(func(m *InteractiveSend) { m.Buttons[1].Title = m.Buttons[0].Title }), "titles must be unique"},
		{"empty title", btn(func(m *InteractiveSend) { m.Buttons[0].Title = "" }), "needs an id and a title"},
		{"body 1024", btn(func(m *InteractiveSend) { m.Body = long(1024) }), ""},
		{"body 1025", btn(func(m *InteractiveSend) { m.Body = long(1025) }), "body has 1025"},
		{"no body", btn(func(m *InteractiveSend) { m.Body = "" }), "body text is required"},
		{"header 60", btn(func(m *InteractiveSend) { m.Header = long(60) }), ""},
		{"header 61", btn(func(m *InteractiveSend) { m.Header = long(61) }), "header has 61"},
		{"footer 61", btn(func(m *InteractiveSend) { m.Footer = long(61) }), "footer has 61"},
		{"buttons with url", btn(func(m *InteractiveSend) { m.URL = "https://x.test" }), "only buttons"},
		{"list ok", list(func(*InteractiveSend) {}), ""},
		{"list body 4096", list(func(m *InteractiveSend) { m.Body = long(4096) }), ""},
		{"list body 4097", list(func(m *InteractiveSend) { m.Body = long(4097) }), "body has 4097"},
		{"list button 21", list(func(m *InteractiveSend) { m.ListButton = long(21) }), "list button has 21"},
		{"list no button", list(func(m *InteractiveSend) { m.ListButton = "" }), "text of the button"},
		{"ten rows", list(func(m *InteractiveSend) { m.Sections[0].Rows = rows(10) }), ""},
		{"eleven rows across sections", list(func(m *InteractiveSend) {
			m.Sections = []ListSection{{Title: "A", Rows: rows(6)}, {Title: "B", Rows: rows(5)}}
		}), "at most 10 rows"},
		{"eleven sections", list(func(m *InteractiveSend) {
			m.Sections = nil
			for range 11 {
				m.Sections = append(m.Sections, ListSection{Title: "S", Rows: rows(1)})
			}
		}), "1 to 10 sections"},
		{"section title 25", list(func(m *InteractiveSend) { m.Sections[0].Title = long(25) }), "section title has 25"},
		{"untitled second section", list(func(m *InteractiveSend) {
			m.Sections = append(m.Sections, ListSection{Rows: []ListRow{{ID: "z", Title: "Z"}}})
		}), "needs a title"},
		{"row title 24", list(func(m *InteractiveSend) { m.Sections[0].Rows[0].Title = long(24) }), ""},
		{"row title 25", list(func(m *InteractiveSend) { m.Sections[0].Rows[0].Title = long(25) }), "row title has 25"},
		{"row description 72", list(func(m *InteractiveSend) { m.Sections[0].Rows[0].Description = long(72) }), ""},
		{"row description 73", list(func(m *InteractiveSend) { m.Sections[0].Rows[0].Description = long(73) }), "row description has 73"},
		{"row id 201", list(func(m *InteractiveSend) { m.Sections[0].Rows[0].ID = long(201) }), "row id has 201"},
		{"duplicate row id", list(func(m *InteractiveSend) { m.Sections[0].Rows[1].ID = m.Sections[0].Rows[0].ID }), "Row ids must be unique"},
		{"empty section", list(func(m *InteractiveSend) { m.Sections[0].Rows = nil }), "has no rows"},
		{"cta ok", cta(func(*InteractiveSend) {}), ""},
		{"cta display 20", cta(func(m *InteractiveSend) { m.DisplayText = long(20) }), ""},
		{"cta display 21", cta(func(m *InteractiveSend) { m.DisplayText = long(21) }), "display_text has 21"},
		{"cta http", cta(func(m *InteractiveSend) { m.URL = "http://example.com" }), "https://"},
		{"cta javascript", cta(func(m *InteractiveSend) { m.URL = "javascript:alert(1)" }), "https://"},
		{"cta no host", cta(func(m *InteractiveSend) { m.URL = "https:///path" }), "https://"},
		{"cta userinfo", cta(func(m *InteractiveSend) { m.URL = "https://a:b@example.com" }), "https://"},
		{"cta no url", cta(func(m *InteractiveSend) { m.URL = "" }), "needs display_text and url"},
		{"cta body 1025", cta(func(m *InteractiveSend) { m.Body = long(1025) }), "body has 1025"},
		{"unknown kind", &InteractiveSend{Kind: "carousel", Body: "x"}, "must be button, list or cta_url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.m.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate = %v, want an error containing %q", err, tc.want)
			}
			if c := ErrorCode(err); c != EUnprocessable {
				t.Fatalf("code = %s, want %s", c, EUnprocessable)
			}
		})
	}
	var nilMsg *InteractiveSend
	if ErrorCode(nilMsg.Validate()) != EInvalid {
		t.Fatal("a missing interactive object must be invalid")
	}
}

func TestInteractiveSendNormalize(t *testing.T) {
	m := &InteractiveSend{Kind: " button ", Body: "  hi ", Buttons: []ReplyButton{{ID: " a ", Title: " Yes "}}}
	m.Normalize()
	if m.Kind != "button" || m.Body != "hi" || m.Buttons[0].ID != "a" || m.Buttons[0].Title != "Yes" {
		t.Fatalf("Normalize = %+v", m)
	}
}
