package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
	"github.com/switchboardhq/switchboard/internal/password"
)

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, _, err := parseConfig("serve", groupAll, args, getenv, nil, stderr)
	if err != nil {
		return err
	}
	app := &App{Config: c, Logger: newLogger(c, stderr), Stdout: stdout}
	defer app.Close()
	if err := app.Open(ctx); err != nil {
		return err
	}
	return app.Run(ctx)
}

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, _, err := parseConfig("migrate", groupStore, args, getenv, nil, stderr)
	if err != nil {
		return err
	}
	store, _, err := openStore(ctx, c, newLogger(c, stderr), true)
	if err != nil {
		return err
	}
	defer store.Close()
	applied, latest, err := store.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database schema at version %d of %d\n", applied, latest)
	return nil
}

func runUserAdd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	var login, role, name string
	c, _, err := parseConfig("user add", groupStore, args, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&login, "login", "", "login of the new user (required)")
		fs.StringVar(&role, "role", switchboard.RoleEmployee, "role id: admin, operator, employee or a custom role's id")
		fs.StringVar(&name, "name", "", "display name (required)")
	}, stderr)
	if err != nil {
		return err
	}
	if login == "" || name == "" {
		return errors.New("--login and --name are required")
	}
	// The password comes from standard input, never from the command line
	// where other users could read it in the process list.
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password from standard input: %w", err)
	}
	pass := strings.TrimRight(line, "\r\n")
	if pass == "" {
		return errors.New("no password on standard input (e.g. echo 'long passphrase' | switchboard user add …)")
	}
	store, _, err := openStore(ctx, c, newLogger(c, stderr), true)
	if err != nil {
		return err
	}
	defer store.Close()
	hasher, err := password.NewHasher(password.DefaultParams(), 0)
	if err != nil {
		return err
	}
	svc := inbox.New(store, nil, hasher)
	u, err := svc.CreateUser(ctx, nil, inbox.NewUser{Login: login, Name: name, RoleID: role, Password: pass})
	if err != nil {
		return errors.New(switchboard.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "created user %s (%s) with role %s\n", u.Login, u.ID, u.RoleID)
	return nil
}
