package inbox

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/fold"
)

// MaxSearchQuery is the longest message search query, in characters.
const MaxSearchQuery = 100

// snippetRunes is the length of a search result's snippet.
const snippetRunes = 160

// SearchMessages finds the messages and notes the actor may read whose
// text has every word of q, newest first. The store narrows the search to
// the actor's channels and, without conversations.read_all, to the
// conversations assigned to them or mentioning them; every hit is then
// checked again by [switchboard.CanSeeConversation], so a user never gets
// a hit, a snippet or a contact name of a conversation they may not see.
func (s *Service) SearchMessages(ctx context.Context, a *switchboard.Actor, q, cursor string, limit int) ([]*switchboard.SearchResult, string, error) {
	q = strings.TrimSpace(q)
	switch {
	case q == "":
		return nil, "", switchboard.Errorf(switchboard.EInvalid, "Search text is required.")
	case utf8.RuneCountInString(q) > MaxSearchQuery:
		return nil, "", switchboard.Errorf(switchboard.EInvalid, "Search text must be at most %d characters.", MaxSearchQuery)
	case limit < 0 || limit > switchboard.MaxSearchLimit:
		return nil, "", switchboard.Errorf(switchboard.EInvalid, "limit must be between 1 and %d.", switchboard.MaxSearchLimit)
	}
	f := switchboard.MessageSearch{Query: q, Cursor: cursor, Limit: limit}
	if !a.Can(switchboard.PermConversationsReadAll) {
		f.OnlyVisibleTo = a.User.ID
	}
	if !a.Role.AllChannels {
		f.ChannelIDs = slices.Clone(a.Role.ChannelIDs)
	}
	hits, next, err := s.Store.SearchMessages(ctx, f)
	if err != nil {
		return nil, "", err
	}
	words := fold.Words(q, false)
	convs := map[string]*switchboard.Conversation{}
	out := []*switchboard.SearchResult{}
	for _, h := range hits {
		c, ok := convs[h.ConversationID]
		if !ok {
			c, err = s.Store.Conversation(ctx, h.ConversationID, a.User.ID)
			if switchboard.ErrorCode(err) == switchboard.ENotFound {
				c = nil // erased since the search read it
			} else if err != nil {
				return nil, "", err
			}
			convs[h.ConversationID] = c
		}
		if c == nil || !switchboard.CanSeeConversation(a, c.ChannelID, c.AssigneeIDs(), c.Mentioned) {
			continue
		}
		out = append(out, &switchboard.SearchResult{
			Kind: h.Kind, MessageID: h.ID, ConversationID: h.ConversationID, ChannelID: c.ChannelID,
			ContactName: c.Contact.Name, At: h.At, Snippet: Snippet(h.Text, words, snippetRunes),
		})
	}
	return out, next, nil
}

// Snippet returns at most n runes of text around the first word that
// matches one of the folded query words (equal, or starting with a
// four-letter query word, as the index matches), with "…" where it cut.
func Snippet(text string, words []string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	runes := []rune(text)
	if len(runes) <= n {
		return text
	}
	at := firstMatch(text, words)
	start := max(0, min(at-n/4, len(runes)-n))
	end := min(len(runes), start+n)
	s := string(runes[start:end])
	if start > 0 {
		s = "…" + s
	}
	if end < len(runes) {
		s += "…"
	}
	return s
}

// firstMatch returns the rune offset of the first word of text that
// matches a query word, or 0.
func firstMatch(text string, words []string) int {
	i, wordStart := 0, -1
	var word strings.Builder
	check := func() bool {
		if wordStart < 0 {
			return false
		}
		for _, f := range fold.Words(word.String(), false) {
			for _, w := range words {
				if f == w || (utf8.RuneCountInString(w) == 4 && strings.HasPrefix(f, w)) {
					return true
				}
			}
		}
		word.Reset()
		wordStart = -1
		return false
	}
	for _, r := range text {
		if r == ' ' {
			if check() {
				return wordStart
			}
		} else {
			if wordStart < 0 {
				wordStart = i
			}
			word.WriteRune(r)
		}
		i++
	}
	if check() {
		return wordStart
	}
	return 0
}
