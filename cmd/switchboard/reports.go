package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/switchboardhq/switchboard/internal/reports"
)

const reportsUsage = "usage: switchboard reports rebuild"

// runReports runs `switchboard reports rebuild`: the report rollups are
// recomputed exactly from the facts (docs/reports.md, "Rollups"). It is
// idempotent and safe while the server runs: each UTC day is replaced in
// one transaction, and writes made meanwhile are picked up by the next
// refresh.
func runReports(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rebuild" {
		return errors.New(reportsUsage)
	}
	c, _, err := parseConfig("reports rebuild", groupStore, args[1:], getenv, nil, stderr)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, c, newLogger(c, stderr), false)
	if err != nil {
		return err
	}
	defer store.Close()
	start := time.Now()
	ro := &reports.Rollups{Store: store, Now: time.Now}
	if err := ro.Rebuild(ctx); err != nil {
		return fmt.Errorf("rebuild report rollups: %w", err)
	}
	fmt.Fprintf(stdout, "report rollups rebuilt from the facts in %v\n", time.Since(start).Round(time.Millisecond))
	return nil
}
