// Package fold is Switchboard's one rule for comparing text that people
// type: case folding and accent folding, the same for every store and every
// search (user names and logins, contact names through the blind index, and
// later message text).
//
// The rule, applied rune by rune:
//
//  1. Unicode NFKD: letters split from their accents, and compatibility
//     forms (ligatures, full-width letters, superscripts) become plain ones.
//  2. Nonspacing marks (category Mn: accents, the dot of Turkish İ, the
//     breve of й) are dropped, so "José" matches "jose" and "İlker" "ilker".
//  3. Lower case by [unicode.ToLower], for every script: "ОЛЬГА" → "ольга".
//  4. Letters that have no decomposition are spelt as on a keyboard without
//     them: ß→ss, æ→ae, œ→oe, ø→o, ł→l, đ/ð→d, þ→th, and Turkish dotless ı→i.
//
// Spacing marks (Mc) stay: they are part of words in Indic scripts. The
// rule is deliberately not locale-aware (no Turkish I→ı), because a search
// must not depend on who types it; it only ever makes more things match.
package fold

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// letter maps letters that NFKD leaves alone to what people type on a
// keyboard without them.
func letter(r rune) (string, bool) {
	switch r {
	case 'ß':
		return "ss", true
	case 'æ':
		return "ae", true
	case 'œ':
		return "oe", true
	case 'ø':
		return "o", true
	case 'ł':
		return "l", true
	case 'đ', 'ð':
		return "d", true
	case 'þ':
		return "th", true
	case 'ı':
		return "i", true
	}
	return "", false
}

// String folds s for substring search: the rule above, with every run of
// white space made one ASCII space and none at either end. Punctuation
// stays, so "anna.admin" is still found by "a.ad". The folded forms of two
// strings contain each other exactly when a person would say one contains
// the other, up to case and accents.
func String(s string) string {
	var sb strings.Builder
	sb.Grow(len(s))
	space := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsSpace(r):
			space = sb.Len() > 0
		default:
			if space {
				sb.WriteByte(' ')
				space = false
			}
			writeLower(&sb, r)
		}
	}
	return sb.String()
}

// Words folds s and splits it into words, on anything that is not a letter,
// a digit or a spacing mark: "Jürgen-MÜLLER" yields ["jurgen", "muller"].
// With umlautE, a, o and u with a diaeresis become ae, oe and ue, the
// German spelling without umlaut keys ("Müller" → "mueller").
func Words(s string, umlautE bool) []string {
	var sb strings.Builder
	sb.Grow(len(s))
	var prev rune
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			if umlautE && r == '\u0308' && (prev == 'a' || prev == 'o' || prev == 'u') {
				sb.WriteByte('e')
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mc, r):
			r = unicode.ToLower(r)
			writeLower(&sb, r)
		default:
			sb.WriteByte(' ')
		}
		if !unicode.Is(unicode.Mn, r) {
			prev = r
		}
	}
	return strings.Fields(sb.String())
}

func writeLower(sb *strings.Builder, r rune) {
	r = unicode.ToLower(r)
	if f, ok := letter(r); ok {
		sb.WriteString(f)
	} else {
		sb.WriteRune(r)
	}
}
