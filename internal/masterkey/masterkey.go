// Package masterkey manages an installation's master key files: the
// current key, the one a rotation in progress moves to (<file>.next) and
// the retired ones (<file>.retired-<id>), and the two procedures over
// them, rotating the master key online and re-wrapping keys that a
// retired master still wraps.
package masterkey

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/fsutil"
	"github.com/switchboardhq/switchboard/internal/seal"
)

// RewrapBatch is how many data keys one write transaction re-wraps, so the
// server's own writes never wait long behind a rotation.
const RewrapBatch = 500

// Files are the master key files next to the configured one: the current
// key, the one a rotation in progress is moving to (.next), and the
// retired ones (.retired-<id>), in that order.
func Files(masterFile string) []string {
	files := []string{masterFile, masterFile + ".next"}
	retired, _ := filepath.Glob(masterFile + ".retired-*")
	sort.Strings(retired)
	return append(files, retired...)
}

// LoadOthers loads the retired and next master keys that sit next to the
// master key file, so that data keys wrapped by any of them can be read:
// during and after a rotation.
func LoadOthers(masterFile string, current *seal.MasterKey) ([]*seal.MasterKey, error) {
	var out []*seal.MasterKey
	for _, f := range Files(masterFile)[1:] {
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

// Lookup finds a master key by id among the key files, re-reading them:
// a rotation may have created one after the server started.
func Lookup(masterFile string) func(id string) (*seal.MasterKey, error) {
	return func(id string) (*seal.MasterKey, error) {
		for _, f := range Files(masterFile) {
			if mk, err := seal.LoadMasterKey(f); err == nil && mk.ID() == id {
				return mk, nil
			}
		}
		return nil, fmt.Errorf("no master key file holds %s", id)
	}
}

// Wire gives a store's keyring the retired and next masters next to
// masterFile and the lookup for masters created later.
func Wire(keys *seal.Keyring, masterFile string, current *seal.MasterKey) error {
	others, err := LoadOthers(masterFile, current)
	if err != nil {
		return fmt.Errorf("master keys: %w", err)
	}
	if err := keys.AddMasters(others...); err != nil {
		return err
	}
	keys.SetMasterLookup(Lookup(masterFile))
	return nil
}

// Store is what the procedures need of a store.
type Store interface {
	switchboard.KeyStore
	Close() error
}

// Opener opens the store with mk as its current master key.
type Opener func(ctx context.Context, mk *seal.MasterKey) (Store, error)

// Rotation is the outcome of Rotate.
type Rotation struct {
	// From and To are the ids of the old and the new master key.
	From, To string
	// Resumed is set when an interrupted rotation was continued.
	Resumed bool
	// Rewrapped counts the data keys re-wrapped; Checked the keys that
	// were unwrapped afterwards (data keys and the blind-index key).
	Rewrapped, Checked int
	// Stale counts data keys the running server created during the
	// rotation, still wrapped by the old key: `keys rewrap` moves them
	// after a restart.
	Stale int
	// Retired is the file the old key is kept in.
	Retired string
}

// Rotate rotates the master key in file online:
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
// the old key, which it keeps using until restarted: Rewrap after the
// restart moves them.
func Rotate(ctx context.Context, file string, open Opener) (*Rotation, error) {
	old, err := seal.LoadMasterKey(file)
	if err != nil {
		return nil, fmt.Errorf("current master key: %w", err)
	}
	res := &Rotation{From: old.ID()}
	nextFile := file + ".next"
	next, err := seal.LoadMasterKey(nextFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if next, err = seal.CreateMasterKey(nextFile); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, fmt.Errorf("master key of the rotation in progress: %w", err)
	default:
		res.Resumed = true
	}
	res.To = next.ID()
	// A rotation that stopped after re-wrapping the blind-index key opens
	// only with the new key.
	store, err := open(ctx, old)
	if err != nil {
		var err2 error
		if store, err2 = open(ctx, next); err2 != nil {
			return nil, err
		}
	}
	defer func() {
		if store != nil {
			store.Close()
		}
	}()
	if res.Rewrapped, err = rewrapAll(ctx, store, file, next); err != nil {
		return nil, err
	}
	if err := store.RewrapBlindIndexKey(ctx, next.ID(), rewrapper(file, next)); err != nil {
		return nil, err
	}
	if res.Checked, res.Stale, err = checkKeys(ctx, store, file, next); err != nil {
		return nil, err
	}
	if err := store.Close(); err != nil {
		return nil, err
	}
	store = nil

	res.Retired = file + ".retired-" + old.ID()
	if old.ID() != next.ID() {
		if err := os.Link(file, res.Retired); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("retire old master key: %w", err)
		}
		if err := os.Chmod(res.Retired, 0o600); err != nil {
			return nil, err
		}
	}
	if err := os.Rename(nextFile, file); err != nil {
		return nil, fmt.Errorf("install new master key: %w", err)
	}
	_ = fsutil.SyncDir(filepath.Dir(file))
	return res, nil
}

// Rewrapped is the outcome of Rewrap.
type Rewrapped struct {
	// Master is the id of the current master key.
	Master string
	// Rewrapped counts the data keys moved to it; Checked the keys
	// unwrapped afterwards; Stale those still wrapped by another master.
	Rewrapped, Checked, Stale int
}

// Rewrap moves every data key of store to cur, the master key in
// masterFile, and checks that every key unwraps.
func Rewrap(ctx context.Context, store switchboard.KeyStore, masterFile string, cur *seal.MasterKey) (*Rewrapped, error) {
	res := &Rewrapped{Master: cur.ID()}
	var err error
	if res.Rewrapped, err = rewrapAll(ctx, store, masterFile, cur); err != nil {
		return nil, err
	}
	if res.Checked, res.Stale, err = checkKeys(ctx, store, masterFile, cur); err != nil {
		return nil, err
	}
	return res, nil
}

// rewrapper unwraps with whichever master key wrapped a key and wraps
// with to.
func rewrapper(masterFile string, to *seal.MasterKey) switchboard.RewrapFunc {
	lookup := Lookup(masterFile)
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

func rewrapAll(ctx context.Context, store switchboard.KeyStore, masterFile string, to *seal.MasterKey) (int, error) {
	rewrap := rewrapper(masterFile, to)
	total := 0
	for {
		n, err := store.RewrapDataKeys(ctx, to.ID(), RewrapBatch, rewrap)
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
func checkKeys(ctx context.Context, store switchboard.KeyStore, masterFile string, to *seal.MasterKey) (checked, stale int, err error) {
	lookup := Lookup(masterFile)
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
