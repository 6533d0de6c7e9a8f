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
	"strings"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/backup"
	"github.com/switchboardhq/switchboard/internal/erasure"
)

const backupUsage = `usage:
  switchboard backup create [--to DIR|s3://bucket/prefix]
  switchboard backup verify BACKUP
  switchboard backup restore BACKUP [--database-url URL] [--data-dir DIR]
  switchboard backup list [--to DIR|s3://bucket/prefix]
BACKUP is a backup file or s3://bucket/prefix/switchboard-<time>.backup.`

// runBackup dispatches the backup subcommands.
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("missing backup command\n%s", backupUsage)
	}
	sub, args := args[0], args[1:]
	switch sub {
	case "create":
		return runBackupCreate(ctx, args, getenv, stdout, stderr)
	case "verify":
		return runBackupVerify(ctx, args, getenv, stdout, stderr)
	case "restore":
		return runBackupRestore(ctx, args, getenv, stdout, stderr)
	case "list":
		return runBackupList(ctx, args, getenv, stdout, stderr)
	}
	return fmt.Errorf("unknown backup command %q\n%s", sub, backupUsage)
}

// parseBackupArgs parses the flags of verify and restore and takes out
// their one positional argument, the backup, wherever it stands: backup
// names always end in .backup, which no flag value does.
func parseBackupArgs(name string, groups settingGroup, args []string, getenv func(string) string, stderr io.Writer) (*Config, string, error) {
	var pos []string
	var rest []string
	for _, a := range args {
		if strings.HasSuffix(a, ".backup") && !strings.HasPrefix(a, "-") {
			pos = append(pos, a)
		} else {
			rest = append(rest, a)
		}
	}
	c, fs, err := parseConfig(name, groups, rest, getenv, nil, stderr)
	if err != nil {
		return nil, "", err
	}
	pos = append(pos, fs.Args()...)
	if len(pos) != 1 {
		return nil, "", fmt.Errorf("switchboard %s needs exactly one backup (a switchboard-<time>.backup file or s3://bucket/prefix/switchboard-<time>.backup)", name)
	}
	return c, pos[0], nil
}

// parseBackupTo parses the flags of create and list, where --to is short
// for --backup-to.
func parseBackupTo(name string, groups settingGroup, args []string, getenv func(string) string, stderr io.Writer) (*Config, error) {
	var to string
	c, fs, err := parseConfig(name, groups, args, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&to, "to", "", "where the backups are: a directory or s3://bucket/prefix (default $SWITCHBOARD_BACKUP_TO)")
	}, stderr)
	if err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q\n%s", fs.Arg(0), backupUsage)
	}
	if to != "" {
		c.BackupTo = to
	}
	return c, nil
}

// backupTo returns the location of --to (SWITCHBOARD_BACKUP_TO).
func backupTo(c *Config) (backup.Location, error) {
	if c.BackupTo == "" {
		return nil, errors.New("no backup location: set --to or SWITCHBOARD_BACKUP_TO to a directory or s3://bucket/prefix")
	}
	return backup.ParseLocation(c.BackupTo, c.BackupS3())
}

// loadBackupKey loads the backup key, creating it when create is set.
func loadBackupKey(c *Config, log *slog.Logger, create bool) (*backup.Key, error) {
	if !create {
		k, err := backup.LoadKey(c.BackupKeyFile)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("backup key %s not found: a backup can only be read with the backup key it was made with (SWITCHBOARD_BACKUP_KEY_FILE)", c.BackupKeyFile)
		}
		return k, err
	}
	k, created, err := backup.LoadOrCreateKey(c.BackupKeyFile)
	if err != nil {
		return nil, err
	}
	if created {
		log.Warn("created a new backup key; copy it off this server (e.g. into a password manager): without it no backup can be restored",
			"file", c.BackupKeyFile)
	}
	return k, nil
}

func runBackupCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parseBackupTo("backup create", groupStore|groupBackupKey|groupBackupPlace|groupMedia, args, getenv, stderr)
	if err != nil {
		return err
	}
	log := newLogger(c, stderr)
	loc, err := backupTo(c)
	if err != nil {
		return err
	}
	key, err := loadBackupKey(c, log, true)
	if err != nil {
		return err
	}
	store, _, err := openStore(ctx, c, log, false)
	if err != nil {
		return err
	}
	defer store.Close()
	src, ok := store.(backup.Source)
	if !ok {
		return fmt.Errorf("store %T cannot be backed up", store)
	}
	blobs, err := openBlobs(ctx, c)
	if err != nil {
		return err
	}
	start := time.Now()
	m, obj, err := backup.Write(ctx, loc, src, key, backup.CreateOptions{
		Blobs: blobs, Version: Version(),
	})
	if err != nil {
		return err
	}
	var rows int64
	for _, n := range m.Rows {
		rows += n
	}
	fmt.Fprintf(stdout, "backup %s/%s: %d bytes, %d rows (%d messages), %d media files, %v\n",
		trimSlash(loc.String()), obj.Name, obj.Size, rows, m.Rows["messages"], m.MediaFiles, time.Since(start).Round(time.Millisecond))
	if len(m.MissingMedia) > 0 {
		fmt.Fprintf(stdout, "warning: %d media files the database references were missing from the media directory\n", len(m.MissingMedia))
	}
	if err := newRegister(c, store, nil, log).Sync(ctx); err != nil {
		return fmt.Errorf("the backup is complete, but the erasure register could not be copied beside it: %w", err)
	}
	return nil
}

func trimSlash(s string) string {
	for len(s) > 1 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

// openBackup returns a function that opens the backup at where.
func openBackup(c *Config, where string) (func(ctx context.Context) (io.ReadCloser, error), error) {
	loc, name, err := backup.ParseBackup(where, c.BackupS3())
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) (io.ReadCloser, error) { return loc.Open(ctx, name) }, nil
}

func runBackupVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, where, err := parseBackupArgs("backup verify", groupLog|groupBackupKey|groupBackupPlace, args, getenv, stderr)
	if err != nil {
		return err
	}
	key, err := loadBackupKey(c, newLogger(c, stderr), false)
	if err != nil {
		return err
	}
	open, err := openBackup(c, where)
	if err != nil {
		return err
	}
	rc, err := open(ctx)
	if err != nil {
		return err
	}
	defer rc.Close()
	m, err := backup.Verify(ctx, rc, key)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	var rows int64
	for _, n := range m.Rows {
		rows += n
	}
	fmt.Fprintf(stdout, "backup intact: made %s from %s (schema %d), %d entries, %d rows (%d messages), %d media files (%d bytes); needs master key %v\n",
		m.CreatedAt.Format(time.RFC3339), m.Backend, m.SchemaVersion, len(m.Entries), rows, m.Rows["messages"], m.MediaFiles, m.MediaBytes, m.MasterKeyIDs)
	if len(m.MissingMedia) > 0 {
		fmt.Fprintf(stdout, "warning: %d media files were missing when the backup was made\n", len(m.MissingMedia))
	}
	return nil
}

