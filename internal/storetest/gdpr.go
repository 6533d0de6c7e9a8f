package storetest

import (
	"crypto/rand"
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/seal"
)

// keyed is what both stores offer besides switchboard.Store: their
// keyring.
type keyed interface {
	Keys() *seal.Keyring
}

func testPrivacy(t *testing.T, open Opener) {
	t.Run("EraseContact", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		u := mustUser(t, s, unique("op"), "Operator", switchboard.RoleOperator)
		a1 := mustReceive(t, s, inbound(ch.ID, "4915100000001", "Anna Erasmus", "Bitte löschen", T0))
		mustReceive(t, s, inbound(ch.ID, "4915100000001", "Anna Erasmus", "Zweite Nachricht", T0.Add(time.Minute)))
		img := inbound(ch.ID, "4915100000001", "Anna Erasmus", "Foto", T0.Add(2*time.Minute))
		img.Message.Type = switchboard.TypeImage
		img.Message.Content.Media = &switchboard.Media{WAMediaID: "wa-media-erase", MIMEType: "image/jpeg", State: switchboard.MediaPending}
		mustReceive(t, s, img)
		b := mustReceive(t, s, inbound(ch.ID, "4915100000002", "Bert Bleibt", "Hallo", T0))
		conv := a1.Conversation
		_, _, err := s.AddAssignee(ctx(), conv.ID, u.ID, T0)
		must(t, err)
		must(t, s.MarkRead(ctx(), conv.ID, u.ID))
		m := &switchboard.MediaFile{ConversationID: conv.ID, KeyID: conv.KeyID, MIMEType: "application/pdf",
			Filename: "Ausweis.pdf", Size: 10, CreatedAt: T0}
		must(t, s.CreateMedia(ctx(), m))
		out := &switchboard.Message{ConversationID: conv.ID, Type: switchboard.TypeText, SenderID: u.ID,
			Content: switchboard.MessageContent{Text: "Wird erledigt"}, Timestamp: T0.Add(3 * time.Minute)}
		_, err = s.CreateOutboundMessage(ctx(), out)
		must(t, err)

		erasedAt := T0.Add(time.Hour)
		res, err := s.EraseContact(ctx(), switchboard.Erasure{ContactID: conv.Contact.ID, ErasedAt: erasedAt, ActorID: u.ID})
		must(t, err)
		if res.KeyID != conv.KeyID || res.Conversations != 1 || res.Messages != 4 || !slices.Equal(res.MediaIDs, []string{m.ID}) {
			t.Fatalf("ErasedContact = %+v, want key %s, 1 conversation, 4 messages, media [%s]", res, conv.KeyID, m.ID)
		}
		_, err = s.Conversation(ctx(), conv.ID, "")
		wantCode(t, err, switchboard.ENotFound)
		_, err = s.Message(ctx(), a1.Message.ID)
		wantCode(t, err, switchboard.ENotFound)
		_, err = s.Media(ctx(), m.ID)
		wantCode(t, err, switchboard.ENotFound)
		for _, q := range []string{"Anna", "Erasmus", "4915100000001"} {
			list, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{Query: q})
			must(t, err)
			if len(list) != 0 {
				t.Errorf("search %q finds %d conversations after the erasure", q, len(list))
			}
		}
		// Nothing left to send or download for the erased contact.
		claimed, err := s.ClaimMediaDownloads(ctx(), 10, 0, time.Minute, T0.Add(24*time.Hour))
		must(t, err)
		if len(claimed) != 0 {
			t.Errorf("%d media downloads left", len(claimed))
		}
		// The data key is gone: not even the store's own keyring opens it.
		if k, ok := s.(keyed); ok {
			if _, err := k.Keys().Get(ctx(), conv.KeyID); err == nil {
				t.Error("the erased contact's data key still loads")
			}
		}
		// The other contact is untouched.
		got, err := s.Conversation(ctx(), b.Conversation.ID, "")
		must(t, err)
		if got.Contact.Name != "Bert Bleibt" {
			t.Errorf("other contact: %+v", got.Contact)
		}
		reg, err := s.Erasures(ctx())
		must(t, err)
		if len(reg) != 1 || reg[0].ContactID != conv.Contact.ID || !reg[0].ErasedAt.Equal(erasedAt) || reg[0].ActorID != u.ID {
			t.Fatalf("Erasures = %+v", reg)
		}
		_, err = s.EraseContact(ctx(), switchboard.Erasure{ContactID: conv.Contact.ID, ErasedAt: erasedAt})
		wantCode(t, err, switchboard.ENotFound)

		// Writing again makes a new contact, which the register does not name.
		again := mustReceive(t, s, inbound(ch.ID, "4915100000001", "Anna Erasmus", "Ich bin es wieder", T0.Add(2*time.Hour)))
		if again.Conversation.Contact.ID == conv.Contact.ID || again.Conversation.KeyID == conv.KeyID {
			t.Error("a new message revived the erased contact or its key")
		}
	})

	t.Run("RecordErasure", func(t *testing.T) {
		s := open(t)
		e := switchboard.Erasure{ContactID: switchboard.NewID(), ErasedAt: T0, ActorID: "someone"}
		must(t, s.RecordErasure(ctx(), e))
		must(t, s.RecordErasure(ctx(), switchboard.Erasure{ContactID: e.ContactID, ErasedAt: T0.Add(time.Hour)}))
		reg, err := s.Erasures(ctx())
		must(t, err)
		if len(reg) != 1 || reg[0] != e {
			t.Fatalf("Erasures = %+v, want [%+v]", reg, e)
		}
		_, err = s.EraseContact(ctx(), switchboard.Erasure{ContactID: switchboard.NewID(), ErasedAt: T0})
		wantCode(t, err, switchboard.ENotFound)
	})

	t.Run("RewrapKeys", func(t *testing.T) {
		s := open(t)
		k, ok := s.(keyed)
		if !ok {
			t.Skip("store has no keyring")
		}
		ch := mustChannel(t, s)
		var convs []*switchboard.Conversation
		for _, wa := range []string{"4915100000011", "4915100000012", "4915100000013"} {
			convs = append(convs, mustReceive(t, s, inbound(ch.ID, wa, "Name "+wa, "Text "+wa, T0)).Conversation)
		}
		old := k.Keys().Master()
		raw := make([]byte, seal.KeySize)
		rand.Read(raw)
		next, err := seal.NewMasterKey("mk_next", raw)
		must(t, err)
		must(t, k.Keys().AddMasters(next))
		rewrap := func(id, masterID string, wrapped []byte) ([]byte, error) {
			if masterID != old.ID() {
				t.Fatalf("key %s is wrapped by %s", id, masterID)
			}
			raw, err := old.Unwrap(id, wrapped)
			if err != nil {
				return nil, err
			}
			defer clear(raw)
			return next.Wrap(id, raw)
		}
		total := 0
		for {
			n, err := s.RewrapDataKeys(ctx(), next.ID(), 2, rewrap)
			must(t, err)
			if n == 0 {
				break
			}
			total += n
		}
		if total != 4 { // three contacts and the channel
			t.Errorf("rewrapped %d keys, want 4", total)
		}
		must(t, s.RewrapBlindIndexKey(ctx(), next.ID(), rewrap))
		seen := 0
		must(t, s.WrappedKeys(ctx(), func(id, masterID string, wrapped []byte) error {
			seen++
			if masterID != next.ID() {
				t.Errorf("key %s still wrapped by %s", id, masterID)
			}
			raw, err := next.Unwrap(id, wrapped)
			clear(raw)
			return err
		}))
		if seen != 5 {
			t.Errorf("WrappedKeys saw %d keys, want 5", seen)
		}
		// Read everything back with the keys loaded afresh.
		for _, c := range convs {
			k.Keys().Forget(c.KeyID)
			got, err := s.Conversation(ctx(), c.ID, "")
			must(t, err)
			if got.Contact.Name != c.Contact.Name {
				t.Errorf("name %q, want %q", got.Contact.Name, c.Contact.Name)
			}
			msgs, _, err := s.Messages(ctx(), c.ID, switchboard.MessagePage{})
			must(t, err)
			if len(msgs) != 1 || msgs[0].Content.Text != "Text "+c.Contact.WaID {
				t.Errorf("messages %+v", msgs)
			}
		}
	})
}
