package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/inbox"
)

const contactUsage = `usage:
  switchboard contact export --id CONTACT_ID [--out FILE.zip]   write everything stored about a contact to a zip (GDPR art. 15, 20)
  switchboard contact erase --id CONTACT_ID                     erase a contact and everything stored about them (GDPR art. 17)`

func runContact(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "export" {
		return runContactExport(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) == 0 || args[0] != "erase" {
		return errors.New(contactUsage)
	}
	c, id, err := parseContactArgs("contact erase", "erase", groupStore|groupBackupKey|groupBackupPlace|groupMedia, args[1:], getenv, stderr, nil)
	if err != nil {
		return err
	}
	store, svc, err := openContactService(ctx, c, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := svc.EraseContact(ctx, nil, id)
	if err != nil {
		return errors.New(switchboard.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "erased contact %s: %d conversations, %d messages, %d media files; data key destroyed\n",
		res.ContactID, res.Conversations, res.Messages, len(res.MediaIDs))
	// Synced here rather than by the service (Service.Register), so that
	// a failure is the command's error.
	if err := newRegister(c, store, nil, nil).Sync(ctx); err != nil {
		return fmt.Errorf("the contact is erased, but the erasure register could not be copied (run `switchboard backup create` to retry): %w", err)
	}
	return nil
}

// parseContactArgs parses the flags of a contact command: the required
// --id, and those extra adds.
func parseContactArgs(name, verb string, groups settingGroup, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (*Config, string, error) {
	var id string
	c, _, err := parseConfig(name, groups, args, getenv, func(fs *flag.FlagSet) {
		fs.StringVar(&id, "id", "", "id of the contact to "+verb+" (Conversation.contact.id; required)")
		if extra != nil {
			extra(fs)
		}
	}, stderr)
	if err != nil {
		return nil, "", err
	}
	if id == "" {
		return nil, "", errors.New("--id is required\n" + contactUsage)
	}
	return c, id, nil
}

// openContactService opens the store and a service with media storage,
// for the contact commands, which act as the command line (no actor).
func openContactService(ctx context.Context, c *Config, stderr io.Writer) (switchboard.Store, *inbox.Service, error) {
	log := newLogger(c, stderr)
	store, keys, err := openStore(ctx, c, log, false)
	if err != nil {
		return nil, nil, err
	}
	svc := inbox.New(store, nil, nil)
	svc.Logger = log
	if svc.Blobs, err = openBlobs(ctx, c); err != nil {
		store.Close()
		return nil, nil, err
	}
	svc.Keys = keys
	return store, svc, nil
}
