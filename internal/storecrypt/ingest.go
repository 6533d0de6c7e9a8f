package storecrypt

import (
	"context"

	"github.com/switchboardhq/switchboard/internal/ingest"
)

// Contact identifier columns, in the order of [ContactIDColumns].
const (
	IDWaID = iota
	IDUserID
	IDParentUserID
	IDUsername
	NumContactIDs
)

// ContactIDColumns are the sealed identifier columns of a contact besides
// its name.
var ContactIDColumns = [NumContactIDs]string{"wa_id", "user_id", "parent_user_id", "username"}

// SealPlanned seals a planned contact's name and identifiers under its
// data key. An empty identifier is nil (NULL), except the phone number,
// which is NOT NULL since before BSUIDs.
func (c *Codec) SealPlanned(ctx context.Context, ct *ingest.Contact) (name []byte, ids [NumContactIDs][]byte, err error) {
	for i, v := range [NumContactIDs]string{ct.WaID, ct.UserID, ct.ParentUserID, ct.Username} {
		if v != "" || i == IDWaID {
			if ids[i], err = c.Seal(ctx, ct.KeyID, "contacts", ContactIDColumns[i], ct.ID, []byte(v)); err != nil {
				return nil, ids, err
			}
		}
	}
	name, err = c.Seal(ctx, ct.KeyID, "contacts", "name", ct.ID, []byte(ct.Name))
	return name, ids, err
}

// OpenPlanned decrypts a stored contact's identifiers (by
// [ContactIDColumns]) for the ingest planner; nil is an empty identifier.
// The name is the caller's (stores cache names).
func (c *Codec) OpenPlanned(ctx context.Context, ct *ingest.Contact, ids [NumContactIDs][]byte) error {
	for i, dst := range [NumContactIDs]*string{&ct.WaID, &ct.UserID, &ct.ParentUserID, &ct.Username} {
		if ids[i] == nil {
			continue
		}
		b, err := c.Open(ctx, ct.KeyID, "contacts", ContactIDColumns[i], ct.ID, ids[i])
		if err != nil {
			return err
		}
		*dst = string(b)
	}
	return nil
}
