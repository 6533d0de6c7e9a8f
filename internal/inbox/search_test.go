package inbox

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/switchboardhq/switchboard/internal/fold"
)

func TestSnippetShowsTheFirstMatchingWord(t *testing.T) {
	long := strings.Repeat("слово ", 60) + "Где моя ПОСЫЛКА сегодня? " + strings.Repeat("ещё ", 60)
	for _, c := range []struct {
		text, q, want string
	}{
		{"short text stays whole", "text", "short text stays whole"},
		{long, "посылка", "ПОСЫЛКА"},
		{long, "посы", "ПОСЫЛКА"},
		{strings.Repeat("a ", 200) + "Straße", "STRASSE", "Straße"},
	} {
		got := Snippet(c.text, fold.Words(c.q, false), 160)
		if !strings.Contains(got, c.want) {
			t.Errorf("Snippet(%q…, %q) = %q, want it to contain %q", c.text[:20], c.q, got, c.want)
		}
		if n := utf8.RuneCountInString(got); n > 162 {
			t.Errorf("snippet of %d runes", n)
		}
	}
	if got := Snippet(long, fold.Words("absent", false), 160); !strings.HasPrefix(got, "слово") || !strings.HasSuffix(got, "…") {
		t.Errorf("snippet without a match = %q, want the start", got)
	}
}
