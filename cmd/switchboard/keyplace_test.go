package main

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

func keyWarnings(log string) []string {
	var out []string
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "level=WARN") && strings.Contains(line, "KEY FILE INSIDE THE DATA DIRECTORY") {
			out = append(out, line)
		}
	}
	return out
}

// TestKeyFilesInsideDataDirWarn: with the defaults (master and backup key
// in the data directory, the audit key beside the master key) the server warns once per key, naming the file;
// with the keys in a directory of their own it does not warn.
func TestKeyFilesInsideDataDirWarn(t *testing.T) {
	capture := func(buf *syncBuffer) func(*App) {
		return func(a *App) { a.Logger = slog.New(slog.NewTextHandler(buf, nil)) }
	}

	var inside syncBuffer
	a := startApp(t, map[string]string{"SWITCHBOARD_BACKUP_TO": t.TempDir()}, capture(&inside))
	warns := keyWarnings(inside.String())
	if len(warns) != 3 {
		t.Fatalf("key files in the data dir: %d warnings, want 3 (master, audit, backup):\n%s", len(warns), inside.String())
	}
	for i, want := range []string{a.Config.MasterKeyFile, a.Config.AuditKeyFile, a.Config.BackupKeyFile} {
		if !strings.Contains(warns[i], want) {
			t.Errorf("warning %d does not name %s: %s", i, want, warns[i])
		}
	}

	var outside syncBuffer
	keys := t.TempDir()
	startApp(t, map[string]string{
		"SWITCHBOARD_BACKUP_TO":       t.TempDir(),
		"SWITCHBOARD_MASTER_KEY_FILE": filepath.Join(keys, "master.key"),
		"SWITCHBOARD_BACKUP_KEY_FILE": filepath.Join(keys, "backup.key"),
	}, capture(&outside))
	if warns := keyWarnings(outside.String()); len(warns) != 0 {
		t.Errorf("keys outside the data dir still warned: %q", warns)
	}
}

func TestKeyInDir(t *testing.T) {
	for _, tc := range []struct {
		dir, file string
		want      bool
	}{
		{"/var/lib/sb", "/var/lib/sb/master.key", true},
		{"/var/lib/sb", "/var/lib/sb/keys/master.key", true},
		{"/var/lib/sb/", "/var/lib/sb/../sb/master.key", true},
		{"/var/lib/sb", "/etc/switchboard/keys/master.key", false},
		{"/var/lib/sb", "/var/lib/sb2/master.key", false},
		{"/var/lib/sb", "/var/lib/..sb/master.key", false},
	} {
		if got := keyInDir(tc.dir, tc.file); got != tc.want {
			t.Errorf("keyInDir(%q, %q) = %v, want %v", tc.dir, tc.file, got, tc.want)
		}
	}
}