func runBackupRestore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, where, err := parseBackupArgs("backup restore", groupStore|groupBackupKey|groupBackupPlace|groupMedia, args, getenv, stderr)
	if err != nil {
		return err
	}
	log := newLogger(c, stderr)
	key, err := loadBackupKey(c, log, false)
	if err != nil {
		return err
	}
	// The master key must be the one the backup was made with: never
	// create a new one here.
	if _, err := os.Stat(c.MasterKeyFile); err != nil {
		return fmt.Errorf("master key %s not found: copy the master key file of the backed-up instance there (or set SWITCHBOARD_MASTER_KEY_FILE); backups do not contain it", c.MasterKeyFile)
	}
	// So must the audit key: the restored chain is keyed with it.
	if _, err := os.Stat(c.AuditKeyFile); err != nil {
		return fmt.Errorf("audit key %s not found: copy the audit key file of the backed-up instance there (or set SWITCHBOARD_AUDIT_KEY_FILE); backups do not contain it", c.AuditKeyFile)
	}
	open, err := openBackup(c, where)
	if err != nil {
		return err
	}
	loc, _, err := backup.ParseBackup(where, c.BackupS3())
	if err != nil {
		return err
	}
	blobs, err := openBlobs(ctx, c)
	if err != nil {
		return err
	}
	reg := newRegister(c, nil, blobs, log)
	register, err := reg.Gather(ctx, loc, key)
	if errors.Is(err, backup.ErrRegisterSignature) {
		return fmt.Errorf("restore refused, nothing was restored: %w\n"+
			"The erasure register lists the contacts to erase again after the restore; one that fails its check may have lost "+
			"erasures (a removed line would bring an erased contact back). Find an intact copy (the data dir of the backed-up "+
			"server, or a newer backup) and see docs/gdpr.md, \"Erasures and backups\"", err)
	} else if err != nil {
		return fmt.Errorf("erasure register: %w", err)
	}
	erased := 0
	res, err := backup.Restore(ctx, open, key, backup.RestoreOptions{
		Open: func(ctx context.Context) (backup.Target, error) {
			store, _, err := openStore(ctx, c, log, true)
			if err != nil {
				return nil, err
			}
			t, ok := store.(backup.Target)
			if !ok {
				store.Close()
				return nil, fmt.Errorf("store %T cannot be restored into", store)
			}
			return t, nil
		},
		// The GDPR erasure register (docs/backup.md, "Erasures and
		// restores"): every contact erased since the backup was made is
		// erased again before the restore reports success.
		Reapply: func(ctx context.Context, s switchboard.Store) (err error) {
			erased, err = reg.Reapply(ctx, s, key, register)
			return err
		},
		Blobs:  blobs,
		Logger: log,
	})
	if err != nil {
		return err
	}
	var rows int64
	for _, n := range res.Rows {
		rows += n
	}
	target := "SQLite " + c.SQLitePath()
	if c.Postgres() {
		target = "PostgreSQL"
	}
	fmt.Fprintf(stdout, "restored %s (made %s from %s) into %s: %d rows (%d messages), %d media files in %v\n",
		where, res.Manifest.CreatedAt.Format(time.RFC3339), res.Manifest.Backend, target, rows, res.Rows["messages"], res.MediaFiles, res.Duration.Round(time.Millisecond))
	fmt.Fprintf(stdout, "erasure register: %d entries known, %d contacts erased again\n", len(register), erased)
	return nil
}

func runBackupList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parseBackupTo("backup list", groupLog|groupBackupPlace, args, getenv, stderr)
	if err != nil {
		return err
	}
	loc, err := backupTo(c)
	if err != nil {
		return err
	}
	objs, err := loc.List(ctx)
	if err != nil {
		return err
	}
	if len(objs) == 0 {
		fmt.Fprintf(stdout, "no backups in %s\n", loc)
		return nil
	}
	for _, o := range objs {
		fmt.Fprintf(stdout, "%s\t%s\t%d bytes\n", o.Name, o.Time.Format(time.RFC3339), o.Size)
	}
	return nil
}

// newRegister wires the erasure register's copies outside the database:
// <data dir>/erasures.jsonl and, when backups are configured, beside them.
func newRegister(c *Config, store switchboard.Store, blobs switchboard.BlobStore, log *slog.Logger) *erasure.Register {
	r := &erasure.Register{Store: store, File: filepath.Join(c.DataDir, backup.RegisterName), KeyFile: c.BackupKeyFile,
		Blobs: blobs, Logger: log}
	if c.BackupTo != "" {
		r.Backups = func() (backup.Location, error) { return backupTo(c) }
	}
	return r
}

// newScheduler builds the scheduled backups of serve (SWITCHBOARD_BACKUP_TO
// is set).
func newScheduler(c *Config, log *slog.Logger, store switchboard.Store, blobs switchboard.BlobStore) (*backup.Scheduler, error) {
	loc, err := backupTo(c)
	if err != nil {
		return nil, err
	}
	key, err := loadBackupKey(c, log, true)
	if err != nil {
		return nil, err
	}
	src, ok := store.(backup.Source)
	if !ok {
		return nil, fmt.Errorf("store %T cannot be backed up", store)
	}
	return &backup.Scheduler{Location: loc, Source: src, Key: key, Blobs: blobs, Version: Version(), Logger: log,
		Interval: c.BackupInterval, Keep: c.BackupKeep,
		AfterBackup: newRegister(c, store, blobs, log).Sync}, nil
}
