package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/backup"
	"github.com/switchboardhq/switchboard/internal/fsutil"
	"github.com/switchboardhq/switchboard/internal/inbox"
	"github.com/switchboardhq/switchboard/internal/media"
	"github.com/switchboardhq/switchboard/internal/seal"
)

const contactUsage = `usage:
  switchboard contact export --id CONTACT_ID [--out FILE.zip]   write everything stored about a contact to a zip (GDPR art. 15, 20)
  switchboard contact erase --id CONTACT_ID                     erase a contact and everything stored about them (GDPR art. 17)`

// registerFile is the local copy of the erasure register in the data dir.
func registerFile(c *Config) string { return filepath.Join(c.DataDir, backup.RegisterName) }

func runContact(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "export" {
		return runContactExport(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) == 0 || args[0] != "erase" {
		return errors.New(contactUsage)
	}
	c, id, err := parseContactArgs("contact erase", "erase", groupStore|groupBackupKey|groupBackupPlace, args[1:], getenv, stderr, nil)
	if err != nil {
		return err
	}
	store, svc, err := openContactService(ctx, c, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := svc.EraseContact(ctx, nil, id)
	if err != nil {
		return errors.New(switchboard.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "erased contact %s: %d conversations, %d messages, %d media files; data key destroyed\n",
		res.ContactID, res.Conversations, res.Messages, len(res.MediaIDs))
	if err := syncRegister(ctx, c, store); err != nil {
		return fmt.Errorf("the contact is erased, but the erasure register could not be copied (run `switchboard backup create` to retry): %w", err)
	}
	return nil
}

// parseContactArgs parses the flags of a contact command: the required
// --id, and those extra adds.
func parseContactArgs(name, verb string, groups settingGroup, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (*Config, string, error) {
	var id string
	c, _, err := parseConfig(name, groups, args, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&id, "id", "", "id of the contact to "+verb+" (Conversation.contact.id; required)")
		if extra != nil {
			extra(fs)
		}
	}, stderr)
	if err != nil {
		return nil, "", err
	}
	if id == "" {
		return nil, "", errors.New("--id is required\n" + contactUsage)
	}
	return c, id, nil
}

// openContactService opens the store and a service with media storage,
// for the contact commands, which act as the command line (no actor).
func openContactService(ctx context.Context, c *Config, stderr io.Writer) (switchboard.Store, *inbox.Service, error) {
	log := newLogger(c, stderr)
	store, err := openStore(ctx, c, log, false)
	if err != nil {
		return nil, nil, err
	}
	svc := inbox.New(store, nil, nil)
	svc.Logger = log
	svc.Blobs = &media.Files{Dir: filepath.Join(c.DataDir, "media")}
	svc.Keys = store.(interface{ Keys() *seal.Keyring }).Keys()
	return store, svc, nil
}

// registerSyncer is syncRegister as an inbox.ErasureRegister.
type registerSyncer func(ctx context.Context) error

// Sync copies the register out.
func (f registerSyncer) Sync(ctx context.Context) error { return f(ctx) }

// syncRegister copies the store's erasure register, signed with the backup
// key, to the data dir (<data dir>/erasures.jsonl) and, when backups are
// configured, next to the backups, so that a later restore of an older
// backup finds it.
func syncRegister(ctx context.Context, c *Config, store switchboard.Store) error {
	key, err := backup.LoadKey(c.BackupKeyFile)
	if errors.Is(err, fs.ErrNotExist) && c.BackupTo == "" {
		// No backup was ever made with this data dir, so there is nothing
		// to sign with and no older backup a restore could bring erased
		// contacts back from; the first backup holds the erasures in its
		// database and writes the register after it (runBackupCreate).
		return nil
	}
	if err != nil {
		return fmt.Errorf("sign erasure register: %w", err)
	}
	reg, err := store.Erasures(ctx)
	if err != nil {
		return err
	}
	b, err := backup.EncodeRegister(reg, key)
	if err != nil {
		return err
	}
	if err := fsutil.WriteFileAtomic(registerFile(c), b, 0o600); err != nil {
		return fmt.Errorf("write erasure register: %w", err)
	}
	if c.BackupTo == "" {
		return nil
	}
	loc, err := backupTo(c)
	if err != nil {
		return err
	}
	return backup.WriteRegister(ctx, loc, reg, key)
}

// restoreRegister gathers the erasure registers a restore re-applies: the
// one beside the backup being restored (loc), the local copy in the data
// dir, and (inside Reapply) the restored database's own. Both files must
// carry a valid signature of key: one that fails the check stops the
// restore, which could otherwise bring back contacts erased since.
func restoreRegister(ctx context.Context, c *Config, loc backup.Location, key *backup.Key) ([]switchboard.Erasure, error) {
	reg, err := backup.ReadRegister(ctx, loc, key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(registerFile(c))
	if errors.Is(err, fs.ErrNotExist) {
		return reg, nil
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	local, err := backup.DecodeRegister(f, key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", registerFile(c), err)
	}
	return append(reg, local...), nil
}

// reapplyErasures is the restore's Reapply hook: it erases again every
// registered contact the restored database holds, then writes the merged
// register, signed with key, back to the data dir.
func reapplyErasures(c *Config, log *slog.Logger, key *backup.Key, reg []switchboard.Erasure, erased *int) func(ctx context.Context, s switchboard.Store) error {
	return func(ctx context.Context, s switchboard.Store) error {
		svc := inbox.New(s, nil, nil)
		svc.Logger = log
		svc.Blobs = &media.Files{Dir: filepath.Join(c.DataDir, "media")}
		n, err := svc.ReapplyErasures(ctx, reg)
		if err != nil {
			return err
		}
		*erased = n
		all, err := s.Erasures(ctx)
		if err != nil {
			return err
		}
		b, err := backup.EncodeRegister(all, key)
		if err != nil {
			return err
		}
		return fsutil.WriteFileAtomic(registerFile(c), b, 0o600)
	}
}
