package storetest

import (
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testUploads: sending an upload attaches it to its message (once: a second
// send of the same file is refused), and DeleteUnsentUploads deletes only
// the uploads older than its bound that no message uses (security review
// finding 13).
func testUploads(t *testing.T, open Opener) {
	s := open(t)
	ch := mustChannel(t, s)
	u := mustUser(t, s, unique("op"), "Operator", switchboard.RoleOperator)
	r := mustReceive(t, s, inbound(ch.ID, "4915100000077", "Ute Upload", "schick mal", T0))
	conv := r.Conversation
	bound := T0.Add(24 * time.Hour)
	file := func(at time.Time, messageID string) *switchboard.MediaFile {
		f := &switchboard.MediaFile{ConversationID: conv.ID, MessageID: messageID, KeyID: conv.KeyID, MIMEType: "application/pdf", Size: 1, CreatedAt: at}
		must(t, s.CreateMedia(ctx(), f))
		return f
	}
	sentOld := file(bound.Add(-time.Hour), "")
	unsentOld := file(bound.Add(-time.Second), "")
	unsentNew := file(bound, "")
	inboundOld := file(T0, r.Message.ID) // a downloaded attachment

	send := func(f *switchboard.MediaFile) error {
		_, err := s.CreateOutboundMessage(ctx(), &switchboard.Message{ConversationID: conv.ID, Type: switchboard.TypeDocument, SenderID: u.ID,
			Content: switchboard.MessageContent{Media: &switchboard.Media{ID: f.ID, MIMEType: f.MIMEType, Size: f.Size}}})
		return err
	}
	must(t, send(sentOld))
	wantCode(t, send(sentOld), switchboard.EInvalid)
	if f, err := s.Media(ctx(), sentOld.ID); err != nil || f.MessageID == "" {
		t.Fatalf("sent upload = %+v, %v; want it attached to its message", f, err)
	}

	var got []string
	for range 5 {
		ids, err := s.DeleteUnsentUploads(ctx(), bound, 1)
		must(t, err)
		if len(ids) > 1 {
			t.Fatalf("limit 1 deleted %v", ids)
		}
		if len(ids) == 0 {
			break
		}
		got = append(got, ids...)
	}
	if !sameSet(got, []string{unsentOld.ID}) {
		t.Fatalf("DeleteUnsentUploads deleted %v, want only the unsent old upload %s", got, unsentOld.ID)
	}
	wantCode(t, func() error { _, err := s.Media(ctx(), unsentOld.ID); return err }(), switchboard.ENotFound)
	for _, f := range []*switchboard.MediaFile{sentOld, unsentNew, inboundOld} {
		if _, err := s.Media(ctx(), f.ID); err != nil {
			t.Errorf("media %s was deleted: %v", f.ID, err)
		}
	}
}
