package switchboard_test

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

func TestCannedReplyValidate(t *testing.T) {
	long := strings.Repeat("я", switchboard.MaxCannedText+1)
	for _, tt := range []struct {
		name string
		in   switchboard.CannedReply
		want error // nil, or the error whose message must match
		msg  string
	}{
		{name: "shared", in: switchboard.CannedReply{Scope: switchboard.CannedShared, Shortcut: "hi", Text: "Hi"}},
		{name: "leading slash and Unicode shortcut", in: switchboard.CannedReply{Scope: switchboard.CannedShared, Shortcut: " /Привет_1.2-3 ", Text: "x"}},
		{name: "personal needs an owner", in: switchboard.CannedReply{Scope: switchboard.CannedPersonal, Shortcut: "hi", Text: "x"}, want: switchboard.ErrCannedScope},
		{name: "unknown scope", in: switchboard.CannedReply{Scope: "team", Shortcut: "hi", Text: "x"}, want: switchboard.ErrCannedScope},
		{name: "empty shortcut", in: switchboard.CannedReply{Scope: switchboard.CannedShared, Shortcut: "/", Text: "x"}, want: switchboard.ErrCannedShortcut},
		{name: "space in shortcut", in: switchboard.CannedReply{Scope: switchboard.CannedShared, Shortcut: "good bye", Text: "x"}, want: switchboard.ErrCannedShortcut},
		{name: "long shortcut", in: switchboard.CannedReply{Scope: switchboard.CannedShared, Shortcut: strings.Repeat("a", 33), Text: "x"}, want: switchboard.ErrCannedShortcut},
		{name: "long title", in: switchboard.CannedReply{Scope: switchboard.CannedShared, Shortcut: "a", Title: strings.Repeat("t", 101), Text: "x"}, want: switchboard.ErrCannedTitle},
		{name: "empty text", in: switchboard.CannedReply{Scope: switchboard.CannedShared, Shortcut: "a", Text: " \n "}, want: switchboard.ErrCannedEmpty},
		{name: "long text", in: switchboard.CannedReply{Scope: switchboard.CannedShared, Shortcut: "a", Text: long}, want: switchboard.ErrCannedTooLong},
		{name: "unknown variable", in: switchboard.CannedReply{Scope: switchboard.CannedShared, Shortcut: "a", Text: "Hi {{customer.phone}}"},
			msg: "Unknown variable {{customer.phone}}: use {{customer.name}}, {{agent.name}} or {{business.name}}."},
		{name: "unclosed variable", in: switchboard.CannedReply{Scope: switchboard.CannedShared, Shortcut: "a", Text: "Hi {{customer.name"},
			msg: "A variable is not closed: write it as {{customer.name}}, {{agent.name}} or {{business.name}}."},
		{name: "all variables, spaced", in: switchboard.CannedReply{Scope: switchboard.CannedShared, Shortcut: "a", Text: "{{customer.name}} {{ agent.name }} {{business.name}}"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.in
			err := r.Validate()
			switch {
			case tt.want != nil:
				if err != tt.want {
					t.Fatalf("Validate() = %v, want %v", err, tt.want)
				}
			case tt.msg != "":
				if switchboard.ErrorCode(err) != switchboard.EInvalid || switchboard.ErrorMessage(err) != tt.msg {
					t.Fatalf("Validate() = %v, want EInvalid %q", err, tt.msg)
				}
			case err != nil:
				t.Fatalf("Validate() = %v", err)
			}
		})
	}
	r := switchboard.CannedReply{Scope: switchboard.CannedShared, OwnerID: "u1", Shortcut: " /Hi ", Title: " Greeting ", Text: " Hi! "}
	if err := r.Validate(); err != nil || r.OwnerID != "" || r.Shortcut != "Hi" || r.Title != "Greeting" || r.Text != "Hi!" {
		t.Fatalf("Validate normalised to %+v, %v", r, err)
	}
}

