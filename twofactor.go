package switchboard

import (
	"context"
	"time"
)

// TwoFactor is a user's TOTP (RFC 6238) enrolment. It exists from the
// moment a user starts enrolling; two-factor sign-in is on only once
// Confirmed is set, after the user typed a first valid code.
type TwoFactor struct {
	UserID string
	// Secret is the raw TOTP key. The stores seal it at rest under a data
	// key of its own, destroyed when the enrolment is deleted.
	Secret    []byte
	Confirmed bool
	// LastStep is the newest 30-second time step a code was accepted for;
	// codes of that step or older are refused, so none can be replayed.
	LastStep    int64
	CreatedAt   time.Time
	ConfirmedAt time.Time
	// RecoveryCodesLeft is how many unused recovery codes the user has.
	RecoveryCodesLeft int
}

// TwoFactorStore persists two-factor enrolments and recovery codes. The
// rules (code checks, who may reset whom) live in internal/inbox; the store
// makes each change atomic.
type TwoFactorStore interface {
	// PutTwoFactor replaces the user's enrolment (and drops their recovery
	// codes) with an unconfirmed one holding tf.Secret.
	PutTwoFactor(ctx context.Context, tf *TwoFactor) error
	// TwoFactor returns the user's enrolment, or ENotFound.
	TwoFactor(ctx context.Context, userID string) (*TwoFactor, error)
	// ConfirmTwoFactor marks the enrolment confirmed, records step as used
	// and stores the recovery code hashes, replacing earlier ones. It
	// fails with ENotFound without an enrolment and EConflict if it is
	// already confirmed.
	ConfirmTwoFactor(ctx context.Context, userID string, step int64, recoveryHashes []string, at time.Time) error
	// UseTwoFactorStep records step as used if it is newer than the last
	// used one, atomically; otherwise it fails with EConflict (a replay).
	UseTwoFactorStep(ctx context.Context, userID string, step int64) error
	// UseRecoveryCode marks the unused recovery code with this hash used,
	// atomically; it fails with ENotFound if there is none.
	UseRecoveryCode(ctx context.Context, userID, hash string, at time.Time) error
	// DeleteTwoFactor removes the enrolment and recovery codes and
	// destroys the key that sealed the secret. Deleting nothing is not an
	// error.
	DeleteTwoFactor(ctx context.Context, userID string) error
	// RoleHasTwoFactor reports whether at least one active user holding
	// roleID has a second factor: a confirmed enrolment or a passkey.
	RoleHasTwoFactor(ctx context.Context, roleID string) (bool, error)
	// SetRoleRequireTwoFactor sets the role's require_two_factor flag
	// (also on built-in roles) and returns the role.
	SetRoleRequireTwoFactor(ctx context.Context, roleID string, on bool, at time.Time) (*Role, error)
}

// TwoFactorCodeLength is the length of a TOTP code.
const TwoFactorCodeLength = 6

// RecoveryCodeCount is how many recovery codes a user gets on enrolment.
const RecoveryCodeCount = 10
