package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testSurface covers what the webhook fields beyond messages record
// (switchboard.SurfaceStore).
func testSurface(t *testing.T, open Opener) {
	t.Run("Preferences", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		r := mustReceive(t, s, inbound(ch.ID, "4915550001", "Mia", "hi", T0))
		// A username-only customer, known by BSUID alone.
		uo := inbound(ch.ID, "", "Uma", "hi", T0)
		uo.UserID = "DE.100200300"
		ru := mustReceive(t, s, uo)
		p, err := s.ContactProfile(ctx(), r.Conversation.Contact.ID)
		must(t, err)
		if p.Marketing != nil || p.Contact.WaID != "4915550001" || p.IdentityHistory == nil || len(p.IdentityHistory) != 0 {
			t.Fatalf("profile before any preference = %+v", p)
		}
		changed, err := s.ApplyPreferences(ctx(), []switchboard.PreferenceChange{
			{ChannelID: ch.ID, WaID: "4915550001", Stopped: true, At: T0.Add(time.Hour)},
			{ChannelID: ch.ID, UserID: "DE.100200300", Stopped: true, At: T0.Add(time.Hour)},
			{ChannelID: ch.ID, WaID: "4915559999", Stopped: true, At: T0}, // no such contact: skipped
		})
		must(t, err)
		if !sameSet(changed, []string{r.Conversation.Contact.ID, ru.Conversation.Contact.ID}) {
			t.Fatalf("changed = %v", changed)
		}
		p, err = s.ContactProfile(ctx(), r.Conversation.Contact.ID)
		must(t, err)
		if p.Marketing == nil || !p.Marketing.Stopped || !p.Marketing.At.Equal(T0.Add(time.Hour)) {
			t.Fatalf("after stop: %+v", p.Marketing)
		}
		// An older report is ignored, a repeated one changes nothing, a
		// newer resume applies.
		changed, err = s.ApplyPreferences(ctx(), []switchboard.PreferenceChange{
			{ChannelID: ch.ID, WaID: "4915550001", Stopped: false, At: T0},
			{ChannelID: ch.ID, UserID: "DE.100200300", Stopped: true, At: T0.Add(time.Hour)},
		})
		must(t, err)
		if len(changed) != 0 {
			t.Errorf("older or repeated reports changed %v", changed)
		}
		changed, err = s.ApplyPreferences(ctx(), []switchboard.PreferenceChange{{ChannelID: ch.ID, WaID: "4915550001", Stopped: false, At: T0.Add(2 * time.Hour)}})
		must(t, err)
		p, err = s.ContactProfile(ctx(), r.Conversation.Contact.ID)
		must(t, err)
		if len(changed) != 1 || p.Marketing == nil || p.Marketing.Stopped {
			t.Errorf("after resume: changed %v, %+v", changed, p.Marketing)
		}
		_, err = s.ContactProfile(ctx(), switchboard.NewID())
		wantCode(t, err, switchboard.ENotFound)
	})

	t.Run("IdentityHistory", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		r := mustReceive(t, s, inbound(ch.ID, "4915550002", "Ben", "hi", T0))
		id := r.Conversation.Contact.ID
		must(t, s.AddIdentityChanges(ctx(), []switchboard.IdentityChange{
			{ContactID: id, OldPhone: "4915550002", NewPhone: "4915550003", At: T0.Add(time.Hour)},
			{ContactID: id, OldUserID: "DE.1", NewUserID: "DE.2", At: T0.Add(2 * time.Hour)},
			{ContactID: switchboard.NewID(), OldPhone: "1", NewPhone: "2", At: T0}, // unknown contact: skipped
		}))
		p, err := s.ContactProfile(ctx(), id)
		must(t, err)
		if len(p.IdentityHistory) != 2 || p.IdentityHistory[0].OldPhone != "4915550002" || p.IdentityHistory[0].NewPhone != "4915550003" ||
			p.IdentityHistory[1].OldUserID != "DE.1" || !p.IdentityHistory[1].At.Equal(T0.Add(2*time.Hour)) {
			t.Fatalf("history = %+v", p.IdentityHistory)
		}
	})

	t.Run("ChannelNotices", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		other := mustChannel(t, s)
		var ns []switchboard.ChannelNotice
		for i := range switchboard.MaxChannelNotices + 5 {
			ns = append(ns, switchboard.ChannelNotice{ID: switchboard.NewID(), ChannelID: ch.ID, Field: "phone_number_quality_update",
				Kind: "FLAGGED", Severity: switchboard.NoticeWarning, Summary: "quality", At: T0.Add(time.Duration(i) * time.Minute)})
		}
		ns = append(ns, switchboard.ChannelNotice{ID: switchboard.NewID(), ChannelID: switchboard.NewID(), Field: "account_alerts", At: T0}) // unknown channel
		ns = append(ns, switchboard.ChannelNotice{ID: switchboard.NewID(), ChannelID: other.ID, Field: "account_alerts", Kind: "OBA_APPROVED",
			Severity: switchboard.NoticeInformational, Summary: "approved", At: T0})
		must(t, s.AddChannelNotices(ctx(), ns))
		must(t, s.AddChannelNotices(ctx(), ns[:1])) // a replay stores nothing twice
		got, err := s.ChannelNotices(ctx(), ch.ID, 1000)
		must(t, err)
		if len(got) != switchboard.MaxChannelNotices || !got[0].At.Equal(T0.Add(time.Duration(switchboard.MaxChannelNotices+4)*time.Minute)) {
			t.Fatalf("%d notices, newest at %v", len(got), got[0].At)
		}
		got, err = s.ChannelNotices(ctx(), other.ID, 10)
		must(t, err)
		if len(got) != 1 || got[0].Kind != "OBA_APPROVED" || got[0].Summary != "approved" || got[0].Severity != switchboard.NoticeInformational {
			t.Fatalf("other channel = %+v", got)
		}
		got, err = s.ChannelNotices(ctx(), switchboard.NewID(), 10)
		must(t, err)
		if got == nil || len(got) != 0 {
			t.Errorf("unknown channel: %v", got)
		}
	})

	t.Run("Signals", func(t *testing.T) {
		s := open(t)
		ch := mustChannel(t, s)
		r := mustReceive(t, s, inbound(ch.ID, "4915550004", "Cem", "hi", T0))
		raw := json.RawMessage(`{"messaging_product":"whatsapp","messages":[{"from":"4915550004","text":{"body":"secret"}}]}`)
		n, err := s.AddSignals(ctx(), []switchboard.SignalFor{
			{ChannelID: ch.ID, WaID: "4915550004", Field: "standby", Raw: raw, At: T0.Add(time.Minute)},
			{ChannelID: ch.ID, WaID: "4915550004", Field: "messaging_handovers", Raw: json.RawMessage(`{"type":"control_passed"}`), At: T0.Add(2 * time.Minute)},
			{ChannelID: ch.ID, WaID: "4915559998", Field: "standby", Raw: raw, At: T0}, // unknown customer
		})
		must(t, err)
		if n != 2 {
			t.Fatalf("filed %d", n)
		}
		got, err := s.ConversationSignals(ctx(), r.Conversation.ID)
		must(t, err)
		if len(got) != 2 || got[0].Field != "standby" || string(got[0].Raw) != string(raw) || got[1].Field != "messaging_handovers" {
			t.Fatalf("signals = %+v", got)
		}
	})
}
