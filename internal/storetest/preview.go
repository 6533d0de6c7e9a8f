package storetest

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard"
)

// testPreview pins the conversation-list preview (switchboard.PreviewOf):
// the same text on every backend, whether it comes back from the receive
// itself, from Conversation or from the list, for inbound and outbound
// messages. The stores once disagreed (160 runes and location first on
// SQLite, 200 runes and media first on PostgreSQL).
func testPreview(t *testing.T, open Opener) {
	long := strings.Repeat("ab", 149) + "é€" // 300 characters, multi-byte at the end
	cut := string([]rune(long)[:switchboard.PreviewMaxRunes-1]) + "…"
	for _, tt := range []struct {
		name    string
		content switchboard.MessageContent
		typ     switchboard.MessageType
		want    string
	}{
		{"LongText", switchboard.MessageContent{Text: long}, switchboard.TypeText, cut},
		{"ExactlyTheLimit", switchboard.MessageContent{Text: long[:switchboard.PreviewMaxRunes]}, switchboard.TypeText, long[:switchboard.PreviewMaxRunes]},
		{"MediaBeforeLocation", switchboard.MessageContent{Media: &switchboard.Media{MIMEType: "application/pdf", Filename: "offer.pdf"},
			Location: &switchboard.Location{Name: "Office"}}, switchboard.TypeDocument, "offer.pdf"},
		{"MediaBeforeInteractive", switchboard.MessageContent{Media: &switchboard.Media{MIMEType: "image/jpeg", Filename: "photo.jpg"},
			Interactive: &switchboard.Interactive{Kind: "button", Title: "Yes"}}, switchboard.TypeImage, "photo.jpg"},
		{"LocationBeforeInteractive", switchboard.MessageContent{Location: &switchboard.Location{Name: "Office"},
			Interactive: &switchboard.Interactive{Kind: "button", Title: "Yes"}}, switchboard.TypeLocation, "Office"},
		{"CaptionFirst", switchboard.MessageContent{Text: "see this", Media: &switchboard.Media{MIMEType: "image/jpeg", Filename: "photo.jpg"}},
			switchboard.TypeImage, "see this"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if n := utf8.RuneCountInString(tt.want); n > switchboard.PreviewMaxRunes {
				t.Fatalf("want has %d runes", n)
			}
			s := open(t)
			ch := mustChannel(t, s)
			u := mustUser(t, s, "jan", "Jan", switchboard.RoleOperator)
			in := inbound(ch.ID, "4915112345678", "A", "", T0)
			in.Message.Type, in.Message.Content = tt.typ, tt.content
			r := mustReceive(t, s, in)
			check := func(what string, c *switchboard.Conversation, dir switchboard.Direction) {
				t.Helper()
				if c.LastMessage == nil || c.LastMessage.Text != tt.want || c.LastMessage.Direction != dir {
					t.Errorf("%s: preview = %+v, want %q (%s)", what, c.LastMessage, tt.want, dir)
				}
			}
			check("ReceiveMessage", r.Conversation, switchboard.DirectionIn)
			stored, err := s.Conversation(ctx(), r.Conversation.ID, "")
			must(t, err)
			check("Conversation after receive", stored, switchboard.DirectionIn)

			out := &switchboard.Message{ConversationID: r.Conversation.ID, Type: tt.typ, Content: tt.content,
				SenderID: u.ID, Timestamp: T0.Add(time.Minute)}
			c, err := s.CreateOutboundMessage(ctx(), out)
			must(t, err)
			check("CreateOutboundMessage", c, switchboard.DirectionOut)
			list, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{})
			must(t, err)
			if len(list) != 1 {
				t.Fatalf("list = %d conversations", len(list))
			}
			check("Conversations", list[0], switchboard.DirectionOut)
		})
	}
}
