package switchboard

import (
	"context"
	"time"
)

// Message search finds the messages and notes whose text has every word of
// a query, newest first, among the conversations a user may see. Texts are
// sealed, so the stores keep keyed blind-index terms per word (see
// docs/security.md, "Message search"); the store narrows the hits to the
// actor's channels and, for users without conversations.read_all, to the
// conversations assigned to them or mentioning them, and the service checks
// every hit again with [CanSeeConversation].

// HitKind is what a search hit is.
type HitKind string

// The hit kinds.
const (
	HitMessage HitKind = "message"
	HitNote    HitKind = "note"
)

// MaxSearchLimit is the most hits one page of a message search returns.
const MaxSearchLimit = 50

// SearchWindow bounds the work of one page of a message search: a store
// reads at most this many index entries of the query's driving word. When
// the window ends before the page is full, the page is shorter (even
// empty) and its cursor continues after the window, so a search whose
// words are frequent but whose hits are rare (or hidden from the user)
// costs a bounded time per request instead of a scan of the whole index.
const SearchWindow = 5000

// MessageSearch is one page of a message search.
type MessageSearch struct {
	// Query is the text searched for; the store turns it into terms and
	// answers EInvalid for a query it cannot use.
	Query  string
	Cursor string
	Limit  int
	// ChannelIDs, when non-nil, restricts the search to these channels.
	ChannelIDs []string
	// OnlyVisibleTo, when set, restricts the search to conversations
	// assigned to this user or with an active mention of them.
	OnlyVisibleTo string
}

// SearchHit is a message or note that matches a search, with its text
// decrypted (the service hands out only a snippet of it).
type SearchHit struct {
	Kind           HitKind
	ID             string // the message or note id
	ConversationID string
	ChannelID      string
	ContactID      string
	At             time.Time
	Text           string
}

// SearchStore finds messages and notes by the words of their text.
type SearchStore interface {
	// SearchMessages returns one page of hits, newest first, and the
	// cursor of the next page ("" at the end). A page reads at most
	// [SearchWindow] entries of the driving term, so it may hold fewer
	// hits than the limit, or none, and still have a next page.
	SearchMessages(ctx context.Context, s MessageSearch) ([]*SearchHit, string, error)
	// IndexMessages indexes up to limit contacts, messages and notes
	// stored before their search index existed (or restored without it)
	// and reports how many it indexed; 0 means nothing is left. Contacts
	// come first: the conversation list's search finds a contact only
	// once it is indexed (after migration 0032 every contact is indexed
	// again). It is safe to run at any
	// time and resumes where it stopped.
	IndexMessages(ctx context.Context, limit int) (int, error)
	// IndexContacts indexes up to limit contacts that have no search
	// terms (after a restore, which leaves the index out) and reports how
	// many it indexed; 0 means none is left. A restore runs it to the end
	// so that the list's search finds every contact at once.
	IndexContacts(ctx context.Context, limit int) (int, error)
}

// SearchResult is one hit of a message search as users get it: where it
// is, when, and a snippet of its text around the first matching word.
type SearchResult struct {
	Kind           HitKind   `json:"kind"`
	MessageID      string    `json:"message_id"`
	ConversationID string    `json:"conversation_id"`
	ChannelID      string    `json:"channel_id"`
	ContactName    string    `json:"contact_name"`
	At             time.Time `json:"at"`
	Snippet        string    `json:"snippet"`
}
