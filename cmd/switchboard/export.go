package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/fsutil"
	"github.com/switchboardhq/switchboard/internal/inbox"
)

// runContactExport writes everything stored about a contact to a zip
// file (GDPR articles 15 and 20), like GET /api/v1/contacts/{id}/export.
// The file is created with mode 0600 and only renamed into place once
// complete, so a failed export leaves no partial archive behind.
func runContactExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var out string
	c, id, err := parseContactArgs("contact export", "export", groupStore|groupMedia, args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "zip file to write (default switchboard-contact-<id>.zip in the current directory; never overwritten)")
	})
	if err != nil {
		return err
	}
	if out == "" {
		out = inbox.ExportFilename(id)
	}
	// Checked before the export, which reads everything and is audited.
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("%s exists; choose another --out", out)
	}
	store, svc, err := openContactService(ctx, c, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	exp, err := svc.ExportContact(ctx, nil, id)
	if err != nil {
		return errors.New(switchboard.ErrorMessage(err))
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".export-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := exp.WriteZip(ctx, tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write export: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// Link instead of rename: it fails if out appeared meanwhile.
	if err := os.Link(tmp.Name(), out); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	_ = fsutil.SyncDir(filepath.Dir(out))
	fmt.Fprintf(stdout, "exported contact %s to %s: %d conversations, %d messages, %d media files, %d audit entries\n",
		id, out, len(exp.Conversations), len(exp.Messages), len(exp.Media), len(exp.Access))
	return nil
}
