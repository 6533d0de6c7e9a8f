package switchboard

import (
	"context"
	"strconv"
	"time"
)

// PermPrivacyManage lets a role export and erase a contact's data (GDPR
// articles 15, 17 and 20). Built in, only the administrator has it.
const PermPrivacyManage Permission = "privacy.manage"

// Erasure is one entry of the erasure register: which contact was erased,
// when and by whom. It never holds the erased data: the contact id is a
// random id that means nothing once the contact's rows are gone.
type Erasure struct {
	ContactID string    `json:"contact_id"`
	ErasedAt  time.Time `json:"erased_at"`
	// ActorID is the user who erased the contact; empty for the command
	// line and for an erasure re-applied after a restore.
	ActorID string `json:"actor_id,omitempty"`
}

// ErasedContact reports what [PrivacyStore.EraseContact] removed, so the
// caller can delete the media files (which live outside the database).
type ErasedContact struct {
	ContactID     string
	KeyID         string   // the destroyed data key
	MediaIDs      []string // blob names of the contact's media files
	Conversations int
	Messages      int
}

// AuditDetail is what the audit entry of an erasure says about it: counts
// only, never a name or number. The store adds it to the entry it appends
// with the erasure ([AddAuditDetail]).
func (r *ErasedContact) AuditDetail() map[string]string {
	return map[string]string{
		"conversations": strconv.Itoa(r.Conversations),
		"messages":      strconv.Itoa(r.Messages),
		"media":         strconv.Itoa(len(r.MediaIDs)),
	}
}

// PrivacyStore erases contacts and keeps the erasure register.
type PrivacyStore interface {
	// EraseContact erases contact e.ContactID in one transaction: it
	// destroys the contact's data key (the wrapped key is deleted, so every
	// ciphertext sealed under it, including copies in older backups once
	// they are restored, can no longer be opened), deletes the contact, its
	// blind-index terms, conversations, messages, assignees, read counters,
	// outbox rows, pending media downloads, idempotency keys and media rows,
	// records e in the erasure register, and drops the key from the
	// store's key cache. It fails with ENotFound for an unknown contact.
	// The media files are the caller's to delete (ErasedContact.MediaIDs).
	EraseContact(ctx context.Context, e Erasure) (*ErasedContact, error)
	// Erasures returns the erasure register, oldest first.
	Erasures(ctx context.Context) ([]Erasure, error)
	// RecordErasure adds e to the register unless the contact is in it
	// already (a restore carrying registers from elsewhere).
	RecordErasure(ctx context.Context, e Erasure) error
}

// RewrapFunc re-wraps one wrapped key: it is given the key's id and the id
// of the master key that wrapped it, and returns the key wrapped by the new
// master.
type RewrapFunc func(id, masterKeyID string, wrapped []byte) ([]byte, error)

// KeyStore re-wraps the stored keys for a master key rotation.
type KeyStore interface {
	// RewrapDataKeys re-wraps up to limit live data keys that are not yet
	// wrapped by master key to, in one write transaction, and returns how
	// many it changed. Call it until it returns 0.
	RewrapDataKeys(ctx context.Context, to string, limit int, rewrap RewrapFunc) (int, error)
	// RewrapBlindIndexKey re-wraps the blind-index key to master key to.
	RewrapBlindIndexKey(ctx context.Context, to string, rewrap RewrapFunc) error
	// WrappedKeys calls fn for every live data key and then the blind-index
	// key (id "blind-index"), so a rotation can check each unwraps.
	WrappedKeys(ctx context.Context, fn func(id, masterKeyID string, wrapped []byte) error) error
}

// Retention limits for a channel's RetentionDays.
const (
	MinRetentionDays = 1
	MaxRetentionDays = 3650 // ten years
)

// ContactStore reads everything stored about one contact, for an export.
type ContactStore interface {
	// ContactConversations returns a contact and all of their
	// conversations, open and closed, oldest first, with assignees (unread
	// counts are zero). It fails with ENotFound for an unknown contact.
	ContactConversations(ctx context.Context, contactID string) (*Contact, []*Conversation, error)
	// ContactMedia returns the contact's stored media files, oldest first.
	ContactMedia(ctx context.Context, contactID string) ([]*MediaFile, error)
}

// ExpiredData reports what [RetentionStore.DeleteExpired] removed.
type ExpiredData struct {
	Messages      int
	Conversations int
	Contacts      int
	MediaIDs      []string // blob names of deleted media files, for the caller to delete
}

// RetentionStore deletes messages a channel's retention period has expired.
type RetentionStore interface {
	// DeleteExpired deletes, in one write transaction, up to limit
	// messages of channelID whose timestamp is before cutoff (a message at
	// exactly cutoff stays) and that are not waiting in the outbox, with
	// their media rows, pending downloads and idempotency keys; media files
	// not attached to any message that were stored before cutoff; then the
	// conversations left without messages that were created before cutoff
	// (with assignees and read markers); then the contacts left without
	// conversations that were created before cutoff, whose data keys are
	// destroyed. Call it until it reports no messages, conversations or
	// contacts. The media files are the caller's to delete.
	DeleteExpired(ctx context.Context, channelID string, cutoff time.Time, limit int) (*ExpiredData, error)
	// DeleteUnsentUploads deletes up to limit media files stored before
	// before that no message uses: uploads that were never sent (sending
	// one attaches it to its message in CreateOutboundMessage's
	// transaction). It returns their blob names, for the caller to delete.
	DeleteUnsentUploads(ctx context.Context, before time.Time, limit int) ([]string, error)
}

// Empty reports whether nothing was deleted.
func (d *ExpiredData) Empty() bool {
	return d.Messages == 0 && d.Conversations == 0 && d.Contacts == 0 && len(d.MediaIDs) == 0
}
