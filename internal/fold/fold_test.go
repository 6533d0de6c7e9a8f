package fold_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/internal/fold"
)

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		"Ольга":        "ольга",
		"ОЛЬГА":        "ольга",
		"MÜLLER":       "muller",
		"Hans Müller":  "hans muller",
		"İlker":        "ilker",
		"Yılmaz":       "yilmaz",
		"YILMAZ":       "yilmaz",
		"José Álvarez": "jose alvarez",
		"Straße":       "strasse",
		"Øystein":      "oystein",
		"Łódź":         "lodz",
		"Ǆemal":        "dzemal", // one compatibility letter, three after NFKD
		"ﬁne":          "fine",
		"ＡＢＣ":          "abc",
		"  a \t\n b  ": "a b",
		"anna.admin":   "anna.admin",
		"50%_off\\":    "50%_off\\",
		"Ёлка Їжак":    "елка іжак",
		"Ελληνικά":     "ελληνικα",
		"":             "",
		"हिन्दी":       "हिनदी", // the virama (Mn) goes, the vowel sign (Mc) stays
		"日本語":          "日本語",
		"ǅ":            "dz",
		"\u212A":       "k", // the Kelvin sign
	} {
		if got := fold.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestStringIdempotent: folding a folded string changes nothing, so a
// stored folded column and a folded query always agree.
func TestStringIdempotent(t *testing.T) {
	for _, s := range []string{"Ольга Коваленко", "İlker Yılmaz", "Zoë Straße", "Ǆ ﬁ ＡＢＣ", "हिन्दी"} {
		once := fold.String(s)
		if twice := fold.String(once); twice != once {
			t.Errorf("String(String(%q)) = %q, want %q", s, twice, once)
		}
	}
}

// TestStringContains: a folded query is a substring of the folded text
// exactly when the search should find it.
func TestStringContains(t *testing.T) {
	text := fold.String("İlker Yılmaz <ilker@example.com>")
	for q, want := range map[string]bool{"ILKER": true, "yilmaz": true, "Yılmaz": true, "i̇lker": true, "ilker yil": true, "ylmaz": false} {
		if got := strings.Contains(text, fold.String(q)); got != want {
			t.Errorf("contains %q = %v, want %v", q, got, want)
		}
	}
}

func TestWords(t *testing.T) {
	for _, tt := range []struct {
		in      string
		umlautE bool
		want    []string
	}{
		{"Jürgen-MÜLLER", false, []string{"jurgen", "muller"}},
		{"Jürgen-MÜLLER", true, []string{"juergen", "mueller"}},
		{"Ольга, Коваленко!", false, []string{"ольга", "коваленко"}},
		{"İlker Yılmaz", false, []string{"ilker", "yilmaz"}},
		{"  ", false, nil},
	} {
		if got := fold.Words(tt.in, tt.umlautE); !slices.Equal(got, tt.want) {
			t.Errorf("Words(%q, %v) = %q, want %q", tt.in, tt.umlautE, got, tt.want)
		}
	}
}
