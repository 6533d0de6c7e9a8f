package switchboard

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Passkey is a WebAuthn credential a user registered as a second factor.
// Nothing in it is secret: the public key only verifies signatures made
// by the authenticator, which keeps the private key.
type Passkey struct {
	ID     string
	UserID string
	// Name is the user's label for the passkey ("Laptop", "YubiKey"),
	// 1–[MaxPasskeyName] characters.
	Name string
	// CredentialID is the authenticator's credential id; it is unique
	// across all users.
	CredentialID []byte
	// PublicKey is the COSE-encoded credential public key.
	PublicKey []byte
	// SignCount is the authenticator's signature counter as last seen;
	// 0 for authenticators that keep none.
	SignCount uint32
	// AAGUID identifies the authenticator model (16 bytes, often zero).
	AAGUID []byte
	// Transports are the transport hints the browser reported ("usb",
	// "internal", "hybrid" …).
	Transports []string
	// Flags are the backup-eligible and backed-up flags of registration,
	// which WebAuthn verification checks for consistency on each use.
	BackupEligible bool
	BackupState    bool
	CreatedAt      time.Time
	LastUsedAt     time.Time // zero when never used
}

// MaxPasskeyName bounds a passkey's name, in characters.
const MaxPasskeyName = 64

// MaxPasskeysPerUser bounds how many passkeys one user may register.
const MaxPasskeysPerUser = 20

// NormalisePasskeyName trims name and checks it is 1–[MaxPasskeyName]
// characters of printable text.
func NormalisePasskeyName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", Errorf(EInvalid, "Give the passkey a name.")
	}
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxPasskeyName {
		return "", Errorf(EInvalid, "A passkey name is at most %d characters.", MaxPasskeyName)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return "", Errorf(EInvalid, "A passkey name cannot contain control characters.")
		}
	}
	return name, nil
}

// PasskeyStore persists passkeys. The WebAuthn ceremonies and who may do
// what live in internal/inbox.
type PasskeyStore interface {
	// CreatePasskey stores p, assigning p.ID if empty. It fails with
	// ENotFound for an unknown user and EConflict if the credential id is
	// already registered (by anyone).
	CreatePasskey(ctx context.Context, p *Passkey) error
	// Passkeys lists the user's passkeys, oldest first.
	Passkeys(ctx context.Context, userID string) ([]*Passkey, error)
	// UsePasskey records a successful sign-in with the user's passkey id:
	// the new sign count, backed-up flag and time. It fails with ENotFound
	// if there is no such passkey, and with EConflict if signCount is not
	// greater than the stored one while either is non-zero (a cloned
	// authenticator or a replay), atomically.
	UsePasskey(ctx context.Context, userID, id string, signCount uint32, backupState bool, at time.Time) error
	// DeletePasskey removes the user's passkey id, or fails with ENotFound.
	DeletePasskey(ctx context.Context, userID, id string) error
	// DeletePasskeys removes all of the user's passkeys. Deleting nothing
	// is not an error.
	DeletePasskeys(ctx context.Context, userID string) error
}
