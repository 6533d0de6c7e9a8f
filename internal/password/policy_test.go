package password

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name, password, login string
		reason                string // empty: accepted
	}{
		{"ok", "correct horse battery", "anna@example.com", ""},
		{"exactly 10", "k7#Lp2!xQz", "anna", ""},
		{"9 chars", "k7#Lp2!xQ", "anna", "Password must be at least 10 characters."},
		{"empty", "", "anna", "Password must be at least 10 characters."},
		{"runes not bytes", "äöüäöüäöü", "anna", "Password must be at least 10 characters."}, // 18 bytes, 9 runes
		{"10 umlauts ok", "äöüßäöüßäö", "anna", ""},
		{"512 bytes ok", strings.Repeat("ab", 256), "anna", ""},
		{"513 bytes", strings.Repeat("a", 513), "anna", "Password must be at most 512 bytes long."},
		{"equals login", "anna.schmidt@example.com", "anna.schmidt@example.com", "Password must not be the same as the login."},
		{"equals login case-insensitive", "Anna.Schmidt@Example.com", "anna.schmidt@example.com", "Password must not be the same as the login."},
		{"no login given", "anna.schmidt@example.com", "", ""},
		{"common", "1234567890", "anna", "Password is too common; choose one that is harder to guess."},
		{"common case-insensitive", "PassWord123", "anna", "Password is too common; choose one that is harder to guess."},
		{"common german", "Passwort123", "anna", "Password is too common; choose one that is harder to guess."},
		{"common german umlaut", "Gummibärchen", "anna", "Password is too common; choose one that is harder to guess."},
		{"common keyboard", "QWERTZUIOP", "anna", "Password is too common; choose one that is harder to guess."},
		{"common seasonal", "Sommer2025!", "anna", "Password is too common; choose one that is harder to guess."},
		{"not common with suffix", "password123 is my password", "anna", ""},
		{"invalid utf-8", "abcdefghij\xff", "anna", "Password contains invalid characters."},
		{"comment line is not a password", "# Common passwords of at least 10 characters, rejected by Check.", "anna", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.password, tt.login)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("Check rejected: %v", err)
				}
				return
			}
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v (%T), want *PolicyError", err, err)
			}
			if pe.Reason != tt.reason || err.Error() != tt.reason {
				t.Fatalf("reason %q, want %q", pe.Reason, tt.reason)
			}
		})
	}
}

func TestCommonListWellFormed(t *testing.T) {
	n := 0
	seen := map[string]bool{}
	for line := range strings.Lines(commonList) {
		line = strings.TrimRight(line, "\n")
		if line == "" || line[0] == '#' {
			continue
		}
		n++
		if utf8.RuneCountInString(line) < MinRunes {
			t.Errorf("%q is shorter than the policy minimum and can never match", line)
		}
		if line != strings.ToLower(line) || line != strings.TrimSpace(line) {
			t.Errorf("%q is not lower-case and trimmed", line)
		}
		if seen[line] {
			t.Errorf("duplicate %q", line)
		}
		seen[line] = true
		if err := Check(line, "x"); err == nil {
			t.Errorf("Check accepts listed password %q", line)
		}
	}
	if n < 300 {
		t.Fatalf("only %d common passwords", n)
	}
}
