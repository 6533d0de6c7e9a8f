package password

import (
	_ "embed"
	"strings"
	"unicode/utf8"
)

// Policy limits enforced by Check.
const (
	MinRunes = 10
	MaxBytes = 512
)

// commonList holds passwords that meet the length rule but appear in every
// cracking dictionary. It is only ever read.
//
//go:embed common.txt
var commonList string

// PolicyError explains why a password was rejected. Reason is a complete
// sentence suitable for showing to the user.
type PolicyError struct {
	Reason string
}

// Error returns Reason.
func (e *PolicyError) Error() string { return e.Reason }

// Check enforces the password policy for a new password of the user with
// the given login. It returns nil or a *PolicyError.
func Check(password, login string) error {
	switch {
	case !utf8.ValidString(password):
		return &PolicyError{Reason: "Password contains invalid characters."}
	case len(password) > MaxBytes:
		return &PolicyError{Reason: "Password must be at most 512 bytes long."}
	case utf8.RuneCountInString(password) < MinRunes:
		return &PolicyError{Reason: "Password must be at least 10 characters."}
	case login != "" && strings.EqualFold(strings.TrimSpace(password), strings.TrimSpace(login)):
		return &PolicyError{Reason: "Password must not be the same as the login."}
	case isCommon(password):
		return &PolicyError{Reason: "Password is too common; choose one that is harder to guess."}
	}
	return nil
}

func isCommon(password string) bool {
	for line := range strings.Lines(commonList) {
		line = strings.TrimRight(line, "\r\n")
		if line != "" && line[0] != '#' && strings.EqualFold(line, password) {
			return true
		}
	}
	return false
}
