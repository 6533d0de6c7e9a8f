package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/switchboardhq/switchboard/internal/masterkey"
	"github.com/switchboardhq/switchboard/internal/seal"
)

const keysUsage = `usage:
  switchboard keys rotate   make a new master key, re-wrap every data key and the blind-index key with it
                            (online), check them, and retire the old key file as <file>.retired-<id>
  switchboard keys rewrap   re-wrap keys still wrapped by a retired master key with the current one`

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

// keysRotate rotates the master key online (masterkey.Rotate) and says
// what the operator must do next.
func keysRotate(ctx context.Context, c *Config, log *slog.Logger, stdout io.Writer) error {
	file := c.MasterKeyFile
	res, err := masterkey.Rotate(ctx, file, func(ctx context.Context, mk *seal.MasterKey) (masterkey.Store, error) {
		store, _, err := openStoreWith(ctx, c, log, mk)
		if err != nil {
			return nil, err
		}
		return store, nil
	})
	if res != nil && res.Resumed {
		fmt.Fprintf(stdout, "resuming the rotation to %s (%s.next)\n", res.To, file)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "master key rotated from %s to %s: %d data keys and the blind-index key re-wrapped; %d keys checked\n",
		res.From, res.To, res.Rewrapped, res.Checked)
	fmt.Fprintf(stdout, "the old key is kept as %s: it is still needed to restore backups made before now\n", res.Retired)
	fmt.Fprintf(stdout, "copy %s off this server now, then restart Switchboard\n", file)
	if res.Stale > 0 {
		fmt.Fprintf(stdout, "%d data keys were created by the running server during the rotation: run `switchboard keys rewrap` after the restart\n", res.Stale)
	}
	return nil
}

// keysRewrap moves every data key to the current master key
// (masterkey.Rewrap).
func keysRewrap(ctx context.Context, c *Config, log *slog.Logger, stdout io.Writer) error {
	cur, err := seal.LoadMasterKey(c.MasterKeyFile)
	if err != nil {
		return fmt.Errorf("current master key: %w", err)
	}
	store, _, err := openStoreWith(ctx, c, log, cur)
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := masterkey.Rewrap(ctx, store, c.MasterKeyFile, cur)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d data keys re-wrapped with %s; %d keys checked, %d still wrapped by another master key\n", res.Rewrapped, res.Master, res.Checked, res.Stale)
	return nil
}
