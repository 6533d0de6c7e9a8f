package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
)

// testContactSearch checks the conversation list's search by name and by
// phone digits (migration 0032's terms: name prefixes, and 4- to 6-digit
// substrings of the number, longer queries matched by their pieces), and
// that erasure and retention take a contact's terms with it.
func testContactSearch(t *testing.T, open Opener) {
	s := open(t)
	ch := mustChannel(t, s)
	jurgen := mustReceive(t, s, inbound(ch.ID, "4915123456789", "Jürgen Müller", "Hallo", T0)).Conversation
	anna := mustReceive(t, s, inbound(ch.ID, "4917011112222", "Anna Schmidt", "Hallo", T0.Add(time.Second))).Conversation
	search := func(q string, want ...string) {
		t.Helper()
		got, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{Query: q})
		must(t, err)
		if ids := convIDs(got); !sameSet(ids, want) {
			t.Errorf("search %q = %v, want %v", q, ids, want)
		}
	}
	search("müll", jurgen.ID)
	search("MUELLER", jurgen.ID)
	search("anna s", anna.ID)
	search("3456", jurgen.ID)
	search("+49 151 2345", jurgen.ID)
	search("0151 23456789", jurgen.ID) // 11 digits after the trunk prefix: six pieces
	search("123456789", jurgen.ID)
	search("1112222", anna.ID)
	search("49") // two digits are a name word, not a number
	search("4917", anna.ID)
	search("49170", anna.ID)
	search("4567 8912")
	search("23456780")

	// Digits that repeat in a pattern: "4915133333331" holds every 6-digit
	// piece of "4915133333333", and the list checks the whole number.
	rita := mustReceive(t, s, inbound(ch.ID, "4915133333331", "Rita", "Eins", T0.Add(2*time.Second))).Conversation
	rudi := mustReceive(t, s, inbound(ch.ID, "4915133333333", "Rudi", "Drei", T0.Add(3*time.Second))).Conversation
	search("4915133333333", rudi.ID)
	search("+49 151 33333331", rita.ID)
	search("333333", rita.ID, rudi.ID)

	// Erasure takes the terms along: a new customer with Jürgen's number
	// is the only one found by it.
	_, err := s.EraseContact(ctx(), switchboard.Erasure{ContactID: jurgen.Contact.ID, ErasedAt: T0.Add(time.Hour)})
	must(t, err)
	search("müll")
	search("3456")
	again := mustReceive(t, s, inbound(ch.ID, "4915123456789", "Jürgen Neu", "Wieder da", T0.Add(2*time.Hour))).Conversation
	search("3456", again.ID)
	search("müll")
	search("jur", again.ID)

	// Retention deletes old contacts with their terms. Contacts carry the
	// store's clock, so the cutoff lies after "now".
	for range 10 {
		res, err := s.DeleteExpired(ctx(), ch.ID, time.Now().UTC().Add(time.Hour), 100)
		must(t, err)
		if res.Contacts == 0 && res.Messages == 0 && res.Conversations == 0 {
			break
		}
	}
	search("anna")
	search("1112222")
	search("3456")
}

// ContactTermsIndexer checks that the indexer ([switchboard.SearchStore.IndexMessages])
// gives every contact its search terms again after they are gone, as
// after migration 0032 or a restore: wipe removes every contact's terms
// (and marks the contacts unindexed) in the store's own SQL, and orphans
// counts index entries of no contact.
func ContactTermsIndexer(t *testing.T, s switchboard.Store, wipe func(), orphans func() int) {
	ch := mustChannel(t, s)
	var want []string
	for i, name := range []string{"Jürgen Müller", "Anna Schmidt", "Ömer Yılmaz"} {
		c := mustReceive(t, s, inbound(ch.ID, "4915123456789"[:12]+string(rune('0'+i)), name, "Hallo", T0.Add(time.Duration(i)*time.Second))).Conversation
		want = append(want, c.ID)
	}
	found := func(q string) []string {
		got, _, err := s.Conversations(ctx(), switchboard.ConversationFilter{Query: q})
		must(t, err)
		return convIDs(got)
	}
	if got := found("51234567"); !sameSet(got, want) {
		t.Fatalf("before the wipe: %v, want %v", got, want)
	}
	wipe()
	if got := found("51234567"); len(got) != 0 {
		t.Fatalf("after the wipe: %v, want none", got)
	}
	total := 0
	for {
		n, err := s.IndexMessages(ctx(), 2)
		must(t, err)
		if n == 0 {
			break
		}
		total += n
	}
	if total != 3 { // three contacts; their messages keep their own index
		t.Errorf("indexed %d rows, want the 3 contacts", total)
	}
	if got := found("51234567"); !sameSet(got, want) {
		t.Errorf("after indexing: %v, want %v", got, want)
	}
	if got := found("omer"); !slices.Equal(got, want[2:]) {
		t.Errorf("search omer after indexing: %v", got)
	}
	_, err := s.EraseContact(ctx(), switchboard.Erasure{ContactID: mustConversation(t, s, want[0]).Contact.ID, ErasedAt: T0.Add(time.Hour)})
	must(t, err)
	if n := orphans(); n != 0 {
		t.Errorf("%d index entries of no contact after an erasure", n)
	}
}

func mustConversation(t *testing.T, s switchboard.Store, id string) *switchboard.Conversation {
	t.Helper()
	c, err := s.Conversation(ctx(), id, "")
	must(t, err)
	return c
}
