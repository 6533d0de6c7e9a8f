package switchboard

import (
	"context"
	"time"
)

// AuthChallenge is a pending step of a sign-in or of a passkey ceremony:
// the second step of a sign-in after a correct password, or a passkey
// registration awaiting the browser's answer. It lives in the store, so
// the step may be finished on any instance on the database
// (docs/deploy.md, "Shared state"). The rules (what a key is, how many
// attempts, single use) live in internal/inbox.
type AuthChallenge struct {
	// Key identifies the challenge: a hash of the token the client holds
	// (never the token), or a key derived from the user for what the user
	// may have one of at a time. At most [MaxAuthChallengeKey] bytes.
	Key string
	// UserID is the user the challenge is bound to.
	UserID string
	// Attempts counts the answers tried.
	Attempts int
	// ExpiresAt is when the challenge stops counting; the store never
	// returns it from then on.
	ExpiresAt time.Time
	// State is the pending WebAuthn ceremony's server state, nil when
	// none: its challenge is sent to the browser anyway and signs no one
	// in without the authenticator's private key.
	State []byte
}

// MaxAuthChallengeKey bounds [AuthChallenge.Key].
const MaxAuthChallengeKey = 128

// AuthChallengeChange is what [AuthChallengeStore.UpdateAuthChallenge]'s
// function asks for.
type AuthChallengeChange int

const (
	// AuthChallengeKeep leaves the challenge as it was.
	AuthChallengeKeep AuthChallengeChange = iota
	// AuthChallengeSave stores what the function left (Attempts, State).
	AuthChallengeSave
	// AuthChallengeDelete removes the challenge.
	AuthChallengeDelete
)

// AuthChallengeStore keeps pending sign-in steps and passkey ceremonies.
type AuthChallengeStore interface {
	// PutAuthChallenge stores c, replacing the challenge with the same key.
	PutAuthChallenge(ctx context.Context, c *AuthChallenge) error
	// UpdateAuthChallenge reads the challenge under key that has not
	// expired by now, calls f on it and applies what f returns,
	// atomically against every other use of key; it returns the challenge
	// as f left it. It fails with ENotFound when there is no such
	// challenge (f is not called).
	UpdateAuthChallenge(ctx context.Context, key string, now time.Time, f func(c *AuthChallenge) AuthChallengeChange) (*AuthChallenge, error)
	// TakeAuthChallenge removes and returns the challenge under key, in one
	// atomic step: of concurrent takes at most one gets it. It fails with
	// ENotFound when there is none or it has expired by now.
	TakeAuthChallenge(ctx context.Context, key string, now time.Time) (*AuthChallenge, error)
	// DeleteAuthChallenges removes the challenges expired by now and
	// returns how many.
	DeleteAuthChallenges(ctx context.Context, now time.Time) (int, error)
}
