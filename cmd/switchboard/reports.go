package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/switchboardhq/switchboard/internal/inbox"
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
	store, _, err := openStore(ctx, c, newLogger(c, stderr), false)
	if err != nil {
		return err
	}
	defer store.Close()
	start := time.Now()
	// Through the service, so the rollups measure business time by the
	// channels' hours as the server does; without them every duration
	// would carry the "every hour counts" measure and each report of a
	// channel with hours would measure it again.
	if err := inbox.New(store, nil, nil).RebuildReports(ctx); err != nil {
		return fmt.Errorf("rebuild report rollups: %w", err)
	}
	fmt.Fprintf(stdout, "report rollups rebuilt from the facts in %v\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// refreshReports keeps the report rollups close to the facts, so the
// refresh every report makes first has little left to do, and measures
// again the days a change of business hours left measured by the old
// ones. The first run after an upgrade builds them.
func (a *App) refreshReports(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := a.Service.RefreshReports(ctx); err != nil && ctx.Err() == nil {
			a.Logger.Error("report rollups refresh failed; retrying at the next run", "err", err, "next_run_in", every)
		} else if err := a.Service.CatchUpReports(ctx); err != nil && ctx.Err() == nil {
			a.Logger.Error("measuring report rollups by new business hours failed; retrying at the next run", "err", err, "next_run_in", every)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
