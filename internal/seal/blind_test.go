package seal

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func mustBlindIndex(t testing.TB, fill byte) *BlindIndex {
	t.Helper()
	b, err := NewBlindIndex(bytes.Repeat([]byte{fill}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// matches reports whether every query term is among the contact's terms,
// which is what the store's SQL does.
func matches(t *testing.T, b *BlindIndex, name, phone, q string) bool {
	t.Helper()
	terms := b.ContactTerms(name, phone)
	qt, err := b.QueryTerms(q)
	if err != nil {
		t.Fatalf("QueryTerms(%q): %v", q, err)
	}
	for _, want := range qt {
		if !slices.Contains(terms, want) {
			return false
		}
	}
	return len(qt) > 0
}

func TestBlindIndexSearch(t *testing.T) {
	b := mustBlindIndex(t, 7)
	const name, phone = "Jürgen Müller", "+49 151 23456789"
	tests := []struct {
		q    string
		want bool
	}{
		{"jur", true},
		{"Jürgen", true},
		{"JÜRGEN", true},
		{"MÜLL", true},
		{"müller", true},
		{"mueller", true}, // German transliteration
		{"jürgen m", true},
		{"m jürgen", true},
		{"j", true},
		{"Müller, Jürgen", true},
		{"xyz", false},
		{"jürgen x", false},
		{"jurgens", false},
		{"urgen", false}, // prefixes only
		{"+49 151 2345", true},
		{"0151 23456789", true},
		{"0151 234", true},
		{"23456789", true},
		{"0049151", true},
		{"004915123456789", true},
		{"(0151) 2345-6789", true},
		{"0151/2345", true},
		{"0171 2345", false},
		{"98765", false},
		// Digits anywhere in the number, short and long: a query longer
		// than MaxPhoneGram digits is matched by its pieces.
		{"3456", true},
		{"34567", true},
		{"456789", true},
		{"1512345678", true},
		{"49151234567", true},
		{"23456780", false},
		{"1512345679", false},
		{"4567 8912", false},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			if got := matches(t, b, name, phone, tt.q); got != tt.want {
				t.Fatalf("match(%q) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestContactTermsShape(t *testing.T) {
	b := mustBlindIndex(t, 1)
	terms := b.ContactTerms("Anna Anna-Lena", "4915123456789")
	seen := map[int64]bool{}
	for _, term := range terms {
		if seen[term] {
			t.Fatalf("duplicate term %x", term)
		}
		seen[term] = true
	}
	// "anna" (4 prefixes) + "lena" (4) + 13 digits: the substrings of 4, 5
	// and 6 digits, 10 + 9 + 8 (all distinct for this number).
	if want := 4 + 4 + 27; len(terms) != want {
		t.Fatalf("%d terms, want %d", len(terms), want)
	}

	if got := b.ContactTerms("", ""); len(got) != 0 {
		t.Fatalf("empty contact has %d terms", len(got))
	}
	// Long words are indexed up to MaxPrefixRunes; a longer query still
	// matches because it is truncated the same way.
	long := strings.Repeat("ä", 30)
	// Spellings "aaa…" and "aeae…" share only the prefix "a".
	if n := len(b.ContactTerms(long, "")); n != 2*MaxPrefixRunes-1 {
		t.Fatalf("long word: %d terms, want %d", n, 2*MaxPrefixRunes-1)
	}
	if !matches(t, b, long, "", strings.Repeat("a", 25)) {
		t.Fatal("long query does not match long word")
	}
	// Overlong phone input is bounded.
	if n := len(b.ContactTerms("", strings.Repeat("1234567890", 10))); n > 33 {
		t.Fatalf("overlong phone produced %d terms", n)
	}
}

func TestBlindIndexKeyed(t *testing.T) {
	a, b := mustBlindIndex(t, 1), mustBlindIndex(t, 2)
	ta, tb := a.ContactTerms("Jürgen", "4915123456789"), b.ContactTerms("Jürgen", "4915123456789")
	if len(ta) != len(tb) {
		t.Fatal("term count depends on key")
	}
	for i := range ta {
		if ta[i] == tb[i] {
			t.Fatalf("term %d equal under different keys", i)
		}
	}
	if bytes.Equal(a.Exact("wa_id", "4915123456789"), b.Exact("wa_id", "4915123456789")) {
		t.Fatal("Exact equal under different keys")
	}
	if _, err := NewBlindIndex(make([]byte, 16)); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("16-byte key: err = %v", err)
	}
}

func TestExact(t *testing.T) {
	b := mustBlindIndex(t, 3)
	x := b.Exact("wa_id", "4915123456789")
	if len(x) != 32 {
		t.Fatalf("Exact is %d bytes", len(x))
	}
	if !bytes.Equal(x, b.Exact("wa_id", "4915123456789")) {
		t.Fatal("Exact not deterministic")
	}
	for _, other := range [][2]string{{"wamid", "4915123456789"}, {"wa_id", "4915123456780"}, {"wa_i", "d4915123456789"}} {
		if bytes.Equal(x, b.Exact(other[0], other[1])) {
			t.Fatalf("Exact collides with %q", other)
		}
	}
	// Name and phone terms are domain separated: "1234" as a name word and
	// as a phone substring give different terms.
	nameTerms := b.ContactTerms("1234", "")
	phoneTerms := b.ContactTerms("", "1234")
	if slices.Contains(nameTerms, phoneTerms[0]) {
		t.Fatal("name and phone terms share a domain")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Exact accepted a NUL in the domain")
		}
	}()
	b.Exact("wa\x00id", "x")
}

func TestQueryTermsErrors(t *testing.T) {
	b := mustBlindIndex(t, 4)
	tests := []struct {
		q    string
		want error
	}{
		{"", ErrEmptyQuery},
		{"   ", ErrEmptyQuery},
		{"!?-", ErrEmptyQuery},
		{"a b c d e f g h i", ErrInvalidQuery},         // 9 words
		{strings.Repeat("a", 201), ErrInvalidQuery},    // > 200 bytes
		{"+49 151 2345 6789 0123", ErrInvalidQuery},    // 17 digits
		{"0049 151 2345 6789 0123 4", ErrInvalidQuery}, // 16 digits after 00
		{"0123", ErrInvalidQuery},                      // 3 digits after trunk 0
		{"0049", ErrInvalidQuery},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			terms, err := b.QueryTerms(tt.q)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if terms != nil {
				t.Fatal("terms returned with error")
			}
		})
	}

	ok := []struct {
		q     string
		terms int
	}{
		{"a b c d e f g h", 8},
		{"anna anna", 1},
		{strings.Repeat("a", 200), 1},
		{"123", 1},                // too few digits to be a phone: a name word
		{"00491512345678901", 10}, // 15 digits: 10 pieces of 6
		{"Straße", 1},
	}
	for _, tt := range ok {
		terms, err := b.QueryTerms(tt.q)
		if err != nil || len(terms) != tt.terms {
			t.Fatalf("QueryTerms(%q) = %d terms, %v; want %d", tt.q, len(terms), err, tt.terms)
		}
	}
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Jürgen Müller", []string{"jurgen", "muller"}},
		{"JÜRGEN-MÜLLER", []string{"jurgen", "muller"}},
		{"J\u0075\u0308rgen", []string{"jurgen"}}, // NFD input
		{"Straße", []string{"strasse"}},
		{"François Øster Łukasz", []string{"francois", "oster", "lukasz"}},
		{"Ｆｕｌｌｗｉｄｔｈ", []string{"fullwidth"}}, // NFKD compatibility
		{"O'Brien, Dr. med.", []string{"o", "brien", "dr", "med"}},
		{"İstanbul", []string{"istanbul"}},
		{"Ἀθηνᾶ", []string{"αθηνα"}},
		{"Иван 😀 Петров", []string{"иван", "петров"}},
		{"  ", nil},
	}
	for _, tt := range tests {
		if got := Tokenize(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"4915123456789", "4915123456789", true},
		{"+49 151 23456789", "4915123456789", true},
		{"+49 (151) 2345-6789", "4915123456789", true},
		{"0049 151 23456789", "4915123456789", true},
		{"123456", "123456", true},
		{"123456789012345", "123456789012345", true},
		{"12345", "", false},
		{"1234567890123456", "", false},
		{"0151 23456789", "", false}, // national format
		{"+49 151 abc", "", false},
		{"", "", false},
		{"491512345678９", "", false}, // non-ASCII digit
	}
	for _, tt := range tests {
		got, err := NormalizePhone(tt.in)
		if tt.ok && (err != nil || got != tt.want) {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		if !tt.ok && !errors.Is(err, ErrInvalidPhone) {
			t.Errorf("NormalizePhone(%q) = %q, %v; want ErrInvalidPhone", tt.in, got, err)
		}
	}
}

func BenchmarkContactTerms(b *testing.B) {
	bi := mustBlindIndex(b, 5)
	for b.Loop() {
		bi.ContactTerms("Jürgen Müller-Lüdenscheidt", "4915123456789")
	}
}

func BenchmarkQueryTerms(b *testing.B) {
	bi := mustBlindIndex(b, 5)
	for _, q := range []string{"jürgen m", "0151 2345"} {
		b.Run(fmt.Sprintf("%q", q), func(b *testing.B) {
			for b.Loop() {
				if _, err := bi.QueryTerms(q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestPhoneMatches(t *testing.T) {
	for _, tt := range []struct {
		q, phone string
		want     bool
	}{
		{"4915133333333", "4915133333331", false}, // every 6-digit piece, not the run
		{"4915133333333", "4915133333333", true},
		{"0151 3333 3333", "4915133333333", true}, // trunk prefix dropped
		{"333333", "4915133333331", true},         // one piece: the terms decide
		{"Rita", "4915133333331", true},           // not a number
		{"0049 151 3333333", "4915133333331", true},
	} {
		if got := PhoneMatches(tt.q, tt.phone); got != tt.want {
			t.Errorf("PhoneMatches(%q, %q) = %v, want %v", tt.q, tt.phone, got, tt.want)
		}
	}
}
