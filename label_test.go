package switchboard

import (
	"slices"
	"strings"
	"testing"
)

func TestLabelValidate(t *testing.T) {
	for _, tt := range []struct {
		in       Label
		err      error
		name, co string
	}{
		{Label{Name: " VIP ", Color: "#AABBCC"}, nil, "VIP", "#aabbcc"},
		{Label{Name: strings.Repeat("ä", MaxLabelName), Color: "#000000"}, nil, strings.Repeat("ä", MaxLabelName), "#000000"},
		{Label{Name: strings.Repeat("ä", MaxLabelName+1), Color: "#000000"}, ErrLabelName, "", ""},
		{Label{Name: "", Color: "#000000"}, ErrLabelName, "", ""},
		{Label{Name: "a\tb", Color: "#000000"}, ErrLabelName, "", ""},
		{Label{Name: "ok", Color: "#00000g"}, ErrLabelColor, "", ""},
		{Label{Name: "ok", Color: "000000"}, ErrLabelColor, "", ""},
		{Label{Name: "ok", Color: "#0000000"}, ErrLabelColor, "", ""},
	} {
		l := tt.in
		err := l.Validate()
		if err != tt.err {
			t.Errorf("Validate(%+v) = %v, want %v", tt.in, err, tt.err)
			continue
		}
		if err == nil && (l.Name != tt.name || l.Color != tt.co) {
			t.Errorf("Validate(%+v) gave %+v", tt.in, l)
		}
	}
}

func TestSavedViewValidate(t *testing.T) {
	ok := SavedView{UserID: "u", Name: " Mine ", Filter: ViewFilter{Assignment: AssignmentMine, Unread: true, Sort: SortWaiting}}
	if err := ok.Validate(); err != nil || ok.Name != "Mine" {
		t.Fatalf("Validate = %v, %q", err, ok.Name)
	}
	for _, v := range []SavedView{
		{UserID: "u", Name: ""},
		{UserID: "u", Name: strings.Repeat("v", MaxViewName+1)},
		{UserID: "u", Name: "a\nb"},
		{UserID: "u", Name: "x", Filter: ViewFilter{Status: "gone"}},
		{UserID: "u", Name: "x", Filter: ViewFilter{Assignment: "theirs"}},
		{UserID: "u", Name: "x", Filter: ViewFilter{Sort: "oldest"}},
	} {
		if err := v.Validate(); ErrorCode(err) != EInvalid {
			t.Errorf("Validate(%+v) = %v, want EInvalid", v, err)
		}
	}
}

func TestNarrowChannel(t *testing.T) {
	for _, tt := range []struct {
		scope []string
		one   string
		want  []string
	}{
		{nil, "", nil},
		{nil, "a", []string{"a"}},
		{[]string{"a", "b"}, "b", []string{"b"}},
		{[]string{"a"}, "c", []string{}},
	} {
		f := ConversationFilter{ChannelIDs: tt.scope, ChannelID: tt.one}
		f.NarrowChannel()
		if !slices.Equal(f.ChannelIDs, tt.want) || (tt.want == nil) != (f.ChannelIDs == nil) || f.ChannelID != "" {
			t.Errorf("NarrowChannel(%v, %q) = %#v", tt.scope, tt.one, f.ChannelIDs)
		}
	}
}

// TestScannedFiltersCountByScan: a label, unread or an assignee narrow the
// counts below the counters, so the counts come from a bounded scan, and
// say Capped beyond MaxScanTally.
func TestScannedFiltersCountByScan(t *testing.T) {
	for _, f := range []ConversationFilter{{LabelID: "l"}, {Unread: true, ViewerID: "v"}, {AssigneeID: "u"}} {
		if src, err := f.CountsSource(); err != nil || src != TallyScan {
			t.Errorf("CountsSource(%+v) = %v, %v; want a scan", f, src, err)
		}
	}
	f := ConversationFilter{LabelID: "l"}
	if n := f.Counts([]ConversationTally{{Status: StatusOpen, All: MaxScanTally + 1}}); !n.Capped {
		t.Errorf("Counts beyond the bound = %+v, want Capped", n)
	}
	if n := f.Counts([]ConversationTally{{Status: StatusOpen, All: MaxScanTally}}); n.Capped {
		t.Errorf("Counts at the bound = %+v, want not Capped", n)
	}
	plain := ConversationFilter{}
	if n := plain.Counts([]ConversationTally{{Status: StatusOpen, All: MaxScanTally + 1}}); n.Capped {
		t.Errorf("counter counts = %+v, never Capped", n)
	}
}
