package seal

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard/internal/fold"
)

// Limits of the blind index. They bound how many terms a contact stores and
// how much work a query costs.
const (
	// MaxPrefixRunes is the longest indexed name prefix; longer query
	// tokens are truncated to it.
	MaxPrefixRunes = 20
	// MaxNameTokens caps how many words of a name are indexed.
	MaxNameTokens = 16
	// MaxNameTerms caps the name terms (word prefixes) of one contact, so
	// that a contact with a long many-word name costs a bounded number of
	// index rows: 16 words of 20 letters would be 320 otherwise.
	MaxNameTerms = 128
	// MaxPhoneDigits is the E.164 maximum number length.
	MaxPhoneDigits = 15
	// MinPhoneDigits is the shortest phone substring that is indexed, and
	// MaxPhoneGram the longest: a longer query is matched by its pieces.
	MinPhoneDigits = 4
	MaxPhoneGram   = 6
	// MaxQueryBytes and MaxQueryTokens bound a search query.
	MaxQueryBytes  = 200
	MaxQueryTokens = 8
)

// Domains for contact terms, distinct from any Exact domain a caller would
// pick, so truncated terms and exact lookups never share an input.
const (
	domainName  = "term:name"
	domainPhone = "term:phone"
)

var (
	// ErrEmptyQuery is returned by QueryTerms when the query contains
	// nothing searchable.
	ErrEmptyQuery = errors.New("seal: empty search query")
	// ErrInvalidQuery is returned by QueryTerms for queries that are too
	// long or otherwise unusable.
	ErrInvalidQuery = errors.New("seal: invalid search query")
	// ErrInvalidPhone is returned by NormalizePhone.
	ErrInvalidPhone = errors.New("seal: invalid phone number")
)

// BlindIndex derives keyed search terms (HMAC-SHA256) so the store can match
// encrypted names and phone numbers by equality. It has its own key, separate
// from the master key, so index terms reveal nothing about the ciphertexts.
// It is safe for concurrent use.
type BlindIndex struct {
	key []byte
}

// NewBlindIndex returns a BlindIndex keyed with a 32-byte key.
func NewBlindIndex(key []byte) (*BlindIndex, error) {
	if len(key) != KeySize {
		return nil, ErrInvalidKey
	}
	return &BlindIndex{key: append([]byte(nil), key...)}, nil
}

// Exact returns the full 32-byte HMAC of domain || 0x00 || value, for unique
// lookups such as domain "wa_id" or "wamid". domain is a constant chosen by
// the caller and must not contain a NUL byte; Exact panics otherwise because
// that would make the encoding ambiguous.
func (b *BlindIndex) Exact(domain, value string) []byte {
	if strings.IndexByte(domain, 0) >= 0 {
		panic("seal: blind index domain contains NUL")
	}
	return b.sum(b.mac(), domain, value, nil)
}

// ContactTerms returns every index term for a contact, deduplicated: the
// first 8 bytes of each HMAC as an integer, like the message search's
// terms (TextTerms), so an index entry is two integers. Name words
// contribute all their prefixes of 1 to MaxPrefixRunes runes (after
// Normalize folding); the phone number contributes every digit substring
// of MinPhoneDigits to MaxPhoneGram digits, and QueryTerms covers a longer
// query with the overlapping MaxPhoneGram-digit pieces of it. Before
// migration 0032 every substring of any length was a term (45 of them for a
// 12-digit number instead of 24), 16 bytes each, beside a 32-character id.
func (b *BlindIndex) ContactTerms(name, phone string) []int64 {
	h := b.mac()
	var buf [32]byte
	seen := map[int64]struct{}{}
	var terms []int64
	add := func(domain, value string) {
		t := int64(binary.BigEndian.Uint64(b.sum(h, domain, value, buf[:0])))
		if _, dup := seen[t]; dup {
			return
		}
		seen[t] = struct{}{}
		terms = append(terms, t)
	}

	names := 0
	for _, tok := range nameIndexTokens(name) {
		end := 0
		for n := 1; n <= MaxPrefixRunes && end < len(tok) && names < MaxNameTerms; n++ {
			_, size := utf8.DecodeRuneInString(tok[end:])
			end += size
			add(domainName, tok[:end])
			names++
		}
	}

	digits := asciiDigits(phone)
	if len(digits) > MaxPhoneDigits {
		digits = digits[:MaxPhoneDigits] // longer is not a phone number; bound the work
	}
	for i := 0; i+MinPhoneDigits <= len(digits); i++ {
		for j := i + MinPhoneDigits; j <= len(digits) && j-i <= MaxPhoneGram; j++ {
			add(domainPhone, digits[i:j])
		}
	}
	return terms
}

