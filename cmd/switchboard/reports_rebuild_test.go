package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportsRebuildCommand: `switchboard reports rebuild` replaces the
// rollups by what the facts say (a figure no fact backs is dropped), and
// running it again changes nothing.
func TestReportsRebuildCommand(t *testing.T) {
	dir := t.TempDir()
	if out, err := runCLI(t, dir, "", "migrate"); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO report_figures (slot, channel_id, metric, count) VALUES (1767600000000000, 'x', 'opened', 7)`); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		out, err := runCLI(t, dir, "", "reports", "rebuild")
		if err != nil || !strings.Contains(out, "report rollups rebuilt") {
			t.Fatalf("reports rebuild: %v %s", err, out)
		}
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM report_figures`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("figures after rebuild = %d, %v; want none (no facts)", n, err)
		}
		var marks int
		if err := db.QueryRow(`SELECT COUNT(*) FROM report_state WHERE name = 'mark'`).Scan(&marks); err != nil || marks != 1 {
			t.Fatalf("marks = %d, %v", marks, err)
		}
	}
	if _, err := runCLI(t, dir, "", "reports", "refresh"); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Fatalf("reports refresh: %v, want the usage", err)
	}
}
