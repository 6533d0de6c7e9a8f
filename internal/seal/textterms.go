package seal

import (
	"encoding/binary"
	"fmt"
	"slices"
	"unicode/utf8"
)

// Limits of the message text index. They bound what one message costs to
// index and what one query costs to run.
const (
	// TextPrefixRunes is the length of the one prefix term per word, so
	// that a word is found while it is typed, from its fourth letter on.
	TextPrefixRunes = 4
	// MaxTextWordRunes truncates long words (URLs, hashes) before they
	// are indexed; queries are truncated the same way.
	MaxTextWordRunes = 32
	// MaxTextTerms caps the terms of one message or note (a 4,096-letter
	// message has up to about 700 words).
	MaxTextTerms = 512
	// MaxTextQueryBytes and MaxTextQueryWords bound a message search.
	MaxTextQueryBytes = 200
	MaxTextQueryWords = 8
)

// Domains of text terms, distinct from the contact terms' domains.
const (
	domainTextWord   = "term:text"
	domainTextPrefix = "term:text4"
)

// TextTerms returns the index terms of a message or note text: for every
// distinct folded word (by [fold.Words]: case and accent folded, ß→ss,
// Turkish İ/ı→i, any script) one word term, and for every word of at least
// TextPrefixRunes runes one term of its first TextPrefixRunes runes. A term
// is the first 8 bytes of the keyed HMAC, read as a signed big-endian
// integer: collisions between two words are about 1 in 2^64 per pair,
// which a search only turns into a false hit that the service shows like
// any other (it can decrypt the text and check, but does not need to).
func (b *BlindIndex) TextTerms(text string) []int64 {
	if text == "" {
		return nil
	}
	h := b.mac()
	var buf [32]byte
	seen := map[int64]struct{}{}
	var terms []int64
	add := func(domain, value string) {
		t := int64(binary.BigEndian.Uint64(b.sum(h, domain, value, buf[:0])))
		if _, dup := seen[t]; !dup {
			seen[t] = struct{}{}
			terms = append(terms, t)
		}
	}
	words := Tokenize(text)
	for _, w := range words {
		if len(terms) >= MaxTextTerms-1 {
			break
		}
		w = truncateRunes(w, MaxTextWordRunes)
		add(domainTextWord, w)
		if utf8.RuneCountInString(w) >= TextPrefixRunes {
			add(domainTextPrefix, truncateRunes(w, TextPrefixRunes))
		}
	}
	return terms
}

// TextQueryTerms returns the terms a message must all have to match q,
// the one that should drive the search first. A query word of exactly
// TextPrefixRunes runes matches every word that starts with it (search as
// you type); any other word matches whole words only. The terms are
// ordered longest word first: a longer word is usually rarer, and the
// stores scan the first term's hits and check the others.
func (b *BlindIndex) TextQueryTerms(q string) ([]int64, error) {
	if len(q) > MaxTextQueryBytes {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrInvalidQuery, MaxTextQueryBytes)
	}
	words := Tokenize(q)
	if len(words) == 0 {
		return nil, ErrEmptyQuery
	}
	if len(words) > MaxTextQueryWords {
		return nil, fmt.Errorf("%w: more than %d words", ErrInvalidQuery, MaxTextQueryWords)
	}
	for i, w := range words {
		words[i] = truncateRunes(w, MaxTextWordRunes)
	}
	slices.SortStableFunc(words, func(x, y string) int {
		return utf8.RuneCountInString(y) - utf8.RuneCountInString(x)
	})
	h := b.mac()
	var buf [32]byte
	var terms []int64
	for _, w := range words {
		domain := domainTextWord
		if utf8.RuneCountInString(w) == TextPrefixRunes {
			domain = domainTextPrefix
		}
		t := int64(binary.BigEndian.Uint64(b.sum(h, domain, w, buf[:0])))
		if !slices.Contains(terms, t) {
			terms = append(terms, t)
		}
	}
	return terms, nil
}
