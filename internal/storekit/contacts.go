package storekit

import (
	"context"

	"github.com/switchboardhq/switchboard/internal/ingest"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
)

// OpenContact decrypts a prefetched contact for the ingest planner: its
// name through the cache (name is the stored ciphertext) and its sealed
// identifiers.
func OpenContact(ctx context.Context, codec *storecrypt.Codec, names *NameCache, ct *ingest.Contact, name []byte, sealed [storecrypt.NumContactIDs][]byte) error {
	var ok bool
	if ct.Name, ok = names.Get(ct.ID, name); !ok {
		b, err := codec.Open(ctx, ct.KeyID, "contacts", "name", ct.ID, name)
		if err != nil {
			return err
		}
		ct.Name = string(b)
		names.Put(ct.ID, name, ct.Name)
	}
	return codec.OpenPlanned(ctx, ct, sealed)
}
