package switchboard

import (
	"errors"
	"fmt"
)

// Error codes. They are part of the API: clients read them from
// {"error":{"code":…}} and internal/api maps each to one HTTP status.
const (
	EInvalid        = "invalid"         // malformed or unacceptable input
	ENotFound       = "not_found"       // missing, or not visible to the actor
	EConflict       = "conflict"        // already exists, or stale state
	EUnauthorized   = "unauthorized"    // no valid session
	EForbidden      = "forbidden"       // authenticated, but not allowed (for objects the actor can see)
	ERateLimited    = "rate_limited"    // too many attempts; retry later
	ETooLarge       = "too_large"       // body or file over a limit
	EWindowClosed   = "window_closed"   // 24-hour customer-service window closed
	EUnavailable    = "unavailable"     // a dependency is down; retry later
	EInternal       = "internal"        // a bug or an unexpected failure
	EUnprocessable  = "unprocessable"   // well-formed but violates a rule
	EPasswordPolicy = "password_policy" // the password does not meet the policy
	// ETwoFactorEnrolment: the actor's role requires two-factor sign-in and
	// they have not enrolled; only enrolment is allowed (HTTP 403).
	ETwoFactorEnrolment = "two_factor_enrolment_required"
)

// Error is a domain error: a code from the list above and a message written for
// the person using the API. Errors without a code are internal: their text is
// logged, never shown.
type Error struct {
	Code    string
	Message string
	// RetryAfter, when positive, tells a rate-limited client when to come back,
	// in whole seconds.
	RetryAfter int
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("switchboard error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err's *Error, or EInternal for any other
// error (and "" for nil).
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-facing message of err's *Error, or a generic
// text for internal errors so that nothing internal leaks.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// NotFound is the one error for an object that does not exist or that the
// actor may not see: both must look the same from outside.
func NotFound(kind string) *Error {
	return Errorf(ENotFound, "%s not found.", kind)
}
