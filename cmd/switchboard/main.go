// Command switchboard runs Switchboard, a self-hosted team inbox for the
// WhatsApp Business Platform, and its administrative subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "switchboard:", err)
		os.Exit(1)
	}
}

const usage = `Usage: switchboard <command> [flags]

Commands:
  serve          run the server (the default when no command is given)
  migrate        apply pending database migrations and exit
  user add       create a user; the password is read from standard input
  audit verify   check the audit log's hash chain
  backup create  back up the database and media files (--to DIR or s3://bucket/prefix)
  backup verify  check a backup's integrity: backup verify BACKUP
  backup restore restore a backup into an empty database: backup restore BACKUP
  backup list    list the backups in a location (--to)
  contact export write everything stored about a contact to a zip (--id, --out)
  contact erase  erase a contact and everything stored about them (--id)
  keys rotate    re-wrap every data key with a new master key, online
  keys rewrap    re-wrap keys still wrapped by a retired master key
  reports rebuild recompute the report rollups exactly from the facts
  bot            run the AI reply bot against a Switchboard server (docs/automation.md)
  version        print the version

Run "switchboard <command> --help" for the flags of a command. Every flag
can also be set through its environment variable, named in the help.
`

// run dispatches a command line; main and the tests call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return runServe(ctx, args, getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args, getenv, stdout, stderr)
	case "user":
		if len(args) == 0 || args[0] != "add" {
			return fmt.Errorf("usage: switchboard user add --login L --role ROLE --name NAME")
		}
		return runUserAdd(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "audit":
		if len(args) == 0 || args[0] != "verify" {
			return fmt.Errorf("usage: switchboard audit verify")
		}
		return runAuditVerify(ctx, args[1:], getenv, stdout, stderr)
	case "backup":
		return runBackup(ctx, args, getenv, stdout, stderr)
	case "contact":
		return runContact(ctx, args, getenv, stdout, stderr)
	case "keys":
		return runKeys(ctx, args, getenv, stdout, stderr)
	case "reports":
		return runReports(ctx, args, getenv, stdout, stderr)
	case "bot":
		return runBot(ctx, args, getenv, stderr)
	case "version":
		fmt.Fprintln(stdout, "switchboard", Version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// Version returns the build's version: the -X value, else the module
// version or VCS revision recorded by the Go toolchain.
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}