func TestRenderCanned(t *testing.T) {
	v := switchboard.CannedVars{CustomerName: "Jürgen", AgentName: "Anna", BusinessName: "Bäckerei Schmidt"}
	for _, tt := range []struct{ text, vars, want string }{
		{"Hello {{customer.name}}, {{agent.name}} from {{business.name}} here.", "all", "Hello Jürgen, Anna from Bäckerei Schmidt here."},
		{"Hi {{ customer.name }}!", "all", "Hi Jürgen!"},
		{"Hello {{customer.name}}, how can we help?", "none", "Hello , how can we help?"},
		{"No variables {single} braces", "all", "No variables {single} braces"},
		{"{{customer.name}}{{customer.name}}", "all", "JürgenJürgen"},
		// A value is inserted as text: braces in a customer's name are not expanded again.
		{"{{customer.name}}", "braces", "{{agent.name}}"},
		{"Left alone: {{customer.name", "all", "Left alone: {{customer.name"},
	} {
		vars := v
		switch tt.vars {
		case "none":
			vars = switchboard.CannedVars{}
		case "braces":
			vars = switchboard.CannedVars{CustomerName: "{{agent.name}}", AgentName: "Anna"}
		}
		if got := switchboard.RenderCanned(tt.text, vars); got != tt.want {
			t.Errorf("RenderCanned(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestDraftValidate(t *testing.T) {
	if err := (&switchboard.Draft{Text: "  keep my spaces \n"}).Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (&switchboard.Draft{Text: strings.Repeat("ü", switchboard.MaxDraftText+1)}).Validate(); err != switchboard.ErrDraftTooLong {
		t.Fatalf("long draft: %v", err)
	}
	if err := (&switchboard.Draft{Text: "\xff"}).Validate(); switchboard.ErrorCode(err) != switchboard.EInvalid {
		t.Fatalf("invalid UTF-8: %v", err)
	}
}

func TestDraftPrepare(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.FixedZone("CET", 3600))
	d := &switchboard.Draft{Text: "hallo"}
	if err := d.Prepare(now); err != nil {
		t.Fatal(err)
	}
	if want := now.UTC().Truncate(time.Microsecond); !d.UpdatedAt.Equal(want) || d.UpdatedAt.Location() != time.UTC {
		t.Errorf("UpdatedAt = %v, want %v in UTC", d.UpdatedAt, want)
	}
	given := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	k := &switchboard.Draft{Text: "x", UpdatedAt: given}
	if err := k.Prepare(now); err != nil || !k.UpdatedAt.Equal(given) {
		t.Errorf("Prepare() = %v, %v; want the given time kept", k.UpdatedAt, err)
	}
	if err := (&switchboard.Draft{Text: strings.Repeat("x", switchboard.MaxDraftText+1)}).Prepare(now); err != switchboard.ErrDraftTooLong {
		t.Errorf("Prepare(too long) = %v", err)
	}
}

func TestCannedReplyPrepareNew(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 123456789, time.FixedZone("CET", 3600))
	r := &switchboard.CannedReply{Scope: switchboard.CannedShared, Shortcut: "hallo", Text: "Hallo {{customer.name}}"}
	if err := r.PrepareNew(now); err != nil {
		t.Fatal(err)
	}
	if want := now.UTC().Truncate(time.Microsecond); r.ID == "" || !r.CreatedAt.Equal(want) || !r.UpdatedAt.Equal(want) || r.CreatedAt.Location() != time.UTC {
		t.Errorf("PrepareNew() = id %q created %v updated %v, want an id and %v", r.ID, r.CreatedAt, r.UpdatedAt, want)
	}
	if err := (&switchboard.CannedReply{Scope: switchboard.CannedShared, Shortcut: "x", Text: "{{nope}}"}).PrepareNew(now); switchboard.ErrorCode(err) != switchboard.EInvalid {
		t.Errorf("PrepareNew(unknown variable) = %v, want invalid", err)
	}
}
