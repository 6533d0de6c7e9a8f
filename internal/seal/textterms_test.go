package seal

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// textMatches reports whether every query term is among the text's terms,
// which is what the stores' SQL does.
func textMatches(t *testing.T, b *BlindIndex, text, q string) bool {
	t.Helper()
	terms := b.TextTerms(text)
	qt, err := b.TextQueryTerms(q)
	if err != nil {
		t.Fatalf("TextQueryTerms(%q): %v", q, err)
	}
	for _, want := range qt {
		if !slices.Contains(terms, want) {
			return false
		}
	}
	return true
}

func TestTextTermsMatchFoldedWords(t *testing.T) {
	b := mustBlindIndex(t, 7)
	for _, c := range []struct {
		text, q string
		want    bool
	}{
		{"ПРИВЕТ, как дела?", "привет", true},
		{"привет", "ПРИВЕТ", true},
		{"Ich wohne in der Straße 5", "STRASSE", true},
		{"STRASSE", "straße", true},
		{"İstanbul'da buluşalım", "istanbul", true},
		{"ISTANBUL", "İstanbul", true},
		{"ıstanbul", "ISTANBUL", true},
		{"Crème brûlée, s'il vous plaît", "creme brulee", true},
		{"Hello world", "world hello", true},
		{"Hello world", "hello there", false},
		{"Hello world", "hell", true},    // four letters: a prefix
		{"Hello world", "hel", false},    // shorter: whole words only
		{"Hello world", "hellow", false}, // longer: whole words only
		{"Доставка завтра", "дост", true},
	} {
		if got := textMatches(t, b, c.text, c.q); got != c.want {
			t.Errorf("text %q, query %q: match %v, want %v", c.text, c.q, got, c.want)
		}
	}
}

func TestTextTermsAreKeyedAndBounded(t *testing.T) {
	a, b := mustBlindIndex(t, 1), mustBlindIndex(t, 2)
	if slices.Equal(a.TextTerms("hello"), b.TextTerms("hello")) {
		t.Error("two keys give the same terms")
	}
	long := strings.Repeat("word ", 10) + func() string {
		var sb strings.Builder
		for i := range 2000 {
			sb.WriteString("w")
			sb.WriteString(strings.Repeat("x", i%7))
			sb.WriteString(string(rune('a'+i%26)) + string(rune('a'+i/26%26)) + " ")
		}
		return sb.String()
	}()
	if n := len(a.TextTerms(long)); n > MaxTextTerms {
		t.Errorf("%d terms, want at most %d", n, MaxTextTerms)
	}
	if len(a.TextTerms("")) != 0 {
		t.Error("empty text has terms")
	}
}

func TestTextQueryTermsRejectsBadQueries(t *testing.T) {
	b := mustBlindIndex(t, 3)
	for _, q := range []string{"", "  ,. ", strings.Repeat("a", MaxTextQueryBytes+1), "a b c d e f g h i"} {
		if _, err := b.TextQueryTerms(q); !errors.Is(err, ErrEmptyQuery) && !errors.Is(err, ErrInvalidQuery) {
			t.Errorf("TextQueryTerms(%q) = %v, want an invalid or empty query error", q, err)
		}
	}
}

// BenchmarkTextTerms measures the CPU cost of a message's search terms
// (folding and two HMACs per distinct word), by message length.
func BenchmarkTextTerms(b *testing.B) {
	ix := mustBlindIndex(b, 9)
	words := strings.Fields("Hallo, ich habe eine Frage zu meiner Bestellung von gestern: wann kommt das Paket an? Привет, где моя посылка, жду с понедельника")
	for _, n := range []int{1, 12, 60} {
		var sb strings.Builder
		for i := range n {
			sb.WriteString(words[i%len(words)])
			sb.WriteString(strings.Repeat("x", i/len(words)))
			sb.WriteByte(' ')
		}
		text := sb.String()
		b.Run(strconv.Itoa(n)+"words", func(b *testing.B) {
			for b.Loop() {
				ix.TextTerms(text)
			}
		})
	}
}
