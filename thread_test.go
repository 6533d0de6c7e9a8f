package switchboard_test

import (
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

func TestThreadEntryValidate(t *testing.T) {
	id := switchboard.NewID()
	many := make([]string, switchboard.MaxNoteMentions+1)
	for i := range many {
		many[i] = switchboard.NewID()
	}
	cases := []struct {
		name string
		e    switchboard.ThreadEntry
		want *switchboard.Error
	}{
		{"note", switchboard.ThreadEntry{Kind: switchboard.NoteEntry, Text: "hi"}, nil},
		{"blank note", switchboard.ThreadEntry{Kind: switchboard.NoteEntry, Text: " \n "}, switchboard.ErrNoteEmpty},
		{"long note", switchboard.ThreadEntry{Kind: switchboard.NoteEntry, Text: strings.Repeat("ж", switchboard.MaxNoteText+1)}, switchboard.ErrNoteTooLong},
		{"longest note", switchboard.ThreadEntry{Kind: switchboard.NoteEntry, Text: strings.Repeat("ж", switchboard.MaxNoteText)}, nil},
		{"too many mentions", switchboard.ThreadEntry{Kind: switchboard.NoteEntry, Text: "hi", Mentions: many}, switchboard.ErrNoteMentions},
		{"repeats count once", switchboard.ThreadEntry{Kind: switchboard.NoteEntry, Text: "hi", Mentions: append(many[:switchboard.MaxNoteMentions:switchboard.MaxNoteMentions], many[0])}, nil},
		{"activity", switchboard.ThreadEntry{Kind: switchboard.ActivityEntry, Activity: &switchboard.Activity{Action: switchboard.ActivityStatus, Value: "closed"}}, nil},
		{"activity without action", switchboard.ThreadEntry{Kind: switchboard.ActivityEntry, Activity: &switchboard.Activity{}}, switchboard.ErrActivityNoAction},
		{"activity without content", switchboard.ThreadEntry{Kind: switchboard.ActivityEntry}, switchboard.ErrActivityNoAction},
		{"unknown kind", switchboard.ThreadEntry{Kind: "memo", Text: "x"}, switchboard.ErrEntryKind},
	}
	for _, tc := range cases {
		err := tc.e.Validate()
		if tc.want == nil && err != nil || tc.want != nil && err != tc.want {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	n := switchboard.ThreadEntry{Kind: switchboard.NoteEntry, Text: "  @Ben hi  ", Mentions: []string{id, "", id}, AuthorName: "x",
		Activity: &switchboard.Activity{Action: "status"}}
	if err := n.Validate(); err != nil || n.Text != "@Ben hi" || len(n.Mentions) != 1 || n.Activity != nil || n.AuthorName != "" {
		t.Fatalf("normalised note = %+v, %v", n, err)
	}
	a := switchboard.ThreadEntry{Kind: switchboard.ActivityEntry, Text: "x", Mentions: []string{id},
		Activity: &switchboard.Activity{Action: "assigned", SubjectName: "Ben"}}
	if err := a.Validate(); err != nil || a.Text != "" || a.Mentions != nil || a.Activity.SubjectName != "" {
		t.Fatalf("normalised activity = %+v, %v", a, err)
	}
}

func TestThreadEntryPrepare(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	now := time.Date(2026, 3, 1, 10, 0, 0, 123456789, berlin)
	e := &switchboard.ThreadEntry{Kind: switchboard.NoteEntry, Text: "  hello  "}
	if err := e.Prepare(now); err != nil {
		t.Fatal(err)
	}
	if want := now.UTC().Truncate(time.Microsecond); !e.CreatedAt.Equal(want) || e.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v, want %v in UTC", e.CreatedAt, want)
	}
	if e.ID == "" || e.Text != "hello" {
		t.Errorf("Prepare() = id %q text %q, want an id and the trimmed text", e.ID, e.Text)
	}
	given := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	k := &switchboard.ThreadEntry{ID: "kept", Kind: switchboard.ActivityEntry, Activity: &switchboard.Activity{Action: "assigned"}, CreatedAt: given}
	if err := k.Prepare(now); err != nil {
		t.Fatal(err)
	}
	if k.ID != "kept" || !k.CreatedAt.Equal(given) {
		t.Errorf("Prepare() overwrote given fields: %+v", k)
	}
	if err := (&switchboard.ThreadEntry{Kind: switchboard.NoteEntry}).Prepare(now); err != switchboard.ErrNoteEmpty {
		t.Errorf("Prepare(empty note) = %v, want switchboard.ErrNoteEmpty", err)
	}
}
