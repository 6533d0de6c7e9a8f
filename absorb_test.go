package switchboard_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard"
)

func TestPreviewOf(t *testing.T) {
	at := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	long := strings.Repeat("ж", 300)
	media := &switchboard.Media{Filename: "offer.pdf"}
	loc := &switchboard.Location{Name: "Office"}
	button := &switchboard.Interactive{Kind: "button_reply", Title: "Yes"}
	tmpl := &switchboard.TemplateSend{Name: "order_update"}
	for _, tt := range []struct {
		name string
		c    switchboard.MessageContent
		want string
	}{
		{"text", switchboard.MessageContent{Text: "Hallo"}, "Hallo"},
		{"caption before file name", switchboard.MessageContent{Text: "see", Media: media}, "see"},
		{"reaction", switchboard.MessageContent{Reaction: &switchboard.Reaction{Emoji: "👍"}, Media: media}, "👍"},
		{"media before location", switchboard.MessageContent{Media: media, Location: loc}, "offer.pdf"},
		{"location before interactive", switchboard.MessageContent{Location: loc, Interactive: button}, "Office"},
		{"interactive before template", switchboard.MessageContent{Interactive: button, Template: tmpl}, "Yes"},
		{"template", switchboard.MessageContent{Template: tmpl}, "order_update"},
		{"nothing to show", switchboard.MessageContent{}, ""},
		{"at the limit", switchboard.MessageContent{Text: long[:2*switchboard.PreviewMaxRunes]}, long[:2*switchboard.PreviewMaxRunes]},
		{"over the limit", switchboard.MessageContent{Text: long}, strings.Repeat("ж", switchboard.PreviewMaxRunes-1) + "…"},
		{"long file name", switchboard.MessageContent{Media: &switchboard.Media{Filename: long}}, strings.Repeat("ж", switchboard.PreviewMaxRunes-1) + "…"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := &switchboard.Message{Type: switchboard.TypeText, Direction: switchboard.DirectionOut, Timestamp: at, Content: tt.c}
			got := switchboard.PreviewOf(m)
			want := switchboard.MessagePreview{Text: tt.want, Type: switchboard.TypeText, Direction: switchboard.DirectionOut, At: at}
			if got != want {
				t.Errorf("PreviewOf = %+v, want %+v", got, want)
			}
			if n := utf8.RuneCountInString(got.Text); n > switchboard.PreviewMaxRunes {
				t.Errorf("preview has %d runes", n)
			}
		})
	}
}

func TestConversationActivityAbsorb(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	in := func(text string, at time.Time) *switchboard.Message {
		return &switchboard.Message{Direction: switchboard.DirectionIn, Type: switchboard.TypeText, Timestamp: at,
			Content: switchboard.MessageContent{Text: text}}
	}
	out := func(text string, at time.Time) *switchboard.Message {
		m := in(text, at)
		m.Direction = switchboard.DirectionOut
		return m
	}
	for _, tt := range []struct {
		name    string
		start   switchboard.ConversationActivity
		msgs    []*switchboard.Message
		want    switchboard.ConversationActivity
		preview string // the last preview Absorb returned; "" if none
		shown   []bool // whether each message replaced the preview
	}{
		{
			name:  "first message of a new conversation",
			start: switchboard.ConversationActivity{UpdatedAt: t0},
			msgs:  []*switchboard.Message{in("hi", t0)},
			want:  switchboard.ConversationActivity{LastMessageAt: t0, LastInboundAt: t0, InboundCount: 1, UpdatedAt: t0},
			shown: []bool{true}, preview: "hi",
		},
		{
			name:  "in order",
			msgs:  []*switchboard.Message{in("a", t0), in("b", t0.Add(time.Minute))},
			want:  switchboard.ConversationActivity{LastMessageAt: t0.Add(time.Minute), LastInboundAt: t0.Add(time.Minute), InboundCount: 2, UpdatedAt: t0.Add(time.Minute)},
			shown: []bool{true, true}, preview: "b",
		},
		{
			name:  "a late older message counts but moves nothing back",
			start: switchboard.ConversationActivity{LastMessageAt: t0, LastInboundAt: t0, InboundCount: 1, UpdatedAt: t0},
			msgs:  []*switchboard.Message{in("old", t0.Add(-time.Hour))},
			want:  switchboard.ConversationActivity{LastMessageAt: t0, LastInboundAt: t0, InboundCount: 2, UpdatedAt: t0},
			shown: []bool{false},
		},
		{
			name:  "the later of equal times is shown",
			start: switchboard.ConversationActivity{LastMessageAt: t0, LastInboundAt: t0, InboundCount: 1, UpdatedAt: t0},
			msgs:  []*switchboard.Message{in("same time", t0)},
			want:  switchboard.ConversationActivity{LastMessageAt: t0, LastInboundAt: t0, InboundCount: 2, UpdatedAt: t0},
			shown: []bool{true}, preview: "same time",
		},
		{
			name:  "an outbound message leaves the window and the counter",
			start: switchboard.ConversationActivity{LastMessageAt: t0, LastInboundAt: t0, InboundCount: 1, UpdatedAt: t0},
			msgs:  []*switchboard.Message{out("answer", t0.Add(time.Minute))},
			want:  switchboard.ConversationActivity{LastMessageAt: t0.Add(time.Minute), LastInboundAt: t0, InboundCount: 1, UpdatedAt: t0.Add(time.Minute)},
			shown: []bool{true}, preview: "answer",
		},
		{
			name:  "a late customer message behind our answer opens the window from its own time",
			start: switchboard.ConversationActivity{LastMessageAt: t0.Add(time.Hour), LastInboundAt: t0, InboundCount: 1, UpdatedAt: t0.Add(time.Hour)},
			msgs:  []*switchboard.Message{in("late", t0.Add(time.Minute))},
			want:  switchboard.ConversationActivity{LastMessageAt: t0.Add(time.Hour), LastInboundAt: t0.Add(time.Minute), InboundCount: 2, UpdatedAt: t0.Add(time.Hour)},
			shown: []bool{false},
		},
		{
			name:  "UpdatedAt ahead of the messages (a reopened conversation) stays",
			start: switchboard.ConversationActivity{LastMessageAt: t0, UpdatedAt: t0.Add(time.Hour)},
			msgs:  []*switchboard.Message{out("x", t0.Add(time.Minute))},
			want:  switchboard.ConversationActivity{LastMessageAt: t0.Add(time.Minute), UpdatedAt: t0.Add(time.Hour)},
			shown: []bool{true}, preview: "x",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.start
			var last string
			for i, m := range tt.msgs {
				p := a.Absorb(m)
				if (p != nil) != tt.shown[i] {
					t.Fatalf("message %d: preview %+v, want shown %v", i, p, tt.shown[i])
				}
				if p != nil {
					if *p != switchboard.PreviewOf(m) {
						t.Errorf("message %d: preview %+v, want PreviewOf", i, p)
					}
					last = p.Text
				}
			}
			if a != tt.want {
				t.Errorf("activity = %+v, want %+v", a, tt.want)
			}
			if last != tt.preview {
				t.Errorf("last preview = %q, want %q", last, tt.preview)
			}
			c := switchboard.Conversation{LastInboundAt: a.LastInboundAt}
			if !a.LastInboundAt.IsZero() && !c.WindowClosesAt().Equal(a.LastInboundAt.Add(switchboard.ServiceWindow)) {
				t.Errorf("window closes at %v", c.WindowClosesAt())
			}
		})
	}
}
