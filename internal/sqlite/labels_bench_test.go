package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/switchboardhq/switchboard/internal/sqlite"
	"github.com/switchboardhq/switchboard/internal/storetest"
)

// BenchmarkCombinedFilters lists first pages with the combined filters
// (label, assignee, unread, channel, the waiting order) at 100,000
// conversations, beside the plain first page in the same run.
func BenchmarkCombinedFilters(b *testing.B) {
	path := filepath.Join(b.TempDir(), "switchboard.db")
	db, err := sqlite.Open(context.Background(), path, sqlite.Options{Master: storetest.MasterKey(b), Migrate: true, AuditKey: storetest.AuditKey})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	storetest.BenchCombinedFilters(b, db, func(tb testing.TB, copies int) {
		raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
		if err != nil {
			tb.Fatal(err)
		}
		defer raw.Close()
		raw.SetMaxOpenConns(1) // the temporary tables live on one connection
		stmts := []string{
			`CREATE TEMP TABLE seed_c AS SELECT * FROM conversations`,
			`CREATE TEMP TABLE seed_a AS SELECT * FROM conversation_assignees`,
			`CREATE TEMP TABLE seed_l AS SELECT * FROM conversation_labels`,
			`BEGIN IMMEDIATE`,
		}
		for j := 1; j <= copies; j++ {
			stmts = append(stmts,
				fmt.Sprintf(`UPDATE seed_c SET id = substr(id, 1, 32) || printf('%%05d', %d), status = 'resolved',
					updated_at = updated_at - 86400000000, last_message_at = last_message_at - 86400000000,
					waiting_since = NULL`, j),
				`INSERT INTO conversations SELECT * FROM seed_c`,
				fmt.Sprintf(`UPDATE seed_a SET conversation_id = substr(conversation_id, 1, 32) || printf('%%05d', %d)`, j),
				`INSERT INTO conversation_assignees SELECT * FROM seed_a`,
				fmt.Sprintf(`UPDATE seed_l SET conversation_id = substr(conversation_id, 1, 32) || printf('%%05d', %d)`, j),
				`INSERT INTO conversation_labels SELECT * FROM seed_l`)
		}
		stmts = append(stmts, `COMMIT`)
		for _, q := range stmts {
			if _, err := raw.Exec(q); err != nil {
				tb.Fatalf("%s: %v", q, err)
			}
		}
	})
}
