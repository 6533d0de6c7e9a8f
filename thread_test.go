package switchboard_test

import (
	"strings"
	"testing"

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
