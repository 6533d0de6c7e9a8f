package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/fsutil"
	"github.com/switchboardhq/switchboard/internal/seal"
)

const keysUsage = `usage:
  switchboard keys rotate   make a new master key, re-wrap every data key and the blind-index key with it
                            (online), check them, and retire the old key file as <file>.retired-<id>
  switchboard keys rewrap   re-wrap keys still wrapped by a retired master key with the current one`

// rewrapBatch is how many data keys one write transaction re-wraps, so the
// server's own writes never wait long behind a rotation.
const rewrapBatch = 500

// keyFiles are the master key files next to the configured one: the
// current key, the one a rotation in progress is moving to (.next), and
// the retired ones (.retired-<id>).
func keyFiles(masterFile string) []string {
	files := []string{masterFile, masterFile + ".next"}
	retired, _ := filepath.Glob(masterFile + ".retired-*")
	sort.Strings(retired)
	return append(files, retired...)
}

// loadOtherMasters loads the retired and next master keys that sit next to
// the master key file, so that data keys wrapped by any of them can be
// read: during and after a rotation.
func loadOtherMasters(masterFile string, current *seal.MasterKey) ([]*seal.MasterKey, error) {
	var out []*seal.MasterKey
	for _, f := range keyFiles(masterFile)[1:] {
		mk, err := seal.LoadMasterKey(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, err
		}
		if mk.ID() != current.ID() {
			out = append(out, mk)
		}
	}
	return out, nil
}

// masterLookup finds a master key by id among the key files, re-reading
// them: a rotation may have created one after the server started.
func masterLookup(masterFile string) func(id string) (*seal.MasterKey, error) {
	return func(id string) (*seal.MasterKey, error) {
		for _, f := range keyFiles(masterFile) {
			if mk, err := seal.LoadMasterKey(f); err == nil && mk.ID() == id {
				return mk, nil
			}
		}
		return nil, fmt.Errorf("no master key file holds %s", id)
	}
}

// wireMasters gives a store's keyring the retired masters and the lookup.
func wireMasters(store switchboard.Store, masterFile string, current *seal.MasterKey) error {
	k, ok := store.(interface{ Keys() *seal.Keyring })
	if !ok {
		return fmt.Errorf("store %T does not expose its keyring", store)
	}
	others, err := loadOtherMasters(masterFile, current)
	if err != nil {
		return fmt.Errorf("master keys: %w", err)
	}
	if err := k.Keys().AddMasters(others...); err != nil {
		return err
	}
	k.Keys().SetMasterLookup(masterLookup(masterFile))
	return nil
}

func runKeys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("missing keys command\n%s", keysUsage)
	}
	sub, args := args[0], args[1:]
	if sub != "rotate" && sub != "rewrap" {
		return fmt.Errorf("unknown keys command %q\n%s", sub, keysUsage)
	}
	c, fs, err := parseConfig("keys "+sub, groupStore, args, getenv, nil, stderr)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q\n%s", fs.Arg(0), keysUsage)
	}
	log := newLogger(c, stderr)
	if sub == "rewrap" {
		return keysRewrap(ctx, c, log, stdout)
	}
	return keysRotate(ctx, c, log, stdout)
}

