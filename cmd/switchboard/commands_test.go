package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

func runCLI(t *testing.T, dir, stdin string, args ...string) (string, error) {
	t.Helper()
	getenv := func(k string) string {
		if k == "SWITCHBOARD_DATA_DIR" {
			return dir
		}
		return ""
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestUserAddAndAuditVerify(t *testing.T) {
	dir := t.TempDir()
	if out, err := runCLI(t, dir, "", "migrate"); err != nil || !strings.Contains(out, "version") {
		t.Fatalf("migrate: %v %s", err, out)
	}
	if _, err := runCLI(t, dir, "", "user", "add", "--login", "root", "--role", "admin", "--name", "Root"); err == nil {
		t.Fatal("user add without a password on stdin succeeded")
	}
	if _, err := runCLI(t, dir, "password\n", "user", "add", "--login", "root", "--role", "admin", "--name", "Root"); err == nil {
		t.Fatal("user add accepted a common password")
	}
	out, err := runCLI(t, dir, testPassword+"\n", "user", "add", "--login", "Root", "--role", "admin", "--name", "Root")
	if err != nil || !strings.Contains(out, "created user root") {
		t.Fatalf("user add: %v %s", err, out)
	}
	if _, err := runCLI(t, dir, testPassword+"\n", "user", "add", "--login", "ROOT", "--role", "employee", "--name", "Again"); err == nil {
		t.Fatal("duplicate login (other case) accepted")
	}
	if out, err := runCLI(t, dir, testPassword+"\n", "user", "add", "--login", "emp", "--name", "Emp"); err != nil {
		t.Fatalf("second user: %v %s", err, out)
	}
	out, err = runCLI(t, dir, "", "audit", "verify")
	if err != nil || !strings.Contains(out, "2 entries verified") {
		t.Fatalf("audit verify: %v %s", err, out)
	}

	// Edit an entry behind the application's back: verify names it.
	db, err := sql.Open("sqlite", filepath.Join(dir, "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit_log SET object_id = 'someone-else' WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = runCLI(t, dir, "", "audit", "verify")
	if err == nil || !strings.Contains(err.Error(), "broken at entry 1") {
		t.Fatalf("audit verify after tampering: %v", err)
	}
}

func TestHelpAndConfig(t *testing.T) {
	out, err := runCLI(t, t.TempDir(), "", "serve", "--help")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	for _, env := range []string{"SWITCHBOARD_ADDR", "SWITCHBOARD_DATA_DIR", "SWITCHBOARD_DATABASE_URL", "SWITCHBOARD_PUBLIC_URL", "SWITCHBOARD_MASTER_KEY_FILE"} {
		if !strings.Contains(out, env) {
			t.Errorf("--help does not mention %s", env)
		}
	}
	if _, err := runCLI(t, t.TempDir(), "", "frobnicate"); err == nil {
		t.Fatal("unknown command accepted")
	}
	if out, err := runCLI(t, t.TempDir(), "", "version"); err != nil || !strings.HasPrefix(out, "switchboard ") {
		t.Fatalf("version: %v %q", err, out)
	}
	env := map[string]string{"SWITCHBOARD_ADDR": "127.0.0.1:9999", "SWITCHBOARD_DATABASE_URL": "postgres://x@y/z"}
	c, _, err := parseConfig("serve", groupAll, []string{"--addr", "127.0.0.1:7777"}, func(k string) string { return env[k] }, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7777" || !c.Postgres() || c.PublicURL != "http://127.0.0.1:7777" || c.MasterKeyFile != filepath.Join("data", "master.key") {
		t.Fatalf("config = %+v", c)
	}
	if _, _, err := parseConfig("serve", groupAll, []string{"--public-url", "ftp://x"}, func(string) string { return "" }, nil, io.Discard); err == nil {
		t.Fatal("bad public URL accepted")
	}

	// The Graph API version: the newest by default, an older one on request,
	// a malformed one refused at start rather than at the first Graph call.
	if c.GraphVersion != "v27.0" {
		t.Errorf("default Graph version = %q, want v27.0", c.GraphVersion)
	}
	older := func(k string) string {
		if k == "SWITCHBOARD_GRAPH_VERSION" {
			return "v24.0"
		}
		return ""
	}
	if c, _, err := parseConfig("serve", groupAll, nil, older, nil, io.Discard); err != nil || c.GraphVersion != "v24.0" {
		t.Errorf("SWITCHBOARD_GRAPH_VERSION=v24.0: %q, %v", c.GraphVersion, err)
	}
	for _, bad := range []string{"24.0", "v27", "latest", "v27.0/"} {
		if _, _, err := parseConfig("serve", groupAll, []string{"--graph-version", bad}, func(string) string { return "" }, nil, io.Discard); err == nil || !strings.Contains(err.Error(), "graph API version") {
			t.Errorf("--graph-version %q: %v", bad, err)
		}
	}
}

// lockedBuffer is a bytes.Buffer safe for a logger and a test at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestShutdownLogsNoError: a normal shutdown (SIGTERM cancels the context)
// with every worker running, the emulator's included, logs no error.
func TestShutdownLogsNoError(t *testing.T) {
	var logs lockedBuffer
	app := startApp(t, map[string]string{"SWITCHBOARD_EMULATOR": "on", "SWITCHBOARD_LOG_LEVEL": "info"}, func(a *App) {
		a.Logger = newLogger(a.Config, &logs)
	})
	app.setupAdmin()
	app.stop()
	select {
	case err := <-app.done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		app.done <- nil // for the cleanup
	case <-time.After(30 * time.Second):
		t.Fatal("server did not shut down")
	}
	out := logs.String()
	if !strings.Contains(out, "shutting down") {
		t.Fatalf("no shutdown in the log:\n%s", out)
	}
	if strings.Contains(out, "level=ERROR") {
		t.Errorf("a normal shutdown logged an error:\n%s", out)
	}
}

// TestSubcommandHelp: each command's --help lists the flags it reads and
// none of serve's that it ignores.
func TestSubcommandHelp(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		has, not []string
	}{
		{[]string{"serve"}, []string{"-addr", "-data-dir", "-wa-app-secret", "-emulator", "-backup-interval", "-retention-interval", "-media-store", "-media-s3-secret-access-key"}, nil},
		{[]string{"migrate"}, []string{"-data-dir", "-database-url", "-master-key-file", "-log-level"}, []string{"-addr", "-emulator", "-backup-to", "-wa-app-secret", "-media-store"}},
		{[]string{"user", "add"}, []string{"-login", "-role", "-database-url"}, []string{"-addr", "-backup-s3-endpoint"}},
		{[]string{"backup", "verify"}, []string{"-backup-key-file", "-backup-s3-endpoint", "-data-dir"}, []string{"-addr", "-database-url", "-emulator", "-backup-interval", "-master-key-file", "-media-store"}},
		{[]string{"backup", "list"}, []string{"-to", "-backup-s3-endpoint"}, []string{"-addr", "-database-url", "-backup-key-file"}},
		{[]string{"backup", "create"}, []string{"-to", "-database-url", "-backup-key-file", "-media-store", "-media-s3-endpoint"}, []string{"-addr", "-emulator", "-backup-keep"}},
		{[]string{"contact", "export"}, []string{"-id", "-out", "-database-url"}, []string{"-addr", "-backup-to"}},
		{[]string{"contact", "erase"}, []string{"-id", "-database-url", "-backup-to", "-media-store"}, []string{"-addr", "-emulator"}},
		{[]string{"keys", "rotate"}, []string{"-master-key-file"}, []string{"-addr", "-backup-to"}},
		{[]string{"bot"}, []string{"-url", "-token-file", "-llm-url", "-model", "-llm-api-key-file", "-system-prompt-file", "-knowledge-file", "-mode", "-threshold", "-llm-timeout", "-log-level"},
			[]string{"-addr", "-data-dir", "-database-url", "-emulator", "-backup-to"}},
	} {
		var out bytes.Buffer
		err := run(context.Background(), append(tc.args, "--help"), func(string) string { return "" }, strings.NewReader(""), &out, &out)
		if !errors.Is(err, flag.ErrHelp) && err != nil {
			t.Errorf("%v --help: %v", tc.args, err)
		}
		help := out.String()
		for _, f := range tc.has {
			if !strings.Contains(help, "  "+f+" ") && !strings.Contains(help, "  "+f+"\n") {
				t.Errorf("%v --help lacks %s:\n%s", tc.args, f, help)
			}
		}
		for _, f := range tc.not {
			if strings.Contains(help, "  "+f+" ") || strings.Contains(help, "  "+f+"\n") {
				t.Errorf("%v --help lists %s, which it does not read", tc.args, f)
			}
		}
	}
}
