// Package erasure keeps the GDPR erasure register outside the database: a
// signed copy in the data dir and one beside the backups, so that a restore
// of a backup made before an erasure erases the contact again
// (docs/gdpr.md, "Erasures and backups").
package erasure

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/backup"
	"github.com/switchboardhq/switchboard/internal/fsutil"
	"github.com/switchboardhq/switchboard/internal/inbox"
)

// Register is the erasure register's copies outside a store. File and
// KeyFile are required; the rest have useful zero values.
type Register struct {
	// Store is the database whose register Sync copies.
	Store switchboard.Store
	// File is the local copy (<data dir>/erasures.jsonl, backup.RegisterName).
	File string
	// KeyFile is the backup key file; the register is signed with the
	// backup key.
	KeyFile string
	// Backups, when set, returns the backup location, where Sync writes
	// a copy too; nil when backups are not configured.
	Backups func() (backup.Location, error)
	// Blobs holds the media files that Reapply deletes.
	Blobs switchboard.BlobStore
	// Logger is handed to the service that re-applies erasures.
	Logger *slog.Logger
}

var _ inbox.ErasureRegister = (*Register)(nil)

// Sync copies the store's erasure register, signed with the backup key, to
// File and, when backups are configured, next to the backups, so that a
// later restore of an older backup finds it.
func (r *Register) Sync(ctx context.Context) error {
	key, err := backup.LoadKey(r.KeyFile)
	if errors.Is(err, fs.ErrNotExist) && r.Backups == nil {
		// No backup was ever made with this data dir, so there is nothing
		// to sign with and no older backup a restore could bring erased
		// contacts back from; the first backup holds the erasures in its
		// database and writes the register after it.
		return nil
	}
	if err != nil {
		return fmt.Errorf("sign erasure register: %w", err)
	}
	reg, err := r.Store.Erasures(ctx)
	if err != nil {
		return err
	}
	if err := r.writeLocal(reg, key); err != nil {
		return err
	}
	if r.Backups == nil {
		return nil
	}
	loc, err := r.Backups()
	if err != nil {
		return err
	}
	return backup.WriteRegister(ctx, loc, reg, key)
}

func (r *Register) writeLocal(reg []switchboard.Erasure, key *backup.Key) error {
	b, err := backup.EncodeRegister(reg, key)
	if err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(r.File, b, 0o600); err != nil {
		return fmt.Errorf("write erasure register: %w", err)
	}
	return nil
}

// Gather collects the erasure registers a restore re-applies: the one
// beside the backup being restored (loc) and the local copy in File (the
// restored database's own is added by Reapply). Both must carry a valid
// signature of key: one that fails the check (backup.ErrRegisterSignature)
// stops the restore, which could otherwise bring back contacts erased
// since.
func (r *Register) Gather(ctx context.Context, loc backup.Location, key *backup.Key) ([]switchboard.Erasure, error) {
	reg, err := backup.ReadRegister(ctx, loc, key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(r.File)
	if errors.Is(err, fs.ErrNotExist) {
		return reg, nil
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	local, err := backup.DecodeRegister(f, key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.File, err)
	}
	return append(reg, local...), nil
}

// Reapply is the restore's last step: it erases again every contact of reg
// that the restored store s holds, then writes s's merged register, signed
// with key, back to File. It returns how many contacts it erased.
func (r *Register) Reapply(ctx context.Context, s switchboard.Store, key *backup.Key, reg []switchboard.Erasure) (int, error) {
	svc := inbox.New(s, nil, nil)
	if r.Logger != nil {
		svc.Logger = r.Logger
	}
	svc.Blobs = r.Blobs
	n, err := svc.System().ReapplyErasures(ctx, reg)
	if err != nil {
		return n, err
	}
	all, err := s.Erasures(ctx)
	if err != nil {
		return n, err
	}
	return n, r.writeLocal(all, key)
}