// QueryTerms returns the terms that must all be present in a contact's
// ContactTerms for the contact to match q.
//
// A phone-like query (only digits, spaces and + - ( ) / with at least
// MinPhoneDigits digits) is first stripped of a leading "00" (international
// prefix) or else a single leading "0" (national trunk prefix), so "0151
// 234" finds +49 151 234...; up to MaxPhoneGram digits it is one term, a
// longer one is the terms of its overlapping MaxPhoneGram-digit pieces. A
// number holding every piece of a longer query but not the query itself
// in one run would match too; in a number of at most 15 digits the pieces
// of a query of 7 or more digits can only sit apart when the digits repeat
// in a pattern (docs/security.md).
//
// Any other query yields one name term per normalised word, truncated to
// MaxPrefixRunes runes.
func (b *BlindIndex) QueryTerms(q string) ([]int64, error) {
	if len(q) > MaxQueryBytes {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrInvalidQuery, MaxQueryBytes)
	}
	h := b.mac()
	var buf [32]byte
	term := func(domain, value string) int64 {
		return int64(binary.BigEndian.Uint64(b.sum(h, domain, value, buf[:0])))
	}
	if digits, ok := phoneQueryDigits(q); ok {
		if len(digits) < MinPhoneDigits {
			return nil, fmt.Errorf("%w: phone number needs at least %d digits after the prefix", ErrInvalidQuery, MinPhoneDigits)
		}
		if len(digits) > MaxPhoneDigits {
			return nil, fmt.Errorf("%w: phone number longer than %d digits", ErrInvalidQuery, MaxPhoneDigits)
		}
		if len(digits) <= MaxPhoneGram {
			return []int64{term(domainPhone, digits)}, nil
		}
		terms := make([]int64, 0, len(digits)-MaxPhoneGram+1)
		for i := 0; i+MaxPhoneGram <= len(digits); i++ {
			if t := term(domainPhone, digits[i:i+MaxPhoneGram]); !slices.Contains(terms, t) {
				terms = append(terms, t)
			}
		}
		return terms, nil
	}

	tokens := Tokenize(q)
	if len(tokens) == 0 {
		return nil, ErrEmptyQuery
	}
	if len(tokens) > MaxQueryTokens {
		return nil, fmt.Errorf("%w: more than %d words", ErrInvalidQuery, MaxQueryTokens)
	}
	seen := map[string]struct{}{}
	terms := make([]int64, 0, len(tokens))
	for _, tok := range tokens {
		tok = truncateRunes(tok, MaxPrefixRunes)
		if _, dup := seen[tok]; dup {
			continue
		}
		seen[tok] = struct{}{}
		terms = append(terms, term(domainName, tok))
	}
	return terms, nil
}

func (b *BlindIndex) mac() hash.Hash { return hmac.New(sha256.New, b.key) }

// sum computes HMAC(domain || 0x00 || value), reusing h.
func (b *BlindIndex) sum(h hash.Hash, domain, value string, dst []byte) []byte {
	h.Reset()
	h.Write([]byte(domain))
	h.Write([]byte{0})
	h.Write([]byte(value))
	return h.Sum(dst)
}

// Tokenize folds s for matching and splits it into words by the one
// folding rule, [fold.Words]: "Jürgen-MÜLLER" yields ["jurgen", "muller"].
func Tokenize(s string) []string { return fold.Words(s, false) }

// tokenize is Tokenize with umlautE: a/o/u with a diaeresis become
// ae/oe/ue, the German spelling without umlaut keys.
func tokenize(s string, umlautE bool) []string { return fold.Words(s, umlautE) }

// nameIndexTokens returns the deduplicated words of a name to index: the
// Tokenize words plus, for names with umlauts, the German transliteration,
// so "Müller" is found by "mull" and by "muell".
func nameIndexTokens(name string) []string {
	tokens := tokenize(name, false)
	tokens = append(tokens, tokenize(name, true)...)
	seen := map[string]struct{}{}
	out := tokens[:0]
	for _, t := range tokens {
		if _, dup := seen[t]; !dup {
			seen[t] = struct{}{}
			out = append(out, t)
		}
	}
	if len(out) > MaxNameTokens {
		out = out[:MaxNameTokens]
	}
	return out
}

// phoneQuery reports whether q looks like a phone number and returns its
// digits.
func phoneQuery(q string) (string, bool) {
	var digits []byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case '0' <= c && c <= '9':
			digits = append(digits, c)
		case strings.IndexByte(" +-()/", c) >= 0:
		default:
			return "", false
		}
	}
	return string(digits), len(digits) >= MinPhoneDigits
}

func asciiDigits(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return string(b)
}

func truncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// NormalizePhone returns the digits of an international phone number in
// E.164 form without "+", as WhatsApp uses for wa_id. Spaces and + - ( ) / .
// are ignored and a leading "00" international prefix is removed; the result
// must have 6 to 15 digits and cannot start with 0 (no country code does, so
// that is a number in national format).
func NormalizePhone(s string) (string, error) {
	var digits []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			digits = append(digits, c)
		case strings.IndexByte(" +-()/.", c) >= 0:
		default:
			return "", fmt.Errorf("%w: unexpected character %q", ErrInvalidPhone, c)
		}
	}
	d := strings.TrimPrefix(string(digits), "00")
	switch {
	case strings.HasPrefix(d, "0"):
		return "", fmt.Errorf("%w: not in international format", ErrInvalidPhone)
	case len(d) < 6 || len(d) > MaxPhoneDigits:
		return "", fmt.Errorf("%w: must have 6 to %d digits", ErrInvalidPhone, MaxPhoneDigits)
	}
	return d, nil
}

// PhoneMatches reports whether a contact with this phone number matches
// q as far as its terms cannot tell: a phone-like query longer than
// MaxPhoneGram digits is matched by its pieces (QueryTerms), and a number
// whose digits repeat in a pattern can hold every piece without the whole
// query ("4915133333331" holds every 6-digit piece of "4915133333333").
// Whoever has the decrypted number checks the query in one run with this;
// any other query is left to the terms (true).
func PhoneMatches(q, phone string) bool {
	digits, ok := phoneQueryDigits(q)
	if !ok || len(digits) <= MaxPhoneGram {
		return true
	}
	return strings.Contains(asciiDigits(phone), digits)
}

// phoneQueryDigits returns the digits of a phone-like query without a
// leading "00" (international prefix) or else a single leading "0"
// (national trunk prefix).
func phoneQueryDigits(q string) (string, bool) {
	digits, ok := phoneQuery(q)
	if !ok {
		return "", false
	}
	switch {
	case strings.HasPrefix(digits, "00"):
		digits = digits[2:]
	case strings.HasPrefix(digits, "0"):
		digits = digits[1:]
	}
	return digits, true
}
