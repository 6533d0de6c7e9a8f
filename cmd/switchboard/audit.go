package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/auditanchor"
	"github.com/switchboardhq/switchboard/internal/backup"
)

// auditCheckpointFile is where serve anchors the audit chain's head.
func auditCheckpointFile(c *Config) string { return filepath.Join(c.DataDir, "audit-checkpoint.json") }

// loadAuditKey loads the audit key, creating it on first use. A database
// whose chain is already keyed needs the same key: a new one would make
// every later `audit verify` fail, so a restore refuses to run without it.
func loadAuditKey(c *Config) (*auditanchor.Key, error) {
	k, _, err := auditanchor.LoadOrCreateKey(c.AuditKeyFile)
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	return k, nil
}

// verifyAudit verifies the chain against the checkpoint file (if one was
// written) and the extra anchors (e.g. a backup's manifest).
func verifyAudit(ctx context.Context, c *Config, k *auditanchor.Key, s switchboard.AuditStore, extra []switchboard.AuditAnchor) (switchboard.AuditVerification, error) {
	anchors := extra
	a, err := k.ReadCheckpoint(auditCheckpointFile(c))
	switch {
	case err == nil:
		anchors = append(anchors, a)
	case !errors.Is(err, fs.ErrNotExist):
		return switchboard.AuditVerification{}, err
	}
	return switchboard.VerifyAuditChain(ctx, s, k.Chain, anchors...)
}

// anchorAudit moves the audit checkpoint to the chain's head at start,
// every interval and once more when serve stops. A chain that no longer
// reaches the checkpoint is logged as an error and the checkpoint is kept.
func (a *App) anchorAudit(ctx context.Context, every time.Duration) error {
	advance := func(ctx context.Context) {
		_, err := a.auditKey.Advance(ctx, a.Store, auditCheckpointFile(a.Config))
		switch {
		case errors.Is(err, auditanchor.ErrBehind):
			a.Logger.Error("AUDIT LOG TAMPERED WITH: the audit chain does not match its checkpoint; the checkpoint is kept as evidence (run `switchboard audit verify`)", "err", err)
		case err != nil && ctx.Err() == nil:
			a.Logger.Error("audit checkpoint not written; retrying at the next interval", "err", err)
		}
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		advance(ctx)
		select {
		case <-ctx.Done():
			// The entries of the last minutes before a stop get their
			// anchor too.
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			advance(fctx)
			cancel()
			return nil
		case <-t.C:
		}
	}
}

func runAuditVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var backupAt string
	c, _, err := parseConfig("audit verify", groupStore|groupBackupKey|groupBackupPlace, args, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&backupAt, "backup", "", "also check the chain against the audit head recorded in this backup (a file, or a name in --backup-to)")
	}, stderr)
	if err != nil {
		return err
	}
	k, err := auditanchor.LoadKey(c.AuditKeyFile)
	if err != nil {
		return fmt.Errorf("audit key %s: %w (copy the audit key file of this instance there, or set SWITCHBOARD_AUDIT_KEY_FILE)", c.AuditKeyFile, err)
	}
	var extra []switchboard.AuditAnchor
	if backupAt != "" {
		head, err := backupAuditHead(ctx, c, stderr, backupAt)
		if err != nil {
			return err
		}
		if head != nil {
			extra = append(extra, *head)
		}
	}
	store, _, err := openStore(ctx, c, newLogger(c, stderr), false)
	if err != nil {
		return err
	}
	defer store.Close()
	v, err := verifyAudit(ctx, c, k, store, extra)
	if err != nil {
		return err
	}
	if v.Break != nil {
		return fmt.Errorf("audit chain broken at entry %d: %s (%d entries before it verified)", v.Break.Seq, v.Break.Reason, v.Checked)
	}
	fmt.Fprintf(stdout, "audit chain intact: %d entries verified\n", v.Checked)
	if v.Legacy > 0 {
		fmt.Fprintf(stdout, "note: the first %d entries were written before the chain was keyed and are only hash-chained\n", v.Legacy)
	}
	return nil
}

// backupAuditHead reads the audit head from a backup's manifest.
func backupAuditHead(ctx context.Context, c *Config, stderr io.Writer, where string) (*switchboard.AuditAnchor, error) {
	key, err := loadBackupKey(c, newLogger(c, stderr), false)
	if err != nil {
		return nil, err
	}
	open, err := openBackup(c, where)
	if err != nil {
		return nil, err
	}
	rc, err := open(ctx)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	m, err := backup.Verify(ctx, rc, key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return m.AuditHead, nil
}