// keysRotate rotates the master key online:
//
//  1. a new master key is written to <file>.next (an interrupted rotation
//     is resumed with the .next file it left);
//  2. every data key is re-wrapped with it, in batches through the store's
//     writer, while the server keeps running (its keyring finds the new
//     key file by id when it meets a re-wrapped key);
//  3. the blind-index key is re-wrapped;
//  4. every data key and the blind-index key must unwrap with the new key;
//  5. the old file is kept as <file>.retired-<old id> (0600) and the new
//     one takes its name.
//
// Data keys that the running server creates meanwhile are still wrapped by
// the old key, which it keeps using until restarted: `keys rewrap` after
// the restart moves them.
func keysRotate(ctx context.Context, c *Config, log *slog.Logger, stdout io.Writer) error {
	file := c.MasterKeyFile
	old, err := seal.LoadMasterKey(file)
	if err != nil {
		return fmt.Errorf("current master key: %w", err)
	}
	nextFile := file + ".next"
	next, err := seal.LoadMasterKey(nextFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if next, err = seal.CreateMasterKey(nextFile); err != nil {
			return err
		}
	case err != nil:
		return fmt.Errorf("master key of the rotation in progress: %w", err)
	default:
		fmt.Fprintf(stdout, "resuming the rotation to %s (%s)\n", next.ID(), nextFile)
	}
	// A rotation that stopped after re-wrapping the blind-index key opens
	// only with the new key.
	store, err := openStoreWith(ctx, c, log, old)
	if err != nil {
		var err2 error
		if store, err2 = openStoreWith(ctx, c, log, next); err2 != nil {
			return err
		}
	}
	defer func() {
		if store != nil {
			store.Close()
		}
	}()
	n, err := rewrapAll(ctx, store, file, next)
	if err != nil {
		return err
	}
	if err := store.RewrapBlindIndexKey(ctx, next.ID(), rewrapper(file, next)); err != nil {
		return err
	}
	checked, stale, err := checkKeys(ctx, store, file, next)
	if err != nil {
		return err
	}
	if err := store.Close(); err != nil {
		return err
	}
	store = nil

	retired := file + ".retired-" + old.ID()
	if old.ID() != next.ID() {
		if err := os.Link(file, retired); err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("retire old master key: %w", err)
		}
		if err := os.Chmod(retired, 0o600); err != nil {
			return err
		}
	}
	if err := os.Rename(nextFile, file); err != nil {
		return fmt.Errorf("install new master key: %w", err)
	}
	_ = fsutil.SyncDir(filepath.Dir(file))
	fmt.Fprintf(stdout, "master key rotated from %s to %s: %d data keys and the blind-index key re-wrapped; %d keys checked\n",
		old.ID(), next.ID(), n, checked)
	fmt.Fprintf(stdout, "the old key is kept as %s: it is still needed to restore backups made before now\n", retired)
	fmt.Fprintf(stdout, "copy %s off this server now, then restart Switchboard\n", file)
	if stale > 0 {
		fmt.Fprintf(stdout, "%d data keys were created by the running server during the rotation: run `switchboard keys rewrap` after the restart\n", stale)
	}
	return nil
}

// keysRewrap moves every data key to the current master key.
func keysRewrap(ctx context.Context, c *Config, log *slog.Logger, stdout io.Writer) error {
	cur, err := seal.LoadMasterKey(c.MasterKeyFile)
	if err != nil {
		return fmt.Errorf("current master key: %w", err)
	}
	store, err := openStoreWith(ctx, c, log, cur)
	if err != nil {
		return err
	}
	defer store.Close()
	n, err := rewrapAll(ctx, store, c.MasterKeyFile, cur)
	if err != nil {
		return err
	}
	checked, stale, err := checkKeys(ctx, store, c.MasterKeyFile, cur)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d data keys re-wrapped with %s; %d keys checked, %d still wrapped by another master key\n", n, cur.ID(), checked, stale)
	return nil
}

// rewrapper unwraps with whichever master key wrapped a key and wraps
// with to.
func rewrapper(masterFile string, to *seal.MasterKey) switchboard.RewrapFunc {
	lookup := masterLookup(masterFile)
	cache := map[string]*seal.MasterKey{to.ID(): to}
	return func(id, masterID string, wrapped []byte) ([]byte, error) {
		mk, ok := cache[masterID]
		if !ok {
			var err error
			if mk, err = lookup(masterID); err != nil {
				return nil, fmt.Errorf("key %s: %w", id, err)
			}
			cache[masterID] = mk
		}
		raw, err := mk.Unwrap(id, wrapped)
		if err != nil {
			return nil, err
		}
		defer clear(raw)
		return to.Wrap(id, raw)
	}
}

func rewrapAll(ctx context.Context, store switchboard.Store, masterFile string, to *seal.MasterKey) (int, error) {
	rewrap := rewrapper(masterFile, to)
	total := 0
	for {
		n, err := store.RewrapDataKeys(ctx, to.ID(), rewrapBatch, rewrap)
		if err != nil {
			return total, err
		}
		total += n
		if n == 0 {
			return total, nil
		}
	}
}

// checkKeys unwraps every stored key: those wrapped by to must open with
// it; others (created by a running server meanwhile) are counted as stale
// and must open with a known master.
func checkKeys(ctx context.Context, store switchboard.Store, masterFile string, to *seal.MasterKey) (checked, stale int, err error) {
	lookup := masterLookup(masterFile)
	err = store.WrappedKeys(ctx, func(id, masterID string, wrapped []byte) error {
		mk := to
		if masterID != to.ID() {
			stale++
			if mk, err = lookup(masterID); err != nil {
				return fmt.Errorf("check key %s: %w", id, err)
			}
		}
		raw, err := mk.Unwrap(id, wrapped)
		if err != nil {
			return fmt.Errorf("check key %s: %w", id, err)
		}
		clear(raw)
		checked++
		return nil
	})
	if err != nil && strings.Contains(err.Error(), "check key") {
		return checked, stale, fmt.Errorf("%w; nothing was retired", err)
	}
	return checked, stale, err
}
